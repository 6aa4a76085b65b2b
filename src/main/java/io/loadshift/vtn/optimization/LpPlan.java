package io.loadshift.vtn.optimization;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ojalgo.optimisation.Expression;
import org.ojalgo.optimisation.ExpressionsBasedModel;
import org.ojalgo.optimisation.Optimisation;
import org.ojalgo.optimisation.Variable;

/**
 * The time-coupled plan as a linear program solved with ojAlgo (ramp limits, storage charging,
 * feeders that do not nest in zones, or on request).
 *
 * <p>Variables: {@code p_rt} for each coupled resource r and interval t it may act in (kW, within
 * {@code [0, cap_r]}, or {@code [-cap_r, cap_r]} for storage that may charge); {@code x_btk} for the
 * k-th price segment of the uncoupled resources of bucket b (same limited zone and feeder) in t;
 * shortfall {@code s_t >= 0}. Constraints: {@code sum_r p_rt + sum x_t + s_t >= target_t}; per limited
 * group G and t, {@code sum_{r in G} p_rt + sum_{b in G} x_bt <= L_G} (and {@code >= -L_G} when storage
 * may charge); storage: {@code sum_t p_rt <= H_r} (its energy above the minimum in kW-intervals), or
 * with charging {@code lo_r <= sum_{k<=t} p_rk <= H_r} for every t and {@code sum_t p_rt >= 0}; ramp:
 * {@code |p_rt - p_r,t-1| <= R_r} with {@code p_r,-1 = 0} and 0 in unavailable intervals.
 *
 * <p>Two stages, so the least shortfall comes first without a penalty weight that would ruin the
 * cost's precision: stage 1 minimizes {@code sum_t s_t}; stage 2 minimizes the cost
 * {@code sum_r price_r sum_t p_rt / n + sum price_k x_tk / n} with {@code sum_t s_t} at most stage 1's
 * value (+1e-7 kW). Stage 1 is skipped when a plan without shortfall is known (the uncoupled merit
 * order alone, or the exact network flow with the ramp-limited resources held at 0, meets every
 * target). Stage 2's optimum is the lower bound reported.
 *
 * <p>Which uncoupled resources enter: with nested limits and no charging, per interval the merit-order
 * prefix that covers 1.25 x the target within the limits; after solving, each interval is certified:
 * at the LP's coupled dispatch c*, the prefix must cover strictly more than what is left of the target
 * within the limits left. Then the restricted and the full problem have the same value for every
 * coupled dispatch near c* (the merit order's greedy stays within the prefix), c* is a local, hence
 * (the value is convex in c) a global optimum of the full problem. An interval that fails gets a
 * longer prefix (4 x the cover) and the LP is solved again; so does every interval if the prefixes
 * leave the target out of reach. Otherwise (charging, non-nesting limits,
 * or a plan that must fall short), every bucket keeps its cheapest resources up to the most it can
 * deliver, which is exact as the members of a bucket are interchangeable.
 *
 * <p>Rounding to whole watts: storage by its cumulative discharge (rounded down), which keeps the
 * energy and power bounds exactly; others rounded down each interval, which keeps power and ramp
 * bounds exactly; the LP gives storage that also has a ramp limit a limit 2 W tighter so its rounded
 * plan keeps the true one. Should rounding push a feeder or zone over its limit, the dearest
 * resources in it give back the excess (uncoupled first); the watts rounding took from the target are
 * then added back along the merit order within every limit ({@link Repair}).
 */
final class LpPlan {
  record Result(long[][] p, double lpCost, String failure, int variables, int constraints, int solves) {}

  /**
   * Above this many variables ojAlgo's simplex takes too long (measured on 2 cores: 5,900 variables
   * and 1,800 rows in 5 s, 11,600 and 3,100 in 12 s); the planner then uses the flow relaxation.
   */
  static final int MAX_VARIABLES = 10_000;
  /** All ojAlgo solves of one plan stop after this long together; the planner then uses the flow relaxation. */
  static final long TIME_LIMIT_MS = 30_000;
  private static final double SHORTFALL_SLACK_KW = 1e-7;
  private static final double SNAP_W = 1e-3;

  private LpPlan() {}

  /** One built LP and the bookkeeping to read its solution. */
  private static final class Lp {
    final ExpressionsBasedModel model = new ExpressionsBasedModel();
    final List<Variable> vars = new ArrayList<>();
    final List<Double> weights = new ArrayList<>();
    final Variable[] shortfall;
    final Expression[] demand;
    final Expression[][] groupRow;
    /** Coupled resources in merit order: variable index per interval, -1 where fixed at 0. */
    final Map<Integer, int[]> varOf = new LinkedHashMap<>();
    /** Segment members in merit order: {variable, resource, interval}. */
    final List<int[]> segMembers = new ArrayList<>();

