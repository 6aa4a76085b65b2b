package io.loadshift.vtn.sim;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.SplittableRandom;

/**
 * Metered load of a simulated site, deterministic for a seed: a weekday or weekend profile by the
 * hour of its kind of building, cooling that follows the outdoor temperature (a daily curve with
 * day-to-day weather), and noise. The same site, seed and instant always give the same kW, so
 * weeks of history can be backfilled and later intervals reported consistently.
 */
public final class LoadModel {

  /** Kinds of sites, each with its share of peak load by hour (0..23), weekdays then weekends. */
  public enum Kind {
    OFFICE(new double[] {.30, .28, .28, .28, .30, .35, .50, .70, .85, .92, .95, .97, .96, .97, .98, .97, .94, .85, .65,
        .50, .42, .38, .34, .32}, new double[] {.28, .27, .27, .27, .27, .28, .30, .32, .34, .35, .36, .36, .36, .36, .35,
        .35, .34, .33, .32, .31, .30, .29, .29, .28}, 0.45),
    RETAIL(new double[] {.25, .24, .24, .24, .25, .28, .35, .50, .75, .90, .95, .97, .98, .98, .98, .97, .96, .95, .92,
        .85, .70, .45, .32, .27}, new double[] {.25, .24, .24, .24, .25, .27, .33, .48, .72, .90, .96, .98, 1.0, 1.0, 1.0,
        .99, .97, .95, .90, .80, .62, .42, .30, .26}, 0.40),
    HOME(new double[] {.35, .30, .28, .27, .28, .35, .55, .70, .60, .45, .40, .40, .42, .42, .45, .52, .65, .85, .98,
        1.0, .95, .82, .62, .45}, new double[] {.38, .33, .30, .29, .29, .32, .42, .58, .70, .72, .70, .68, .66, .64, .64,
        .68, .75, .88, .98, 1.0, .96, .85, .66, .48}, 0.55),
    WAREHOUSE(new double[] {.40, .40, .40, .40, .42, .55, .80, .92, .95, .96, .96, .96, .95, .96, .96, .95, .90, .70,
        .50, .45, .42, .41, .40, .40}, new double[] {.40, .40, .40, .40, .40, .41, .42, .43, .44, .45, .45, .45, .45, .45,
        .45, .44, .43, .42, .41, .41, .40, .40, .40, .40}, 0.20);

    final double[] weekday;
    final double[] weekend;
    /** Share of peak load that is cooling on the hottest afternoon. */
    final double cooling;

    Kind(double[] weekday, double[] weekend, double cooling) {
      this.weekday = weekday;
      this.weekend = weekend;
      this.cooling = cooling;
    }
  }

  private final Kind kind;
  private final double peakKw;
  private final long seed;
  private final ZoneId zone;
  private final double noise;

  /**
   * @param peakKw the site's peak load (kW) on a hot weekday afternoon
   * @param noise  relative noise per interval, e.g. 0.05 for +/- 5 %
   */
  public LoadModel(Kind kind, double peakKw, long seed, ZoneId zone, double noise) {
    if (!(peakKw > 0) || !(noise >= 0 && noise < 0.5)) {
      throw new IllegalArgumentException("peak must be > 0 kW and noise in [0, 0.5)");
    }
    this.kind = kind;
    this.peakKw = peakKw;
    this.seed = seed;
    this.zone = zone;
    this.noise = noise;
  }

  /**
   * Outdoor temperature (degrees C) at an instant in the model's climate: coolest at 05:00 and
   * warmest at 15:00 local, with a day's offset of up to +/- 4 degrees drawn from the date.
   */
  public static double temperature(Instant t, ZoneId zone, long climateSeed) {
    ZonedDateTime z = t.atZone(zone);
    double hour = z.getHour() + z.getMinute() / 60.0;
    double day = new SplittableRandom(climateSeed ^ (z.toLocalDate().toEpochDay() * 0x9E3779B97F4A7C15L)).nextDouble(-4, 4);
    double phase = Math.cos((hour - 15) / 24 * 2 * Math.PI); // 1 at 15:00, -1 at 03:00
    return 25 + day + 7 * phase;
  }

  /** Average load (kW) over the interval starting at {@code start} without any curtailment. */
  public double kw(Instant start) {
    ZonedDateTime z = start.atZone(zone);
    boolean weekend = z.getDayOfWeek() == DayOfWeek.SATURDAY || z.getDayOfWeek() == DayOfWeek.SUNDAY;
    double[] profile = weekend ? kind.weekend : kind.weekday;
    int h = z.getHour();
    double f = z.getMinute() / 60.0;
    double share = profile[h] * (1 - f) + profile[(h + 1) % 24] * f;
    double temperature = temperature(start, zone, 7);
    // Cooling grows with the heat above 18 C and with how much of the building is in use.
    double cooling = kind.cooling * Math.max(0, temperature - 18) / 18 * share;
    double base = (1 - kind.cooling) * share;
    double jitter = noise == 0 ? 0
        : new SplittableRandom(seed * 0x9E3779B97F4A7C15L + start.getEpochSecond()).nextDouble(-noise, noise);
    return Math.max(0, peakKw * (base + cooling) * (1 + jitter));
  }

  /** Energy (kWh) used in an interval of {@code minutes} starting at {@code start}, less a curtailment (kW). */
  public double kwh(Instant start, int minutes, double curtailKw) {
    double kw = Math.max(0, kw(start) - Math.max(0, curtailKw));
    return kw * minutes / 60.0;
  }

  public double peakKw() {
    return peakKw;
  }

  public Kind kind() {
    return kind;
  }
}
