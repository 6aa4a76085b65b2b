package io.loadshift.vtn.optimization;

import io.loadshift.vtn.der.DerStatus;
import io.loadshift.vtn.der.DerType;
import java.math.BigDecimal;

/**
 * One distributed energy resource as the registry knows it when a plan is made. Every field but
 * {@code id} may be missing ({@code null}); the planner then excludes the resource with a reason or
 * applies the default named below, it never throws.
 *
 * @param id                 resource id, unique in the fleet (all copies of a repeated id are excluded)
 * @param venId              the VEN that controls the resource
 * @param type               the DER type; {@code BATTERY} and {@code EV_CHARGER} are storage
 * @param status             only {@code ONLINE} and {@code OPTIMIZED} resources are planned
 * @param capacityKw         power the resource can deliver (kW); required, positive
 * @param energyCapacityKwh  storage only: usable energy at full charge (kWh); required for storage
 * @param stateOfCharge      storage only: charge now, 0..1; required for storage
 * @param minStateOfCharge   storage only: charge the event may not go below, 0..1 (missing: 0)
 * @param rampKwPerInterval  most the power may change from one interval to the next (kW); missing: no
 *                           limit. The resource is at 0 kW before the event starts, so the first
 *                           interval is limited too.
 * @param zone               zone name, for zone limits (missing: in no zone)
 * @param feeder             feeder name, for feeder limits (missing: on no feeder)
 * @param bidPricePerKw      the resource's bid per kW of average reduction over the event; exact to
 *                           7 decimals (more are rounded half-even). Missing: {@link PlanOptions}'s
 *                           default price.
 * @param available          per interval, whether the resource may be dispatched (EiOpt availability);
 *                           {@code null} means every interval. Must have one entry per interval.
 */
public record Der(String id, String venId, DerType type, DerStatus status, Double capacityKw,
                  Double energyCapacityKwh, Double stateOfCharge, Double minStateOfCharge,
                  Double rampKwPerInterval, String zone, String feeder, BigDecimal bidPricePerKw,
                  boolean[] available) {

  /** A resource without storage, ramp limit or availability restrictions. */
  public static Der of(String id, String venId, DerType type, double capacityKw, String zone, String feeder,
                       BigDecimal bidPricePerKw) {
    return new Der(id, venId, type, DerStatus.ONLINE, capacityKw, null, null, null, null, zone, feeder,
        bidPricePerKw, null);
  }

  /** Whether the type holds energy (battery, EV charger). */
  public boolean storage() {
    return type != null && type.storage();
  }
}
