package io.loadshift.vtn.platform.http;

import io.vertx.core.json.JsonArray;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;

/**
 * Reading single values out of OpenADR valuesMap entries ({@code {"type": T, "values": [...]}}),
 * collecting problems instead of throwing so a caller can report all of them at once.
 */
public final class ValuesMaps {
  private ValuesMaps() {}

  public static String oneString(String t, JsonArray values, List<String> errors) {
    if (values.size() != 1 || !(values.getValue(0) instanceof String s) || s.isBlank()) {
      errors.add(t + " takes exactly one string value");
      return null;
    }
    return s;
  }

  public static BigDecimal oneNumber(String t, JsonArray values, List<String> errors) {
    if (values.size() != 1) {
      errors.add(t + " takes exactly one number");
      return null;
    }
    BigDecimal n = decimal(values.getValue(0));
    if (n == null) {
      errors.add(t + " must be a number, not " + describe(values.getValue(0)));
    }
    return n;
  }

  /** A JSON number as an exact decimal (doubles by their shortest representation), else null. */
  public static BigDecimal decimal(Object v) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short) {
      return BigDecimal.valueOf(((Number) v).longValue());
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      return Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
    }
    if (v instanceof BigDecimal b) {
      return b;
    }
    if (v instanceof BigInteger b) {
      return new BigDecimal(b);
    }
    return null;
  }

  /** A non-negative amount with at most 7 decimals (money per unit), or an error. */
  public static BigDecimal amount(String t, JsonArray values, BigDecimal max, List<String> errors) {
    BigDecimal n = oneNumber(t, values, errors);
    if (n != null && (n.signum() < 0 || n.compareTo(max) > 0 || n.stripTrailingZeros().scale() > 7)) {
      errors.add(t + " must be between 0 and " + max.toPlainString() + " with at most 7 decimals");
      return null;
    }
    return n;
  }

  public static String describe(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String s) {
      return "the string \"" + (s.length() > 20 ? s.substring(0, 20) + "..." : s) + "\"";
    }
    return v.getClass().getSimpleName().replace("Json", "").toLowerCase(Locale.ROOT);
  }
}
