package io.loadshift.vtn.optimization;

import io.loadshift.vtn.der.DerStatus;
import io.loadshift.vtn.der.DerType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The request checked and turned into arrays: the resources that can be planned, in whole watts
 * (milli-kW, {@code long}) and prices in units of 1e-7 per kW; the limited feeders and zones; a price
 * histogram for the merit order. Resources that cannot be planned are listed with a reason; nothing
 * here throws for a data problem. One pass over the fleet does the checks, the grouping and the
 * classification, in a method the JIT compiles after a few hundred resources.
 */
final class Fleet {
  static final int NONE = -1;
  /** Bids above this are refused as implausible (it also keeps every product below 2^63). */
  static final BigDecimal MAX_PRICE = new BigDecimal("1000000");
  static final int PRICE_SCALE = 7;
  static final long MAX_PRICE_UNITS = 10_000_000_000_000L;

  final PlanInput input;
  final int n;
  final double hours;
  final long[] target;
  final boolean charging;
  private final int activeIntervals;
  final List<Plan.Exclusion> excluded = new ArrayList<>();
  final List<String> warnings = new ArrayList<>();

  // Resources that can be planned, index 0..size-1 in input order.
  int size;
  String[] id;
  String[] ven;
  DerType[] type;
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
  /** Ramp limit in milli-kW per interval, or NONE (none, or one that cannot bind). */
  long[] ramp;
  /** Whether the resource couples intervals (binding storage energy, binding ramp, charging). */
  boolean[] coupled;
  int coupledCount;
  boolean anyCoupledRamp;

  // Limited groups: zones by name, then feeders by name (some may have no resource).
  int groups;
  String[] groupName;
  boolean[] groupIsFeeder;
  long[] limit;
  int[] members;
  /** For a feeder: the limited zone all its resources are in, or NONE. */
  int[] parentZone;
  boolean laminar = true;

  /** Capacity per price bucket ({@link #bucket}), for choosing how much of the merit order to sort. */
  final long[] capByBucket = new long[64 * 32];

  /**
   * Resources by (price, id): all of them, or for the merit-order solver only the cheapest ones it
   * needs (every resource priced at or below some threshold, so still a prefix of the full order).
   */
  int[] order;

