package io.loadshift.vtn.optimization;

import io.loadshift.vtn.der.DerStatus;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The request checked and turned into arrays: the resources that can be planned, in whole watts
 * (milli-kW, {@code long}) and prices in units of 1e-7 per kW; the limited feeders and zones; the
 * merit order. Resources that cannot be planned are listed with a reason; nothing here throws for a
 * data problem.
 */
final class Fleet {
  static final int NONE = -1;
  /** Bids above this are refused as implausible (it also keeps every product below 2^63). */
  static final BigDecimal MAX_PRICE = new BigDecimal("1000000");
  static final int PRICE_SCALE = 7;

  final PlanInput input;
  final int n;
  final double hours;
  final long[] target;
  final boolean charging;
  final List<Plan.Exclusion> excluded = new ArrayList<>();
  final List<String> warnings = new ArrayList<>();

  // Resources that can be planned, index 0..size-1 in input order.
  int size;
  String[] id;
  String[] ven;
  Der[] der;
  BigDecimal[] price;
  boolean[] defaultPrice;
  long[] priceU;
  long[] cap;
  int[] feeder;
  int[] zone;
  boolean[][] avail;
  boolean[] storage;
  /** Storage: most net discharge over any prefix of the event, in milli-kW x intervals. */
  long[] energyHi;
  /** Storage with charging: least net discharge over any prefix (negative: room to charge). */
  long[] energyLo;
  /** Ramp limit in milli-kW per interval, or NONE. */
  long[] ramp;
  /** Whether the resource couples intervals (binding storage energy, binding ramp, charging). */
  boolean[] coupled;

  // Limited groups (zones first, then feeders, each by name).
  int groups;
  String[] groupName;
  boolean[] groupIsFeeder;
  long[] limit;
  /** For a feeder: the limited zone all its resources are in, or NONE. */
  int[] parentZone;
  boolean laminar = true;
  String nonLaminarReason;

  /** All resources by (price, id). */
  int[] order;

  private Fleet(PlanInput in, int n, double hours, long[] target, boolean charging) {
    this.input = in;
    this.n = n;
    this.hours = hours;
    this.target = target;
    this.charging = charging;
  }

  static Fleet prepare(PlanInput in) {
    if (in == null) {
      throw new IllegalArgumentException("no plan input");
    }
    if (in.start() == null) {
      throw new IllegalArgumentException("the plan needs the start of its first interval");
    }
    if (in.interval() == null || in.interval().isNegative() || in.interval().isZero()) {
      throw new IllegalArgumentException("the interval length must be positive");
    }
    double[] tk = in.targetKw();
    if (tk == null || tk.length == 0) {
      throw new IllegalArgumentException("the plan needs at least one interval with a target");
    }
    PlanOptions options = in.options() == null ? PlanOptions.DEFAULT : in.options();
    int n = tk.length;
    long[] target = new long[n];
    int negative = 0;
    for (int t = 0; t < n; t++) {
      if (!Double.isFinite(tk[t])) {
        throw new IllegalArgumentException("the target of interval " + t + " is not a number: " + tk[t]);
      }
      if (tk[t] < 0) {
        negative++;
      } else {
        target[t] = Watts.ceil(tk[t]);
      }
    }
    double hours = in.interval().toNanos() / 3.6e12;
    Fleet f = new Fleet(in, n, hours, target, options.storageMayCharge() && n > 1);
    if (negative > 0) {
      f.warnings.add(negative + " interval(s) with a negative target planned as 0 kW");
    }
    f.load(options);
    return f;
  }

  boolean available(int i, int t) {
    boolean[] a = avail[i];
    return a == null || a[t];
  }

  /** Intervals with a positive target. */
  int activeCount() {
    int c = 0;
    for (long d : target) {
      if (d > 0) {
        c++;
      }
    }
    return c;
  }

  private void exclude(Der d, String reason) {
    excluded.add(new Plan.Exclusion(d.id(), d.venId(), reason));
  }

