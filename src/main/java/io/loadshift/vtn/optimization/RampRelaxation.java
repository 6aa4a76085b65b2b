package io.loadshift.vtn.optimization;

import java.math.BigInteger;

/**
 * The plan for a fleet whose LP is too large for ojAlgo (nested limits, no charging): a feasible
 * plan and an honest lower bound from two exact network flows.
 *
 * <ol>
 *   <li><b>Bound:</b> the flow without the ramp limits (ramp-limited resources act as plain capacity,
 *   storage keeps its energy limit). Every plan that keeps the ramp limits is a plan of this
 *   relaxation, so its optimum bounds them all from below.</li>
 *   <li><b>Plan:</b> each ramp-limited resource is held at the largest ramp-feasible profile at or
 *   below its relaxed dispatch ({@code q_t = min_k (p_k + R |t - k|)}, also from 0 before the event;
 *   lower power never breaks a power, energy or limit bound), and the flow plans the rest against what
 *   is left of each target and limit.</li>
 * </ol>
 * The gap between the plan's cost and the bound is what the ramp limits may cost at most beyond it.
 */
final class RampRelaxation {
  record Result(long[][] p, BigInteger lowerBoundUnits, long relaxedShortfall, long shortfall) {}

  private RampRelaxation() {}

  /** Returns null when the numbers do not fit the exact flow. */
  static Result solve(Fleet f, int[] order) {
    int n = f.n;
    int[] relaxedU = filter(f, order, 0);
    int[] storage = filter(f, order, 1);
    FlowPlan.Result relaxed = FlowPlan.solve(f, relaxedU, storage);
    if (relaxed == null) {
      return null;
    }
    long[][] p = new long[f.size][];
    long[] target = f.target.clone();
    long[][] limits = new long[n][];
    for (int t = 0; t < n; t++) {
      limits[t] = f.limit.clone();
    }
    for (int i : order) {
      if (!f.coupled[i] || f.ramp[i] == Fleet.NONE || relaxed.p()[i] == null) {
        continue;
      }
      long[] q = envelope(relaxed.p()[i], f.ramp[i]);
      p[i] = q;
      for (int t = 0; t < n; t++) {
        target[t] = Math.max(0, target[t] - q[t]);
        if (f.feeder[i] >= 0) {
          limits[t][f.feeder[i]] -= q[t];
        }
        if (f.zone[i] >= 0) {
          limits[t][f.zone[i]] -= q[t];
        }
      }
    }
    int[] rest = filter(f, order, 2);
    int[] restStorage = filter(f, order, 3);
    FlowPlan.Result planned = FlowPlan.solve(f, rest, restStorage, target, limits);
    if (planned == null) {
      return null;
    }
    for (int i = 0; i < f.size; i++) {
      if (planned.p()[i] != null) {
        p[i] = planned.p()[i];
      }
    }
    long relaxedShort = 0;
    long planShort = 0;
    for (int t = 0; t < n; t++) {
      relaxedShort += relaxed.shortfall()[t];
      planShort += planned.shortfall()[t];
    }
    return new Result(p, relaxed.lowerBoundUnits(), relaxedShort, planShort);
  }

  /**
   * Resources by kind, in merit order: 0 = uncoupled or ramp-limited without storage (relaxation's
   * plain capacity), 1 = coupled storage (relaxation), 2 = uncoupled, 3 = coupled storage without ramp.
   */
  private static int[] filter(Fleet f, int[] order, int kind) {
    int[] out = new int[order.length];
    int c = 0;
    for (int i : order) {
      boolean ramped = f.coupled[i] && f.ramp[i] != Fleet.NONE;
      boolean keep = switch (kind) {
        case 0 -> !f.coupled[i] || (ramped && !f.storage[i]);
        case 1 -> f.coupled[i] && f.storage[i];
        case 2 -> !f.coupled[i];
        default -> f.coupled[i] && f.storage[i] && !ramped;
      };
      if (keep) {
        out[c++] = i;
      }
    }
    return java.util.Arrays.copyOf(out, c);
  }

  /** The largest profile at or below p whose steps (and first value) are at most r. */
  static long[] envelope(long[] p, long r) {
    int n = p.length;
    long[] q = new long[n];
    long prev = 0;
    for (int t = 0; t < n; t++) {
      q[t] = Math.max(0, Math.min(p[t], prev + r));
      prev = q[t];
    }
    for (int t = n - 2; t >= 0; t--) {
      q[t] = Math.min(q[t], q[t + 1] + r);
    }
    return q;
  }
}
