package io.loadshift.vtn.optimization;

import io.loadshift.vtn.event.Durations;
import io.loadshift.vtn.event.Event;
import io.loadshift.vtn.event.EventRequests;
import io.loadshift.vtn.platform.http.Problem;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;

/**
 * An event's reduction target as a plan needs it: equal, back-to-back intervals from the event's
 * start, each with its TARGET_REDUCTION_KW (an interval without one takes the event's largest).
 */
public record TargetProfile(Instant start, Duration interval, double[] targetKw) {

  public Instant end() {
    return start.plus(interval.multipliedBy(targetKw.length));
  }

  /** The interval {@code at} falls in (0 before the start, n at or after the end). */
  public int intervalAt(Instant at) {
    if (!at.isAfter(start)) {
      return 0;
    }
    long k = Duration.between(start, at).toMillis() / interval.toMillis();
    return (int) Math.min(targetKw.length, k);
  }

  /** Reads the profile, or a 409/422 problem saying why this event cannot be planned. */
  public static TargetProfile of(Event event) {
    if (event.cancelledAt() != null) {
      throw Problem.conflict("The event was cancelled; there is nothing to dispatch.");
    }
    if (event.targetReductionKw() == null) {
      throw Problem.conflict("The event sets no TARGET_REDUCTION_KW; there is no target to plan for.");
    }
    JsonObject body = event.body();
    Duration base = duration(body.getJsonObject("intervalPeriod"));
    JsonArray intervals = body.getJsonArray("intervals", new JsonArray());
    if (intervals.isEmpty() || event.startsAt() == null) {
      throw Problem.unprocessable("The event has no intervals to plan.");
    }
    Duration interval = null;
    double[] targets = new double[intervals.size()];
    for (int i = 0; i < intervals.size(); i++) {
      JsonObject iv = intervals.getJsonObject(i);
      Duration d = duration(iv.getJsonObject("intervalPeriod"));
      d = d == null ? base : d;
      if (d == null || d.isZero() || d.isNegative()) {
        throw Problem.unprocessable("Interval " + i + " has no duration; plans need intervals of a set length.");
      }
      if (interval != null && !interval.equals(d)) {
        throw Problem.unprocessable("Plans need intervals of one length; interval " + i + " lasts " + d + ", not "
            + interval + ".");
      }
      interval = d;
      targets[i] = event.targetReductionKw().doubleValue();
      for (Object p : iv.getJsonArray("payloads", new JsonArray())) {
        JsonObject payload = (JsonObject) p;
        if (EventRequests.TARGET_REDUCTION_KW.equals(payload.getString("type"))
            && payload.getJsonArray("values", new JsonArray()).getValue(0) instanceof Number n) {
          targets[i] = n.doubleValue();
        }
      }
    }
    return new TargetProfile(event.startsAt(), interval, targets);
  }

  private static Duration duration(JsonObject period) {
    if (period == null || period.getString("duration") == null) {
      return null;
    }
    Durations.Span s = Durations.duration(period.getString("duration"));
    if (s.forever() || s.years() > 0 || s.months() > 0) {
      return null;
    }
    Instant epoch = Instant.EPOCH;
    return Duration.between(epoch, s.addTo(epoch));
  }
}
