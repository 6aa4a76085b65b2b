package io.loadshift.vtn.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LoadModelTest {
  static final ZoneId UTC = ZoneOffset.UTC;
  // 2026-11-18 is a Wednesday, 2026-11-21 a Saturday.
  static Instant at(String date, int hour) {
    return LocalDate.parse(date).atTime(hour, 0).toInstant(ZoneOffset.UTC);
  }

  @Test
  void anOfficeUsesMostOnWeekdayAfternoonsAndLittleAtNightOrWeekends() {
    LoadModel office = new LoadModel(LoadModel.Kind.OFFICE, 100, 1, UTC, 0);
    double afternoon = office.kw(at("2026-11-18", 15));
    double night = office.kw(at("2026-11-18", 3));
    double saturday = office.kw(at("2026-11-21", 15));
    assertTrue(afternoon > 70 && afternoon <= 105, "afternoon " + afternoon);
    assertTrue(night < afternoon / 2, "night " + night);
    assertTrue(saturday < afternoon / 2, "saturday " + saturday);
  }

  @Test
  void coolingFollowsTheTemperature() {
    LoadModel office = new LoadModel(LoadModel.Kind.OFFICE, 100, 1, UTC, 0);
    // Same hour of two weekdays: the warmer day uses more.
    Instant a = at("2026-11-17", 15);
    Instant b = at("2026-11-18", 15);
    double ta = LoadModel.temperature(a, UTC, 7);
    double tb = LoadModel.temperature(b, UTC, 7);
    assertTrue(ta != tb);
    assertEquals(ta > tb, office.kw(a) > office.kw(b));
    assertTrue(LoadModel.temperature(at("2026-11-18", 15), UTC, 7) > LoadModel.temperature(at("2026-11-18", 5), UTC, 7));
  }

  @Test
  void theSameSiteAndTimeGiveTheSameLoadAndNoiseStaysInItsBand() {
    LoadModel a = new LoadModel(LoadModel.Kind.HOME, 8, 42, UTC, 0.05);
    LoadModel same = new LoadModel(LoadModel.Kind.HOME, 8, 42, UTC, 0.05);
    LoadModel quiet = new LoadModel(LoadModel.Kind.HOME, 8, 42, UTC, 0);
    for (int h = 0; h < 24; h++) {
      Instant t = at("2026-11-18", h);
      assertEquals(a.kw(t), same.kw(t));
      assertTrue(Math.abs(a.kw(t) / quiet.kw(t) - 1) <= 0.05 + 1e-12);
    }
  }

  @Test
  void curtailmentLowersTheEnergyOfAnIntervalButNeverBelowZero() {
    LoadModel shop = new LoadModel(LoadModel.Kind.RETAIL, 50, 3, UTC, 0);
    Instant t = at("2026-11-18", 17);
    double full = shop.kwh(t, 15, 0);
    assertEquals(shop.kw(t) / 4, full, 1e-9);
    assertEquals(full - 10.0 / 4, shop.kwh(t, 15, 10), 1e-9);
    assertEquals(0, shop.kwh(t, 15, 1_000), 0);
    assertThrows(IllegalArgumentException.class, () -> new LoadModel(LoadModel.Kind.HOME, 0, 1, UTC, 0));
  }
}
