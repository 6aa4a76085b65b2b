package io.loadshift.vtn.sim;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code simulate}: a fleet of simulated sites against a running VTN for a while, then a summary
 * (and one {@code SIM key=value ...} line for scripts such as bench/run). It is also the load
 * generator: ten thousand sites polling every ten seconds fit in one process with a 1 GiB heap.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Runs simulated sites (buildings with flexible load, batteries, EV chargers) against a running VTN:",
        "each registers its VEN and DERs, polls (OpenADR 3.1 GET /events or 2.0b oadrPoll), opts in or out,",
        "curtails by its setpoints and reports its meter after events. Needs an admin credential of the VTN."})
public final class SimulateCommand implements Callable<Integer> {
  @Option(names = "--vtn", defaultValue = "http://127.0.0.1:8080", description = "the VTN's base URL (default ${DEFAULT-VALUE})")
  String vtn;

  @Option(names = "--admin-id", defaultValue = "${env:VTN_ADMIN_CLIENT_ID:-dev-admin}",
      description = "admin client id (default $VTN_ADMIN_CLIENT_ID, else dev-admin)")
  String adminId;

  @Option(names = "--admin-secret", defaultValue = "${env:VTN_ADMIN_CLIENT_SECRET}", arity = "0..1", interactive = false,
      description = "admin client secret (default $VTN_ADMIN_CLIENT_SECRET; better set there than here)")
  String adminSecret;

  @Option(names = "--sites", defaultValue = "100", description = "simulated sites (default ${DEFAULT-VALUE})")
  int sites;

  @Option(names = "--share-2b", defaultValue = "0.5", description = "share of sites speaking OpenADR 2.0b (default ${DEFAULT-VALUE})")
  double share2b;

  @Option(names = "--compliance", defaultValue = "0.85", description = "chance a site follows its setpoints and opts in (default ${DEFAULT-VALUE})")
  double compliance;

  @Option(names = "--seed", defaultValue = "2026", description = "fleet seed: the same seed, the same sites (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--prefix", defaultValue = "sim", description = "site (VEN) names are <prefix>-0000... (default ${DEFAULT-VALUE})")
  String prefix;

  @Option(names = "--group", defaultValue = "sim", description = "target group the sites join (default ${DEFAULT-VALUE})")
  String group;

  @Option(names = "--poll-interval", defaultValue = "10s", description = "each site polls this often (default ${DEFAULT-VALUE})")
  String pollInterval;

  @Option(names = "--duration", defaultValue = "60s", description = "how long the sites run (default ${DEFAULT-VALUE})")
  String duration;

  @Option(names = "--meter-minutes", defaultValue = "1", description = "meter interval of the sites' reports (default ${DEFAULT-VALUE})")
  int meterMinutes;

  @Option(names = "--backfill-days", defaultValue = "0",
      description = "days of meter history to load first (POST /meterdata), e.g. 21 for like-day baselines (default ${DEFAULT-VALUE})")
  int backfillDays;

  @Option(names = "--history-minutes", defaultValue = "15", description = "interval of the backfilled history (default ${DEFAULT-VALUE})")
  int historyMinutes;

  @Option(names = "--event-after", description = "issue an event for the group this long into the run and time how fast the sites see it")
  String eventAfter;

  @Option(names = "--event-minutes", defaultValue = "2", description = "length of that event, in 1-minute intervals (default ${DEFAULT-VALUE})")
  int eventMinutes;

  @Option(names = "--plan", description = "plan and publish dispatch setpoints for that event")
  boolean plan;

  @Option(names = "--subscribe", description = "3.1 sites subscribe to event notifications (webhooks to this process) "
      + "and read their events when notified, polling only every 6 intervals; the VTN must allow http callbacks to this host")
  boolean subscribe;

  @Option(names = "--callback-host", defaultValue = "127.0.0.1",
      description = "address the VTN reaches this process at for webhooks (default ${DEFAULT-VALUE})")
  String callbackHost;

  @Option(names = "--connections", defaultValue = "64", description = "HTTP connections the sites share (default ${DEFAULT-VALUE})")
  int connections;