    Lp(int n, int groups) {
      shortfall = new Variable[n];
      demand = new Expression[n];
      groupRow = new Expression[n][groups];
    }
  }

  static Result solve(Fleet f, int[] uorder, int[] coupled) {
    return solve(f, uorder, coupled, 125);
  }

  /** The same starting from the prefix that covers {@code startPercent} % of each target (for tests). */
  static Result solve(Fleet f, int[] uorder, int[] coupled, int startPercent) {
    long deadline = System.currentTimeMillis() + TIME_LIMIT_MS;
    int n = f.n;
    boolean certify = f.laminar && !f.charging;
    long[][] chargeCap = new long[n][f.groups];
    long[] chargeTotal = new long[n];
    if (f.charging) {
      for (int i : coupled) {
        if (!f.storage[i]) {
          continue;
        }
        for (int t = 0; t < n; t++) {
          if (f.available(i, t)) {
            chargeTotal[t] += f.cap[i];
            for (int g : new int[] {f.feeder[i], f.zone[i]}) {
              if (g >= 0) {
                chargeCap[t][g] += f.cap[i];
              }
            }
          }
        }
      }
    }
    int[][] bucketKept = null;
    int solves = 0;
    double least = 0;
    if (!knownWithoutShortfall(f, uorder, coupled, certify)) {
      bucketKept = new int[n][];
      for (int t = 0; t < n; t++) {
        bucketKept[t] = bucketPrune(f, t, f.target[t] + chargeTotal[t], uorder, chargeCap[t]);
      }
      String big = tooLarge(f, coupled, bucketKept);
      if (big != null) {
        return new Result(null, 0, big, 0, 0, solves);
      }
      Lp lp1 = build(f, coupled, bucketKept, deadline);
      for (Variable s : lp1.shortfall) {
        s.weight(1);
      }
      Optimisation.Result r1 = lp1.model.minimise();
      solves++;
      if (!r1.getState().isOptimal()) {
        return new Result(null, 0, ended("stage 1", r1, deadline), lp1.vars.size(),
            lp1.model.countExpressions(), solves);
      }
      for (int t = 0; t < n; t++) {
        least += Math.max(0, r1.doubleValue(t));
      }
    }

    boolean prefixes = certify && least <= 1e-9;
    int[][] kept = new int[n][];
    long[] reach = new long[n];
    int[] availableCount = new int[n];
    for (int t = 0; t < n; t++) {
      if (prefixes) {
        for (int i : uorder) {
          if (f.available(i, t)) {
            availableCount[t]++;
          }
        }
        reach[t] = f.target[t] * startPercent / 100 + 1;
        kept[t] = f.target[t] > 0 ? prefix(f, t, reach[t], uorder) : new int[0];
      } else {
        kept[t] = bucketKept != null ? bucketKept[t]
            : bucketPrune(f, t, f.target[t] + chargeTotal[t], uorder, chargeCap[t]);
      }
    }

    while (true) {
      String big = tooLarge(f, coupled, kept);
      if (big != null) {
        return new Result(null, 0, big, 0, 0, solves);
      }
      Lp lp = build(f, coupled, kept, deadline);
      Expression total = lp.model.addExpression().upper(least + SHORTFALL_SLACK_KW);
      for (Variable s : lp.shortfall) {
        total.set(s, 1);
      }
      for (int k = n; k < lp.vars.size(); k++) {
        double w = lp.weights.get(k);
        if (w != 0) {
          lp.vars.get(k).weight(w);
        }
      }
      Optimisation.Result r2 = lp.model.minimise();
      solves++;
      int vars = lp.vars.size();
      int rows = lp.model.countExpressions();
      if (!r2.getState().isOptimal()) {
        // Too short a prefix can leave the target out of reach (the full fleet meets it): widen all.
        boolean widened = false;
        if (prefixes && System.currentTimeMillis() < deadline) {
          for (int t = 0; t < n; t++) {
            if (f.target[t] > 0 && kept[t].length < availableCount[t]) {
              reach[t] = reach[t] > Long.MAX_VALUE / 8 ? Long.MAX_VALUE : reach[t] * 4;
              kept[t] = prefix(f, t, reach[t], uorder);
              widened = true;
            }
          }
        }
        if (widened) {
          continue;
        }
        return new Result(null, 0, ended("stage 2", r2, deadline), vars, rows, solves);
      }
      boolean certified = true;
      if (prefixes) {
        for (int t = 0; t < n; t++) {
          if (f.target[t] > 0 && kept[t].length < availableCount[t] && !certified(f, t, lp, r2, kept[t])) {
            certified = false;
            reach[t] = reach[t] > Long.MAX_VALUE / 8 ? Long.MAX_VALUE : reach[t] * 4;
            kept[t] = prefix(f, t, reach[t], uorder);
          }
        }
      }
      if (certified) {
        return extract(f, lp, r2, vars, rows, solves);
      }
    }
  }

