package io.loadshift.vtn.optimization;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a plan is made from: an event's reduction target and the fleet as the registry knows it.
 * Interval {@code k} starts at {@code start + k * interval}; there are {@code targetKw.length} of them.
 *
 * @param start          start of the first interval
 * @param interval       length of every interval; positive
 * @param targetKw       load reduction asked for in each interval (kW); at least one value, all finite.
 *                       A negative value is planned as 0 (with a warning).
 * @param ders           the fleet; {@code null} is an empty fleet
 * @param feederLimitsKw most net reduction (kW) the resources on a feeder may deliver together in any
 *                       interval; a feeder without an entry is unlimited, an entry for a feeder no
 *                       resource is on is ignored. A negative limit is a data error: it is planned as 0
 *                       (with a warning), a NaN limit is ignored (with a warning).
 * @param zoneLimitsKw   the same per zone
 * @param optedOutVenIds VENs that opted out of the event (their resources are excluded); may be null
 * @param options        may be null: {@link PlanOptions#DEFAULT}
 */
public record PlanInput(Instant start, Duration interval, double[] targetKw, List<Der> ders,
                        Map<String, Double> feederLimitsKw, Map<String, Double> zoneLimitsKw,
                        Set<String> optedOutVenIds, PlanOptions options) {

  /** A plan input without limits, opt-outs or options. */
  public static PlanInput of(Instant start, Duration interval, double[] targetKw, List<Der> ders) {
    return new PlanInput(start, interval, targetKw, ders, Map.of(), Map.of(), Set.of(), PlanOptions.DEFAULT);
  }
}
