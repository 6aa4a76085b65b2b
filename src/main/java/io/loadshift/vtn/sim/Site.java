package io.loadshift.vtn.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A simulated site: a building (its metered load), the DERs it offers for dispatch, whether it
 * follows dispatch (compliance), and the Stellar account its rewards go to. Made from a seed, so a
 * fleet is the same every time.
 */
public final class Site {
  /** A DER the site offers: kind, power, storage energy and charge, bid per kW. */
  public record Der(String name, String type, double capacityKw, Double energyKwh, Double socPercent, double bidPerKw) {
    JsonArray attributes(String zone, String feeder) {
      JsonArray a = new JsonArray()
          .add(attr("DER_TYPE", type)).add(attr("CAPACITY_KW", capacityKw)).add(attr("BID_PRICE_PER_KW", bidPerKw))
          .add(attr("ZONE", zone)).add(attr("FEEDER", feeder));
      if (energyKwh != null) {
        a.add(attr("ENERGY_CAPACITY_KWH", energyKwh)).add(attr("STATE_OF_CHARGE", socPercent));
      }
      return a;
    }
  }

  public static final String METER = "meter";

  private final String name;
  private final LoadModel load;
  private final List<Der> ders;
  private final boolean complies;
  private final String zone;
  private final String feeder;

  public Site(String name, LoadModel load, List<Der> ders, boolean complies, String zone, String feeder) {
    this.name = name;
    this.load = load;
    this.ders = List.copyOf(ders);
    this.complies = complies;
    this.zone = zone;
    this.feeder = feeder;
  }

  /**
   * Site {@code i} of a fleet: a building kind and size, a curtailable share of its load, and for
   * some a battery or an EV charger; {@code compliance} is the chance it follows
   * dispatch.
   */
  public static Site of(int i, long seed, double compliance, ZoneId zone) {
    return of("site", i, seed, compliance, zone);
  }

  /** Site {@code i} of a fleet whose site names start with {@code prefix}. */
  public static Site of(String prefix, int i, long seed, double compliance, ZoneId zone) {
    SplittableRandom r = new SplittableRandom(seed * 1_000_003L + i);
    LoadModel.Kind kind = LoadModel.Kind.values()[r.nextInt(LoadModel.Kind.values().length)];
    double peak = switch (kind) {
      case HOME -> r.nextDouble(5, 15);
      case OFFICE -> r.nextDouble(80, 400);
      case RETAIL -> r.nextDouble(40, 200);
      case WAREHOUSE -> r.nextDouble(100, 600);
    };
    List<Der> ders = new ArrayList<>();
    // The flexible part of the building's load: HVAC setpoints, lighting, process shifts.
    ders.add(new Der("curtail", "LOAD", round(peak * r.nextDouble(0.10, 0.25)), null, null, round4(r.nextDouble(0.05, 0.30))));
    double extra = r.nextDouble();
    if (extra < 0.25) {
      double kw = kind == LoadModel.Kind.HOME ? 5 : round(peak * 0.2);
      ders.add(new Der("battery", "BATTERY", kw, kw * 2, round(r.nextDouble(40, 95)), round4(r.nextDouble(0.03, 0.15))));
    } else if (extra < 0.40) {
      ders.add(new Der("charger", "EV_CHARGER", kind == LoadModel.Kind.HOME ? 7.2 : 22, 60.0, round(r.nextDouble(30, 90)),
          round4(r.nextDouble(0.08, 0.25))));
    }
    String z = r.nextBoolean() ? "north" : "south";
    return new Site(String.format("%s-%04d", prefix, i), new LoadModel(kind, round(peak), seed + i, zone, 0.04), ders,
        r.nextDouble() < compliance, z, z + "-f" + (1 + r.nextInt(4)));
  }

  public String name() {
    return name;
  }

  public LoadModel load() {
    return load;
  }

  public List<Der> ders() {
    return ders;
  }

  public boolean complies() {
    return complies;
  }

  public String zone() {
    return zone;
  }

  public String feeder() {
    return feeder;
  }

  /** The meter's attributes (a plain metered load, no DER fields). */
  JsonArray meterAttributes() {
    return new JsonArray().add(attr("ZONE", zone)).add(attr("FEEDER", feeder));
  }

  /** Metered energy (kWh) of an interval, less what the site curtails (kW) then. */
  public double kwh(Instant start, int minutes, double curtailKw) {
    return load.kwh(start, minutes, curtailKw);
  }

  static JsonObject attr(String type, Object value) {
    return new JsonObject().put("type", type).put("values", new JsonArray().add(value));
  }

  private static double round(double x) {
    return Math.round(x * 10) / 10.0;
  }

  private static double round4(double x) {
    return Math.round(x * 10_000) / 10_000.0;
  }
}
