package io.loadshift.vtn.optimization;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
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
 * with charging {@code lo_r <= sum_{k<t} p_rk <= H_r} for every t and {@code sum_t p_rt >= 0}; ramp:
 * {@code |p_rt - p_r,t-1| <= R_r} with {@code p_r,-1 = 0} and 0 in unavailable intervals.
 *
 * <p>Solved in two stages so the least shortfall comes first without a penalty weight that would
 * ruin the cost's precision: stage 1 minimizes {@code sum_t s_t}; stage 2 minimizes the cost
 * {@code sum_r price_r sum_t p_rt / n + sum price_k x_tk / n} with {@code sum_t s_t} at most stage 1's
 * value (+1e-7 kW). Stage 2's optimum is the lower bound reported.
 *
 * <p>Rounding to whole watts: storage by its cumulative discharge (rounded down), which keeps the
 * energy and power bounds exactly; others rounded down each interval, which keeps power and ramp
 * bounds exactly; the LP gives storage that also has a ramp limit a limit 2 W tighter so its rounded
 * plan keeps the true one. Should rounding push a feeder or zone over its limit, the dearest
 * resources in it give back the excess (uncoupled first); the watts rounding took from the target are
 * then added back along the merit order within every limit.
 */
final class LpPlan {
  record Result(long[][] p, double lpCost, String failure, int variables, int constraints) {}

  private static final double SHORTFALL_SLACK_KW = 1e-7;
  private static final double SNAP_W = 1e-3;

  private LpPlan() {}