  private Fleet(PlanInput in, int n, double hours, long[] target, boolean charging) {
    this.input = in;
    this.n = n;
    this.hours = hours;
    this.target = target;
    this.charging = charging;
    int a = 0;
    for (long d : target) {
      if (d > 0) {
        a++;
      }
    }
    this.activeIntervals = a;
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

  /** A price bucket, monotone in the price: 32 linear steps per power of two. */
  static int bucket(long priceU) {
    if (priceU < 32) {
      return (int) priceU;
    }
    int msb = 63 - Long.numberOfLeadingZeros(priceU);
    return ((msb - 4) << 5) | (int) ((priceU >>> (msb - 5)) & 31);
  }

  /** The largest price in bucket b. */
  static long bucketTop(int b) {
    if (b < 32) {
      return b;
    }
    int msb = (b >>> 5) + 4;
    long low = (1L << msb) | ((long) (b & 31) << (msb - 5));
    return low + (1L << (msb - 5)) - 1;
  }

  private void exclude(Der d, String reason) {
    excluded.add(new Plan.Exclusion(d.id(), d.venId(), reason));
  }

  // Per-load state shared with admit().
  private Map<String, Integer> dups;
  private Set<String> optedOut;
  private Limits zoneLimits;
  private Limits feederLimits;
  private BigDecimal[] bid;
  private int[] firstZone;
  private BigDecimal maxBid;
  private long maxBidU = -1;

  private void load(PlanOptions options) {
    List<Der> ders = input.ders() == null ? List.of() : input.ders();
    optedOut = input.optedOutVenIds() == null ? Set.of() : input.optedOutVenIds();
    dups = duplicates(ders);
    zoneLimits = Limits.read(input.zoneLimitsKw(), "zone", warnings);
    feederLimits = Limits.read(input.feederLimitsKw(), "feeder", warnings);
    int zc = zoneLimits.size();
    groups = zc + feederLimits.size();
    groupName = new String[groups];
    groupIsFeeder = new boolean[groups];
    limit = new long[groups];
    members = new int[groups];
    parentZone = new int[groups];
    Arrays.fill(parentZone, NONE);
    firstZone = new int[groups];
    Arrays.fill(firstZone, Integer.MIN_VALUE);
    for (int g = 0; g < groups; g++) {
      boolean isFeeder = g >= zc;
      groupIsFeeder[g] = isFeeder;
      groupName[g] = isFeeder ? feederLimits.names[g - zc] : zoneLimits.names[g];
      limit[g] = isFeeder ? feederLimits.limitW[g - zc] : zoneLimits.limitW[g];
    }

    int c0 = ders.size();
    id = new String[c0];
    ven = new String[c0];
    type = new DerType[c0];
    bid = new BigDecimal[c0];
    priceU = new long[c0];
    cap = new long[c0];
    feeder = new int[c0];
    zone = new int[c0];
    avail = new boolean[c0][];
    storage = new boolean[c0];
    energyHi = new long[c0];
    energyLo = new long[c0];
    ramp = new long[c0];
    coupled = new boolean[c0];
    // In chunks: a short method called often is compiled sooner than one long loop.
    Der[] all = ders.toArray(new Der[0]);
    int nulls = 0;
    for (int from = 0; from < all.length; from += 32) {
      nulls += admitRange(all, from, Math.min(all.length, from + 32));
    }
    if (nulls > 0) {
      warnings.add(nulls + " empty resource entries ignored");
    }
    int k = checked;
    size = k;
    excluded.sort(BY_ID_THEN_REASON);
    warnings.addAll(notes);

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

    id = Arrays.copyOf(id, k);
    ven = Arrays.copyOf(ven, k);
    type = Arrays.copyOf(type, k);
    price = Arrays.copyOf(bid, k);
    priceU = Arrays.copyOf(priceU, k);
    cap = Arrays.copyOf(cap, k);
    feeder = Arrays.copyOf(feeder, k);
    zone = Arrays.copyOf(zone, k);
    avail = Arrays.copyOf(avail, k);
    storage = Arrays.copyOf(storage, k);
    energyHi = Arrays.copyOf(energyHi, k);
    energyLo = Arrays.copyOf(energyLo, k);
    ramp = Arrays.copyOf(ramp, k);
    coupled = Arrays.copyOf(coupled, k);
    defaultPrice = new boolean[k];
    int unpriced = 0;
    for (int i = 0; i < k; i++) {
      if (price[i] == null) {
        price[i] = dflt;
        priceU[i] = dfltU;
        defaultPrice[i] = true;
        capByBucket[bucket(dfltU)] += cap[i];
        unpriced++;
      }
    }
    if (unpriced > 0) {
      warnings.add(unpriced + " resource(s) without a bid priced at the default " + dflt.toPlainString() + " per kW");
    }
    if (!laminar) {
      warnings.add("limited feeders do not nest in limited zones (" + nonNesting()
          + "): the plan is solved as an LP, not by merit order or network flow");
      Arrays.fill(parentZone, NONE);
    }
    bid = null;
    dups = null;
  }

  private static final Comparator<Plan.Exclusion> BY_ID_THEN_REASON = new Comparator<>() {
    @Override
    public int compare(Plan.Exclusion x, Plan.Exclusion y) {
      int c = compareNullable(x.id(), y.id());
      return c != 0 ? c : compareNullable(x.reason(), y.reason());
    }
  };

  private static int compareNullable(String a, String b) {
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : -1) : 1;
    }
    return a.compareTo(b);
  }

  /** Names the zones each non-nesting feeder spans, for the warning. */
  private String nonNesting() {
    TreeMap<String, TreeSet<String>> zonesOf = new TreeMap<>();
    TreeMap<String, Integer> first = new TreeMap<>();
    for (int i = 0; i < size; i++) {
      int g = feeder[i];
      if (g >= 0) {
        zonesOf.computeIfAbsent(groupName[g], x -> new TreeSet<>()).add(zone[i] >= 0 ? "zone " + groupName[zone[i]]
            : "no limited zone");
        first.putIfAbsent(groupName[g], zone[i]);
      }
    }
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, TreeSet<String>> e : zonesOf.entrySet()) {
      if (e.getValue().size() > 1) {
        sb.append(sb.length() == 0 ? "" : "; ").append("feeder ").append(e.getKey()).append(" spans ")
            .append(String.join(", ", e.getValue()));
      }
    }
    return sb.toString();
  }

  /**
   * Ids that appear more than once, with their counts (usually none). Hash codes go into an
   * open-addressing table first, so only ids whose hash code repeats are compared as strings.
   */
  private static Map<String, Integer> duplicates(List<Der> ders) {
    int size = Integer.highestOneBit(Math.max(4, ders.size() * 2)) * 2;
    int[] table = new int[size];
    boolean[] used = new boolean[size];
    boolean[] repeatedSlot = new boolean[size];
    boolean any = false;
    for (Der d : ders) {
      if (d != null && d.id() != null) {
        any |= insert(table, used, repeatedSlot, d.id().hashCode());
      }
    }
    Map<String, Integer> counts = new HashMap<>();
    if (!any) {
      return counts;
    }
    for (Der d : ders) {
      if (d != null && d.id() != null && repeatedSlot[slot(table, used, d.id().hashCode())]) {
        Integer c = counts.get(d.id());
        counts.put(d.id(), c == null ? 1 : c + 1);
      }
    }
    counts.values().removeIf(v -> v < 2);
    return counts;
  }

  /** Adds hash h; returns true if it was there already (and marks its slot). */
  private static boolean insert(int[] table, boolean[] used, boolean[] repeated, int h) {
    int s = slot(table, used, h);
    if (used[s]) {
      repeated[s] = true;
      return true;
    }
    used[s] = true;
    table[s] = h;
    return false;
  }

  private static int slot(int[] table, boolean[] used, int h) {
    int mask = table.length - 1;
    int s = (h ^ (h >>> 16)) * 0x9E3779B9 & mask;
    while (used[s] && table[s] != h) {
      s = (s + 1) & mask;
    }
    return s;
  }

  /** Checks resources [from, to): each goes in the next slot or is excluded. Returns the null entries. */
  private int admitRange(Der[] all, int from, int to) {
    int nulls = 0;
    for (int k = from; k < to; k++) {
      Der d = all[k];
      if (d == null) {
        nulls++;
        continue;
      }
      String reason = check(d);
      if (reason != null) {
        exclude(d, reason);
      }
    }
    return nulls;
  }

  /**
   * Checks resource d: returns the reason it cannot be planned, or null after storing it in the next
   * slot (with its groups, whether it couples intervals, and its capacity in the price histogram).
   */
  private String check(Der d) {
    int k = checked;
    if (d.id() == null || d.id().isBlank()) {
      return "missing id";
    }
    if (!dups.isEmpty() && dups.containsKey(d.id())) {
      return "id appears " + dups.get(d.id()) + " times in the fleet";
    }
    DerStatus st = d.status();
    if (st != DerStatus.ONLINE && st != DerStatus.OPTIMIZED) {
      return st == null ? "no status" : "status " + st + " (only ONLINE and OPTIMIZED are planned)";
    }
    if (d.venId() != null && !optedOut.isEmpty() && optedOut.contains(d.venId())) {
      return "VEN opted out of the event";
    }
    Double c = d.capacityKw();
    if (c == null) {
      return "missing capacity";
    }
    if (!(c > 0) || !Double.isFinite(c)) {
      return "capacity must be a positive number of kW, got " + c;
    }
    long capW = Watts.floor(c);
    if (capW <= 0) {
      return "capacity below 1 W";
    }
    BigDecimal b = d.bidPricePerKw();
    long pu = 0;
    if (b != null) {
      if (b.signum() < 0) {
        return "negative bid price " + b.toPlainString();
      }
      if (b.scale() != PRICE_SCALE || b.precision() > 18) {
        if (b.compareTo(MAX_PRICE) > 0) {
          return "bid price " + b.toPlainString() + " per kW is above " + MAX_PRICE.toPlainString();
        }
        b = b.setScale(PRICE_SCALE, RoundingMode.HALF_EVEN);
      }
      pu = b.unscaledValue().longValue();
      if (pu > MAX_PRICE_UNITS) {
        return "bid price " + b.toPlainString() + " per kW is above " + MAX_PRICE.toPlainString();
      }
    }
    boolean[] a = d.available();
    int usable = activeIntervals;
    if (a != null) {
      if (a.length != n) {
        return "availability has " + a.length + " entries for " + n + " intervals";
      }
      usable = 0;
      boolean any = false;
      for (int t = 0; t < n; t++) {
        if (a[t] && target[t] > 0) {
          usable++;
        }
        any |= a[t] && (target[t] > 0 || charging);
      }
      if (!any) {
        return charging ? "not available in any interval" : "not available in any interval with a target";
      }
    }
    long rampW = NONE;
    if (d.rampKwPerInterval() != null) {
      double r = d.rampKwPerInterval();
      if (!(r > 0) || !Double.isFinite(r)) {
        return "ramp limit must be a positive number of kW per interval, got " + r;
      }
      rampW = Watts.floor(r);
      if (rampW <= 0) {
        return "ramp limit below 1 W per interval";
      }
    }
    long hi = 0;
    long lo = 0;
    boolean isStorage = d.storage();
    if (isStorage) {
      Double e = d.energyCapacityKwh();
      Double soc = d.stateOfCharge();
      if (e == null || soc == null) {
        return "storage without " + (e == null ? "energy capacity" : "state of charge");
      }
      if (!(e > 0) || !Double.isFinite(e)) {
        return "energy capacity must be a positive number of kWh, got " + e;
      }
      if (!(soc >= 0 && soc <= 1)) {
        return "state of charge must be within 0..1, got " + soc;
      }
      double min = d.minStateOfCharge() == null ? 0 : d.minStateOfCharge();
      if (!(min >= 0 && min <= 1)) {
        return "minimum state of charge must be within 0..1, got " + min;
      }
      if (soc <= min && !charging) {
        return "state of charge " + soc + " is at or below its minimum " + min + ": no energy to deliver";
      }
      if (soc < min) {
        notes.add(d.id() + ": state of charge " + soc + " is below its minimum " + min
            + "; planned not to discharge below the current charge");
        min = soc;
      }
      // kWh above the minimum, as kW held for whole intervals, in watts.
      hi = Watts.floor((soc - min) * e / hours);
      lo = charging ? -Watts.floor((1 - soc) * e / hours) : 0;
      if (hi <= 0 && !charging) {
        return "less than 1 W for one interval above its minimum state of charge";
      }
    }
    int z = zoneLimits.indexOf(d.zone());
    int g = feederLimits.indexOf(d.feeder());
    if (g >= 0) {
      if (feederLimits.limitW[g] == 0) {
        return "feeder " + d.feeder() + " has a limit of 0 kW";
      }
      g += zoneLimits.size();
    }
    if (z >= 0 && zoneLimits.limitW[z] == 0) {
      return "zone " + d.zone() + " has a limit of 0 kW";
    }

    // Whether the resource couples intervals; for one interval, ramp and energy are just capacity.
    boolean couples = false;
    if (n == 1) {
      if (rampW != NONE) {
        capW = Math.min(capW, rampW);
      }
      if (isStorage) {
        capW = Math.min(capW, hi);
      }
    } else {
      if (isStorage) {
        // Without charging, energy binds only if full power in every usable interval takes more.
        couples = charging || hi < capW * (long) usable;
      }
      if (rampW != NONE) {
        if (rampW < (isStorage && charging ? 2 * capW : capW)) {
          couples = true;
          anyCoupledRamp = true;
        } else {
          rampW = NONE;
        }
      }
    }

    if (b != null && pu > maxBidU) {
      maxBid = b;
      maxBidU = pu;
    }
    if (g >= 0) {
      members[g]++;
      if (firstZone[g] == Integer.MIN_VALUE) {
        firstZone[g] = z;
        parentZone[g] = z;
      } else if (firstZone[g] != z) {
        laminar = false;
      }
    }
    if (z >= 0) {
      members[z]++;
    }
    if (b != null) {
      capByBucket[bucket(pu)] += capW;
    }
    id[k] = d.id();
    ven[k] = d.venId();
    type[k] = d.type();
    bid[k] = b;
    priceU[k] = pu;
    cap[k] = capW;
    feeder[k] = g;
    zone[k] = z;
    avail[k] = a;
    storage[k] = isStorage;
    energyHi[k] = hi;
    energyLo[k] = lo;
    ramp[k] = rampW;
    coupled[k] = couples;
    if (couples) {
      coupledCount++;
    }
    checked++;
    return null;
  }

  private int checked;
  /** Per-resource warnings, sorted before they join the others (input order must not show). */
  private final TreeSet<String> notes = new TreeSet<>();

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
      if (name == null || names.length == 0) {
        return NONE;
      }
      Integer i = index.get(name);
      return i == null ? NONE : i;
    }

    static Limits read(Map<String, Double> raw, String kind, List<String> warnings) {
      TreeMap<String, Long> ok = new TreeMap<>();
      if (raw != null) {
        TreeMap<String, Double> sorted = new TreeMap<>();
        for (Map.Entry<String, Double> e : raw.entrySet()) {
          if (e.getKey() != null) {
            sorted.put(e.getKey(), e.getValue());
          }
        }
        for (Map.Entry<String, Double> e : sorted.entrySet()) {
          String name = e.getKey();
          Double v = e.getValue();
          if (v == null || Double.isNaN(v)) {
            warnings.add(kind + " " + name + " limit is not a number: ignored");
          } else if (v < 0) {
            warnings.add(kind + " " + name + " limit is negative (" + v + " kW): planned as 0 kW, its resources are not dispatched");
            ok.put(name, 0L);
          } else if (v != Double.POSITIVE_INFINITY) {
            ok.put(name, Watts.floor(v));
          }
        }
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
