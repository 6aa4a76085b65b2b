package io.loadshift.vtn.der;

import io.loadshift.vtn.platform.http.ValuesMaps;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The DER attributes carried in a resource's OpenADR 3.1 {@code attributes} (valuesMap entries),
 * read into a {@link DerSpec} and written back. Each entry is {@code {"type": T, "values": [...]}}:
 * <ul>
 *   <li>{@code DER_TYPE} [one of {@link DerType}]</li>
 *   <li>{@code CAPACITY_KW} [number, within the type's {@link CapacityLimits}]; required with DER_TYPE</li>
 *   <li>{@code ENERGY_CAPACITY_KWH} [number &gt; 0]: storage only, required for BATTERY</li>
 *   <li>{@code STATE_OF_CHARGE} [percent 0..100]: needs ENERGY_CAPACITY_KWH</li>
 *   <li>{@code LOCATION} [latitude, longitude] or [{"x": longitude, "y": latitude}] (a 3.1 point)</li>
 *   <li>{@code ZONE}, {@code FEEDER} [identifier]</li>
 *   <li>{@code BID_PRICE_PER_KW} [number &gt;= 0, at most 7 decimals]: what the owner asks per kW</li>
 *   <li>{@code STATUS} [one of {@link DerStatus}]</li>
 * </ul>
 * Other types are kept as sent.
 */
public final class DerAttributes {
  public static final String DER_TYPE = "DER_TYPE";
  public static final String CAPACITY_KW = "CAPACITY_KW";
  public static final String ENERGY_CAPACITY_KWH = "ENERGY_CAPACITY_KWH";
  public static final String STATE_OF_CHARGE = "STATE_OF_CHARGE";
  public static final String LOCATION = "LOCATION";
  public static final String ZONE = "ZONE";
  public static final String FEEDER = "FEEDER";
  public static final String BID_PRICE_PER_KW = "BID_PRICE_PER_KW";
  public static final String STATUS = "STATUS";

  private static final Set<String> KNOWN = Set.of(DER_TYPE, CAPACITY_KW, ENERGY_CAPACITY_KWH, STATE_OF_CHARGE,
      LOCATION, ZONE, FEEDER, BID_PRICE_PER_KW, STATUS);
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9._:/-]{1,64}");
  private static final BigDecimal MAX_ENERGY_KWH = new BigDecimal("100000000");
  private static final BigDecimal MAX_PRICE = new BigDecimal("1000000000");
  private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

  private DerAttributes() {}

  /**
   * Reads the attributes (already checked to be valuesMap entries); every problem found is added
   * to {@code errors} and null returned when there was any.
   */
  public static DerSpec read(JsonArray attributes, CapacityLimits limits, List<String> errors) {
    int before = errors.size();
    DerType type = null;
    BigDecimal capacity = null;
    BigDecimal energy = null;
    BigDecimal soc = null;
    Double lat = null;
    Double lon = null;
    String zone = null;
    String feeder = null;
    BigDecimal bid = null;
    DerStatus status = null;
    JsonArray extra = new JsonArray();
    Set<String> seen = new HashSet<>();
    for (Object o : attributes == null ? new JsonArray() : attributes) {
      JsonObject a = (JsonObject) o;
      String t = a.getString("type");
      JsonArray values = a.getJsonArray("values");
      if (!KNOWN.contains(t)) {
        extra.add(a);
        continue;
      }
      if (!seen.add(t)) {
        errors.add(t + " appears more than once");
        continue;
      }
      switch (t) {
        case DER_TYPE:
          String name = ValuesMaps.oneString(t, values, errors);
          if (name != null) {
            type = DerType.parse(name).orElse(null);
            if (type == null) {
              errors.add("unknown DER_TYPE '" + name + "'; one of " + Arrays.toString(DerType.values()));
            }
          }
          break;
        case CAPACITY_KW:
          capacity = ValuesMaps.oneNumber(t, values, errors);
          break;
        case ENERGY_CAPACITY_KWH:
          energy = ValuesMaps.oneNumber(t, values, errors);
          if (energy != null && (energy.signum() <= 0 || energy.compareTo(MAX_ENERGY_KWH) > 0)) {
            errors.add("ENERGY_CAPACITY_KWH must be above 0 and at most " + MAX_ENERGY_KWH.toPlainString());
          }
          break;
        case STATE_OF_CHARGE:
          soc = ValuesMaps.oneNumber(t, values, errors);
          if (soc != null && (soc.signum() < 0 || soc.compareTo(HUNDRED) > 0)) {
            errors.add("STATE_OF_CHARGE is a percentage, 0 to 100");
          }
          break;
        case LOCATION:
          double[] latLon = location(values, errors);
          if (latLon != null) {
            lat = latLon[0];
            lon = latLon[1];
          }
          break;
        case ZONE:
          zone = identifier(t, values, errors);
          break;
        case FEEDER:
          feeder = identifier(t, values, errors);
          break;
        case BID_PRICE_PER_KW:
          bid = ValuesMaps.amount(t, values, MAX_PRICE, errors);
          break;
        case STATUS:
        default:
          String s = ValuesMaps.oneString(t, values, errors);
          if (s != null) {
            status = DerStatus.parse(s).orElse(null);
            if (status == null) {
              errors.add("unknown STATUS '" + s + "'; one of " + Arrays.toString(DerStatus.values()));
            }
          }
          break;
      }
    }
    if (type == null && seen.contains(DER_TYPE)) {
      return null; // already reported
    }
    if (type == null) {
      for (String needsType : List.of(CAPACITY_KW, ENERGY_CAPACITY_KWH, STATE_OF_CHARGE, BID_PRICE_PER_KW)) {
        if (seen.contains(needsType)) {
          errors.add(needsType + " needs a DER_TYPE");
        }
      }
    } else {
      if (capacity == null && !seen.contains(CAPACITY_KW)) {
        errors.add("a DER needs CAPACITY_KW");
      } else if (capacity != null && !limits.of(type).contains(capacity)) {
        errors.add("CAPACITY_KW " + capacity.toPlainString() + " is out of range for " + type + " (" + limits.of(type) + ")");
      }
      if (!type.storage() && (seen.contains(ENERGY_CAPACITY_KWH) || seen.contains(STATE_OF_CHARGE))) {
        errors.add("ENERGY_CAPACITY_KWH and STATE_OF_CHARGE are for storage (BATTERY, EV_CHARGER), not " + type);
      }
      if (type == DerType.BATTERY && energy == null && !seen.contains(ENERGY_CAPACITY_KWH)) {
        errors.add("a BATTERY needs ENERGY_CAPACITY_KWH");
      }
    }
    if (seen.contains(STATE_OF_CHARGE) && !seen.contains(ENERGY_CAPACITY_KWH)) {
      errors.add("STATE_OF_CHARGE needs ENERGY_CAPACITY_KWH");
    }
    if (errors.size() > before) {
      return null;
    }
    return new DerSpec(type, capacity, energy, soc, lat, lon, zone, feeder, bid, status, extra);
  }

  /** The attributes of a resource as the VTN knows it now (current status included). */
  public static JsonArray write(DerSpec spec, DerStatus status) {
    JsonArray out = new JsonArray();
    if (spec.derType() != null) {
      out.add(entry(DER_TYPE, spec.derType().name()));
    }
    if (spec.capacityKw() != null) {
      out.add(entry(CAPACITY_KW, number(spec.capacityKw())));
    }
    if (spec.energyCapacityKwh() != null) {
      out.add(entry(ENERGY_CAPACITY_KWH, number(spec.energyCapacityKwh())));
    }
    if (spec.stateOfCharge() != null) {
      out.add(entry(STATE_OF_CHARGE, number(spec.stateOfCharge())));
    }
    if (spec.latitude() != null) {
      out.add(new JsonObject().put("type", LOCATION).put("values", new JsonArray().add(spec.latitude()).add(spec.longitude())));
    }
    if (spec.zone() != null) {
      out.add(entry(ZONE, spec.zone()));
    }
    if (spec.feeder() != null) {
      out.add(entry(FEEDER, spec.feeder()));
    }
    if (spec.bidPricePerKw() != null) {
      out.add(entry(BID_PRICE_PER_KW, number(spec.bidPricePerKw())));
    }
    out.add(entry(STATUS, status.name()));
    spec.extra().forEach(out::add);
    return out;
  }

  /** JSON numbers for decimals: integers stay integers, others become doubles (exact for our scales). */
  static Number number(BigDecimal v) {
    BigDecimal s = v.stripTrailingZeros();
    if (s.scale() <= 0 && s.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) < 0) {
      return s.longValueExact();
    }
    return s.doubleValue();
  }

  private static JsonObject entry(String type, Object value) {
    return new JsonObject().put("type", type).put("values", new JsonArray().add(value));
  }

  private static String identifier(String t, JsonArray values, List<String> errors) {
    String s = ValuesMaps.oneString(t, values, errors);
    if (s != null && !IDENTIFIER.matcher(s).matches()) {
      errors.add(t + " must be 1-64 characters of A-Z a-z 0-9 . _ : / -");
      return null;
    }
    return s;
  }

  private static double[] location(JsonArray values, List<String> errors) {
    double lat;
    double lon;
    if (values.size() == 1 && values.getValue(0) instanceof JsonObject p
        && p.getValue("x") instanceof Number x && p.getValue("y") instanceof Number y) {
      lon = x.doubleValue();
      lat = y.doubleValue();
    } else if (values.size() == 2 && values.getValue(0) instanceof Number a && values.getValue(1) instanceof Number b) {
      lat = a.doubleValue();
      lon = b.doubleValue();
    } else {
      errors.add("LOCATION takes [latitude, longitude] or one point {\"x\": longitude, \"y\": latitude}");
      return null;
    }
    if (!(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180)) {
      errors.add("LOCATION latitude must be within -90..90 and longitude within -180..180");
      return null;
    }
    return new double[] {lat, lon};
  }
}