  static Result solve(Fleet f, int[] uorder, int[] coupled) {
    int n = f.n;
    int groups = f.groups;
    boolean charging = f.charging;
    boolean prune = f.laminar && !charging;

    long[][] posCap = new long[n][groups];
    long[][] chargeCap = new long[n][groups];
    long[] chargeTotal = new long[n];
    for (int i : coupled) {
      boolean charges = charging && f.storage[i];
      for (int t = 0; t < n; t++) {
        if (!f.available(i, t)) {
          continue;
        }
        if (f.feeder[i] >= 0) {
          posCap[t][f.feeder[i]] += f.cap[i];
          if (charges) {
            chargeCap[t][f.feeder[i]] += f.cap[i];
          }
        }
        if (f.zone[i] >= 0) {
          posCap[t][f.zone[i]] += f.cap[i];
          if (charges) {
            chargeCap[t][f.zone[i]] += f.cap[i];
          }
        }
        if (charges) {
          chargeTotal[t] += f.cap[i];
        }
      }
    }

    // Which uncoupled resources each interval keeps, and the price past which nothing is needed.
    long[] cutoff = new long[n];
    int[][] kept = new int[n][];
    for (int t = 0; t < n; t++) {
      long need = f.target[t] + chargeTotal[t];
      if (need <= 0) {
        kept[t] = new int[0];
        cutoff[t] = Long.MIN_VALUE;
        continue;
      }
      if (prune) {
        int len = MeritOrder.prefix(f, t, need, uorder, posCap[t]);
        kept[t] = filterAvailable(f, t, uorder, len < 0 ? uorder.length : len);
        cutoff[t] = len <= 0 ? Long.MAX_VALUE : f.priceU[uorder[len - 1]];
      } else {
        kept[t] = bucketPrune(f, t, need, uorder, chargeCap[t]);
        cutoff[t] = Long.MAX_VALUE;
      }
    }

    ExpressionsBasedModel model = new ExpressionsBasedModel();
    List<Variable> vars = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    Expression[] demand = new Expression[n];
    Expression[][] groupRow = new Expression[n][groups];
    Variable[] shortfall = new Variable[n];
    for (int t = 0; t < n; t++) {
      double d = Watts.kw(f.target[t]);
      shortfall[t] = model.addVariable().lower(0).upper(d);
      vars.add(shortfall[t]);
      weights.add(0.0);
    }

    // Coupled resources: variable index per (resource, interval), -1 where fixed at 0.
    Map<Integer, int[]> varOf = new HashMap<>();
    for (int i : coupled) {
      boolean hasRamp = f.ramp[i] != Fleet.NONE;
      boolean charges = charging && f.storage[i];
      if (prune && hasRamp) {
        boolean useful = false;
        for (int t = 0; t < n && !useful; t++) {
          useful = f.target[t] > 0 && f.available(i, t) && f.priceU[i] <= cutoff[t];
        }
        if (!useful) {
          continue;
        }
      }
      int[] idx = new int[n];
      Arrays.fill(idx, -1);
      boolean any = false;
      for (int t = 0; t < n; t++) {
        if (!f.available(i, t)) {
          continue;
        }
        if (!hasRamp && !charges && (f.target[t] <= 0 || f.priceU[i] > cutoff[t])) {
          continue;
        }
        double c = Watts.kw(f.cap[i]);
        Variable v = model.addVariable().lower(charges ? -c : 0).upper(c);
        idx[t] = vars.size();
        vars.add(v);
        weights.add(priceKw(f, i) / n);
        any = true;
        addTo(model, demand, groupRow, f, i, t, v, charging);
      }
      if (any) {
        varOf.put(i, idx);
      }
    }

    // Uncoupled segments: per interval and bucket, one variable per distinct price.
    List<int[]> segMembers = new ArrayList<>();
    for (int t = 0; t < n; t++) {
      Map<Long, int[]> lastOfBucket = new HashMap<>();
      for (int i : kept[t]) {
        long bucket = ((long) f.zone[i] << 32) ^ (f.feeder[i] & 0xffffffffL);
        int[] last = lastOfBucket.get(bucket);
        if (last != null && f.priceU[last[1]] == f.priceU[i]) {
          Variable v = vars.get(last[0]);
          v.upper(v.getUpperLimit().doubleValue() + Watts.kw(f.cap[i]));
          segMembers.add(new int[] {last[0], i, t});
          continue;
        }
        Variable v = model.addVariable().lower(0).upper(Watts.kw(f.cap[i]));
        int vi = vars.size();
        vars.add(v);
        weights.add(priceKw(f, i) / n);
        addTo(model, demand, groupRow, f, i, t, v, charging);
        lastOfBucket.put(bucket, new int[] {vi, i});
        segMembers.add(new int[] {vi, i, t});
      }
    }
    for (int t = 0; t < n; t++) {
      if (demand[t] == null && f.target[t] > 0) {
        demand[t] = model.addExpression().lower(Watts.kw(f.target[t]));
      }
      if (demand[t] != null) {
        demand[t].set(shortfall[t], 1);
      }
    }

    // Storage energy and ramp limits.
    for (Map.Entry<Integer, int[]> en : sorted(varOf)) {
      int i = en.getKey();
      int[] idx = en.getValue();
      if (f.storage[i]) {
        double hi = Watts.kw(f.energyHi[i]);
        if (charging) {
          double lo = Watts.kw(f.energyLo[i]);
          Expression cum = null;
          for (int t = 0; t < n; t++) {
            if (idx[t] < 0) {
              continue;
            }
            // Prefix through t: a fresh row per interval with a variable.
            Expression e = model.addExpression().lower(lo).upper(hi);
            for (int k = 0; k <= t; k++) {
              if (idx[k] >= 0) {
                e.set(vars.get(idx[k]), 1);
              }
            }
            cum = e;
          }
          if (cum != null) {
            cum.lower(Math.max(lo, 0));
          }
        } else {
          Expression e = model.addExpression().upper(hi);
          for (int t = 0; t < n; t++) {
            if (idx[t] >= 0) {
              e.set(vars.get(idx[t]), 1);
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
            e.set(vars.get(cur), 1);
          }
          if (prev >= 0) {
            e.set(vars.get(prev), -1);
          }
        }
      }
    }

    int nVars = vars.size();
    int nRows = model.countExpressions();
    // Stage 1: least shortfall.
    for (Variable s : shortfall) {
      s.weight(1);
    }
    Optimisation.Result r1 = model.minimise();
    if (!r1.getState().isFeasible()) {
      return new Result(null, 0, "LP stage 1 ended " + r1.getState(), nVars, nRows);
    }
    double least = 0;
    for (int t = 0; t < n; t++) {
      least += Math.max(0, r1.doubleValue(t));
    }
    // Stage 2: least cost at that shortfall.
    Expression cap = model.addExpression().upper(least + SHORTFALL_SLACK_KW);
    for (Variable s : shortfall) {
      s.weight(0);
      cap.set(s, 1);
    }
    for (int k = n; k < nVars; k++) {
      double w = weights.get(k);
      if (w != 0) {
        vars.get(k).weight(w);
      }
    }
    Optimisation.Result r2 = model.minimise();
    if (!r2.getState().isFeasible()) {
      return new Result(null, 0, "LP stage 2 ended " + r2.getState(), nVars, nRows + 1);
    }
    double lpCost = 0;
    for (int k = n; k < nVars; k++) {
      lpCost += weights.get(k) * r2.doubleValue(k);
    }

    long[][] p = new long[f.size][];
    for (Map.Entry<Integer, int[]> en : sorted(varOf)) {
      int i = en.getKey();
      int[] idx = en.getValue();
      double[] v = new double[n];
      for (int t = 0; t < n; t++) {
        v[t] = idx[t] < 0 ? 0 : r2.doubleValue(idx[t]) * 1000;
      }
      long[] row = f.storage[i] ? roundStorage(f, i, v) : roundEach(f, i, v);
      if (Arrays.stream(row).anyMatch(w -> w != 0)) {
        p[i] = row;
      }
    }
    Map<Integer, Long> segLeft = new HashMap<>();
    for (int[] m : segMembers) {
      int vi = m[0];
      int i = m[1];
      int t = m[2];
      long left = segLeft.computeIfAbsent(vi, x -> (long) Math.floor(Math.max(0, r2.doubleValue(x)) * 1000 + SNAP_W));
      long give = Math.min(left, f.cap[i]);
      if (give > 0) {
        if (p[i] == null) {
          p[i] = new long[n];
        }
        p[i][t] += give;
        segLeft.put(vi, left - give);
      }
    }
    return new Result(p, lpCost, null, nVars, nRows + 1);
  }

  private static double priceKw(Fleet f, int i) {
    return f.priceU[i] / 1e7;
  }

  private static List<Map.Entry<Integer, int[]>> sorted(Map<Integer, int[]> m) {
    List<Map.Entry<Integer, int[]>> l = new ArrayList<>(m.entrySet());
    l.sort(Map.Entry.comparingByKey());
    return l;
  }

  private static void addTo(ExpressionsBasedModel model, Expression[] demand, Expression[][] groupRow, Fleet f,
                            int i, int t, Variable v, boolean charging) {
    if (demand[t] == null) {
      demand[t] = model.addExpression().lower(Watts.kw(f.target[t]));
    }
    demand[t].set(v, 1);
    for (int g : new int[] {f.feeder[i], f.zone[i]}) {
      if (g < 0) {
        continue;
      }
      if (groupRow[t][g] == null) {
        double l = Watts.kw(f.limit[g]);
        groupRow[t][g] = model.addExpression().upper(l);
        if (charging) {
          groupRow[t][g].lower(-l);
        }
      }
      groupRow[t][g].set(v, 1);
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
    Map<Long, long[]> used = new HashMap<>();
    int[] out = new int[uorder.length];
    int c = 0;
    for (int i : uorder) {
      if (!f.available(i, t)) {
        continue;
      }
      long bucket = ((long) f.zone[i] << 32) ^ (f.feeder[i] & 0xffffffffL);
      long[] u = used.computeIfAbsent(bucket, b -> {
        long most = need;
        for (int g : new int[] {f.feeder[i], f.zone[i]}) {
          if (g >= 0) {
            most = Math.min(most, f.limit[g] + chargeCap[g]);
          }
        }
        return new long[] {0, most};
      });
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
