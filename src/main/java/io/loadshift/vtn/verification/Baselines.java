package io.loadshift.vtn.verification;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The baselines the VTN computes itself from metered interval energy. All figures are average
 * power (kW) over intervals; "like days" are weekdays for a weekday event and weekend days or
 * holidays for a weekend or holiday event; event days and days without complete data in the
 * needed hours are never baseline days.
 *
 * <ul>
 *   <li>{@code CAISO_10_OF_10}: the 10 most recent like days within the look-back (at least 5),
 *       averaged interval by interval over the event window; then multiplied by the day-of
 *       adjustment: load in the 3 hours ending 1 hour before the event on the event day, over the
 *       same hours averaged on the baseline days, capped to 1 +/- {@code adjustmentCap}.</li>
 *   <li>{@code HIGH_5_OF_10}: of those 10 days, the 5 with the highest average load over the
 *       event window; averaged and adjusted the same way.</li>
 *   <li>{@code SAME_DAY}: a flat baseline, the average load of the 2 hours before and the 2 hours
 *       after the event on the event day.</li>
 *   <li>{@code METER_BEFORE_AFTER}: a flat baseline, the average load of the hour before the event
 *       (for batteries and chargers, whose event-time change is measured against what they did
 *       just before).</li>
 * </ul>
 * Actual load is the average over the event intervals present; completeness is the share of
 * event intervals present. Reasons: {@code MissingData} (completeness or baseline data below the
 * threshold), {@code SuspectedBaselineInflation} (the day-of ratio before capping above
 * {@code inflationThreshold}: load pushed up before the event to raise the baseline).
 */
public final class Baselines {
  public static final String MISSING_DATA = "MissingData";
  public static final String SUSPECTED_INFLATION = "SuspectedBaselineInflation";

  /** Method settings. */
  public record Params(ZoneId zone, int lookbackDays, double adjustmentCap, double inflationThreshold,
                       double completenessThreshold, Set<LocalDate> holidays) {
    public static Params defaults(ZoneId zone) {
      return new Params(zone, 21, 0.2, 1.5, 0.9, Set.of());
    }
  }

  /** What a method found for one meter or VEN and one event window. */
  public record Result(String method, double baselineKw, double actualKw, double completeness, double rawAdjustment,
                       double appliedAdjustment, List<LocalDate> baselineDays, List<String> reasons) {
    public double reductionKw() {
      return baselineKw - actualKw;
    }
  }

  private Baselines() {}

  /** Where the method needs data: from this instant (event window and the hours the methods look at). */
  public static long lookbackStart(long eventStart, Params p) {
    return eventStart - (p.lookbackDays() + 1) * 86_400L;
  }

  public static Result compute(String method, IntervalSeries s, long start, long end, Set<LocalDate> eventDays, Params p) {
    int step = s.step();
    int n = (int) ((end - start) / step);
    double actualSum = 0;
    int present = 0;
    for (int k = 0; k < n; k++) {
      double kw = s.kw(start + (long) k * step);
      if (!Double.isNaN(kw)) {
        actualSum += kw;
        present++;
      }
    }
    double completeness = n == 0 ? 0 : (double) present / n;
    double actual = present == 0 ? Double.NaN : actualSum / present;
    List<String> reasons = new ArrayList<>();
    if (completeness < p.completenessThreshold()) {
      reasons.add(MISSING_DATA);
    }
    switch (method) {
      case "SAME_DAY": {
        double flat = mean(s, start - 7200, start, step, p).add(end, end + 7200).value();
        return flatResult(method, flat, actual, completeness, reasons);
      }
      case "METER_BEFORE_AFTER": {
        double flat = mean(s, start - 3600, start, step, p).value();
        return flatResult(method, flat, actual, completeness, reasons);
      }
      case "HIGH_5_OF_10":
      case "CAISO_10_OF_10":
        return likeDays(method, s, start, end, n, eventDays, p, actual, completeness, reasons);
      default:
        throw new IllegalArgumentException("no baseline method " + method);
    }
  }