  private void load(PlanOptions options) {
    List<Der> ders = input.ders() == null ? List.of() : input.ders();
    Set<String> optedOut = input.optedOutVenIds() == null ? Set.of() : input.optedOutVenIds();
    Map<String, Integer> seen = new HashMap<>(ders.size() * 2);
    int nulls = 0;
    for (Der d : ders) {
      if (d == null) {
        nulls++;
      } else if (d.id() != null) {
        seen.merge(d.id(), 1, Integer::sum);
      }
    }
    if (nulls > 0) {
      warnings.add(nulls + " empty resource entries ignored");
    }
    Limits feeders = Limits.read(input.feederLimitsKw(), "feeder", warnings);
    Limits zones = Limits.read(input.zoneLimitsKw(), "zone", warnings);

    int cap0 = ders.size();
    Der[] keep = new Der[cap0];
    long[] caps = new long[cap0];
    long[] prices = new long[cap0];
    BigDecimal[] bids = new BigDecimal[cap0];
    long[] hi = new long[cap0];
    long[] lo = new long[cap0];
    long[] ramps = new long[cap0];
    int k = 0;
    BigDecimal maxBid = null;
    for (Der d : ders) {
      if (d == null) {
        continue;
      }
      if (d.id() == null || d.id().isBlank()) {
        exclude(d, "missing id");
        continue;
      }
      if (seen.get(d.id()) > 1) {
        exclude(d, "id appears " + seen.get(d.id()) + " times in the fleet");
        continue;
      }
      DerStatus st = d.status();
      if (st != DerStatus.ONLINE && st != DerStatus.OPTIMIZED) {
        exclude(d, st == null ? "no status" : "status " + st + " (only ONLINE and OPTIMIZED are planned)");
        continue;
      }
      if (d.venId() != null && optedOut.contains(d.venId())) {
        exclude(d, "VEN opted out of the event");
        continue;
      }
      Double c = d.capacityKw();
      if (c == null) {
        exclude(d, "missing capacity");
        continue;
      }
      if (!(c > 0) || !Double.isFinite(c)) {
        exclude(d, "capacity must be a positive number of kW, got " + c);
        continue;
      }
      long capW = Watts.floor(c);
      if (capW <= 0) {
        exclude(d, "capacity below 1 W");
        continue;
      }
      BigDecimal bid = d.bidPricePerKw();
      long pu = 0;
      if (bid != null) {
        if (bid.signum() < 0) {
          exclude(d, "negative bid price " + bid.toPlainString());
          continue;
        }
        if (bid.compareTo(MAX_PRICE) > 0) {
          exclude(d, "bid price " + bid.toPlainString() + " per kW is above " + MAX_PRICE.toPlainString());
          continue;
        }
        bid = bid.scale() == PRICE_SCALE ? bid : bid.setScale(PRICE_SCALE, RoundingMode.HALF_EVEN);
        pu = bid.unscaledValue().longValue();
      }
      boolean[] a = d.available();
      if (a != null) {
        if (a.length != n) {
          exclude(d, "availability has " + a.length + " entries for " + n + " intervals");
          continue;
        }
        boolean any = false;
        for (int t = 0; t < n && !any; t++) {
          any = a[t] && (target[t] > 0 || charging);
        }
        if (!any) {
          exclude(d, charging ? "not available in any interval" : "not available in any interval with a target");
          continue;
        }
      }
      long rampW = NONE;
      if (d.rampKwPerInterval() != null) {
        double r = d.rampKwPerInterval();
        if (!(r > 0) || !Double.isFinite(r)) {
          exclude(d, "ramp limit must be a positive number of kW per interval, got " + r);
          continue;
        }
        rampW = Watts.floor(r);
        if (rampW <= 0) {
          exclude(d, "ramp limit below 1 W per interval");
          continue;
        }
      }
      long h = 0;
      long l = 0;
      if (d.storage()) {
        Double e = d.energyCapacityKwh();
        Double soc = d.stateOfCharge();
        if (e == null || soc == null) {
          exclude(d, "storage without " + (e == null ? "energy capacity" : "state of charge"));
          continue;
        }
        if (!(e > 0) || !Double.isFinite(e)) {
          exclude(d, "energy capacity must be a positive number of kWh, got " + e);
          continue;
        }
        if (!(soc >= 0 && soc <= 1)) {
          exclude(d, "state of charge must be within 0..1, got " + soc);
          continue;
        }
        double min = d.minStateOfCharge() == null ? 0 : d.minStateOfCharge();
        if (!(min >= 0 && min <= 1)) {
          exclude(d, "minimum state of charge must be within 0..1, got " + min);
          continue;
        }
        if (soc <= min && !charging) {
          exclude(d, "state of charge " + soc + " is at or below its minimum " + min + ": no energy to deliver");
          continue;
        }
        if (soc < min) {
          warnings.add(d.id() + ": state of charge " + soc + " is below its minimum " + min
              + "; planned not to discharge below the current charge");
          min = soc;
        }
        // kWh above the minimum, as kW held for whole intervals, in watts.
        h = Watts.floor((soc - min) * e / hours);
        l = charging ? -Watts.floor((1 - soc) * e / hours) : 0;
        if (h <= 0 && !charging) {
          exclude(d, "less than 1 W for one interval above its minimum state of charge");
          continue;
        }
      }
      int fz = zones.indexOf(d.zone());
      int ff = feeders.indexOf(d.feeder());
      if (ff >= 0 && feeders.limitW[ff] == 0) {
        exclude(d, "feeder " + d.feeder() + " has a limit of 0 kW");
        continue;
      }
      if (fz >= 0 && zones.limitW[fz] == 0) {
        exclude(d, "zone " + d.zone() + " has a limit of 0 kW");
        continue;
      }
      if (bid != null && (maxBid == null || bid.compareTo(maxBid) > 0)) {
        maxBid = bid;
      }
      keep[k] = d;
      caps[k] = capW;
      prices[k] = pu;
      bids[k] = bid;
      hi[k] = h;
      lo[k] = l;
      ramps[k] = rampW;
      k++;
    }
    excluded.sort((x, y) -> {
      int c = compareNullable(x.id(), y.id());
      return c != 0 ? c : compareNullable(x.reason(), y.reason());
    });

    BigDecimal dflt = options.defaultBidPricePerKw();
    if (dflt != null && (dflt.signum() < 0 || dflt.compareTo(MAX_PRICE) > 0)) {
      warnings.add("default bid price " + dflt.toPlainString() + " is outside 0.." + MAX_PRICE.toPlainString()
          + "; using the highest bid instead");
      dflt = null;
    }
    if (dflt == null) {
      dflt = maxBid == null ? BigDecimal.ZERO : maxBid;
    }
    dflt = dflt.setScale(PRICE_SCALE, RoundingMode.HALF_EVEN);
    long dfltU = dflt.unscaledValue().longValue();

    size = k;
    id = new String[k];
    ven = new String[k];
    der = Arrays.copyOf(keep, k);
    price = new BigDecimal[k];
    defaultPrice = new boolean[k];
    priceU = new long[k];
    cap = Arrays.copyOf(caps, k);
    feeder = new int[k];
    zone = new int[k];
    avail = new boolean[k][];
    storage = new boolean[k];
    energyHi = Arrays.copyOf(hi, k);
    energyLo = Arrays.copyOf(lo, k);
    ramp = Arrays.copyOf(ramps, k);
    coupled = new boolean[k];
    int unpriced = 0;
    for (int i = 0; i < k; i++) {
      Der d = keep[i];
      id[i] = d.id();
      ven[i] = d.venId();
      avail[i] = d.available();
      storage[i] = d.storage();
      if (bids[i] == null) {
        price[i] = dflt;
        priceU[i] = dfltU;
        defaultPrice[i] = true;
        unpriced++;
      } else {
        price[i] = bids[i];
        priceU[i] = prices[i];
      }
    }
    if (unpriced > 0) {
      warnings.add(unpriced + " resource(s) without a bid priced at the default " + dflt.toPlainString() + " per kW");
    }
    buildGroups(zones, feeders);
    classify();
    order = MeritOrder.sort(priceU, id);
  }

