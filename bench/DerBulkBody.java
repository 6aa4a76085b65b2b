import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes the body of a bulk DER registration for bench/run's der-bulk scenario:
 * {@code {"resources": [resource request, ...]}}, one item per DER, spread round-robin over the
 * VENs given, for {@code POST /fleet/ders/bulk}.
 *
 * <p>{@code java bench/DerBulkBody.java <count> <out.json> <venID> [venID ...]}
 *
 * <p>The fleet is a fixed mix (seeded, so every run sends the same shapes): DER_TYPE cycles through
 * all nine types; CAPACITY_KW is plausible per type and inside the VTN's default limits;
 * BATTERY always and EV_CHARGER every other time carry ENERGY_CAPACITY_KWH and STATE_OF_CHARGE;
 * 200 feeders (F1..F200), ten to a zone (Z1..Z20); a bid price per kW; a location around New York.
 * Quantities have at most 2 decimals, coordinates 4. Resource names are {@code d-<index>}.
 */
public class DerBulkBody {
  private static final String[] TYPES = {
      "SOLAR", "WIND", "BATTERY", "LOAD", "EV_CHARGER", "HEAT_PUMP", "HYDRO", "FUEL_CELL", "GEOTHERMAL"};
  /** Capacity range per type, in hundredths of a kW, same order as TYPES. */
  private static final int[][] CAPACITY_CENTI_KW = {
      {300, 5000},    // SOLAR: rooftop to small commercial
      {500, 5000},    // WIND: small turbines
      {500, 5000},    // BATTERY
      {100, 5000},    // LOAD: flexible building load
      {0, 0},         // EV_CHARGER: one of the usual charger ratings, below
      {300, 2000},    // HEAT_PUMP
      {1000, 5000},   // HYDRO (VTN minimum 1 kW)
      {100, 1000},    // FUEL_CELL
      {1000, 5000},   // GEOTHERMAL (VTN minimum 1 kW)
  };
  private static final int[] EV_CENTI_KW = {370, 740, 1100, 2200, 5000};
  private static final int FEEDERS = 200;
  private static final int FEEDERS_PER_ZONE = 10; // 20 zones

  public static void main(String[] args) throws IOException {
    if (args.length < 3 || !args[0].matches("[0-9]{1,7}") || Integer.parseInt(args[0]) < 1) {
      System.err.println("usage: java bench/DerBulkBody.java <count> <out.json> <venID> [venID ...]");
      System.exit(2);
    }
    int count = Integer.parseInt(args[0]);
    Path out = Path.of(args[1]);
    String[] vens = new String[args.length - 2];
    for (int i = 0; i < vens.length; i++) {
      vens[i] = args[i + 2];
      if (!vens[i].matches("[A-Za-z0-9_-]{1,128}")) {
        System.err.println("DerBulkBody: not a VEN id: '" + vens[i] + "'");
        System.exit(2);
      }
    }

    Random rnd = new Random(20_000_101L);
    StringBuilder b = new StringBuilder(512);
    try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      w.write("{\"resources\":[");
      for (int i = 0; i < count; i++) {
        int t = i % TYPES.length;
        String type = TYPES[t];
        b.setLength(0);
        if (i > 0) {
          b.append(',');
        }
        b.append("{\"resourceName\":\"d-").append(i).append("\",\"venID\":\"").append(vens[i % vens.length])
            .append("\",\"attributes\":[");
        attr(b, "DER_TYPE").append('"').append(type).append("\"]},");
        int capacity = type.equals("EV_CHARGER") ? EV_CENTI_KW[rnd.nextInt(EV_CENTI_KW.length)]
            : between(rnd, CAPACITY_CENTI_KW[t][0], CAPACITY_CENTI_KW[t][1]);
        decimal(attr(b, "CAPACITY_KW"), capacity, 2).append("]},");
        if (type.equals("BATTERY") || (type.equals("EV_CHARGER") && (i / TYPES.length) % 2 == 0)) {
          // Storage of one to four hours at full power; state of charge 5..95 %.
          decimal(attr(b, "ENERGY_CAPACITY_KWH"), capacity * between(rnd, 1, 4), 2).append("]},");
          decimal(attr(b, "STATE_OF_CHARGE"), between(rnd, 500, 9500), 2).append("]},");
        }
        int feeder = i % FEEDERS;
        attr(b, "ZONE").append("\"Z").append(feeder / FEEDERS_PER_ZONE + 1).append("\"]},");
        attr(b, "FEEDER").append("\"F").append(feeder + 1).append("\"]},");
        decimal(attr(b, "BID_PRICE_PER_KW"), between(rnd, 5, 60), 2).append("]},");
        attr(b, "LOCATION");
        decimal(b, between(rnd, 405000, 409000), 4).append(',');
        decimal(b, -between(rnd, 737000, 743000), 4).append("]}]}");
        w.append(b);
      }
      w.write("]}");
    }
  }

  private static StringBuilder attr(StringBuilder b, String type) {
    return b.append("{\"type\":\"").append(type).append("\",\"values\":[");
  }

  /** A uniformly drawn integer in [min, max]. */
  private static int between(Random rnd, int min, int max) {
    return min + rnd.nextInt(max - min + 1);
  }

  /** Appends {@code units / 10^places} as a plain decimal, e.g. (1250, 2) is 12.50. */
  private static StringBuilder decimal(StringBuilder b, long units, int places) {
    if (units < 0) {
      b.append('-');
      units = -units;
    }
    long scale = 1;
    for (int i = 0; i < places; i++) {
      scale *= 10;
    }
    String frac = Long.toString(units % scale);
    b.append(units / scale).append('.');
    for (int i = frac.length(); i < places; i++) {
      b.append('0');
    }
    return b.append(frac);
  }
}
