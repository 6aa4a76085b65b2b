package io.loadshift.vtn.event;

import io.loadshift.vtn.platform.http.JsonFields;
import io.loadshift.vtn.platform.http.Problem;
import io.loadshift.vtn.platform.http.ValuesMaps;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads OpenADR 3.1 event requests strictly: shapes, durations and date-times, payload values of
 * the types the VTN acts on, and the window they add up to. Every problem is listed in one 400.
 */
public final class EventRequests {
  public static final String TARGET_REDUCTION_KW = "TARGET_REDUCTION_KW";
  public static final String REWARD_PER_KW = "REWARD_PER_KW";
  private static final Set<String> FIELDS = Set.of("programID", "eventName", "duration", "priority", "targets",
      "reportDescriptors", "payloadDescriptors", "intervalPeriod", "intervals");
  private static final Set<String> ECHOED = Set.of("id", "createdDateTime", "modificationDateTime", "objectType");
  private static final Set<String> PERIOD_FIELDS = Set.of("start", "duration", "randomizeStart");
  private static final Set<String> INTERVAL_FIELDS = Set.of("id", "intervalPeriod", "payloads");
  private static final BigDecimal MAX_KW = new BigDecimal("100000000");
  private static final BigDecimal MAX_PRICE = new BigDecimal("1000000000");
  private static final int MAX_INTERVALS = 10_000;

  private EventRequests() {}

  public static EventDraft read(JsonObject in, Instant now) {
    List<String> errors = new ArrayList<>();
    JsonObject body = new JsonObject();
    for (String k : in.fieldNames()) {
      if (FIELDS.contains(k)) {
        if (in.getValue(k) != null) {
          body.put(k, in.getValue(k));
        }
      } else if (!ECHOED.contains(k)) {
        errors.add("unknown field '" + k + "'");
      }
    }
    String programId = null;
    if (!(in.getValue("programID") instanceof String p) || !p.matches("[A-Za-z0-9_-]{1,128}")) {
      errors.add("'programID' is required: the id of the event's program");
    } else {
      programId = p;
    }
    if (in.getValue("eventName") != null && !(in.getValue("eventName") instanceof String n && n.length() <= 256)) {
      errors.add("'eventName' must be a string of at most 256 characters");
    }
    Integer priority = null;
    Object pr = in.getValue("priority");
    if (pr != null) {
      if (!(pr instanceof Integer i) || i < 0) {
        errors.add("'priority' must be an integer >= 0 (0 is the highest)");
      } else {
        priority = i;
      }
    }
    List<String> targets = JsonFields.targets(in, errors);
    Durations.Span eventDuration = duration(in.getValue("duration"), "duration", errors);
    JsonObject period = object(in.getValue("intervalPeriod"), "intervalPeriod", PERIOD_FIELDS, errors);
    Instant start = now;
    Durations.Span defaultDuration = null;
    if (period != null) {
      if (period.getValue("start") != null) {
        start = dateTime(period.getValue("start"), "intervalPeriod.start", now, errors);
      }
      defaultDuration = duration(period.getValue("duration"), "intervalPeriod.duration", errors);
      duration(period.getValue("randomizeStart"), "intervalPeriod.randomizeStart", errors);
    }
    descriptors(in.getValue("payloadDescriptors"), "payloadDescriptors", true, errors);
    descriptors(in.getValue("reportDescriptors"), "reportDescriptors", false, errors);

    BigDecimal target = null;
    BigDecimal reward = null;
    Instant end = start;
    boolean forever = false;
    Object rawIntervals = in.getValue("intervals");
    if (rawIntervals != null && !(rawIntervals instanceof JsonArray)) {
      errors.add("'intervals' must be an array");
    } else if (rawIntervals instanceof JsonArray intervals) {
      if (intervals.size() > MAX_INTERVALS) {
        errors.add("an event has at most " + MAX_INTERVALS + " intervals");
      }
      Instant cursor = start;
      Set<Integer> ids = new HashSet<>();
      for (int i = 0; i < intervals.size() && i < MAX_INTERVALS; i++) {
        String where = "intervals[" + i + "]";
        JsonObject iv = object(intervals.getValue(i), where, INTERVAL_FIELDS, errors);
        if (iv == null) {
          continue;
        }
        if (!(iv.getValue("id") instanceof Integer id)) {
          errors.add(where + ".id must be an integer");
        } else if (!ids.add(id)) {
          errors.add(where + ".id " + id + " is used twice");
        }
        Instant s = cursor;
        Durations.Span d = defaultDuration;
        JsonObject ip = object(iv.getValue("intervalPeriod"), where + ".intervalPeriod", PERIOD_FIELDS, errors);
        if (ip != null) {
          if (ip.getValue("start") != null) {
            s = dateTime(ip.getValue("start"), where + ".intervalPeriod.start", now, errors);
          }
          if (ip.getValue("duration") != null) {
            d = duration(ip.getValue("duration"), where + ".intervalPeriod.duration", errors);
          }
        }
        if (d != null && d.forever()) {
          forever = true;
        }
        Instant e = d == null || s == null || d.forever() ? s : d.addTo(s);
        if (e != null) {
          cursor = e;
          if (e.isAfter(end)) {
            end = e;
          }
        }
        JsonArray payloads;
        try {
          payloads = JsonFields.valuesMaps(iv, "payloads", 50, 1000);
        } catch (Problem p) {
          errors.add(where + ": " + p.detail());
          continue;
        }
        if (iv.getValue("payloads") == null) {
          errors.add(where + ".payloads is required");
        }
        for (Object o : payloads) {
          JsonObject payload = (JsonObject) o;
          BigDecimal t = checkPayload(payload, where, errors);
          if (t != null && TARGET_REDUCTION_KW.equals(payload.getString("type"))) {
            target = target == null || t.compareTo(target) > 0 ? t : target;
          }
          if (t != null && REWARD_PER_KW.equals(payload.getString("type")) && reward == null) {
            reward = t;
          }
        }
      }
    } else if (defaultDuration != null) {
      forever = defaultDuration.forever();
      end = forever ? end : defaultDuration.addTo(start);
    }
    if (eventDuration != null) {
      forever = eventDuration.forever();
      end = forever ? end : eventDuration.addTo(start);
    }
    if (!forever && end != null && start != null && end.isBefore(start)) {
      errors.add("the event ends before it starts");
    }
    if (!errors.isEmpty()) {
      throw new Problem(400, "invalid-event", "Invalid event", String.join("; ", errors) + ".",
          new JsonObject().put("errors", new JsonArray(errors)));
    }
    return new EventDraft(programId, targets, priority, body, start, forever ? null : end, target, reward);
  }

