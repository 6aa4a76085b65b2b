package io.loadshift.vtn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadshift.vtn.verification.Baselines;
import io.loadshift.vtn.verification.IntervalSeries;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Baselines against numbers worked by hand. The event is Wednesday 2026-07-15, 17:00-18:00 UTC,
 * 15-minute data. Unless a test says otherwise every hour of every day draws 10 kW (2.5 kWh per
 * interval), and the site draws 6 kW during the event.
 */
class BaselinesTest {
  static final long START = LocalDateTime.of(2026, 7, 15, 17, 0).toEpochSecond(ZoneOffset.UTC);
  static final long END = START + 3600;
  static final Baselines.Params P = Baselines.Params.defaults(ZoneOffset.UTC);

  /** A series from June 20 to the end of July 15 with kW given per (date, epoch). */
  static IntervalSeries series(BiFunction<LocalDate, Long, Double> kw) {
    long base = LocalDateTime.of(2026, 6, 20, 0, 0).toEpochSecond(ZoneOffset.UTC);
    IntervalSeries s = new IntervalSeries(base, 900, 26 * 96);
    for (long t = base; t < base + 26 * 86400L; t += 900) {
      LocalDate d = LocalDateTime.ofEpochSecond(t, 0, ZoneOffset.UTC).toLocalDate();
      Double v = kw.apply(d, t);
      if (v != null) {
        s.add(t, v * 0.25);
      }
    }
    return s;
  }

  static boolean eventDay(LocalDate d) {
    return d.equals(LocalDate.of(2026, 7, 15));
  }

  static boolean inEvent(long t) {
    return t >= START && t < END;
  }

  static boolean preWindow(long t) {
    return t >= START - 4 * 3600 && t < START - 3600;
  }

  @Test
  void caisoTenOfTenWithADayOfAdjustment() {
    // Event day: 11 kW from 13:00 to 16:00 (the adjustment window), so the ratio is 11 / 10 = 1.1.
    IntervalSeries s = series((d, t) -> eventDay(d) ? (inEvent(t) ? 6.0 : preWindow(t) ? 11.0 : 10.0) : 10.0);
    Baselines.Result r = Baselines.compute("CAISO_10_OF_10", s, START, END, Set.of(), P);
    assertEquals(List.of(LocalDate.of(2026, 7, 14), LocalDate.of(2026, 7, 13), LocalDate.of(2026, 7, 10),
        LocalDate.of(2026, 7, 9), LocalDate.of(2026, 7, 8), LocalDate.of(2026, 7, 7), LocalDate.of(2026, 7, 6),
        LocalDate.of(2026, 7, 3), LocalDate.of(2026, 7, 2), LocalDate.of(2026, 7, 1)), r.baselineDays(),
        "the 10 most recent weekdays");
    assertEquals(1.1, r.appliedAdjustment(), 1e-9);
    assertEquals(11.0, r.baselineKw(), 1e-9, "10 kW x 1.1");
    assertEquals(6.0, r.actualKw(), 1e-9);
    assertEquals(5.0, r.reductionKw(), 1e-9);
    assertEquals(1.0, r.completeness(), 1e-9);
    assertEquals(List.of(), r.reasons());
  }

  @Test
  void eventDaysAreSkippedAndTheAdjustmentIsCapped() {
    // 15 kW before the event: ratio 1.5, capped at 1.2 (not yet suspicious: the threshold is > 1.5).
    IntervalSeries s = series((d, t) -> eventDay(d) ? (inEvent(t) ? 6.0 : preWindow(t) ? 15.0 : 10.0) : 10.0);
    Baselines.Result r = Baselines.compute("CAISO_10_OF_10", s, START, END, Set.of(LocalDate.of(2026, 7, 9)), P);
    assertTrue(!r.baselineDays().contains(LocalDate.of(2026, 7, 9)));
    assertEquals(LocalDate.of(2026, 6, 30), r.baselineDays().get(9), "one weekday further back instead");
    assertEquals(1.5, r.rawAdjustment(), 1e-9);
    assertEquals(12.0, r.baselineKw(), 1e-9, "10 kW x 1.2");
    assertEquals(List.of(), r.reasons());

    // 16 kW before the event: ratio 1.6, still paid at most 1.2, and flagged.
    IntervalSeries inflated = series((d, t) -> eventDay(d) ? (inEvent(t) ? 6.0 : preWindow(t) ? 16.0 : 10.0) : 10.0);
    Baselines.Result f = Baselines.compute("CAISO_10_OF_10", inflated, START, END, Set.of(), P);
    assertEquals(12.0, f.baselineKw(), 1e-9);
    assertEquals(List.of(Baselines.SUSPECTED_INFLATION), f.reasons());
  }

