package io.loadshift.vtn.telemetry;

import io.loadshift.vtn.event.Durations;
import io.loadshift.vtn.platform.http.JsonFields;
import io.loadshift.vtn.platform.http.Problem;
import io.loadshift.vtn.platform.http.ValuesMaps;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads OpenADR 3.1 report requests. Each resource's intervals follow one another from the
 * resource's {@code intervalPeriod} (an interval may carry its own); every payload with a single
 * number becomes a reading of its type (USAGE in kWh per interval, DEMAND in kW, ...).
 */
public final class ReportRequests {
  private static final Set<String> FIELDS = Set.of("eventID", "clientName", "reportName", "payloadDescriptors", "resources",
      "programID", "id", "createdDateTime", "modificationDateTime", "objectType", "clientID");
  private static final Set<String> BODY_FIELDS = Set.of("eventID", "clientName", "reportName", "payloadDescriptors",
      "resources", "programID");
  private static final int MAX_READINGS = 200_000;

  /** A reading a report carries, before its resource is resolved. */
  public record Item(String resourceName, String quantity, Instant start, int durationSeconds, double value) {}

  public record Draft(String eventId, String clientName, JsonObject body, List<Item> readings) {}

  private ReportRequests() {}

  public static Draft read(JsonObject in) {
    JsonFields.rejectUnknown(in, FIELDS);
    String eventId = JsonFields.requiredString(in, "eventID", 128);
    String clientName = JsonFields.requiredString(in, "clientName", 128);
    JsonFields.optionalString(in, "reportName", 128);
    if (!(in.getValue("resources") instanceof JsonArray resources) || resources.size() > 10_000) {
      throw Problem.validation("'resources' is required: an array of up to 10000 {resourceName, intervals} objects.");
    }
    List<String> errors = new ArrayList<>();
    List<Item> items = new ArrayList<>();
    Instant now = Instant.now();
    for (int r = 0; r < resources.size(); r++) {
      String where = "resources[" + r + "]";
      if (!(resources.getValue(r) instanceof JsonObject res) || !(res.getValue("resourceName") instanceof String name)
          || name.isEmpty() || name.length() > 128 || !(res.getValue("intervals") instanceof JsonArray intervals)) {
        errors.add(where + " needs a resourceName and an intervals array");
        continue;
      }
      Instant cursor = null;
      Durations.Span step = null;
      if (res.getValue("intervalPeriod") instanceof JsonObject period) {
        cursor = start(period, where, now, errors);
        step = duration(period, where, errors);
      }
      for (int i = 0; i < intervals.size(); i++) {
        String at = where + ".intervals[" + i + "]";
        if (!(intervals.getValue(i) instanceof JsonObject iv)) {
          errors.add(at + " must be an object");
          continue;
        }
        Instant s = cursor;
        Durations.Span d = step;
        if (iv.getValue("intervalPeriod") instanceof JsonObject own) {
          if (own.getValue("start") != null) {
            s = start(own, at, now, errors);
          }
          if (own.getValue("duration") != null) {
            d = duration(own, at, errors);
          }
        }
        if (s == null || d == null || d.forever() || d.zero()) {
          errors.add(at + " has no start and duration (give an intervalPeriod on the resource or the interval)");
          continue;
        }
        Instant e = d.addTo(s);
        cursor = e;
        long seconds = e.getEpochSecond() - s.getEpochSecond();
        if (seconds > 31L * 86_400) {
          errors.add(at + ": a reading covers at most 31 days");
          continue;
        }
        JsonArray payloads;
        try {
          payloads = JsonFields.valuesMaps(iv, "payloads", 50, 100);
        } catch (Problem p) {
          errors.add(at + ": " + p.detail());
          continue;
        }
        for (Object o : payloads) {
          JsonObject p = (JsonObject) o;
          JsonArray values = p.getJsonArray("values");
          BigDecimal v = values.size() == 1 ? ValuesMaps.decimal(values.getValue(0)) : null;
          String type = p.getString("type");
          if (v == null) {
            if (Reading.USAGE.equals(type) || "DEMAND".equals(type)) {
              errors.add(at + ": " + type + " takes one number");
            }
            continue;
          }
          if (s.getNano() != 0) {
            errors.add(at + ": interval starts are whole seconds");
            continue;
          }
          if (Math.abs(v.doubleValue()) > 1e9) {
            errors.add(at + ": " + type + " " + v.toPlainString() + " is not a plausible reading");
            continue;
          }
          items.add(new Item(name, type, s, (int) seconds, v.doubleValue()));
        }
        if (items.size() > MAX_READINGS) {
          throw Problem.validation("A report carries at most " + MAX_READINGS + " readings; send several.");
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new Problem(400, "invalid-report", "Invalid report", String.join("; ", errors.subList(0, Math.min(20, errors.size())))
          + ".", new JsonObject().put("errors", new JsonArray(errors.subList(0, Math.min(100, errors.size())))));
    }
    JsonObject body = new JsonObject();
    in.fieldNames().stream().filter(BODY_FIELDS::contains).filter(k -> in.getValue(k) != null)
        .forEach(k -> body.put(k, in.getValue(k)));
    return new Draft(eventId, clientName, body, items);
  }

  private static Instant start(JsonObject period, String where, Instant now, List<String> errors) {
    if (!(period.getValue("start") instanceof String s)) {
      return null;
    }
    try {
      return Durations.dateTime(s, now);
    } catch (IllegalArgumentException e) {
      errors.add(where + ".intervalPeriod.start: " + e.getMessage());
      return null;
    }
  }

  private static Durations.Span duration(JsonObject period, String where, List<String> errors) {
    if (!(period.getValue("duration") instanceof String s)) {
      return null;
    }
    try {
      Durations.Span d = Durations.duration(s);
      if (d.negative()) {
        errors.add(where + ".intervalPeriod.duration must not be negative");
        return null;
      }
      return d;
    } catch (IllegalArgumentException e) {
      errors.add(where + ".intervalPeriod.duration: " + e.getMessage());
      return null;
    }
  }
}
