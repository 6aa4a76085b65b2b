package io.loadshift.vtn.optimization;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Plans which resources deliver a utility's load reduction, and how much, at the least reward cost.
 * Pure computation: {@link #plan(PlanInput)} returns a {@link Plan}; it throws
 * {@link IllegalArgumentException} only for a request that cannot be read (no interval, no start, a
 * non-positive interval length, a target that is not a number). Data problems exclude a resource with
 * a reason, or end up as a warning or as shortfall.
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li><b>Sign:</b> positive kW is reduction delivered (curtailed load, discharged storage,
 *   dispatched generation); negative kW is added consumption (storage charging, only with
 *   {@link PlanOptions#storageMayCharge()}).</li>
 *   <li><b>Cost:</b> rewards are paid per kW of average reduction over the event, so
 *   {@code cost = sum_r price_r * (sum_t p_rt * dt) / T = sum_r price_r * mean_t(p_rt)} with
 *   {@code T = n * dt} the event's length. A resource without a bid costs
 *   {@link PlanOptions#defaultBidPricePerKw()} (by default the highest bid in the fleet).</li>
 *   <li><b>Watts:</b> the plan is made in whole watts. Capacities, limits and energy are rounded down to
 *   the watt, targets up, so every kW in the plan has 3 decimals, no limit is exceeded and a target the
 *   fleet can meet is met exactly (planned >= target); exactness and bounds below are for these
 *   figures.</li>
 *   <li><b>Eligible:</b> status ONLINE or OPTIMIZED, VEN not opted out, a positive capacity, available
 *   in some interval with a target; storage also needs energy capacity and a state of charge above its
 *   minimum. A feeder or zone with a limit of 0 (or a negative one, with a warning) keeps its resources
 *   out; a limit on a feeder or zone no resource is in is ignored.</li>
 *   <li><b>Storage</b> (BATTERY, EV_CHARGER): energy {@code E_t+1 = E_t - p_t dt} from
 *   {@code E_0 = soc * E} must stay within {@code [minSoc * E, E]}; without charging that is
 *   {@code sum_t p_t * dt <= (soc - minSoc) * E}. <b>Ramp:</b> {@code |p_t - p_t-1| <= ramp} with the
 *   resource at 0 kW before the event (so {@code p_0 <= ramp}) and in intervals it is unavailable.</li>
 *   <li><b>Feeder and zone limits:</b> in every interval the resources of a feeder (zone) together
 *   deliver at most its limit (with charging: between minus the limit and the limit).</li>
 * </ul>
 *
 * <h2>Solvers</h2>
 * <ul>
 *   <li><b>merit-order</b> (no resource couples intervals, feeders nest in zones): per interval, the
 *   resources by bid price (ties by id) each take as much as their capacity, their feeder's and zone's
 *   remaining room and the remaining target allow. Exact: these limits form a polymatroid and the
 *   greedy is optimal on it ({@link MeritOrder}). A resource couples intervals when its storage energy
 *   can bind (less than its full power in every interval it may act in) or its ramp limit is below its
 *   capacity (for one interval, both just lower its capacity).</li>
 *   <li><b>flow</b> (storage couples intervals; no binding ramp, no charging, feeders nest in zones): the
 *   LP below is a min-cost network flow ({@link FlowPlan}), solved exactly in integers by a network
 *   simplex; the reported lower bound is the dual objective of its final potentials, a certificate
 *   that equals the cost at the optimum.</li>
 *   <li><b>lp</b> (a ramp limit binds, storage may charge, feeders do not nest in zones, or
 *   {@link PlanOptions#forceLp()}): the LP solved with ojAlgo ({@link LpPlan}); the lower bound is the
 *   LP optimum.</li>
 *   <li><b>flow-relaxed</b> (the LP would exceed {@link LpPlan#MAX_VARIABLES} variables or ojAlgo does
 *   not reach its optimum within {@link LpPlan#TIME_LIMIT_MS}; nested limits, no charging): the lower
 *   bound is the exact flow without ramp limits, the plan holds ramp-limited resources at the largest
 *   ramp-feasible profile under that flow's dispatch and plans the rest exactly around them
 *   ({@link RampRelaxation}); a warning says so, and the gap is cost minus bound.</li>
 * </ul>
 * The LP: minimize {@code sum_r price_r sum_t p_rt / n} subject to
 * {@code sum_r p_rt + s_t >= target_t}, {@code s_t >= 0} (shortfall, minimized first),
 * {@code 0 <= p_rt <= cap_r} (0 where unavailable; {@code -cap_r} with charging), group limits, storage
 * energy and ramp limits as above.
 *
 * <p><b>Decomposition</b> (exact): resources that do not couple intervals are independent across
 * intervals, so per interval they enter only as merit-order price segments per feeder/zone bucket
 * (equal prices in a bucket merged), and only as many as needed: both solvers start from the
 * merit-order prefix that covers 1.25 x each target within the limits. The flow then prices every
 * left-out resource and storage arc with its node potentials and adds those with a negative reduced
 * cost until none is left (standard column pricing, so the optimum and the dual bound hold for the
 * whole fleet). The LP certifies each interval instead (at its coupled dispatch the prefix must cover
 * strictly more than the rest of the target: then the full problem's value equals the restricted one
 * near that point and, being convex, has its minimum there) and widens the prefix where that fails;
 * with charging or non-nesting limits, where that argument does not hold, it keeps each bucket's
 * cheapest resources up to what the bucket can deliver. Segment dispatch is handed back to the
 * segment's resources by id.
 *
 * <h2>Scores</h2>
 * <ul>
 *   <li><b>priority</b> (1 = dispatch first .. 10): with the m dispatched resources in merit order (bid
 *   price, then id) and k = 0..m-1 a resource's place, {@code priority = 1 + floor(10 k / m)}: the
 *   cheapest tenth gets 1, the dearest tenth 10.</li>
 *   <li><b>grid stability score</b> (10 = least stress .. 1): for each limited feeder and zone G of the
 *   resource, with t* the interval of G's largest |planned total| S (earliest on ties),
 *   {@code u = |S_t*| / L_G} (G's loading against its limit, 0..1) and {@code s = |p_r,t*| / |S_t*|} (the
 *   resource's share of it, 0 when S is 0), {@code stress_G = u (1 + s) / 2}; {@code stress} is the
 *   largest over G (0 with no limited group), and {@code score = 10 - round(9 stress)} (half up). A
 *   resource alone taking its feeder to the limit scores 1; one small contributor to a feeder at its
 *   limit about 6; a resource on unlimited or lightly loaded groups 10.</li>
 * </ul>
 * Equal inputs give equal plans (everything is ordered by price and id, never by hash order), whatever
 * the order of the resources in the input.
 */
public final class Planner {
  private Planner() {}

  public static Plan plan(PlanInput input) {
    long started = System.nanoTime();
    Fleet f = Fleet.prepare(input);
    PlanOptions options = input.options() == null ? PlanOptions.DEFAULT : input.options();
    int n = f.n;
    long[][] p = new long[f.size][];
    String solver;
    BigDecimal lowerBound = null;
    BigInteger exactBound = null;

    int coupledCount = f.coupledCount;
    boolean anyRamp = f.anyCoupledRamp;
    long maxTarget = 0;
    for (long d : f.target) {
      maxTarget = Math.max(maxTarget, d);
    }

    int[] uorder = null;
    int[] corder = null;
    if (f.size == 0 || maxTarget == 0) {
      solver = "none";
      f.order = new int[0];
      if (maxTarget > 0) {
        f.warnings.add("no resource can be planned");
      }
    } else if (coupledCount == 0 && f.laminar) {
      solver = "merit-order";
      // Sort only the cheapest resources that can reach the target; widen until the greedy is done
      // within them (or they are all of them), so the plan is the one the full merit order gives.
      for (long need = 2 * maxTarget; ; need = need > Long.MAX_VALUE / 8 ? Long.MAX_VALUE : need * 8) {
        f.order = MeritOrder.cheapest(f, need);
        p = new long[f.size][];
        boolean done = true;
        for (int t = 0; t < n; t++) {
          if (f.target[t] > 0) {
            done &= MeritOrder.fill(f, t, f.target[t], f.order, f.limit.clone(), p, null) == f.target[t];
          }
        }
        if (done || f.order.length == f.size) {
          break;
        }
      }
    } else {
      f.order = MeritOrder.sort(f.priceU, f.id);
      uorder = new int[f.size - coupledCount];
      corder = new int[coupledCount];
      int u = 0;
      int c = 0;
      for (int i : f.order) {
        if (f.coupled[i]) {
          corder[c++] = i;
        } else {
          uorder[u++] = i;
        }
      }
      FlowPlan.Result flow = null;
      if (!options.forceLp() && f.laminar && !f.charging && !anyRamp) {
        try {
          flow = FlowPlan.solve(f, uorder, corder);
          if (flow == null) {
            f.warnings.add("bid prices too large for the exact network flow; solved as an LP instead");
          }
        } catch (IllegalStateException e) {
          f.warnings.add("network flow failed (" + e.getMessage() + "); solved as an LP instead");
        }
      }
      if (flow != null) {
        solver = "flow";
        p = flow.p();
        exactBound = flow.lowerBoundUnits();
        lowerBound = units(exactBound, n, RoundingMode.FLOOR);
      } else {
        solver = "lp";
        LpPlan.Result lp = LpPlan.solve(f, uorder, corder);
        RampRelaxation.Result relaxed = null;
        if (lp.failure() != null && f.laminar && !f.charging) {
          try {
            relaxed = RampRelaxation.solve(f, f.order);
          } catch (IllegalStateException e) {
            f.warnings.add("network flow failed (" + e.getMessage() + ")");
          }
        }
        if (lp.failure() == null) {
          p = lp.p();
          lowerBound = BigDecimal.valueOf(lp.lpCost()).setScale(7, RoundingMode.FLOOR);
          Repair.afterRounding(f, p, uorder);
        } else if (relaxed != null) {
          solver = "flow-relaxed";
          p = relaxed.p();
          if (relaxed.shortfall() == relaxed.relaxedShortfall()) {
            lowerBound = units(relaxed.lowerBoundUnits(), n, RoundingMode.FLOOR);
          }
          f.warnings.add(lp.failure() + ": ramp-limited resources follow the largest ramp-feasible profile under"
              + " the plan without ramp limits, the rest is planned exactly around them; the lower bound is the"
              + " optimum without ramp limits" + (lowerBound == null ? " (not given: that optimum falls short less)" : ""));
        } else {
          f.warnings.add(lp.failure() + ": the plan uses the merit order of the resources that do not couple"
              + " intervals only, and has no lower bound");
          p = new long[f.size][];
          for (int t = 0; t < n; t++) {
            if (f.target[t] > 0) {
              MeritOrder.fill(f, t, f.target[t], uorder, f.limit.clone(), p, null);
            }
          }
        }
      }
    }
    Check.verify(f, p);
    return assemble(f, p, solver, lowerBound, exactBound, started);
  }

  /** 1e-10 units (price 1e-7 x milli-kW) summed over intervals, to money per event (divide by n). */
  static BigDecimal units(BigInteger v, int n, RoundingMode mode) {
    return new BigDecimal(v).divide(BigDecimal.valueOf(n).scaleByPowerOfTen(10), 7, mode);
  }

  private static Plan assemble(Fleet f, long[][] p, String solver, BigDecimal lowerBound, BigInteger exactBound,
                               long started) {
    int n = f.n;
    long[] planned = new long[n];
    BigInteger costUnits = BigInteger.ZERO;
    List<Integer> dispatched = new ArrayList<>();
    for (int i : f.order) {
      long[] row = p[i];
      if (row == null) {
        continue;
      }
      long sum = 0;
      boolean any = false;
      for (int t = 0; t < n; t++) {
        planned[t] += row[t];
        sum += row[t];
        any |= row[t] != 0;
      }
      if (any) {
        dispatched.add(i);
        costUnits = costUnits.add(BigInteger.valueOf(f.priceU[i]).multiply(BigInteger.valueOf(sum)));
      }
    }
    BigDecimal cost = units(costUnits, n, RoundingMode.HALF_EVEN);
    if ("merit-order".equals(solver) || "none".equals(solver)
        || (exactBound != null && exactBound.compareTo(costUnits) >= 0)) {
      // Exact: the merit order is optimal, or the flow's dual certificate equals its cost.
      lowerBound = cost;
    }

    long[][] load = new long[f.groups][n];
    for (int i : dispatched) {
      for (int t = 0; t < n; t++) {
        if (f.feeder[i] >= 0) {
          load[f.feeder[i]][t] += p[i][t];
        }
        if (f.zone[i] >= 0) {
          load[f.zone[i]][t] += p[i][t];
        }
      }
    }
    int[] peak = new int[f.groups];
    for (int g = 0; g < f.groups; g++) {
      for (int t = 1; t < n; t++) {
        if (Math.abs(load[g][t]) > Math.abs(load[g][peak[g]])) {
          peak[g] = t;
        }
      }
    }

    int m = dispatched.size();
    List<Plan.Dispatch> out = new ArrayList<>(m);
    for (int k = 0; k < m; k++) {
      int i = dispatched.get(k);
      double[] kw = new double[n];
      long sum = 0;
      for (int t = 0; t < n; t++) {
        kw[t] = Watts.kw(p[i][t]);
        sum += p[i][t];
      }
      double stress = 0;
      for (int g : new int[] {f.feeder[i], f.zone[i]}) {
        if (g < 0 || f.limit[g] <= 0) {
          continue;
        }
        long s = Math.abs(load[g][peak[g]]);
        double u = (double) s / f.limit[g];
        double share = s == 0 ? 0 : (double) Math.abs(p[i][peak[g]]) / s;
        stress = Math.max(stress, u * (1 + share) / 2);
      }
      int score = (int) Math.max(1, Math.min(10, 10 - Math.round(9 * Math.min(1, stress))));
      int priority = 1 + (int) (10L * k / m);
      out.add(new Plan.Dispatch(f.id[i], f.ven[i], f.type[i], kw, sum / 1000.0 / n, f.price[i],
          f.defaultPrice[i], priority, score));
    }

    List<Plan.Interval> intervals = new ArrayList<>(n);
    long worst = 0;
    for (int t = 0; t < n; t++) {
      long shortW = Math.max(0, f.target[t] - planned[t]);
      worst = Math.max(worst, shortW);
      intervals.add(new Plan.Interval(f.input.start().plus(f.input.interval().multipliedBy(t)), Watts.kw(f.target[t]),
          Watts.kw(planned[t]), Watts.kw(shortW)));
    }
    if (worst > 0) {
      f.warnings.add("the fleet cannot meet the target: up to " + Watts.kw(worst) + " kW short");
    }
    double millis = (System.nanoTime() - started) / 1e6;
    return new Plan(f.input.start(), f.input.interval(), solver, List.copyOf(out), List.copyOf(intervals), cost,
        lowerBound, Watts.kw(worst), millis, f.size, List.copyOf(f.excluded), List.copyOf(f.warnings));
  }
}