  @Test
  void highFiveOfTenTakesTheFiveHighestDays() {
    // Event-hour load on the 10 baseline days (most recent first): 20, 8, 12, 9, 14, 10, 16, 11, 13, 7.
    double[] hour = {20, 8, 12, 9, 14, 10, 16, 11, 13, 7};
    List<LocalDate> days = List.of(LocalDate.of(2026, 7, 14), LocalDate.of(2026, 7, 13), LocalDate.of(2026, 7, 10),
        LocalDate.of(2026, 7, 9), LocalDate.of(2026, 7, 8), LocalDate.of(2026, 7, 7), LocalDate.of(2026, 7, 6),
        LocalDate.of(2026, 7, 3), LocalDate.of(2026, 7, 2), LocalDate.of(2026, 7, 1));
    IntervalSeries s = series((d, t) -> {
      if (eventDay(d)) {
        return inEvent(t) ? 6.0 : 10.0;
      }
      int i = days.indexOf(d);
      long sameTime = t + (START - LocalDateTime.of(d, java.time.LocalTime.of(17, 0)).toEpochSecond(ZoneOffset.UTC));
      return i >= 0 && inEvent(sameTime) ? hour[i] : 10.0;
    });
    Baselines.Result r = Baselines.compute("HIGH_5_OF_10", s, START, END, Set.of(), P);
    assertEquals(15.0, r.baselineKw(), 1e-9, "(20 + 16 + 14 + 13 + 12) / 5, no adjustment (10 kW before the event everywhere)");
    assertEquals(Set.of(LocalDate.of(2026, 7, 14), LocalDate.of(2026, 7, 6), LocalDate.of(2026, 7, 8),
        LocalDate.of(2026, 7, 2), LocalDate.of(2026, 7, 10)), Set.copyOf(r.baselineDays()));
    assertEquals(9.0, r.reductionKw(), 1e-9);
  }

  @Test
  void sameDayAndMeterBeforeAfterAreFlat() {
    // 10 kW in the 2 hours before, 12 kW in the 2 hours after, 8 kW in the last hour before the event.
    IntervalSeries s = series((d, t) -> {
      if (!eventDay(d) && !(d.equals(LocalDate.of(2026, 7, 15)))) {
        return 10.0;
      }
      if (inEvent(t)) {
        return 6.0;
      }
      if (t >= START - 3600 && t < START) {
        return 8.0;
      }
      if (t >= START - 7200 && t < START - 3600) {
        return 12.0;
      }
      if (t >= END && t < END + 7200) {
        return 12.0;
      }
      return 10.0;
    });
    Baselines.Result same = Baselines.compute("SAME_DAY", s, START, END, Set.of(), P);
    assertEquals((4 * 8.0 + 4 * 12.0 + 8 * 12.0) / 16, same.baselineKw(), 1e-9, "the 16 intervals around the event");
    assertEquals(5.0, same.reductionKw(), 1e-9);
    Baselines.Result before = Baselines.compute("METER_BEFORE_AFTER", s, START, END, Set.of(), P);
    assertEquals(8.0, before.baselineKw(), 1e-9);
    assertEquals(2.0, before.reductionKw(), 1e-9);
  }

  @Test
  void missingDataIsAReason() {
    // Two of the four event intervals never arrived.
    IntervalSeries s = series((d, t) -> eventDay(d) && inEvent(t) && t >= START + 1800 ? null
        : eventDay(d) && inEvent(t) ? 6.0 : 10.0);
    Baselines.Result r = Baselines.compute("CAISO_10_OF_10", s, START, END, Set.of(), P);
    assertEquals(0.5, r.completeness(), 1e-9);
    assertEquals(List.of(Baselines.MISSING_DATA), r.reasons());
    // Fewer than five like days with data: no baseline at all.
    IntervalSeries sparse = series((d, t) -> d.isAfter(LocalDate.of(2026, 7, 10)) ? (inEvent(t) ? 6.0 : 10.0) : null);
    Baselines.Result none = Baselines.compute("CAISO_10_OF_10", sparse, START, END, Set.of(), P);
    assertTrue(Double.isNaN(none.baselineKw()));
    assertEquals(List.of(Baselines.MISSING_DATA), none.reasons());
  }

  @Test
  void weekendEventsUseWeekendDays() {
    long satStart = LocalDateTime.of(2026, 7, 11, 17, 0).toEpochSecond(ZoneOffset.UTC);
    IntervalSeries s = series((d, t) -> d.getDayOfWeek().getValue() >= 6 ? 5.0 : 10.0);
    Baselines.Result r = Baselines.compute("CAISO_10_OF_10", s, satStart, satStart + 3600, Set.of(), P);
    assertEquals(List.of(LocalDate.of(2026, 7, 5), LocalDate.of(2026, 7, 4), LocalDate.of(2026, 6, 28),
        LocalDate.of(2026, 6, 27), LocalDate.of(2026, 6, 21), LocalDate.of(2026, 6, 20)), r.baselineDays());
    assertEquals(5.0, r.baselineKw(), 1e-9, "the weekend level, not the weekday one");
  }
}
