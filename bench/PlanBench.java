import io.loadshift.vtn.der.DerStatus;
import io.loadshift.vtn.der.DerType;
import io.loadshift.vtn.optimization.Der;
import io.loadshift.vtn.optimization.Plan;
import io.loadshift.vtn.optimization.PlanInput;
import io.loadshift.vtn.optimization.PlanOptions;
import io.loadshift.vtn.optimization.Planner;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Dispatch planner benchmark on synthetic fleets (seeded, so every run plans the same fleets). No VTN
 * or database: the planner is pure computation.
 *
 *   mvn -q -DskipTests package && java -cp target/loadshift-vtn.jar bench/PlanBench.java [scenario ...]
 *
 * Scenarios (default: all, in one JVM; name one to time it in a fresh JVM):
 *   single       100,000 DERs, one 15-minute interval, 5 MW, 1,000 feeders in 50 zones with limits
 *                (goal <= 200 ms): merit order
 *   window       10,000 DERs of which 1,000 storage, 96 intervals of 15 minutes, a daily target profile
 *                up to 30 MW, 100 feeders in 10 zones with limits, 10 % with an unavailable block
 *                (goal <= 10 s): network flow
 *   ramp         1,000 DERs of which 100 storage and 50 with binding ramp limits, 24 intervals: ojAlgo LP
 *   ramp-window  the window fleet with 200 of its loads ramp-limited: too large for ojAlgo, so the flow
 *                relaxation (plan and lower bound, with the gap)
 *
 * Each scenario is timed on its first call in the JVM (no warm-up): wall time (ms) and the planning
 * thread's CPU time (cpu_ms, which time the thread waits for a core on a busy machine does not
 * inflate); then as the best of three more calls (warm_ms). Prints one "BENCH_PLAN key=value ..." line
 * per scenario, with the plan's cost next to its lower bound and the gap between them.
 */
public class PlanBench {
  static final Instant START = Instant.parse("2026-07-01T00:00:00Z");

  public static void main(String[] args) {
    List<String> scenarios = args.length == 0 ? List.of("single", "window", "ramp", "ramp-window") : List.of(args);
    for (String s : scenarios) {
      PlanInput in = switch (s) {
        case "single" -> single();
        case "window" -> window(0);
        case "ramp" -> ramp();
        case "ramp-window" -> window(200);
        default -> throw new IllegalArgumentException("unknown scenario " + s + " (single, window, ramp, ramp-window)");
      };
      java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
      long c0 = mx.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      Plan first = Planner.plan(in);
      double coldMs = (System.nanoTime() - t0) / 1e6;
      double cpuMs = (mx.getCurrentThreadCpuTime() - c0) / 1e6;
      double warmMs = Double.MAX_VALUE;
      for (int k = 0; k < 3; k++) {
        long t1 = System.nanoTime();
        Planner.plan(in);
        warmMs = Math.min(warmMs, (System.nanoTime() - t1) / 1e6);
      }
      double energy = first.intervals().stream().mapToDouble(Plan.Interval::shortfallKw).sum()
          * in.interval().toMinutes() / 60.0;
      String gap = first.lowerBound() == null || first.lowerBound().signum() == 0 ? "-"
          : String.format("%.4f%%", first.cost().subtract(first.lowerBound()).doubleValue() * 100 / first.lowerBound().doubleValue());
      System.out.printf("BENCH_PLAN scenario=%s ders=%d intervals=%d solver=%s ms=%.1f cpu_ms=%.1f warm_ms=%.1f cost=%s "
              + "lowerBound=%s gap=%s shortfallKw=%.3f shortfallKwh=%.3f dispatched=%d excluded=%d warnings=%d%n",
          s, in.ders().size(), in.targetKw().length, first.solver(), coldMs, cpuMs, warmMs, first.cost().toPlainString(),
          first.lowerBound() == null ? "-" : first.lowerBound().toPlainString(), gap, first.shortfallKw(), energy,
          first.dispatch().size(), first.excluded().size(), first.warnings().size());
      first.warnings().stream().filter(w -> w.startsWith("plan check")).forEach(w -> System.out.println("  " + w));
    }
  }

  static final DerType[] LOADS = {DerType.LOAD, DerType.HEAT_PUMP, DerType.SOLAR, DerType.WIND, DerType.FUEL_CELL,
      DerType.HYDRO, DerType.GEOTHERMAL};

  static BigDecimal price(Random r, double lo, double hi) {
    // Bids to 7 decimals.
    return BigDecimal.valueOf(Math.round((lo + r.nextDouble() * (hi - lo)) * 1e7), 7);
  }

  static String id(String prefix, int i) {
    return String.format("%s-%06d", prefix, i);
  }

