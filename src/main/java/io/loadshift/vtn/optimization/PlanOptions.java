package io.loadshift.vtn.optimization;

import java.math.BigDecimal;

/**
 * Settings of one planning run.
 *
 * @param defaultBidPricePerKw price of a resource that has no bid. {@code null} (the default) means
 *                             the highest bid among the resources that can be planned, so resources
 *                             without a bid are dispatched after every resource that has one at a
 *                             lower price (and before none that bid more); 0 when no resource bids.
 * @param storageMayCharge     whether storage may charge (negative kW) in one interval to discharge
 *                             in another. Off by default: a load-reduction event pays for less load
 *                             and charging adds load. When on, a storage resource may charge up to its
 *                             capacity, stays within its energy bounds in every interval, and ends the
 *                             event with no more energy than it started with (its net delivery, hence
 *                             its reward, is never negative); feeder and zone limits then bound the
 *                             group's net power in both directions.
 * @param forceLp              solve time-coupled plans with the ojAlgo LP even where the network form
 *                             applies (for cross-checks; slower on large fleets).
 */
public record PlanOptions(BigDecimal defaultBidPricePerKw, boolean storageMayCharge, boolean forceLp) {
  public static final PlanOptions DEFAULT = new PlanOptions(null, false, false);
}