  @Option(names = "--parallel", defaultValue = "32", description = "registration requests in flight (default ${DEFAULT-VALUE})")
  int parallel;

  @Option(names = "--state", description = "file keeping the sites' VEN client credentials between runs (default .vtn/sim-<prefix>-<host>-<port>.tsv)")
  Path state;

  @Option(names = "--no-progress", negatable = false, description = "no progress bars")
  boolean noProgress;

  private final PrintStream out = System.out;

  @Override
  public Integer call() throws Exception {
    Duration poll;
    Duration runFor;
    Duration eventAt;
    try {
      poll = parseDuration("--poll-interval", pollInterval);
      runFor = parseDuration("--duration", duration);
      eventAt = eventAfter == null ? null : parseDuration("--event-after", eventAfter);
    } catch (IllegalArgumentException e) {
      System.err.println("loadshift-vtn simulate: " + e.getMessage());
      return 2;
    }
    if (sites < 1 || sites > 200_000 || share2b < 0 || share2b > 1 || compliance < 0 || compliance > 1
        || meterMinutes < 1 || meterMinutes > 60 || 1440 % meterMinutes != 0 || backfillDays < 0 || backfillDays > 400
        || historyMinutes < 1 || historyMinutes > 60 || 1440 % historyMinutes != 0 || historyMinutes % meterMinutes != 0 || eventMinutes < 1 || eventMinutes > 1440 || connections < 1 || connections > 2000
        || parallel < 1 || parallel > 1000 || poll.toMillis() < 100 || runFor.isNegative()
        || (eventAt != null && eventAt.compareTo(runFor) >= 0) || !prefix.matches("[A-Za-z0-9_.-]{1,40}")
        || !group.matches("[A-Za-z0-9_.:-]{1,100}")) {
      System.err.println("loadshift-vtn simulate: --sites 1..200000, --share-2b and --compliance 0..1, --meter-minutes and "
          + "--history-minutes 1..60 dividing a day (and --history-minutes a multiple of --meter-minutes), --backfill-days 0..400, --poll-interval >= 100ms, --event-after shorter than "
          + "--duration; --prefix and --group letters, digits, . _ - (see --help)");
      return 2;
    }
    if (adminSecret == null || adminSecret.isBlank()) {
      System.err.println("loadshift-vtn simulate: set VTN_ADMIN_CLIENT_SECRET (and VTN_ADMIN_CLIENT_ID) to an admin credential of the VTN");
      return 2;
    }
    java.net.URI target = java.net.URI.create(vtn);
    Path statePath = state != null ? state : Path.of(".vtn", "sim-" + prefix + "-"
        + (target.getHost() + "-" + target.getPort()).replaceAll("[^A-Za-z0-9.-]", "_") + ".tsv");
    Vertx vertx = Vertx.vertx();
    Simulator sim = new Simulator(vertx, new Simulator.Options(vtn.replaceAll("/+$", ""), prefix, sites, share2b,
        compliance, seed, poll, meterMinutes * 60, group, parallel, connections, statePath, !noProgress, out, subscribe,
        callbackHost));
    try {
      return run(sim, poll, runFor, eventAt);
    } catch (Exception e) {
      System.err.println("loadshift-vtn simulate: failed: " + rootMessage(e));
      return 1;
    } finally {
      sim.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private int run(Simulator sim, Duration poll, Duration runFor, Duration eventAt) throws Exception {
    long t0 = System.nanoTime();
    String admin = await(sim.token(adminId, adminSecret));
    await(sim.provision(admin));
    say(String.format(Locale.ROOT, "%d sites ready in %.1f s", sites, (System.nanoTime() - t0) / 1e9));
    if (backfillDays > 0) {
      Instant now = Instant.now();
      long t1 = System.nanoTime();
      long stored = await(sim.backfill(admin, now.minus(Duration.ofDays(backfillDays)), now, historyMinutes));
      say(String.format(Locale.ROOT, "meter history: %,d readings (%d days of %d-minute intervals) in %.1f s", stored,
          backfillDays, historyMinutes, (System.nanoTime() - t1) / 1e9));
    }
    say(String.format(Locale.ROOT, "polling every %s for %s%s", human(poll), human(runFor),
        subscribe ? " (3.1 sites: on webhook notifications, and every " + human(poll.multipliedBy(Simulator.SUBSCRIBER_POLL_FACTOR)) + ")" : ""));
    await(sim.start(runFor.getSeconds()));
    String eventId = null;
    long createdNs = 0;
    if (eventAt != null) {
      Thread.sleep(eventAt.toMillis());
      Instant soonest = Instant.now().plusSeconds(30);
      Instant start = soonest.truncatedTo(ChronoUnit.MINUTES).plusSeconds(60);
      String program = programFor(sim, admin);
      JsonArray intervals = new JsonArray();
      double target = sim.sites().stream().flatMap(s -> s.ders().stream()).mapToDouble(Site.Der::capacityKw).sum() / 2;
      for (int k = 0; k < eventMinutes; k++) {
        intervals.add(new JsonObject().put("id", k).put("payloads", new JsonArray()
            .add(Site.attr("TARGET_REDUCTION_KW", Math.round(target)))));
      }
      createdNs = System.nanoTime();
      JsonObject e = Oadr3Ven.expect(await(sim.http().post(Simulator.BASE + "/events").bearerTokenAuthentication(admin)
          .sendJsonObject(new JsonObject().put("programID", program).put("eventName", "sim-" + Instant.now().getEpochSecond())
              .put("targets", new JsonArray().add(group))
              .put("intervalPeriod", new JsonObject().put("start", start.toString()).put("duration", "PT1M"))
              .put("intervals", intervals))), 201, "event");
      eventId = e.getString("id");
      say("event " + eventId + " for group " + group + " from " + start + ", " + eventMinutes + " x PT1M");
      if (plan) {
        JsonObject p = Oadr3Ven.expect(await(sim.http().post("/optimization/events/" + eventId + "/plan")
            .addQueryParam("accept", "true").bearerTokenAuthentication(admin).send()), 201, "plan");
        say(String.format(Locale.ROOT, "dispatch plan: %d resources, shortfall %.1f kW", p.getInteger("dispatchedResources"),
            p.getDouble("shortfallKw")));
      }
    }
    Simulator.RunStats started = await(sim.statsNow());
    Thread.sleep(Math.max(0, runFor.toMillis() - (long) (started.seconds() * 1000)));
    Simulator.RunStats s = await(sim.stop());
    LatencyLog seen = eventId == null ? null : await(sim.seen(eventId, createdNs));
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    Map<String, int[]> protocols = await(sim.byProtocol());
    out.println();
    out.printf(Locale.ROOT, "%-8s %8s %10s %8s%n", "protocol", "sites", "complying", "reports");
    protocols.forEach((p, c) -> out.printf(Locale.ROOT, "%-8s %8d %10d %8d%n", p, c[0], c[2], c[1]));
    out.println();
    out.printf(Locale.ROOT, "polls: %,d answered in %.0f s (%.1f/s, expected %.1f/s), %d errors; latency p50 %.1f ms, "
            + "p99 %.1f ms, max %.1f ms; start lateness p99 %.1f ms%n", s.polls(), s.seconds(), s.polls() / s.seconds(),
        expectedRate(protocols, poll), s.errors(), s.p50Ms(), s.p99Ms(), s.maxMs(), s.lateP99Ms());
    long notified = await(sim.notifications());
    List<String> p99s = s.windowP99Ms().stream()
        .map(v -> v.isNaN() ? "-" : String.format(Locale.ROOT, v < 10 ? "%.1f" : "%.0f", v)).toList();
    out.println("poll p99 by interval (ms): " + (p99s.size() <= 30 ? String.join(" ", p99s)
        : String.join(" ", p99s.subList(0, 15)) + " ... " + String.join(" ", p99s.subList(p99s.size() - 15, p99s.size()))
            + " (" + p99s.size() + " intervals)"));
    out.printf(Locale.ROOT, "reports: %d (%,d readings); 2.0b oadrCreatedEvent answers: %d; webhook notifications: %d%n",
        s.reports(), s.readings(), s.opts(), notified);
    if (seen != null) {
      out.printf(Locale.ROOT, "event seen by %d of %d sites: p50 %.0f ms, p99 %.0f ms, last %.0f ms after its 201%n",
          seen.size(), sites, seen.percentileMs(0.5), seen.percentileMs(0.99), seen.maxMs());
    }
    out.printf(Locale.ROOT, "heap after a full GC: %.0f MiB (max %.0f MiB)%n", heap / 1048576.0,
        Runtime.getRuntime().maxMemory() / 1048576.0);
    if (s.lastError() != null) {
      out.println("last error: " + s.lastError());
    }
    out.printf(Locale.ROOT, "SIM sites=%d polls=%d errors=%d seconds=%.1f rate=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f "
            + "late_p99_ms=%.1f reports=%d readings=%d notifications=%d heap_mib=%.0f max_heap_mib=%.0f seen=%d seen_p99_ms=%.0f seen_max_ms=%.0f "
            + "interval_p99_ms=%s%n",
        sites, s.polls(), s.errors(), s.seconds(), s.polls() / s.seconds(), s.p50Ms(), s.p99Ms(), s.maxMs(), s.lateP99Ms(),
        s.reports(), s.readings(), notified, heap / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0,
        seen == null ? 0 : seen.size(), seen == null ? Double.NaN : seen.percentileMs(0.99),
        seen == null ? Double.NaN : seen.maxMs(), String.join(",", p99s.subList(0, Math.min(30, p99s.size()))));
    return s.errors() == 0 ? 0 : 1;
  }

  /** Polls per second the fleet asks for: subscribing 3.1 sites poll only every few intervals. */
  private double expectedRate(Map<String, int[]> protocols, Duration poll) {
    double perSite = 1000.0 / poll.toMillis();
    int threeOne = protocols.getOrDefault("3.1", new int[1])[0];
    int others = sites - threeOne;
    return others * perSite + threeOne * perSite / (subscribe ? Simulator.SUBSCRIBER_POLL_FACTOR : 1);
  }

  /** The simulator's program (baseline CAISO 10-of-10, a reward per kW), found or made. */
  private String programFor(Simulator sim, String admin) {
    String name = "sim-" + group;
    var found = await(sim.http().get(Simulator.BASE + "/programs").addQueryParam("programName", name)
        .bearerTokenAuthentication(admin).send());
    JsonArray list = Oadr3Ven.expectArray(found, "programs");
    for (Object p : list) {
      if (name.equals(((JsonObject) p).getString("programName"))) {
        return ((JsonObject) p).getString("id");
      }
    }
    return Oadr3Ven.expect(await(sim.http().post(Simulator.BASE + "/programs").bearerTokenAuthentication(admin)
        .sendJsonObject(new JsonObject().put("programName", name).put("attributes", new JsonArray()
            .add(Site.attr("BASELINE_METHOD", "CAISO_10_OF_10")).add(Site.attr("REWARD_PER_KW", 0.5))))), 201, "program")
        .getString("id");
  }

  /** {@code 10s}, {@code 250ms}, {@code 5m}, {@code 1h} or ISO 8601 ({@code PT10S}). */
  static Duration parseDuration(String option, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.startsWith("p")) {
        return Duration.parse(t.toUpperCase(Locale.ROOT));
      }
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      long n = Long.parseLong(t.substring(0, t.length() - 1));
      switch (t.charAt(t.length() - 1)) {
        case 's':
          return Duration.ofSeconds(n);
        case 'm':
          return Duration.ofMinutes(n);
        case 'h':
          return Duration.ofHours(n);
        default:
          break;
      }
    } catch (RuntimeException bad) {
      // falls through to the message below
    }
    throw new IllegalArgumentException(option + ": '" + text + "' is not a duration such as 10s, 250ms, 5m, 1h or PT10S");
  }

  private static String human(Duration d) {
    return d.toMillis() % 1000 != 0 ? d.toMillis() + " ms" : d.getSeconds() + " s";
  }

  private void say(String what) {
    out.println("simulate: " + what);
  }

  private static <T> T await(Future<T> f) {
    return Simulator.await(f, 30);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