  private static String ended(String stage, Optimisation.Result r, long deadline) {
    return System.currentTimeMillis() >= deadline
        ? "the LP did not finish within " + TIME_LIMIT_MS / 1000 + " s"
        : "the LP's " + stage + " ended " + r.getState();
  }

  /** Null, or why the LP would be too large for ojAlgo. */
  private static String tooLarge(Fleet f, int[] coupled, int[][] kept) {
    long vars = f.n;
    for (int i : coupled) {
      for (int t = 0; t < f.n; t++) {
        if (f.available(i, t)) {
          vars++;
        }
      }
    }
    for (int[] k : kept) {
      vars += k.length;
    }
    return vars > MAX_VARIABLES ? "the LP would have about " + vars + " variables (ojAlgo's limit here is "
        + MAX_VARIABLES + ")" : null;
  }

  /**
   * Whether some plan meets every target: the uncoupled resources' merit order alone, or (nested
   * limits, no charging) the exact network flow with the storage that has no ramp limit, holding the
   * ramp-limited resources at 0.
   */
  private static boolean knownWithoutShortfall(Fleet f, int[] uorder, int[] coupled, boolean flowApplies) {
    long[][] p = new long[f.size][];
    boolean met = true;
    for (int t = 0; t < f.n && met; t++) {
      if (f.target[t] > 0) {
        met = MeritOrder.fill(f, t, f.target[t], uorder, f.limit.clone(), p, null) == f.target[t];
      }
    }
    if (met || !flowApplies) {
      return met;
    }
    int[] storage = Arrays.stream(coupled).filter(i -> f.storage[i] && f.ramp[i] == Fleet.NONE).toArray();
    if (storage.length == 0) {
      return false;
    }
    FlowPlan.Result flow = FlowPlan.solve(f, uorder, storage);
    return flow != null && Arrays.stream(flow.shortfall()).allMatch(s -> s == 0);
  }

  /** The available uncoupled resources of the merit-order prefix that covers {@code reach} in t. */
  private static int[] prefix(Fleet f, int t, long reach, int[] uorder) {
    int len = MeritOrder.prefix(f, t, reach, uorder, new long[f.groups], f.limit);
    return filterAvailable(f, t, uorder, len < 0 ? uorder.length : len);
  }

  /**
   * At the LP's coupled dispatch in t, can the kept resources cover strictly more than the rest of
   * the target within the limits left? (Coupled use is rounded up, their delivery down, to be safe.)
   */
  private static boolean certified(Fleet f, int t, Lp lp, Optimisation.Result r, int[] kept) {
    long[] rem = f.limit.clone();
    long delivered = 0;
    for (Map.Entry<Integer, int[]> en : lp.varOf.entrySet()) {
      int idx = en.getValue()[t];
      if (idx < 0) {
        continue;
      }
      int i = en.getKey();
      double w = r.doubleValue(idx) * 1000;
      long up = (long) Math.ceil(w - 1e-6);
      delivered += (long) Math.floor(w + 1e-6);
      if (up > 0) {
        if (f.feeder[i] >= 0) {
          rem[f.feeder[i]] -= up;
        }
        if (f.zone[i] >= 0) {
          rem[f.zone[i]] -= up;
        }
      }
    }
    for (int g = 0; g < rem.length; g++) {
      rem[g] = Math.max(0, rem[g]);
    }
    long need = Math.max(0, f.target[t] - delivered) + 1;
    long left = need;
    for (int i : kept) {
      left -= MeritOrder.take(f, i, Math.min(f.cap[i], left), rem);
      if (left == 0) {
        return true;
      }
    }
    return false;
  }

