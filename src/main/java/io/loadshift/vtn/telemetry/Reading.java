package io.loadshift.vtn.telemetry;

import java.time.Instant;

/** One interval value of a resource: {@code quantity} USAGE (kWh in the interval), DEMAND (kW), ... */
public record Reading(String resourceId, String quantity, Instant intervalStart, int durationSeconds, double value) {
  public static final String USAGE = "USAGE";
}
