package io.loadshift.vtn;

import static io.loadshift.vtn.testing.ProblemAssert.assertProblem;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadshift.vtn.testing.TestVtn;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Dispatch planning through the API: plan, limits, publication to VENs, re-planning, emergencies. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DispatchTest {
  static final String V = "/openadr3/3.1.0";
  static TestVtn vtn;
  static String utility;
  static String programId;
  static final Map<String, String> venIds = new HashMap<>();
  static final Map<String, String> venTokens = new HashMap<>();
  static final Map<String, String> resources = new HashMap<>();
  static String eventId;

  @BeforeAll
  static void start() {
    vtn = TestVtn.start();
    utility = vtn.clientWithToken("utility", "Grid Co").getString("token");
    programId = vtn.call(POST, V + "/programs", utility, new JsonObject().put("programName", "peak"))
        .bodyAsJsonObject().getString("id");
    for (String site : List.of("a", "b", "c")) {
      JsonObject client = vtn.clientWithToken("ven", "site " + site);
      venTokens.put(site, client.getString("token"));
      HttpResponse<Buffer> r = vtn.call(POST, V + "/vens", utility, new JsonObject().put("objectType", "BL_VEN_REQUEST")
          .put("venName", "site-" + site).put("clientID", client.getString("clientId")));
      assertEquals(201, r.statusCode(), r.bodyAsString());
      venIds.put(site, r.bodyAsJsonObject().getString("id"));
    }
    resource("r1", "a", attr("DER_TYPE", "LOAD"), attr("CAPACITY_KW", 100), attr("BID_PRICE_PER_KW", 0.10),
        attr("FEEDER", "F1"), attr("ZONE", "north"));
    resource("r2", "b", attr("DER_TYPE", "BATTERY"), attr("CAPACITY_KW", 50), attr("ENERGY_CAPACITY_KWH", 100),
        attr("STATE_OF_CHARGE", 80), attr("BID_PRICE_PER_KW", 0.05), attr("FEEDER", "F2"), attr("ZONE", "north"));
    resource("r3", "c", attr("DER_TYPE", "LOAD"), attr("CAPACITY_KW", 80), attr("BID_PRICE_PER_KW", 0.20),
        attr("FEEDER", "F1"), attr("ZONE", "north"));
    resource("r4", "c"); // a meter without DER attributes: no capacity
    resource("r5", "a", attr("DER_TYPE", "LOAD"), attr("CAPACITY_KW", 500), attr("BID_PRICE_PER_KW", 0.01),
        attr("STATUS", "OFFLINE"));
    Instant start = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MINUTES);
    JsonArray intervals = new JsonArray();
    for (int k = 0; k < 4; k++) {
      intervals.add(new JsonObject().put("id", k).put("payloads", new JsonArray().add(attr("TARGET_REDUCTION_KW", 150))));
    }
    HttpResponse<Buffer> e = vtn.call(POST, V + "/events", utility, new JsonObject().put("programID", programId)
        .put("eventName", "peak-17").put("intervalPeriod", new JsonObject().put("start", start.toString())
            .put("duration", "PT15M")).put("intervals", intervals));
    assertEquals(201, e.statusCode(), e.bodyAsString());
    eventId = e.bodyAsJsonObject().getString("id");
  }

  @AfterAll
  static void stop() {
    vtn.close();
  }

  static JsonObject attr(String type, Object value) {
    return new JsonObject().put("type", type).put("values", new JsonArray().add(value));
  }

  static void resource(String name, String site, JsonObject... attributes) {
    HttpResponse<Buffer> r = vtn.call(POST, V + "/resources", utility, new JsonObject()
        .put("objectType", "BL_RESOURCE_REQUEST").put("resourceName", name).put("venID", venIds.get(site))
        .put("attributes", new JsonArray(List.of((Object[]) attributes))));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    resources.put(name, r.bodyAsJsonObject().getString("id"));
  }

  static Map<String, JsonObject> dispatchByName(JsonObject plan) {
    Map<String, String> names = new HashMap<>();
    resources.forEach((n, id) -> names.put(id, n));
    Map<String, JsonObject> out = new HashMap<>();
    plan.getJsonArray("dispatch").forEach(o -> out.put(names.get(((JsonObject) o).getString("resourceID")), (JsonObject) o));
    return out;
  }

  static String status(String resource) {
    JsonArray attrs = vtn.call(GET, V + "/resources/" + resources.get(resource), utility, null).bodyAsJsonObject()
        .getJsonArray("attributes");
    return attrs.stream().map(o -> (JsonObject) o).filter(a -> a.getString("type").equals("STATUS")).findFirst()
        .orElseThrow().getJsonArray("values").getString(0);
  }

  /** The dispatch events a VEN reads, newest last. */
  static List<JsonObject> signals(String site) {
    HttpResponse<Buffer> r = vtn.call(GET, V + "/events", venTokens.get(site), null);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonArray().stream().map(o -> (JsonObject) o)
        .filter(e -> e.getString("eventName", "").startsWith("dispatch:") || "emergency".equals(e.getString("eventName")))
        .toList();
  }

  static void await(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    while (!done.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }

  static JsonObject inForce() {
    JsonArray plans = vtn.call(GET, "/optimization/events/" + eventId + "/plans", utility, null).bodyAsJsonArray();
    return plans.stream().map(o -> (JsonObject) o).filter(p -> p.getString("status").equals("ACCEPTED")).findFirst()
        .orElse(null);
  }

  @Test
  @Order(1)
  void theCheapestResourcesMeetTheTargetAndTheRestSayWhyNot() {
    HttpResponse<Buffer> r = vtn.call(POST, "/optimization/events/" + eventId + "/plan", utility, null);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject plan = r.bodyAsJsonObject();
    assertEquals("PROPOSED", plan.getString("status"));
    assertEquals("merit-order", plan.getString("solver"));
    assertEquals(0.0, plan.getDouble("shortfallKw"));
    // Battery (0.05/kW) 50 kW and r1 (0.10/kW) 100 kW: 2.5 + 10.
    assertEquals(0, new java.math.BigDecimal("12.5").compareTo(new java.math.BigDecimal(plan.getString("cost"))));
    Map<String, JsonObject> d = dispatchByName(plan);
    assertEquals(Map.of("r1", 100.0, "r2", 50.0).keySet(), d.keySet());
    assertEquals(List.of(100.0, 100.0, 100.0, 100.0), d.get("r1").getJsonArray("powerKw").getList());
    assertTrue(d.get("r2").getInteger("priority") < d.get("r1").getInteger("priority"));
    String excluded = plan.getJsonArray("excluded").encode();
    assertTrue(excluded.contains(resources.get("r4")) && excluded.contains(resources.get("r5")), excluded);
    plan.getJsonArray("intervals").forEach(i -> assertEquals(150.0, ((JsonObject) i).getDouble("plannedKw")));
  }

  @Test
  @Order(2)
  void aFeederLimitIsRespectedAndTheShortfallIsHonest() {
    assertEquals(200, vtn.call(PUT, "/optimization/limits/feeder/F1", utility, new JsonObject().put("limitKw", 60))
        .statusCode());
    assertProblem(vtn.call(PUT, "/optimization/limits/feeder/F1", utility, new JsonObject().put("limitKw", -5)), 400,
        "validation-failed");
    JsonObject plan = vtn.call(POST, "/optimization/events/" + eventId + "/plan", utility, null).bodyAsJsonObject();
    assertEquals(40.0, plan.getDouble("shortfallKw"));
    Map<String, JsonObject> d = dispatchByName(plan);
    assertEquals(60.0, d.get("r1").getJsonArray("powerKw").getDouble(0));
    assertEquals(50.0, d.get("r2").getJsonArray("powerKw").getDouble(0));
  }

  @Test
  @Order(3)
  void optOutsAndUnavailabilityKeepAVenOutOfThePlan() {
    // Neither has an API of its own yet (OpenADR 2.0b's oadrCreatedEvent and EiOpt will write them).
    String later = vtn.call(POST, V + "/events", utility, new JsonObject().put("programID", programId)
        .put("intervalPeriod", new JsonObject().put("start", Instant.now().plus(3, ChronoUnit.HOURS)
            .truncatedTo(ChronoUnit.MINUTES).toString()).put("duration", "PT30M"))
        .put("intervals", new JsonArray().add(new JsonObject().put("id", 0).put("payloads", new JsonArray()
            .add(attr("TARGET_REDUCTION_KW", 40)))).add(new JsonObject().put("id", 1).put("payloads", new JsonArray()
            .add(attr("TARGET_REDUCTION_KW", 40)))))).bodyAsJsonObject().getString("id");
    TestVtn.await(vtn.app.pool().preparedQuery("INSERT INTO event_opts (event_id, ven_id, opt, source) "
        + "VALUES ($1, $2, 'optOut', 'test')").execute(io.vertx.sqlclient.Tuple.of(later, venIds.get("b"))));
    JsonObject plan = vtn.call(POST, "/optimization/events/" + later + "/plan", utility, null).bodyAsJsonObject();
    assertTrue(dispatchByName(plan).get("r2") == null, "the opted-out VEN's battery is not dispatched");
    assertTrue(plan.getJsonArray("excluded").encode().contains(resources.get("r2")));
    // r1 (site a) is unavailable for the first half hour: r3 covers it, within feeder F1's 60 kW.
    JsonObject event = vtn.call(GET, V + "/events/" + later, utility, null).bodyAsJsonObject();
    Instant start = Instant.parse(event.getJsonObject("intervalPeriod").getString("start"));
    TestVtn.await(vtn.app.pool().preparedQuery("INSERT INTO availability (id, ven_id, resource_id, opt, starts_at, ends_at) "
        + "VALUES (gen_random_uuid(), $1, $2, 'optOut', $3, $4)").execute(io.vertx.sqlclient.Tuple.of(venIds.get("a"),
        resources.get("r1"), java.time.OffsetDateTime.ofInstant(start, java.time.ZoneOffset.UTC),
        java.time.OffsetDateTime.ofInstant(start.plusSeconds(1800), java.time.ZoneOffset.UTC))));
    Map<String, JsonObject> d = dispatchByName(vtn.call(POST, "/optimization/events/" + later + "/plan", utility, null)
        .bodyAsJsonObject());
    assertEquals(List.of(0.0, 40.0), d.get("r1").getJsonArray("powerKw").getList());
    assertEquals(List.of(40.0, 0.0), d.get("r3").getJsonArray("powerKw").getList());
  }

  @Test
  @Order(4)
  void anAcceptedPlanReachesEachVenAndDispatchesItsResources() throws Exception {
    HttpResponse<Buffer> r = vtn.call(POST, "/optimization/events/" + eventId + "/plan?accept=true", utility, null);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    assertEquals("ACCEPTED", r.bodyAsJsonObject().getString("status"));
    assertEquals("OPTIMIZED", status("r1"));
    assertEquals("OPTIMIZED", status("r2"));
    assertEquals("ONLINE", status("r3"));
    await("site a's signal", () -> signals("a").size() == 1);
    JsonObject signal = signals("a").get(0);
    assertEquals("DISPATCH_SETPOINT", signal.getJsonArray("intervals").getJsonObject(0).getJsonArray("payloads")
        .getJsonObject(0).getString("type"));
    assertEquals(60.0, signal.getJsonArray("intervals").getJsonObject(2).getJsonArray("payloads").getJsonObject(0)
        .getJsonArray("values").getDouble(0));
    assertTrue(signals("c").isEmpty(), "a VEN sees no other VEN's setpoints");
    // The schedules in force, as the seed's get_optimization_schedules: a VEN reads only its own.
    JsonArray mine = vtn.call(GET, "/optimization/schedules?eventID=" + eventId, venTokens.get("a"), null).bodyAsJsonArray();
    assertEquals(4, mine.size());
    mine.forEach(s -> assertEquals(resources.get("r1"), ((JsonObject) s).getString("resourceID")));
    assertEquals(8, vtn.call(GET, "/optimization/schedules?eventID=" + eventId, utility, null).bodyAsJsonArray().size());
    assertProblem(vtn.call(POST, "/optimization/events/" + eventId + "/plan", venTokens.get("a"), null), 403,
        "insufficient-scope");
  }

  @Test
  @Order(5)
  void aResourceGoingOfflineIsReplannedAndOnlyTheDifferenceIsPublished() throws Exception {
    String before = inForce().getString("id");
    int bSignalVersion = signals("b").get(0).getInteger("modificationNumber", 0);
    String bSignalModified = signals("b").get(0).getString("modificationDateTime");
    HttpResponse<Buffer> off = vtn.call(PUT, "/fleet/ders/" + resources.get("r1") + "/status", venTokens.get("a"),
        new JsonObject().put("status", "OFFLINE").put("reason", "chiller fault"));
    assertEquals(200, off.statusCode(), off.bodyAsString());
    await("a re-plan", () -> inForce() != null && !inForce().getString("id").equals(before));
    JsonObject plan = inForce();
    assertEquals("REPLAN", plan.getString("cause"));
    assertEquals(before, plan.getString("replaces"));
    // r3 takes the feeder's 60 kW in r1's place.
    await("site c's signal", () -> signals("c").size() == 1);
    await("site a's signal cancelled", () -> signals("a").isEmpty());
    assertEquals(bSignalModified, signals("b").get(0).getString("modificationDateTime"), "b's setpoints did not change");
    assertEquals("OPTIMIZED", status("r3"));
    assertEquals("OFFLINE", status("r1"));
    assertNotEquals(-1, bSignalVersion);
    // Site c opts out of the event (as a 2.0b oadrCreatedEvent would record it): planned without it.
    String replanned = inForce().getString("id");
    TestVtn.await(vtn.app.pool().preparedQuery("INSERT INTO event_opts (event_id, ven_id, opt, source) "
        + "VALUES ($1, $2, 'optOut', 'test')").execute(io.vertx.sqlclient.Tuple.of(eventId, venIds.get("c"))));
    await("a re-plan after the opt-out", () -> inForce() != null && !inForce().getString("id").equals(replanned));
    await("site c's signal cancelled", () -> signals("c").isEmpty());
    assertEquals("ONLINE", status("r3"));
    TestVtn.await(vtn.app.pool().preparedQuery("DELETE FROM event_opts WHERE event_id = $1")
        .execute(io.vertx.sqlclient.Tuple.of(eventId)));
  }

  @Test
  @Order(6)
  void anEmergencyOverridesThePlanAndReachesTheVenAtOnce() throws Exception {
    String aggregator = vtn.clientWithToken("aggregator", "Agg").getString("token");
    JsonObject order = new JsonObject().put("resourceID", resources.get("r2")).put("powerKw", 30).put("duration", "PT30M");
    assertProblem(vtn.call(POST, "/optimization/emergency", aggregator, order), 403, "insufficient-scope");
    assertProblem(vtn.call(POST, "/optimization/emergency", utility, order.copy().put("zone", "north")), 400,
        "validation-failed");
    assertProblem(vtn.call(POST, "/optimization/emergency", utility, order.copy().put("resourceID", "nope")), 404,
        "not-found");
    assertProblem(vtn.call(POST, "/optimization/emergency", utility, order.copy().put("resourceID", resources.get("r5"))),
        409, "conflict");
    assertProblem(vtn.call(POST, "/optimization/emergency", utility, order.copy().put("duration", "soon")), 400,
        "validation-failed");
    String before = inForce().getString("id");
    HttpResponse<Buffer> r = vtn.call(POST, "/optimization/emergency", utility, order);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    assertEquals(30.0, r.bodyAsJsonObject().getDouble("allocatedKw"));
    assertEquals("EMERGENCY", status("r2"));
    await("site b's emergency signal", () -> signals("b").stream().anyMatch(e -> "emergency".equals(e.getString("eventName"))));
    JsonObject emergency = signals("b").stream().filter(e -> "emergency".equals(e.getString("eventName"))).findFirst()
        .orElseThrow();
    assertEquals(0, emergency.getInteger("priority"));
    // The plan in force no longer counts on the battery.
    await("a re-plan without r2", () -> inForce() != null && !inForce().getString("id").equals(before));
    JsonObject plan = vtn.call(GET, "/optimization/plans/" + inForce().getString("id"), utility, null).bodyAsJsonObject();
    assertTrue(dispatchByName(plan).get("r2") == null, plan.encode());
    String admin = TestVtn.await(vtn.adminToken());
    assertTrue(vtn.call(GET, "/admin/audit?objectType=emergency", admin, null).bodyAsJsonArray().size() >= 1);
  }

  @Test
  @Order(7)
  void resourcesGoBackOnlineWhenTheWindowOrTheEmergencyIsOver() throws Exception {
    String program = vtn.call(POST, V + "/programs", utility, new JsonObject().put("programName", "short"))
        .bodyAsJsonObject().getString("id");
    resource("r6", "c", attr("DER_TYPE", "LOAD"), attr("CAPACITY_KW", 20), attr("ZONE", "south"),
        attr("BID_PRICE_PER_KW", 0.01));
    resource("r7", "c", attr("DER_TYPE", "LOAD"), attr("CAPACITY_KW", 30), attr("ZONE", "south"),
        attr("BID_PRICE_PER_KW", 0.02));
    String shortEvent = vtn.call(POST, V + "/events", utility, new JsonObject().put("programID", program)
        .put("intervalPeriod", new JsonObject().put("start", Instant.now().plusSeconds(1).toString()).put("duration", "PT3S"))
        .put("intervals", new JsonArray().add(new JsonObject().put("id", 0)
            .put("payloads", new JsonArray().add(attr("TARGET_REDUCTION_KW", 10)))))).bodyAsJsonObject().getString("id");
    HttpResponse<Buffer> plan = vtn.call(POST, "/optimization/events/" + shortEvent + "/plan?accept=true", utility, null);
    assertEquals(201, plan.statusCode(), plan.bodyAsString());
    assertEquals(Map.of("r6", 10.0), Map.of("r6", dispatchByName(plan.bodyAsJsonObject()).get("r6")
        .getJsonArray("powerKw").getDouble(0)));
    assertEquals("OPTIMIZED", status("r6"));
    // A zone emergency shares 25 kW over r6 and r7 by capacity (the OPTIMIZED one included).
    HttpResponse<Buffer> e = vtn.call(POST, "/optimization/emergency", utility, new JsonObject().put("zone", "south")
        .put("powerKw", 25).put("duration", "PT2S"));
    assertEquals(201, e.statusCode(), e.bodyAsString());
    JsonObject allocation = e.bodyAsJsonObject().getJsonObject("allocation");
    assertEquals(10.0, allocation.getDouble(resources.get("r6")));
    assertEquals(15.0, allocation.getDouble(resources.get("r7")));
    assertEquals("EMERGENCY", status("r6"));
    await("the emergency to end", () -> status("r6").equals("ONLINE") && status("r7").equals("ONLINE"));
    await("the plan to be released", () -> vtn.call(GET, "/optimization/events/" + shortEvent + "/plans", utility, null)
        .bodyAsJsonArray().stream().anyMatch(p -> ((JsonObject) p).getString("status").equals("RELEASED")));
  }

  @Test
  @Order(8)
  void unknownOrUnplannableEventsAreClearProblems() {
    assertProblem(vtn.call(POST, "/optimization/events/nope/plan", utility, null), 404, "not-found");
    String untargeted = vtn.call(POST, V + "/events", utility, new JsonObject().put("programID", programId)
        .put("intervalPeriod", new JsonObject().put("start", Instant.now().plus(2, ChronoUnit.HOURS).toString())
            .put("duration", "PT1H")).put("intervals", new JsonArray().add(new JsonObject().put("id", 0)
            .put("payloads", new JsonArray().add(attr("SIMPLE", 1)))))).bodyAsJsonObject().getString("id");
    assertProblem(vtn.call(POST, "/optimization/events/" + untargeted + "/plan", utility, null), 409, "conflict");
    assertProblem(vtn.call(POST, "/optimization/plans/not-a-plan/accept", utility, null), 404, "not-found");
  }

  static Predicate<JsonObject> named(String name) {
    return e -> name.equals(e.getString("eventName"));
  }
}