  private static Lp build(Fleet f, int[] coupled, int[][] kept, long deadline) {
    int n = f.n;
    boolean charging = f.charging;
    Lp lp = new Lp(n, f.groups);
    ExpressionsBasedModel model = lp.model;
    model.options.time_abort = Math.max(1, deadline - System.currentTimeMillis());
    for (int t = 0; t < n; t++) {
      lp.shortfall[t] = model.addVariable().lower(0).upper(Watts.kw(f.target[t]));
      lp.vars.add(lp.shortfall[t]);
      lp.weights.add(0.0);
    }
    for (int i : coupled) {
      boolean hasRamp = f.ramp[i] != Fleet.NONE;
      boolean charges = charging && f.storage[i];
      int[] idx = new int[n];
      Arrays.fill(idx, -1);
      boolean any = false;
      for (int t = 0; t < n; t++) {
        if (!f.available(i, t) || (!hasRamp && !charges && f.target[t] <= 0)) {
          continue;
        }
        double c = Watts.kw(f.cap[i]);
        Variable v = model.addVariable().lower(charges ? -c : 0).upper(c);
        idx[t] = lp.vars.size();
        lp.vars.add(v);
        lp.weights.add(priceKw(f, i) / n);
        any = true;
        addTo(lp, f, i, t, v);
      }
      if (any) {
        lp.varOf.put(i, idx);
      }
    }
    for (int t = 0; t < n; t++) {
      Map<Long, int[]> lastOfBucket = new HashMap<>();
      for (int i : kept[t]) {
        long bucket = ((long) f.zone[i] << 32) ^ (f.feeder[i] & 0xffffffffL);
        int[] last = lastOfBucket.get(bucket);
        if (last != null && f.priceU[last[1]] == f.priceU[i]) {
          Variable v = lp.vars.get(last[0]);
          v.upper(v.getUpperLimit().doubleValue() + Watts.kw(f.cap[i]));
          lp.segMembers.add(new int[] {last[0], i, t});
          continue;
        }
        Variable v = model.addVariable().lower(0).upper(Watts.kw(f.cap[i]));
        int vi = lp.vars.size();
        lp.vars.add(v);
        lp.weights.add(priceKw(f, i) / n);
        addTo(lp, f, i, t, v);
        lastOfBucket.put(bucket, new int[] {vi, i});
        lp.segMembers.add(new int[] {vi, i, t});
      }
    }
    for (int t = 0; t < n; t++) {
      if (lp.demand[t] == null && f.target[t] > 0) {
        lp.demand[t] = model.addExpression().lower(Watts.kw(f.target[t]));
      }
      if (lp.demand[t] != null) {
        lp.demand[t].set(lp.shortfall[t], 1);
      }
    }
    for (Map.Entry<Integer, int[]> en : lp.varOf.entrySet()) {
      int i = en.getKey();
      int[] idx = en.getValue();
      if (f.storage[i]) {
        double hi = Watts.kw(f.energyHi[i]);
        if (charging) {
          double lo = Watts.kw(f.energyLo[i]);
          Expression last = null;
          for (int t = 0; t < n; t++) {
            if (idx[t] < 0) {
              continue;
            }
            // Net discharge through t.
            Expression e = model.addExpression().lower(lo).upper(hi);
            for (int k = 0; k <= t; k++) {
              if (idx[k] >= 0) {
                e.set(lp.vars.get(idx[k]), 1);
              }
            }
            last = e;
          }
          if (last != null) {
            last.lower(Math.max(lo, 0));
          }
        } else {
          Expression e = model.addExpression().upper(hi);
          for (int t = 0; t < n; t++) {
            if (idx[t] >= 0) {
              e.set(lp.vars.get(idx[t]), 1);
            }
          }
        }
      }
      if (f.ramp[i] != Fleet.NONE) {
        long rw = f.storage[i] ? Math.max(0, f.ramp[i] - 2) : f.ramp[i];
        double r = Watts.kw(rw);
        for (int t = 0; t < n; t++) {
          int cur = idx[t];
          int prev = t == 0 ? -1 : idx[t - 1];
          if (cur < 0 && prev < 0) {
            continue;
          }
          Expression e = model.addExpression().lower(-r).upper(r);
          if (cur >= 0) {
            e.set(lp.vars.get(cur), 1);
          }
          if (prev >= 0) {
            e.set(lp.vars.get(prev), -1);
          }
        }
      }
    }
    return lp;
  }