  static PlanInput single() {
    Random r = new Random(20260701);
    int count = 100_000;
    List<Der> ders = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int feeder = r.nextInt(1000);
      DerType type = r.nextInt(10) == 0 ? DerType.BATTERY : LOADS[r.nextInt(LOADS.length)];
      double cap = 1 + r.nextInt(40);
      DerStatus status = r.nextInt(50) == 0 ? DerStatus.OFFLINE : (r.nextInt(4) == 0 ? DerStatus.OPTIMIZED : DerStatus.ONLINE);
      BigDecimal bid = r.nextInt(20) == 0 ? null : price(r, 0.5, 25);
      Double kwh = type.storage() ? cap * (1 + r.nextInt(4)) : null;
      Double soc = type.storage() ? 0.2 + 0.7 * r.nextDouble() : null;
      ders.add(new Der(id("s", i), "ven-" + (i / 10), type, status, r.nextInt(500) == 0 ? null : cap, kwh, soc,
          type.storage() ? 0.1 : null, null, "Z" + (feeder % 50), "F" + feeder, bid, null));
    }
    Map<String, Double> feeders = new TreeMap<>();
    for (int f = 0; f < 1000; f++) {
      feeders.put("F" + f, 60.0 + (f % 7) * 20);
    }
    Map<String, Double> zones = new TreeMap<>();
    for (int z = 0; z < 50; z++) {
      zones.put("Z" + z, 1500.0);
    }
    return new PlanInput(START.plusSeconds(17 * 3600), Duration.ofMinutes(15), new double[] {5000}, ders, feeders, zones,
        Set.of("ven-42"), PlanOptions.DEFAULT);
  }

  /** The window fleet; {@code ramped} of its loads (every 45th) get a ramp limit of a third of their power. */
  static PlanInput window(int ramped) {
    Random r = new Random(96);
    int count = 10_000;
    int intervals = 96;
    List<Der> ders = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int feeder = r.nextInt(100);
      boolean storage = i % 10 == 0;
      boolean[] avail = null;
      if (r.nextInt(10) == 0) {
        avail = new boolean[intervals];
        int from = r.nextInt(intervals);
        int len = 4 + r.nextInt(24);
        for (int t = 0; t < intervals; t++) {
          avail[t] = t < from || t >= from + len;
        }
      }
      if (storage) {
        double cap = 5 + r.nextInt(96);
        DerType type = r.nextInt(3) == 0 ? DerType.EV_CHARGER : DerType.BATTERY;
        ders.add(new Der(id("b", i), "ven-" + (i / 5), type, DerStatus.ONLINE, cap, cap * (2 + r.nextInt(3)),
            0.3 + 0.6 * r.nextDouble(), 0.1, null, "Z" + (feeder % 10), "F" + feeder, price(r, 0.5, 8), avail));
      } else {
        double cap = 2 + r.nextInt(49);
        Double ramp = i % 45 == 1 && i / 45 < ramped ? cap / 3 : null;
        ders.add(new Der(id("d", i), "ven-" + (i / 5), LOADS[r.nextInt(LOADS.length)], DerStatus.ONLINE, cap, null, null,
            null, ramp, "Z" + (feeder % 10), "F" + feeder, price(r, 1, 20), avail));
      }
    }
    Map<String, Double> feeders = new TreeMap<>();
    for (int f = 0; f < 100; f++) {
      feeders.put("F" + f, 500.0 + (f % 5) * 100);
    }
    Map<String, Double> zones = new TreeMap<>();
    for (int z = 0; z < 10; z++) {
      zones.put("Z" + z, 4000.0);
    }
    double[] target = new double[intervals];
    for (int t = 0; t < intervals; t++) {
      double h = t / 4.0;
      target[t] = Math.round(8000 + 22000 * Math.exp(-Math.pow((h - 18) / 2.5, 2)));
    }
    return new PlanInput(START, Duration.ofMinutes(15), target, ders, feeders, zones, Set.of(), PlanOptions.DEFAULT);
  }

  static PlanInput ramp() {
    Random r = new Random(24);
    int count = 1_000;
    int intervals = 24;
    List<Der> ders = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int feeder = r.nextInt(20);
      if (i % 10 == 0) {
        double cap = 5 + r.nextInt(96);
        ders.add(new Der(id("b", i), "ven-" + i, DerType.BATTERY, DerStatus.ONLINE, cap, cap * 2, 0.3 + 0.6 * r.nextDouble(),
            0.1, null, "Z" + (feeder % 4), "F" + feeder, price(r, 0.5, 8), null));
      } else {
        double cap = 2 + r.nextInt(49);
        Double ramp = i % 20 == 1 ? cap / (2 + r.nextInt(4)) : null;  // every 20th: 50 ramp-limited
        ders.add(new Der(id("d", i), "ven-" + i, DerType.HYDRO, DerStatus.ONLINE, cap, null, null, null, ramp,
            "Z" + (feeder % 4), "F" + feeder, price(r, 1, 20), null));
      }
    }
    Map<String, Double> feeders = new TreeMap<>();
    for (int f = 0; f < 20; f++) {
      feeders.put("F" + f, 300.0);
    }
    double[] target = new double[intervals];
    for (int t = 0; t < intervals; t++) {
      target[t] = Math.round(1000 + 2500 * Math.exp(-Math.pow((t - 16) / 5.0, 2)));
    }
    return new PlanInput(START.plusSeconds(12 * 3600), Duration.ofMinutes(15), target, ders, feeders, Map.of("Z0", 1250.0),
        Set.of(), PlanOptions.DEFAULT);
  }
}