  /** Checks the values of payload types the VTN interprets; returns the single number, if one. */
  private static BigDecimal checkPayload(JsonObject payload, String where, List<String> errors) {
    String type = payload.getString("type");
    JsonArray values = payload.getJsonArray("values");
    switch (type) {
      case TARGET_REDUCTION_KW: {
        List<String> local = new ArrayList<>();
        BigDecimal v = ValuesMaps.oneNumber(type, values, local);
        if (v != null && (v.signum() < 0 || v.compareTo(MAX_KW) > 0)) {
          local.add(type + " must be between 0 and " + MAX_KW.toPlainString() + " kW");
        }
        local.forEach(e -> errors.add(where + ": " + e));
        return local.isEmpty() ? v : null;
      }
      case REWARD_PER_KW: {
        List<String> local = new ArrayList<>();
        BigDecimal v = ValuesMaps.amount(type, values, MAX_PRICE, local);
        local.forEach(e -> errors.add(where + ": " + e));
        return v;
      }
      case "SIMPLE":
        for (Object v : values) {
          if (!(v instanceof Integer i) || i < 0 || i > 3) {
            errors.add(where + ": SIMPLE values are integers 0 to 3");
          }
        }
        return null;
      case "CONTROL_LEVEL_OFFSET":
        for (Object v : values) {
          if (!(v instanceof Integer i) || i < -10 || i > 10) {
            errors.add(where + ": CONTROL_LEVEL_OFFSET values are integers -10 to 10");
          }
        }
        return null;
      case "IMPORT_CAPACITY_LIMIT":
      case "EXPORT_CAPACITY_LIMIT":
        for (Object v : values) {
          BigDecimal d = ValuesMaps.decimal(v);
          if (d == null || d.signum() < 0) {
            errors.add(where + ": " + type + " values are numbers >= 0 (kW)");
          }
        }
        return null;
      case "PRICE":
      case "EXPORT_PRICE":
      case "DISPATCH_SETPOINT":
      case "DISPATCH_SETPOINT_RELATIVE":
      case "CHARGE_STATE_SETPOINT":
        for (Object v : values) {
          if (ValuesMaps.decimal(v) == null) {
            errors.add(where + ": " + type + " values are numbers");
          }
        }
        return null;
      default:
        return null;
    }
  }

  private static void descriptors(Object raw, String field, boolean payload, List<String> errors) {
    if (raw == null) {
      return;
    }
    if (!(raw instanceof JsonArray a) || a.size() > 100) {
      errors.add("'" + field + "' must be an array of at most 100 descriptors");
      return;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!(a.getValue(i) instanceof JsonObject d) || !(d.getValue("payloadType") instanceof String t) || t.isEmpty()
          || t.length() > 128) {
        errors.add(field + "[" + i + "] needs a payloadType of 1 to 128 characters");
        continue;
      }
      Object ot = d.getValue("objectType");
      if (payload && ot != null && !"EVENT_PAYLOAD_DESCRIPTOR".equals(ot)) {
        errors.add(field + "[" + i + "].objectType must be EVENT_PAYLOAD_DESCRIPTOR");
      }
      for (String k : List.of("units", "currency", "readingType")) {
        if (d.getValue(k) != null && !(d.getValue(k) instanceof String)) {
          errors.add(field + "[" + i + "]." + k + " must be a string");
        }
      }
    }
  }

  private static JsonObject object(Object raw, String where, Set<String> allowed, List<String> errors) {
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof JsonObject o)) {
      errors.add(where + " must be an object");
      return null;
    }
    for (String k : o.fieldNames()) {
      if (!allowed.contains(k)) {
        errors.add(where + " has unknown field '" + k + "'");
      }
    }
    return o;
  }

  private static Durations.Span duration(Object raw, String where, List<String> errors) {
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof String s)) {
      errors.add(where + " must be an ISO 8601 duration string");
      return null;
    }
    try {
      Durations.Span d = Durations.duration(s);
      if (d.negative()) {
        errors.add(where + " must not be negative");
        return null;
      }
      return d;
    } catch (IllegalArgumentException e) {
      errors.add(where + ": " + e.getMessage());
      return null;
    }
  }

  private static Instant dateTime(Object raw, String where, Instant now, List<String> errors) {
    if (!(raw instanceof String s)) {
      errors.add(where + " must be an RFC 3339 date-time string");
      return null;
    }
    try {
      return Durations.dateTime(s, now);
    } catch (IllegalArgumentException e) {
      errors.add(where + ": " + e.getMessage());
      return null;
    }
  }
}
