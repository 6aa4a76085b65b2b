package io.loadshift.vtn.der;

import java.math.BigDecimal;
import java.util.EnumMap;
import java.util.Map;

/**
 * The plausible nameplate power (kW) per DER type, so a typo (5000 kW for a home charger) is
 * refused at registration. Defaults below; {@code VTN_DER_CAPACITY_LIMITS_KW} overrides them as
 * {@code TYPE=min..max} pairs separated by commas, e.g. {@code EV_CHARGER=1..350,SOLAR=0.1..50000}.
 */
public final class CapacityLimits {
  /** An inclusive range of kW. */
  public record Range(BigDecimal min, BigDecimal max) {
    public boolean contains(BigDecimal v) {
      return v.compareTo(min) >= 0 && v.compareTo(max) <= 0;
    }

    @Override
    public String toString() {
      return min.toPlainString() + ".." + max.toPlainString() + " kW";
    }
  }

  private final Map<DerType, Range> ranges;

  private CapacityLimits(Map<DerType, Range> ranges) {
    this.ranges = ranges;
  }

  public static CapacityLimits defaults() {
    Map<DerType, Range> m = new EnumMap<>(DerType.class);
    m.put(DerType.SOLAR, range("0.1", "500000"));
    m.put(DerType.WIND, range("0.1", "1000000"));
    m.put(DerType.BATTERY, range("0.1", "500000"));
    m.put(DerType.HYDRO, range("1", "5000000"));
    m.put(DerType.GEOTHERMAL, range("1", "1000000"));
    m.put(DerType.FUEL_CELL, range("0.1", "100000"));
    m.put(DerType.LOAD, range("0.01", "500000"));
    m.put(DerType.EV_CHARGER, range("1", "1000"));
    m.put(DerType.HEAT_PUMP, range("0.1", "10000"));
    return new CapacityLimits(m);
  }

  /**
   * Parses overrides over the defaults; throws IllegalArgumentException with the reason.
   */
  public static CapacityLimits parse(String spec) {
    CapacityLimits limits = defaults();
    if (spec == null || spec.isBlank()) {
      return limits;
    }
    for (String part : spec.split(",")) {
      String[] kv = part.trim().split("=");
      if (kv.length != 2) {
        throw new IllegalArgumentException("expected TYPE=min..max, got '" + part.trim() + "'");
      }
      DerType type = DerType.parse(kv[0].trim()).orElseThrow(() ->
          new IllegalArgumentException("unknown DER type '" + kv[0].trim() + "'"));
      String[] mm = kv[1].trim().split("\\.\\.");
      try {
        Range r = range(mm[0], mm[1]);
        if (r.min().signum() <= 0 || r.min().compareTo(r.max()) > 0) {
          throw new IllegalArgumentException("range for " + type + " must satisfy 0 < min <= max");
        }
        limits.ranges.put(type, r);
      } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
        throw new IllegalArgumentException("expected TYPE=min..max with numbers, got '" + part.trim() + "'");
      }
    }
    return limits;
  }

  public Range of(DerType type) {
    return ranges.get(type);
  }

  private static Range range(String min, String max) {
    return new Range(new BigDecimal(min.trim()), new BigDecimal(max.trim()));
  }
}
