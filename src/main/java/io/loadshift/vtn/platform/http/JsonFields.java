package io.loadshift.vtn.platform.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Strict reads of JSON request fields; each failure is a 400 problem naming the field. */
public final class JsonFields {
  private JsonFields() {}

  public static String requiredString(JsonObject o, String field, int maxLength) {
    String s = optionalString(o, field, maxLength);
    if (s == null) {
      throw Problem.validation("'" + field + "' is required.");
    }
    return s;
  }

  public static String optionalString(JsonObject o, String field, int maxLength) {
    Object v = o.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s) || s.isEmpty()) {
      throw Problem.validation("'" + field + "' must be a non-empty string.");
    }
    if (s.length() > maxLength) {
      throw Problem.validation("'" + field + "' must be at most " + maxLength + " characters.");
    }
    return s;
  }

  /** A list of non-empty strings, or null when the field is absent or null. */
  public static List<String> stringList(JsonObject o, String field, int maxItems, int maxLength) {
    Object v = o.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonArray a)) {
      throw Problem.validation("'" + field + "' must be an array of strings.");
    }
    if (a.size() > maxItems) {
      throw Problem.validation("'" + field + "' has more than " + maxItems + " entries.");
    }
    List<String> out = new ArrayList<>(a.size());
    for (Object item : a) {
      if (!(item instanceof String s) || s.isEmpty() || s.length() > maxLength) {
        throw Problem.validation("'" + field + "' entries must be strings of 1 to " + maxLength + " characters.");
      }
      if (!out.contains(s)) {
        out.add(s);
      }
    }
    return out;
  }

  /**
   * OpenADR 3.1 {@code targets}: up to 100 strings. 3.0's {type, values} objects are refused with
   * a pointer to the 3.1 form. Problems are added to {@code errors}; absent targets are empty.
   */
  public static List<String> targets(JsonObject in, List<String> errors) {
    if (in.getValue("targets") instanceof JsonArray a) {
      for (Object x : a) {
        if (x instanceof JsonObject) {
          errors.add("targets are strings in OpenADR 3.1 (e.g. \"group-1\"), not {type, values} objects");
          return List.of();
        }
      }
    }
    try {
      List<String> l = stringList(in, "targets", 100, 128);
      return l == null ? List.of() : l;
    } catch (Problem p) {
      errors.add(p.detail());
      return List.of();
    }
  }

  public static void rejectUnknown(JsonObject o, Set<String> allowed) {
    for (String k : o.fieldNames()) {
      if (!allowed.contains(k)) {
        throw Problem.validation("Unknown field '" + k + "'; allowed: " + allowed + ".");
      }
    }
  }

  /**
   * OpenADR 3.1 {@code attributes}/{@code payloads} style lists of valuesMap entries:
   * {@code {"type": 1-128 chars, "values": [number | string | boolean | {"x": n, "y": n}]}}.
   * Returns an empty array for an absent or null field.
   */
  public static JsonArray valuesMaps(JsonObject o, String field, int maxEntries, int maxValues) {
    Object v = o.getValue(field);
    if (v == null) {
      return new JsonArray();
    }
    if (!(v instanceof JsonArray a)) {
      throw Problem.validation("'" + field + "' must be an array of {type, values} objects.");
    }
    if (a.size() > maxEntries) {
      throw Problem.validation("'" + field + "' has more than " + maxEntries + " entries.");
    }
    for (Object e : a) {
      if (!(e instanceof JsonObject m)) {
        throw Problem.validation("'" + field + "' entries must be {type, values} objects.");
      }
      if (!(m.getValue("type") instanceof String t) || t.isEmpty() || t.length() > 128) {
        throw Problem.validation("'" + field + "' entries need a 'type' of 1 to 128 characters.");
      }
      for (String k : m.fieldNames()) {
        if (!k.equals("type") && !k.equals("values")) {
          throw Problem.validation("'" + field + "' entry " + t + " has unknown field '" + k + "'.");
        }
      }
      if (!(m.getValue("values") instanceof JsonArray values)) {
        throw Problem.validation("'" + field + "' entry " + t + " needs a 'values' array.");
      }
      if (values.size() > maxValues) {
        throw Problem.validation("'" + field + "' entry " + t + " has more than " + maxValues + " values.");
      }
      for (Object x : values) {
        boolean point = x instanceof JsonObject p && p.size() == 2 && p.getValue("x") instanceof Number
            && p.getValue("y") instanceof Number;
        if (!(x instanceof Number || x instanceof String || x instanceof Boolean || point)) {
          throw Problem.validation("'" + field + "' entry " + t + ": values are numbers, strings, booleans or points {x, y}.");
        }
      }
    }
    return a;
  }
}