  private static int compareNullable(String a, String b) {
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : -1) : 1;
    }
    return a.compareTo(b);
  }

  /** Keeps the limited zones and feeders some resource is in, and checks that feeders nest in zones. */
  private void buildGroups(Limits zones, Limits feeders) {
    int[] zoneUse = new int[zones.size()];
    int[] feederUse = new int[feeders.size()];
    int[] rawZone = new int[size];
    int[] rawFeeder = new int[size];
    for (int i = 0; i < size; i++) {
      rawZone[i] = zones.indexOf(der[i].zone());
      rawFeeder[i] = feeders.indexOf(der[i].feeder());
      if (rawZone[i] >= 0) {
        zoneUse[rawZone[i]]++;
      }
      if (rawFeeder[i] >= 0) {
        feederUse[rawFeeder[i]]++;
      }
    }
    int[] zoneIdx = new int[zones.size()];
    int[] feederIdx = new int[feeders.size()];
    List<String> names = new ArrayList<>();
    List<Long> limits = new ArrayList<>();
    int zc = 0;
    for (int z = 0; z < zones.size(); z++) {
      zoneIdx[z] = zoneUse[z] > 0 ? zc++ : NONE;
      if (zoneUse[z] > 0) {
        names.add(zones.names[z]);
        limits.add(zones.limitW[z]);
      }
    }
    int fc = 0;
    for (int g = 0; g < feeders.size(); g++) {
      feederIdx[g] = feederUse[g] > 0 ? zc + fc++ : NONE;
      if (feederUse[g] > 0) {
        names.add(feeders.names[g]);
        limits.add(feeders.limitW[g]);
      }
    }
    groups = zc + fc;
    groupName = names.toArray(new String[0]);
    limit = new long[groups];
    groupIsFeeder = new boolean[groups];
    parentZone = new int[groups];
    Arrays.fill(parentZone, NONE);
    int[] firstZone = new int[groups];
    Arrays.fill(firstZone, Integer.MIN_VALUE);
    for (int g = 0; g < groups; g++) {
      limit[g] = limits.get(g);
      groupIsFeeder[g] = g >= zc;
    }
    TreeMap<String, List<String>> spans = new TreeMap<>();
    for (int i = 0; i < size; i++) {
      zone[i] = rawZone[i] >= 0 ? zoneIdx[rawZone[i]] : NONE;
      feeder[i] = rawFeeder[i] >= 0 ? feederIdx[rawFeeder[i]] : NONE;
      int g = feeder[i];
      if (g >= 0) {
        if (firstZone[g] == Integer.MIN_VALUE) {
          firstZone[g] = zone[i];
          parentZone[g] = zone[i];
        } else if (firstZone[g] != zone[i]) {
          laminar = false;
          spans.computeIfAbsent(groupName[g], x -> new ArrayList<>());
        }
      }
    }
    if (!laminar) {
      // Name the zones each non-nesting feeder spans, for the warning.
      TreeMap<String, java.util.TreeSet<String>> zonesOf = new TreeMap<>();
      for (int i = 0; i < size; i++) {
        if (feeder[i] >= 0 && spans.containsKey(groupName[feeder[i]])) {
          zonesOf.computeIfAbsent(groupName[feeder[i]], x -> new java.util.TreeSet<>())
              .add(zone[i] >= 0 ? "zone " + groupName[zone[i]] : "no limited zone");
        }
      }
      StringBuilder sb = new StringBuilder();
      zonesOf.forEach((feederName, zs) -> sb.append(sb.length() == 0 ? "" : "; ").append("feeder ")
          .append(feederName).append(" spans ").append(String.join(", ", zs)));
      nonLaminarReason = sb.toString();
      warnings.add("limited feeders do not nest in limited zones (" + nonLaminarReason
          + "): the plan is solved as an LP, not by merit order or network flow");
      Arrays.fill(parentZone, NONE);
    }
  }

  /** Marks the resources whose constraints couple intervals; folds the rest into plain capacities. */
  private void classify() {
    int active = activeCount();
    for (int i = 0; i < size; i++) {
      long c = cap[i];
      if (n == 1) {
        // One interval: the ramp from 0 and the energy above the minimum are just capacity.
        if (ramp[i] != NONE) {
          c = Math.min(c, ramp[i]);
        }
        if (storage[i]) {
          c = Math.min(c, energyHi[i]);
        }
        cap[i] = c;
        continue;
      }
      boolean couples = false;
      if (storage[i]) {
        if (charging) {
          couples = true;
        } else {
          int usable = 0;
          for (int t = 0; t < n; t++) {
            if (target[t] > 0 && available(i, t)) {
              usable++;
            }
          }
          // Energy binds only if full power in every usable interval would take more than there is.
          couples = energyHi[i] < c * (long) Math.min(usable, active);
        }
      }
      if (ramp[i] != NONE) {
        long swing = storage[i] && charging ? 2 * c : c;
        if (ramp[i] < swing) {
          couples = true;
        } else {
          ramp[i] = NONE;
        }
      }
      coupled[i] = couples;
    }
    if (cap.length > 0) {
      // Capacities below 1 W after folding in the energy cannot happen (energyHi >= 1 W when kept).
      assert Arrays.stream(cap).allMatch(x -> x > 0);
    }
  }

  /** Named limits of one kind, checked. */
  static final class Limits {
    final String[] names;
    final long[] limitW;
    private final Map<String, Integer> index;

    private Limits(String[] names, long[] limitW) {
      this.names = names;
      this.limitW = limitW;
      this.index = new HashMap<>(names.length * 2);
      for (int i = 0; i < names.length; i++) {
        index.put(names[i], i);
      }
    }

    int size() {
      return names.length;
    }

    int indexOf(String name) {
      if (name == null) {
        return NONE;
      }
      Integer i = index.get(name);
      return i == null ? NONE : i;
    }

    static Limits read(Map<String, Double> raw, String kind, List<String> warnings) {
      TreeMap<String, Long> ok = new TreeMap<>();
      if (raw != null) {
        TreeMap<String, Double> sorted = new TreeMap<>();
        raw.forEach((k, v) -> {
          if (k != null) {
            sorted.put(k, v);
          }
        });
        sorted.forEach((name, v) -> {
          if (v == null || Double.isNaN(v)) {
            warnings.add(kind + " " + name + " limit is not a number: ignored");
          } else if (v == Double.POSITIVE_INFINITY) {
            return;
          } else if (v < 0) {
            warnings.add(kind + " " + name + " limit is negative (" + v + " kW): planned as 0 kW, its resources are not dispatched");
            ok.put(name, 0L);
          } else {
            ok.put(name, Watts.floor(v));
          }
        });
      }
      String[] names = ok.keySet().toArray(new String[0]);
      long[] limits = new long[names.length];
      for (int i = 0; i < names.length; i++) {
        limits[i] = ok.get(names[i]);
      }
      return new Limits(names, limits);
    }
  }
}
