package io.loadshift.vtn.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * What one event asks of a site, however it arrived (an OpenADR 3.1 event or a 2.0b oadrEvent):
 * its intervals as back-to-back bounds (epoch seconds) and, for a dispatch signal, the setpoint
 * (kW of reduction) in each interval; {@code setpointKw} is null for an event without one.
 */
public record Call(String eventId, long modification, long[] bounds, double[] setpointKw, boolean cancelled) {

  public long start() {
    return bounds[0];
  }

  public long end() {
    return bounds[bounds.length - 1];
  }

  /** The setpoint (kW) in force at {@code t}, 0 outside the window, without a setpoint or when cancelled. */
  public double setpointAt(long t) {
    if (cancelled || setpointKw == null || t < bounds[0] || t >= end()) {
      return 0;
    }
    int k = Arrays.binarySearch(bounds, t);
    k = k >= 0 ? k : -k - 2;
    return k < setpointKw.length ? Math.max(0, setpointKw[k]) : 0;
  }

  /** The average setpoint (kW) over {@code [from, to)}: what a meter interval sees of a window that starts or ends inside it. */
  public double averageSetpoint(long from, long to) {
    if (cancelled || setpointKw == null || to <= from) {
      return 0;
    }
    double kws = 0;
    for (int k = 0; k < setpointKw.length; k++) {
      long a = Math.max(from, bounds[k]);
      long b = Math.min(to, bounds[k + 1]);
      if (b > a) {
        kws += Math.max(0, setpointKw[k]) * (b - a);
      }
    }
    return kws / (to - from);
  }

  public Call cancel() {
    return new Call(eventId, modification, bounds, setpointKw, true);
  }

  /**
   * An OpenADR 3.1 event as a VEN reads it: the event's intervalPeriod (or an interval's own),
   * DISPATCH_SETPOINT payloads as setpoints. Null when it has no usable window.
   */
  public static Call of3(JsonObject e) {
    JsonObject period = e.getJsonObject("intervalPeriod");
    JsonArray intervals = e.getJsonArray("intervals", new JsonArray());
    if (intervals.isEmpty()) {
      return null;
    }
    try {
      long start = period == null || period.getString("start") == null ? Long.MIN_VALUE
          : Instant.parse(period.getString("start")).getEpochSecond();
      long step = period == null || period.getString("duration") == null ? 0
          : Duration.parse(period.getString("duration")).getSeconds();
      long[] bounds = new long[intervals.size() + 1];
      double[] kw = new double[intervals.size()];
      boolean dispatch = false;
      long at = start;
      for (int k = 0; k < intervals.size(); k++) {
        JsonObject iv = intervals.getJsonObject(k);
        JsonObject own = iv.getJsonObject("intervalPeriod");
        long s = own != null && own.getString("start") != null ? Instant.parse(own.getString("start")).getEpochSecond() : at;
        long d = own != null && own.getString("duration") != null ? Duration.parse(own.getString("duration")).getSeconds()
            : step;
        if (s == Long.MIN_VALUE || d <= 0) {
          return null;
        }
        bounds[k] = s;
        at = s + d;
        for (Object p : iv.getJsonArray("payloads", new JsonArray())) {
          JsonObject payload = (JsonObject) p;
          if ("DISPATCH_SETPOINT".equals(payload.getString("type")) && !payload.getJsonArray("values").isEmpty()) {
            kw[k] = payload.getJsonArray("values").getDouble(0);
            dispatch = true;
          }
        }
      }
      bounds[intervals.size()] = at;
      JsonObject ext = e.getJsonObject("loadshift");
      boolean cancelled = ext != null && (ext.getString("cancelledAt") != null || "cancelled".equals(ext.getString("status")));
      long modification = ext == null ? 0 : ext.getLong("modificationNumber", 0L);
      return new Call(e.getString("id"), modification, bounds, dispatch ? kw : null, cancelled);
    } catch (RuntimeException bad) {
      return null; // a window this VEN cannot read (e.g. P9999Y): not acted on
    }
  }
}