  private static Result likeDays(String method, IntervalSeries s, long start, long end, int n, Set<LocalDate> eventDays,
                                 Params p, double actual, double completeness, List<String> reasons) {
    int step = s.step();
    ZonedDateTime eventStart = Instant.ofEpochSecond(start).atZone(p.zone());
    LocalDate eventDate = eventStart.toLocalDate();
    boolean weekdayEvent = weekday(eventDate, p);
    long adjFrom = start - 4 * 3600;
    long adjTo = start - 3600;
    record Day(LocalDate date, long shift, double windowMean) {}
    List<Day> days = new ArrayList<>();
    for (int back = 1; back <= p.lookbackDays() && days.size() < 10; back++) {
      LocalDate d = eventDate.minusDays(back);
      if (weekday(d, p) != weekdayEvent || eventDays.contains(d)) {
        continue;
      }
      long shift = eventStart.with(d).toEpochSecond() - start;
      double window = complete(s, start + shift, end + shift, step);
      if (Double.isNaN(window) || Double.isNaN(complete(s, adjFrom + shift, adjTo + shift, step))) {
        continue;
      }
      days.add(new Day(d, shift, window));
    }
    if (days.size() < 5) {
      reasons.add(MISSING_DATA);
      return new Result(method, Double.NaN, actual, completeness, Double.NaN, Double.NaN,
          days.stream().map(Day::date).toList(), dedupe(reasons));
    }
    if (method.equals("HIGH_5_OF_10")) {
      days.sort(Comparator.comparingDouble(Day::windowMean).reversed().thenComparing(Day::date, Comparator.reverseOrder()));
      days = new ArrayList<>(days.subList(0, 5));
      days.sort(Comparator.comparing(Day::date).reversed());
    }
    double baselineSum = 0;
    for (int k = 0; k < n; k++) {
      double sum = 0;
      for (Day d : days) {
        sum += s.kw(start + (long) k * step + d.shift());
      }
      baselineSum += sum / days.size();
    }
    double unadjusted = n == 0 ? Double.NaN : baselineSum / n;
    double dayOf = complete(s, adjFrom, adjTo, step);
    double baseAdj = 0;
    for (Day d : days) {
      baseAdj += complete(s, adjFrom + d.shift(), adjTo + d.shift(), step);
    }
    baseAdj /= days.size();
    double raw = Double.isNaN(dayOf) || baseAdj <= 0 ? 1.0 : dayOf / baseAdj;
    double applied = Math.max(1 - p.adjustmentCap(), Math.min(1 + p.adjustmentCap(), raw));
    if (raw > p.inflationThreshold()) {
      reasons.add(SUSPECTED_INFLATION);
    }
    return new Result(method, unadjusted * applied, actual, completeness, raw, applied,
        days.stream().map(Day::date).toList(), dedupe(reasons));
  }

  private static Result flatResult(String method, double flat, double actual, double completeness, List<String> reasons) {
    if (Double.isNaN(flat)) {
      reasons.add(MISSING_DATA);
    }
    return new Result(method, flat, actual, completeness, 1.0, 1.0, List.of(), dedupe(reasons));
  }

  private static boolean weekday(LocalDate d, Params p) {
    return d.getDayOfWeek() != DayOfWeek.SATURDAY && d.getDayOfWeek() != DayOfWeek.SUNDAY && !p.holidays().contains(d);
  }

  /** Mean kW over [from, to) when every interval is present, else NaN. */
  private static double complete(IntervalSeries s, long from, long to, int step) {
    double sum = 0;
    int n = 0;
    for (long t = from; t < to; t += step) {
      double kw = s.kw(t);
      if (Double.isNaN(kw)) {
        return Double.NaN;
      }
      sum += kw;
      n++;
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  /** Running mean over windows with a completeness floor. */
  private static final class Mean {
    private final IntervalSeries s;
    private final int step;
    private final Params p;
    private double sum;
    private int present;
    private int expected;

    Mean(IntervalSeries s, int step, Params p) {
      this.s = s;
      this.step = step;
      this.p = p;
    }

    Mean add(long from, long to) {
      for (long t = from; t < to; t += step) {
        expected++;
        double kw = s.kw(t);
        if (!Double.isNaN(kw)) {
          sum += kw;
          present++;
        }
      }
      return this;
    }

    double value() {
      return expected == 0 || (double) present / expected < p.completenessThreshold() ? Double.NaN : sum / present;
    }
  }

  private static Mean mean(IntervalSeries s, long from, long to, int step, Params p) {
    return new Mean(s, step, p).add(from, to);
  }

  private static List<String> dedupe(List<String> reasons) {
    return reasons.stream().distinct().toList();
  }
}
