package io.loadshift.vtn.optimization;

import io.loadshift.vtn.der.DerType;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A dispatch plan: what each resource delivers in each interval, what it costs, and what could not
 * be met. See {@link Planner} for the sign convention, the cost, priority and grid stability score.
 *
 * @param start        start of the first interval
 * @param interval     length of every interval
 * @param solver       "merit-order" (exact, closed form), "flow" (the time-coupled LP solved exactly
 *                     in its network form), "lp" (the time-coupled LP solved by ojAlgo),
 *                     "flow-relaxed" (an LP too large for ojAlgo: exact flows around the ramp limits,
 *                     see the warning) or "none" (no target, or no resource that can be planned)
 * @param dispatch     resources given a non-zero power in some interval, in merit order (bid price,
 *                     then id); resources that can be planned but are not needed are not listed
 * @param intervals    per interval: target, planned total, shortfall
 * @param cost         sum over dispatched resources of bid price x average kW over the event, in the
 *                     bid's currency, exact from the kW below and rounded half-even to 7 decimals
 * @param lowerBound   no plan that has the same shortfall costs less than this (7 decimals, rounded
 *                     down, or equal to the cost when proven optimal): the merit-order cost itself, the
 *                     flow's dual bound, the LP optimum, or the optimum without ramp limits; null when
 *                     no bound is known (see the warnings)
 * @param shortfallKw  the largest shortfall of any interval (0 when every target is met)
 * @param solveMillis  wall time of the planning call
 * @param eligible     resources that could be planned (not excluded)
 * @param excluded     resources left out, each with its reason, ordered by id
 * @param warnings     problems with the request that did not stop the plan (limits, default prices, ...)
 */
public record Plan(Instant start, Duration interval, String solver, List<Dispatch> dispatch,
                   List<Interval> intervals, BigDecimal cost, BigDecimal lowerBound, double shortfallKw,
                   double solveMillis, int eligible, List<Exclusion> excluded, List<String> warnings) {

  /**
   * One dispatched resource.
   *
   * @param kw               per interval: positive = reduction delivered (curtailed load, discharged
   *                         storage, dispatched generation), negative = added consumption (storage
   *                         charging); whole watts (3 decimals)
   * @param averageKw        mean of {@code kw} over the event; the resource's cost is bid x averageKw
   * @param bidPricePerKw    the price the plan used (the bid, or the default)
   * @param defaultPrice     whether that price is the default because the resource has no bid
   * @param priority         1 (dispatch first) .. 10; see {@link Planner}
   * @param gridStability    1 (most stress) .. 10 (least); see {@link Planner}
   */
  public record Dispatch(String id, String venId, DerType type, double[] kw, double averageKw,
                         BigDecimal bidPricePerKw, boolean defaultPrice, int priority, int gridStability) {}

  /** One interval: the target (to the watt, rounded up), the planned total and the shortfall. */
  public record Interval(Instant start, double targetKw, double plannedKw, double shortfallKw) {}

  /** A resource the plan could not use, and why. */
  public record Exclusion(String id, String venId, String reason) {}
}