  private static Result extract(Fleet f, Lp lp, Optimisation.Result r, int vars, int rows, int solves) {
    int n = f.n;
    double lpCost = 0;
    for (int k = n; k < vars; k++) {
      lpCost += lp.weights.get(k) * r.doubleValue(k);
    }
    long[][] p = new long[f.size][];
    for (Map.Entry<Integer, int[]> en : lp.varOf.entrySet()) {
      int i = en.getKey();
      int[] idx = en.getValue();
      double[] v = new double[n];
      for (int t = 0; t < n; t++) {
        v[t] = idx[t] < 0 ? 0 : r.doubleValue(idx[t]) * 1000;
      }
      long[] row = f.storage[i] ? roundStorage(f, i, v) : roundEach(f, i, v);
      for (long w : row) {
        if (w != 0) {
          p[i] = row;
          break;
        }
      }
    }
    Map<Integer, Long> segLeft = new HashMap<>();
    for (int[] m : lp.segMembers) {
      int vi = m[0];
      int i = m[1];
      int t = m[2];
      Long left = segLeft.get(vi);
      if (left == null) {
        left = (long) Math.floor(Math.max(0, r.doubleValue(vi)) * 1000 + SNAP_W);
      }
      long give = Math.min(left, f.cap[i]);
      if (give > 0) {
        if (p[i] == null) {
          p[i] = new long[n];
        }
        p[i][t] += give;
      }
      segLeft.put(vi, left - give);
    }
    return new Result(p, lpCost, null, vars, rows, solves);
  }

  private static double priceKw(Fleet f, int i) {
    return f.priceU[i] / 1e7;
  }

  private static void addTo(Lp lp, Fleet f, int i, int t, Variable v) {
    if (lp.demand[t] == null) {
      lp.demand[t] = lp.model.addExpression().lower(Watts.kw(f.target[t]));
    }
    lp.demand[t].set(v, 1);
    for (int g : new int[] {f.feeder[i], f.zone[i]}) {
      if (g < 0) {
        continue;
      }
      if (lp.groupRow[t][g] == null) {
        double l = Watts.kw(f.limit[g]);
        lp.groupRow[t][g] = lp.model.addExpression().upper(l);
        if (f.charging) {
          lp.groupRow[t][g].lower(-l);
        }
      }
      lp.groupRow[t][g].set(v, 1);
    }
  }

  private static int[] filterAvailable(Fleet f, int t, int[] uorder, int len) {
    int[] out = new int[len];
    int c = 0;
    for (int k = 0; k < len; k++) {
      if (f.available(uorder[k], t)) {
        out[c++] = uorder[k];
      }
    }
    return Arrays.copyOf(out, c);
  }

  /**
   * Keeps, per bucket (resources with the same limited zone and feeder, hence the same constraints),
   * the cheapest resources until their capacity covers the most the bucket can deliver: the least of
   * the interval's need and, for each limited group over it, the limit plus what storage charging in
   * the group can add. Any plan using a dearer member of a bucket can move that power to a cheaper one
   * with room at no extra cost, so the rest are never needed.
   */
  private static int[] bucketPrune(Fleet f, int t, long need, int[] uorder, long[] chargeCap) {
    if (need <= 0) {
      return new int[0];
    }
    Map<Long, long[]> used = new HashMap<>();
    int[] out = new int[uorder.length];
    int c = 0;
    for (int i : uorder) {
      if (!f.available(i, t)) {
        continue;
      }
      long bucket = ((long) f.zone[i] << 32) ^ (f.feeder[i] & 0xffffffffL);
      long[] u = used.get(bucket);
      if (u == null) {
        long most = need;
        for (int g : new int[] {f.feeder[i], f.zone[i]}) {
          if (g >= 0) {
            most = Math.min(most, f.limit[g] + chargeCap[g]);
          }
        }
        u = new long[] {0, most};
        used.put(bucket, u);
      }
      if (u[0] >= u[1]) {
        continue;
      }
      u[0] += f.cap[i];
      out[c++] = i;
    }
    return Arrays.copyOf(out, c);
  }

  /** Rounds a storage schedule by its cumulative discharge, keeping power and energy bounds. */
  private static long[] roundStorage(Fleet f, int i, double[] v) {
    int n = v.length;
    long[] row = new long[n];
    long lowP = f.charging ? -f.cap[i] : 0;
    long lo = f.charging ? f.energyLo[i] : 0;
    double cum = 0;
    long prev = 0;
    for (int t = 0; t < n; t++) {
      cum += v[t];
      long r = (long) Math.floor(cum + SNAP_W);
      r = Math.min(r, f.energyHi[i]);
      r = Math.max(r, lo);
      r = Math.max(r, prev + lowP);
      r = Math.min(r, prev + f.cap[i]);
      if (!f.available(i, t)) {
        r = prev;
      }
      row[t] = r - prev;
      prev = r;
    }
    return row;
  }

  private static long[] roundEach(Fleet f, int i, double[] v) {
    long[] row = new long[v.length];
    for (int t = 0; t < v.length; t++) {
      long r = (long) Math.floor(v[t] + SNAP_W);
      row[t] = Math.max(0, Math.min(f.cap[i], r));
    }
    return row;
  }
}
