package io.loadshift.vtn.optimization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadshift.vtn.der.DerStatus;
import io.loadshift.vtn.der.DerType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PlannerTest {
  static final Instant START = Instant.parse("2026-07-01T17:00:00Z");
  static final Duration QUARTER = Duration.ofMinutes(15);

  static Der load(String id, double kw, String price) {
    return Der.of(id, "ven-" + id, DerType.LOAD, kw, null, null, price == null ? null : new BigDecimal(price));
  }

  static Der on(Der d, String zone, String feeder) {
    return new Der(d.id(), d.venId(), d.type(), d.status(), d.capacityKw(), d.energyCapacityKwh(), d.stateOfCharge(),
        d.minStateOfCharge(), d.rampKwPerInterval(), zone, feeder, d.bidPricePerKw(), d.available());
  }

  static Der status(Der d, DerStatus s) {
    return new Der(d.id(), d.venId(), d.type(), s, d.capacityKw(), d.energyCapacityKwh(), d.stateOfCharge(),
        d.minStateOfCharge(), d.rampKwPerInterval(), d.zone(), d.feeder(), d.bidPricePerKw(), d.available());
  }

  static Der available(Der d, boolean... a) {
    return new Der(d.id(), d.venId(), d.type(), d.status(), d.capacityKw(), d.energyCapacityKwh(), d.stateOfCharge(),
        d.minStateOfCharge(), d.rampKwPerInterval(), d.zone(), d.feeder(), d.bidPricePerKw(), a);
  }

  static Der ramp(Der d, double r) {
    return new Der(d.id(), d.venId(), d.type(), d.status(), d.capacityKw(), d.energyCapacityKwh(), d.stateOfCharge(),
        d.minStateOfCharge(), r, d.zone(), d.feeder(), d.bidPricePerKw(), d.available());
  }

  static Der battery(String id, double kw, double kwh, double soc, double minSoc, String price) {
    return new Der(id, "ven-" + id, DerType.BATTERY, DerStatus.ONLINE, kw, kwh, soc, minSoc, null, null, null,
        new BigDecimal(price), null);
  }

  static PlanInput input(double[] target, List<Der> ders, Map<String, Double> feeders, Map<String, Double> zones,
                         PlanOptions options) {
    return new PlanInput(START, QUARTER, target, ders, feeders, zones, Set.of(), options);
  }

  static Plan plan(double[] target, Der... ders) {
    return Planner.plan(PlanInput.of(START, QUARTER, target, List.of(ders)));
  }

  static Map<String, Plan.Dispatch> byId(Plan p) {
    Map<String, Plan.Dispatch> m = new HashMap<>();
    p.dispatch().forEach(d -> m.put(d.id(), d));
    return m;
  }

  static double kw(Plan p, String id, int t) {
    Plan.Dispatch d = byId(p).get(id);
    return d == null ? 0 : d.kw()[t];
  }

  static double total(Plan p, String id) {
    Plan.Dispatch d = byId(p).get(id);
    return d == null ? 0 : Arrays.stream(d.kw()).sum();
  }

  static void noCheckProblems(Plan p) {
    assertTrue(p.warnings().stream().noneMatch(w -> w.startsWith("plan check")), p.warnings().toString());
    assertNotNull(p.lowerBound(), "lower bound");
    assertTrue(p.cost().compareTo(p.lowerBound()) >= 0, p.cost() + " < " + p.lowerBound());
  }

  @Test
  void meritOrderTakesTheCheapestFirstAndSplitsTheMarginalResource() {
    Plan p = plan(new double[] {100}, load("b", 50, "2"), load("a", 60, "1"), load("c", 80, "1.5"));
    assertEquals("merit-order", p.solver());
    assertEquals(60, kw(p, "a", 0));
    assertEquals(40, kw(p, "c", 0));
    assertEquals(0, kw(p, "b", 0));
    assertEquals(new BigDecimal("120.0000000"), p.cost());
    assertEquals(p.cost(), p.lowerBound());
    assertEquals(0, p.shortfallKw());
    assertEquals(List.of("a", "c"), p.dispatch().stream().map(Plan.Dispatch::id).toList());
    assertEquals(1, p.dispatch().get(0).priority());
    assertEquals(6, p.dispatch().get(1).priority());
    assertEquals(10, p.dispatch().get(0).gridStability());
    noCheckProblems(p);
  }

  @Test
  void equalPricesGoByIdAndTheCostIsExactToSevenDecimals() {
    Plan p = plan(new double[] {10}, load("y", 8, "0.1234567"), load("x", 8, "0.1234567"));
    assertEquals(8, kw(p, "x", 0));
    assertEquals(2, kw(p, "y", 0));
    assertEquals(new BigDecimal("1.2345670"), p.cost());
  }

  @Test
  void aFeederLimitForcesADearerResource() {
    Plan p = Planner.plan(input(new double[] {100},
        List.of(on(load("a", 60, "1"), null, "F1"), on(load("c", 80, "1.5"), null, "F1"), on(load("b", 50, "2"), null, "F2")),
        Map.of("F1", 70.0), Map.of(), PlanOptions.DEFAULT));
    assertEquals(60, kw(p, "a", 0));
    assertEquals(10, kw(p, "c", 0));
    assertEquals(30, kw(p, "b", 0));
    assertEquals(new BigDecimal("135.0000000"), p.cost());
    // F1 at its limit: a carries 60 of 70 -> stress (1 + 6/7) / 2 -> 10 - round(8.36) = 2; c 10 of 70 -> 5.
    assertEquals(2, byId(p).get("a").gridStability());
    assertEquals(5, byId(p).get("c").gridStability());
    assertEquals(10, byId(p).get("b").gridStability());
    noCheckProblems(p);
  }

  @Test
  void zoneAndFeederLimitsNestAndStayExact() {
    // Zone Z (limit 90) holds feeders F1 (limit 50) and F2; cheapest first within both limits.
    List<Der> ders = List.of(on(load("a", 40, "1"), "Z", "F1"), on(load("b", 40, "2"), "Z", "F1"),
        on(load("c", 60, "3"), "Z", "F2"), on(load("d", 100, "4"), "Y", null));
    Plan p = Planner.plan(input(new double[] {150}, ders, Map.of("F1", 50.0), Map.of("Z", 90.0), PlanOptions.DEFAULT));
    assertEquals("merit-order", p.solver());
    assertEquals(40, kw(p, "a", 0));
    assertEquals(10, kw(p, "b", 0));
    assertEquals(40, kw(p, "c", 0));
    assertEquals(60, kw(p, "d", 0));
    noCheckProblems(p);
  }

  @Test
  void aFleetTooSmallGivesAPlanWithTheExactShortfall() {
    Plan p = plan(new double[] {200, 50}, load("a", 60, "1"), load("b", 50, "2"));
    assertEquals(90, p.intervals().get(0).shortfallKw());
    assertEquals(110, p.intervals().get(0).plannedKw());
    assertEquals(0, p.intervals().get(1).shortfallKw());
    assertEquals(90, p.shortfallKw());
    assertTrue(p.warnings().stream().anyMatch(w -> w.contains("cannot meet")), p.warnings().toString());
    // (60*1 + 50*2 in t0, 50*1 in t1) / 2 intervals
    assertEquals(new BigDecimal("105.0000000"), p.cost());
    noCheckProblems(p);
  }

  @Test
  void resourcesThatCannotBePlannedAreExcludedWithAReason() {
    Der noCap = new Der("no-cap", "v1", DerType.LOAD, DerStatus.ONLINE, null, null, null, null, null, null, null,
        BigDecimal.ONE, null);
    Der offline = status(load("offline", 10, "1"), DerStatus.OFFLINE);
    Der maintenance = status(load("maint", 10, "1"), DerStatus.MAINTENANCE);
    Der never = available(load("never", 10, "1"), false, false);
    Der partly = available(load("partly", 10, "1"), true, false);
    Der noSoc = new Der("no-soc", "v2", DerType.BATTERY, DerStatus.ONLINE, 10.0, 10.0, null, null, null, null, null,
        BigDecimal.ONE, null);
    Der empty = battery("empty", 10, 10, 0.1, 0.1, "1");
    Der negativeFeeder = on(load("neg-feeder", 10, "1"), null, "bad");
    Der shortAvailability = available(load("short-avail", 10, "1"), true);
    Der optedOut = load("opted", 10, "1");
    Der dup1 = load("dup", 10, "1");
    Der dup2 = load("dup", 20, "2");
    Der ok = load("ok", 100, "3");
    PlanInput in = new PlanInput(START, QUARTER, new double[] {20, 20},
        List.of(noCap, offline, maintenance, never, partly, noSoc, empty, negativeFeeder, shortAvailability, optedOut, dup1,
            dup2, ok),
        Map.of("bad", -5.0, "unknown-feeder", 7.0), Map.of(), Set.of("ven-opted"), PlanOptions.DEFAULT);
    Plan p = Planner.plan(in);
    Map<String, String> reasons = p.excluded().stream()
        .collect(Collectors.toMap(Plan.Exclusion::id, Plan.Exclusion::reason, (a, b) -> a + " | " + b));
    assertEquals("missing capacity", reasons.get("no-cap"));
    assertTrue(reasons.get("offline").contains("OFFLINE"));
    assertTrue(reasons.get("maint").contains("MAINTENANCE"));
    assertTrue(reasons.get("never").contains("not available"));
    assertTrue(reasons.get("no-soc").contains("state of charge"));
    assertTrue(reasons.get("empty").contains("no energy"));
    assertTrue(reasons.get("neg-feeder").contains("limit of 0"));
    assertTrue(reasons.get("short-avail").contains("availability has 1 entries"));
    assertTrue(reasons.get("opted").contains("opted out"));
    assertTrue(reasons.get("dup").contains("2 times"));
    assertEquals(2, p.eligible());
    assertTrue(p.warnings().stream().anyMatch(w -> w.contains("feeder bad limit is negative")), p.warnings().toString());
    // Partly available: in interval 0 only; the dearer resource covers interval 1.
    assertEquals(10, kw(p, "partly", 0));
    assertEquals(0, kw(p, "partly", 1));
    assertEquals(10, kw(p, "ok", 0));
    assertEquals(20, kw(p, "ok", 1));
    noCheckProblems(p);
  }

  @Test
  void resourcesWithoutABidCostTheDefaultPrice() {
    Plan highest = plan(new double[] {15}, load("priced", 10, "2"), load("unpriced", 10, null), load("dear", 10, "5"));
    // Default: the highest bid (5); ties by id: dear before unpriced.
    assertEquals(10, kw(highest, "priced", 0));
    assertEquals(5, kw(highest, "dear", 0));
    assertEquals(0, kw(highest, "unpriced", 0));
    Plan cheap = Planner.plan(input(new double[] {15}, List.of(load("priced", 10, "2"), load("unpriced", 10, null)),
        Map.of(), Map.of(), new PlanOptions(new BigDecimal("0.5"), false, false)));
    assertEquals(10, kw(cheap, "unpriced", 0));
    assertTrue(byId(cheap).get("unpriced").defaultPrice());
    assertEquals(new BigDecimal("0.5000000"), byId(cheap).get("unpriced").bidPricePerKw());
    assertEquals(new BigDecimal("15.0000000"), cheap.cost());
  }

  @Test
  void structurallyImpossibleRequestsAreRefused() {
    List<Der> fleet = List.of(load("a", 1, "1"));
    assertThrows(IllegalArgumentException.class, () -> Planner.plan(PlanInput.of(START, QUARTER, new double[0], fleet)));
    assertThrows(IllegalArgumentException.class, () -> Planner.plan(PlanInput.of(START, Duration.ZERO, new double[] {1}, fleet)));
    assertThrows(IllegalArgumentException.class,
        () -> Planner.plan(PlanInput.of(START, Duration.ofMinutes(-15), new double[] {1}, fleet)));
    assertThrows(IllegalArgumentException.class,
        () -> Planner.plan(PlanInput.of(START, QUARTER, new double[] {Double.NaN}, fleet)));
    // An empty or missing fleet is not an error: all shortfall.
    Plan p = Planner.plan(PlanInput.of(START, QUARTER, new double[] {5}, null));
    assertEquals("none", p.solver());
    assertEquals(5, p.shortfallKw());
  }

  @Test
  void wattsAreRoundedSoLimitsHoldAndTargetsAreMet() {
    Plan p = plan(new double[] {1.0005}, load("a", 3.3, "1"));
    assertEquals(1.001, p.intervals().get(0).targetKw());
    assertEquals(1.001, kw(p, "a", 0));
    Plan q = plan(new double[] {5}, load("a", 3.3, "1"), load("b", 0.0004, "0"));
    assertEquals(3.3, kw(q, "a", 0));
    assertEquals(1.7, q.shortfallKw(), 1e-12);
    assertTrue(q.excluded().get(0).reason().contains("below 1 W"));
  }

  /** 10 kWh at 50 % with a 10 % floor: 4 kWh, 16 kW-intervals of 15 minutes, whatever the target. */
  @Test
  void aBatteryDeliversOnlyItsEnergyAboveTheMinimum() {
    for (boolean lp : new boolean[] {false, true}) {
      Plan p = Planner.plan(input(new double[] {10, 10, 10, 10}, List.of(battery("bat", 10, 10, 0.5, 0.1, "1")),
          Map.of(), Map.of(), new PlanOptions(null, false, lp)));
      assertEquals(lp ? "lp" : "flow", p.solver());
      assertEquals(16, total(p, "bat"), 1e-9);
      assertEquals(4.0, total(p, "bat") * 0.25, 1e-9);
      double planned = p.intervals().stream().mapToDouble(Plan.Interval::plannedKw).sum();
      assertEquals(16, planned, 1e-9);
      assertEquals(new BigDecimal("4.0000000"), p.cost()); // 1 x 16 / 4
      noCheckProblems(p);
      // The flow's bound is exact; the LP's is its floating-point optimum, rounded down.
      assertEquals(4.0, p.lowerBound().doubleValue(), lp ? 1e-6 : 0);
    }
  }

  /**
   * A cheap load is there in the first two intervals only; a dear one always. The battery's 16
   * kW-intervals go where they displace the dear load: intervals 2 and 3. Cost (2x20 + 1x16 + 5x4) / 4.
   */
  @Test
  void theBatteryGoesWherePricesMakeItWorthMost() {
    List<Der> ders = List.of(battery("bat", 10, 10, 0.5, 0.1, "1"), available(load("cheap", 10, "2"), true, true, false, false),
        load("dear", 10, "5"));
    for (boolean lp : new boolean[] {false, true}) {
      Plan p = Planner.plan(input(new double[] {10, 10, 10, 10}, ders, Map.of(), Map.of(), new PlanOptions(null, false, lp)));
      assertEquals(0, kw(p, "bat", 0));
      assertEquals(0, kw(p, "bat", 1));
      assertEquals(16, kw(p, "bat", 2) + kw(p, "bat", 3), 1e-9);
      assertEquals(4, total(p, "dear"), 1e-9);
      assertEquals(new BigDecimal("19.0000000"), p.cost());
      assertEquals(0, p.shortfallKw());
      noCheckProblems(p);
    }
  }

  /** With a peak in the last interval, the battery concentrates there before the dear load runs. */
  @Test
  void theBatteryConcentratesOnThePeak() {
    List<Der> ders = List.of(battery("bat", 10, 10, 0.5, 0.1, "1"), load("mid", 6, "3"), load("dear", 20, "8"));
    for (boolean lp : new boolean[] {false, true}) {
      Plan p = Planner.plan(input(new double[] {4, 4, 6, 16}, ders, Map.of(), Map.of(), new PlanOptions(null, false, lp)));
      // Peak: mid 6 + bat 10 (no dear); the other 6 kW-intervals of battery displace mid where it would
      // run (any of intervals 0-2), never dear.
      assertEquals(10, kw(p, "bat", 3), 1e-9);
      assertEquals(0, total(p, "dear"), 1e-9);
      assertEquals(16, total(p, "bat"), 1e-9);
      // cost: bat 16 x 1 + mid (30 - 16 + 6 - ... ) : mid covers the rest: 4+4+6+6 - (16 - 10) = 14
      assertEquals(14, total(p, "mid"), 1e-9);
      assertEquals(new BigDecimal("14.5000000"), p.cost()); // (16 x 1 + 14 x 3) / 4
      noCheckProblems(p);
    }
  }

  /** A 10 kW resource that ramps 3 kW per interval from 0: 3, 6, 9, 10; the dear load covers the rest. */
  @Test
  void rampLimitsAreRespected() {
    Plan p = plan(new double[] {10, 10, 10, 10}, ramp(load("slow", 10, "1"), 3), load("dear", 10, "5"));
    assertEquals("lp", p.solver());
    assertArrayEquals(new double[] {3, 6, 9, 10}, byId(p).get("slow").kw(), 1e-9);
    assertArrayEquals(new double[] {7, 4, 1, 0}, byId(p).get("dear").kw(), 1e-9);
    assertEquals(new BigDecimal("22.0000000"), p.cost()); // (28 x 1 + 12 x 5) / 4
    noCheckProblems(p);
    // One interval: the ramp from 0 is just capacity.
    Plan one = plan(new double[] {10}, ramp(load("slow", 10, "1"), 3), load("dear", 10, "5"));
    assertEquals("merit-order", one.solver());
    assertEquals(3, kw(one, "slow", 0));
  }

  /** Charging when allowed: an empty battery charges on cheap load in interval 0 and covers interval 1. */
  @Test
  void storageMayChargeWhenAllowed() {
    List<Der> ders = List.of(battery("bat", 10, 2.5, 0, 0, "0.5"), available(load("cheap", 10, "1"), true, false),
        load("dear", 10, "10"));
    Plan without = Planner.plan(input(new double[] {0, 10}, ders, Map.of(), Map.of(), PlanOptions.DEFAULT));
    assertEquals(new BigDecimal("50.0000000"), without.cost());
    Plan with = Planner.plan(input(new double[] {0, 10}, ders, Map.of(), Map.of(), new PlanOptions(null, true, false)));
    assertEquals("lp", with.solver());
    assertArrayEquals(new double[] {-10, 10}, byId(with).get("bat").kw(), 1e-9);
    assertEquals(10, kw(with, "cheap", 0));
    assertEquals(0, total(with, "dear"), 1e-9);
    assertEquals(new BigDecimal("5.0000000"), with.cost());
    noCheckProblems(with);
  }

  @Test
  void feedersThatDoNotNestInZonesAreSolvedAsAnLp() {
    // Feeder F spans zones Z1 and Z2. a is cheapest but Z1 holds it to 30; F then leaves b 30; d the rest.
    List<Der> ders = List.of(on(load("a", 50, "1"), "Z1", "F"), on(load("b", 50, "2"), "Z2", "F"),
        on(load("d", 50, "3"), "Z2", null));
    Plan p = Planner.plan(input(new double[] {100}, ders, Map.of("F", 60.0), Map.of("Z1", 30.0), PlanOptions.DEFAULT));
    assertEquals("lp", p.solver());
    assertTrue(p.warnings().stream().anyMatch(w -> w.contains("feeder F spans no limited zone, zone Z1")),
        p.warnings().toString());
    assertEquals(30, kw(p, "a", 0));
    assertEquals(30, kw(p, "b", 0));
    assertEquals(40, kw(p, "d", 0));
    assertEquals(new BigDecimal("210.0000000"), p.cost());
    assertEquals(210.0, p.lowerBound().doubleValue(), 1e-6);
    noCheckProblems(p);
  }

  @Test
  void theSameInputGivesTheSamePlanInAnyOrder() {
    List<Der> fleet = randomFleet(new Random(7), 300, 40, 8);
    Map<String, Double> feeders = new HashMap<>();
    for (int k = 0; k < 8; k++) {
      feeders.put("F" + k, 120.0 + 15 * k);
    }
    Map<String, Double> zones = Map.of("Z0", 500.0, "Z1", 450.0);
    double[] target = {300, 500, 700, 900, 900, 700, 500, 300};
    Plan first = Planner.plan(input(target, fleet, feeders, zones, PlanOptions.DEFAULT));
    Plan again = Planner.plan(input(target, fleet, feeders, zones, PlanOptions.DEFAULT));
    List<Der> shuffled = new ArrayList<>(fleet);
    Collections.shuffle(shuffled, new Random(99));
    Plan reordered = Planner.plan(input(target, shuffled, new HashMap<>(feeders), zones, PlanOptions.DEFAULT));
    assertEquals("flow", first.solver());
    assertEquals(fingerprint(first), fingerprint(again));
    assertEquals(fingerprint(first), fingerprint(reordered));
    noCheckProblems(first);
    assertEquals(0, first.cost().compareTo(first.lowerBound()), first.cost() + " vs " + first.lowerBound());
  }

  /** The network flow and the ojAlgo LP agree on the optimum; neither plan costs less than it. */
  @Test
  void flowAndLpAgree() {
    for (int seed = 1; seed <= 6; seed++) {
      Random r = new Random(seed);
      List<Der> fleet = randomFleet(r, 40, 12, 6);
      Map<String, Double> feeders = new HashMap<>();
      for (int k = 0; k < 6; k++) {
        feeders.put("F" + k, 30.0 + 10 * r.nextInt(5));
      }
      Map<String, Double> zones = Map.of("Z0", 150.0);
      double[] target = new double[6];
      for (int t = 0; t < 6; t++) {
        target[t] = 50 + r.nextInt(250);
      }
      Plan flow = Planner.plan(input(target, fleet, feeders, zones, PlanOptions.DEFAULT));
      Plan lp = Planner.plan(input(target, fleet, feeders, zones, new PlanOptions(null, false, true)));
      assertEquals("flow", flow.solver());
      assertEquals("lp", lp.solver());
      noCheckProblems(flow);
      noCheckProblems(lp);
      assertEquals(flow.shortfallKw(), lp.shortfallKw(), 0.002, "seed " + seed);
      if (flow.shortfallKw() == 0) {
        assertEquals(flow.cost().doubleValue(), lp.lowerBound().doubleValue(), 1e-4, "seed " + seed);
        assertTrue(lp.cost().compareTo(flow.cost()) >= 0, "seed " + seed);
      }
      assertEquals(0, flow.cost().compareTo(flow.lowerBound()), "seed " + seed);
    }
  }

  @Test
  void moreThanTheTargetIsNeverBoughtAndMeritOrderIsPerInterval() {
    Plan p = plan(new double[] {0, 30, 0}, load("a", 20, "1"), load("b", 20, "2"));
    assertEquals(0, kw(p, "a", 0));
    assertEquals(20, kw(p, "a", 1));
    assertEquals(10, kw(p, "b", 1));
    assertEquals(new BigDecimal("13.3333333"), p.cost()); // (20 + 20) / 3
  }

  /** The merit order sorts only the cheapest resources it needs; the plan is the full sort's. */
  @Test
  void sortingOnlyTheCheapestGivesTheFullMeritOrdersPlan() {
    Random r = new Random(3);
    List<Der> fleet = new ArrayList<>();
    Map<String, Double> feeders = new HashMap<>();
    for (int i = 0; i < 6000; i++) {
      String feeder = "F" + r.nextInt(60);
      fleet.add(on(load(String.format("m%05d", i), 1 + r.nextInt(20), BigDecimal.valueOf(r.nextInt(2000), 2).toPlainString()),
          "Z" + (Integer.parseInt(feeder.substring(1)) % 6), feeder));
    }
    for (int g = 0; g < 60; g++) {
      feeders.put("F" + g, 40.0 + g); // tight: the cheapest are often capped, the threshold must widen
    }
    for (double target : new double[] {500, 2400, 4000}) {
      PlanInput in = input(new double[] {target, target / 2}, fleet, feeders, Map.of("Z0", 300.0), PlanOptions.DEFAULT);
      Plan plan = Planner.plan(in);
      assertEquals("merit-order", plan.solver());
      Fleet f = Fleet.prepare(in);
      int[] all = MeritOrder.sort(f.priceU, f.id);
      long[][] p = new long[f.size][];
      for (int t = 0; t < f.n; t++) {
        MeritOrder.fill(f, t, f.target[t], all, f.limit.clone(), p, null);
      }
      Map<String, Plan.Dispatch> got = byId(plan);
      int dispatched = 0;
      for (int i = 0; i < f.size; i++) {
        if (p[i] != null) {
          dispatched++;
          for (int t = 0; t < f.n; t++) {
            assertEquals(p[i][t] / 1000.0, got.get(f.id[i]).kw()[t], "target " + target + " " + f.id[i]);
          }
        }
      }
      assertEquals(dispatched, plan.dispatch().size());
      noCheckProblems(plan);
    }
  }

  /**
   * When the LP is too large, ramp-limited resources follow a ramp-feasible profile under the
   * relaxation without ramp limits; the plan keeps every limit and its cost lies between the
   * relaxation's optimum and above the exact LP's.
   */
  @Test
  void theRampRelaxationBoundsAndPlansHonestly() {
    Random r = new Random(11);
    List<Der> fleet = new ArrayList<>(randomFleet(r, 60, 10, 4));
    for (int k = 0; k < 8; k++) {
      fleet.add(on(ramp(load("hydro" + k, 30, "0." + (10 + k)), 4 + k), "Z" + (k % 2), "F" + (k % 4)));
    }
    double[] target = {80, 120, 200, 260, 260, 200, 120, 80};
    Map<String, Double> feeders = Map.of("F0", 90.0, "F1", 100.0, "F2", 110.0, "F3", 120.0);
    PlanInput in = input(target, fleet, feeders, Map.of("Z0", 200.0), PlanOptions.DEFAULT);
    Plan exact = Planner.plan(in);
    assertEquals("lp", exact.solver());
    noCheckProblems(exact);

    Fleet f = Fleet.prepare(in);
    f.order = MeritOrder.sort(f.priceU, f.id);
    RampRelaxation.Result relaxed = RampRelaxation.solve(f, f.order);
    Check.verify(f, relaxed.p());
    assertTrue(f.warnings.stream().noneMatch(w -> w.startsWith("plan check")), f.warnings.toString());
    BigInteger units = BigInteger.ZERO;
    for (int i = 0; i < f.size; i++) {
      if (relaxed.p()[i] != null) {
        units = units.add(BigInteger.valueOf(f.priceU[i]).multiply(BigInteger.valueOf(Arrays.stream(relaxed.p()[i]).sum())));
      }
    }
    double cost = Planner.units(units, f.n, java.math.RoundingMode.HALF_EVEN).doubleValue();
    double bound = Planner.units(relaxed.lowerBoundUnits(), f.n, java.math.RoundingMode.FLOOR).doubleValue();
    assertEquals(0, relaxed.shortfall());
    assertTrue(bound <= exact.lowerBound().doubleValue() + 1e-6, bound + " > " + exact.lowerBound());
    assertTrue(cost >= exact.cost().doubleValue() - 1e-6, cost + " < " + exact.cost());
  }

  @Test
  void theRampEnvelopeIsTheLargestRampFeasibleProfileBelow() {
    // Up by at most 3 from 0, down by at most 3 to the 0 at the end.
    assertArrayEquals(new long[] {3, 6, 9, 10, 9, 6, 3, 0},
        RampRelaxation.envelope(new long[] {10, 10, 10, 10, 10, 10, 10, 0}, 3));
    assertArrayEquals(new long[] {2, 4, 4, 2, 0}, RampRelaxation.envelope(new long[] {5, 5, 9, 5, 0}, 2));
  }

  @Test
  void lpPlansDoNotDependOnInputOrder() {
    List<Der> fleet = new ArrayList<>(randomFleet(new Random(5), 50, 8, 4));
    for (int k = 0; k < 5; k++) {
      fleet.add(on(ramp(load("slow" + k, 25, "0.5"), 5), "Z0", "F" + k % 4));
    }
    double[] target = {60, 140, 220, 220, 140, 60};
    Map<String, Double> feeders = Map.of("F0", 80.0, "F1", 90.0, "F2", 100.0, "F3", 110.0);
    Plan first = Planner.plan(input(target, fleet, feeders, Map.of(), PlanOptions.DEFAULT));
    List<Der> shuffled = new ArrayList<>(fleet);
    Collections.shuffle(shuffled, new Random(1));
    Plan second = Planner.plan(input(target, shuffled, feeders, Map.of(), PlanOptions.DEFAULT));
    assertEquals("lp", first.solver());
    assertEquals(fingerprint(first), fingerprint(second));
    noCheckProblems(first);
  }

  /** Fleets whose merit-order prefix is too short to start with: pricing must bring the rest in. */
  @Test
  void flowPricingBringsInWhatTheStartLeftOut() {
    for (int seed = 1; seed <= 4; seed++) {
      Fleet f = Fleet.prepare(tightInput(seed));
      f.order = MeritOrder.sort(f.priceU, f.id);
      int[] u = Arrays.stream(f.order).filter(i -> !f.coupled[i]).toArray();
      int[] c = Arrays.stream(f.order).filter(i -> f.coupled[i]).toArray();
      FlowPlan.Result usual = FlowPlan.solve(f, u, c);
      FlowPlan.Result small = FlowPlan.solve(f, u, c, f.target, null, 10);
      assertTrue(small.rounds() > 1, "seed " + seed);
      assertEquals(usual.costUnits(), small.costUnits(), "seed " + seed);
      assertEquals(usual.costUnits(), small.lowerBoundUnits(), "seed " + seed);
      assertArrayEquals(usual.shortfall(), small.shortfall());
    }
  }

  /** The LP's prefix certificate fails on a too-short start, the prefix widens, the optimum is the same. */
  @Test
  void lpCertificateWidensAShortPrefix() {
    for (int seed = 1; seed <= 3; seed++) {
      PlanInput in = tightInput(seed);
      Fleet f = Fleet.prepare(in);
      f.order = MeritOrder.sort(f.priceU, f.id);
      int[] u = Arrays.stream(f.order).filter(i -> !f.coupled[i]).toArray();
      int[] c = Arrays.stream(f.order).filter(i -> f.coupled[i]).toArray();
      LpPlan.Result usual = LpPlan.solve(f, u, c);
      LpPlan.Result small = LpPlan.solve(f, u, c, 10);
      assertTrue(small.solves() > 1, "seed " + seed);
      assertEquals(usual.lpCost(), small.lpCost(), 1e-6, "seed " + seed);
      Plan flow = Planner.plan(in);
      assertEquals(flow.cost().doubleValue(), usual.lpCost(), 1e-5, "seed " + seed);
    }
  }

  static PlanInput tightInput(int seed) {
    Random r = new Random(seed);
    List<Der> fleet = randomFleet(r, 80, 20, 6);
    Map<String, Double> feeders = new HashMap<>();
    for (int k = 0; k < 6; k++) {
      feeders.put("F" + k, 60.0 + 10 * r.nextInt(4));
    }
    double[] target = new double[8];
    for (int t = 0; t < 8; t++) {
      target[t] = 60 + r.nextInt(200);
    }
    return input(target, fleet, feeders, Map.of("Z0", 150.0), PlanOptions.DEFAULT);
  }

  static List<Der> randomFleet(Random r, int count, int storage, int feeders) {
    List<Der> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String id = String.format("r%04d", i);
      String feeder = "F" + r.nextInt(feeders);
      String zone = "Z" + (Integer.parseInt(feeder.substring(1)) % 2);
      BigDecimal price = BigDecimal.valueOf(50 + r.nextInt(500), 2);
      if (i < storage) {
        out.add(new Der(id, "ven-" + i, DerType.BATTERY, DerStatus.ONLINE, 5.0 + r.nextInt(20), 10.0 + r.nextInt(30),
            0.3 + r.nextInt(6) / 10.0, 0.1, null, zone, feeder, price, null));
      } else {
        out.add(new Der(id, "ven-" + i, i % 3 == 0 ? DerType.HEAT_PUMP : DerType.LOAD, DerStatus.ONLINE,
            2.0 + r.nextInt(30), null, null, null, null, zone, feeder, r.nextInt(10) == 0 ? null : price, null));
      }
    }
    return out;
  }

  static String fingerprint(Plan p) {
    StringBuilder sb = new StringBuilder(p.solver()).append('|').append(p.cost()).append('|').append(p.lowerBound());
    for (Plan.Dispatch d : p.dispatch()) {
      sb.append('|').append(d.id()).append(Arrays.toString(d.kw())).append(d.priority()).append(d.gridStability());
    }
    p.intervals().forEach(i -> sb.append('|').append(i));
    sb.append(p.excluded()).append(p.warnings());
    return sb.toString();
  }
}
