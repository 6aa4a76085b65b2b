package io.loadshift.vtn;

import static io.loadshift.vtn.testing.ProblemAssert.assertProblem;
import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadshift.vtn.testing.TestVtn;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Programs and events through OpenADR 3.1: validation, targeting, privacy, status, cancellation. */
class EventsTest {
  static final String V = "/openadr3/3.1.0";
  static TestVtn vtn;
  static String utility;
  static String programId;
  static JsonObject venA;
  static JsonObject venB;

  @BeforeAll
  static void start() {
    vtn = TestVtn.start();
    utility = vtn.clientWithToken("utility", "Grid Co").getString("token");
    programId = createProgram("summer-peak").getString("id");
    venA = vtn.clientWithToken("ven", "ven A");
    venB = vtn.clientWithToken("ven", "ven B");
    String a = registerVen(venA, "site-a");
    registerVen(venB, "site-b");
    // The utility puts site A in group-1.
    HttpResponse<Buffer> grant = vtn.call(PUT, V + "/vens/" + a, utility, new JsonObject().put("objectType", "BL_VEN_REQUEST")
        .put("venName", "site-a").put("clientID", venA.getString("clientId")).put("targets", new JsonArray().add("group-1")));
    assertEquals(200, grant.statusCode(), grant.bodyAsString());
  }

  @AfterAll
  static void stop() {
    vtn.close();
  }

  @Test
  void programsCarrySettlementRulesAndRefuseBadOnes() {
    JsonObject p = createProgram("rules-ok");
    assertEquals(List.of("HIGH_5_OF_10"), find(p.getJsonArray("attributes"), "BASELINE_METHOD"));
    JsonObject bad = program("rules-bad");
    bad.getJsonArray("attributes").add(attr("BASELINE_METHOD", "GUESS")).add(attr("REWARD_ASSET", "USDC:GNOTANISSUER"));
    bad.put("attributes", new JsonArray().add(attr("BASELINE_METHOD", "GUESS")).add(attr("REWARD_ASSET", "USDC:GNOTANISSUER"))
        .add(attr("REWARD_PER_KW", -1)));
    JsonObject problem = assertProblem(vtn.call(POST, V + "/programs", utility, bad), 400, "invalid-program");
    assertEquals(3, problem.getJsonArray("errors").size(), problem.encode());
    assertProblem(vtn.call(POST, V + "/programs", utility, program("rules-ok")), 409, "conflict");
    assertProblem(vtn.call(POST, V + "/programs", venA.getString("token"), program("ven-made")), 403, "insufficient-scope");
    assertEquals(0, vtn.call(GET, V + "/programs", utility, null).bodyAsJsonArray().stream()
        .filter(o -> ((JsonObject) o).getString("programName").equals("rules-bad")).count());
  }

  @Test
  void anEventHasAWindowATargetAndAStatus() {
    Instant start = Instant.now().plus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
    JsonObject e = createEvent(event(start, "PT30M", List.of()).put("eventName", "peak-1").put("priority", 1));
    JsonObject ext = e.getJsonObject("loadshift");
    assertEquals("scheduled", ext.getString("status"));
    assertEquals(start.toString(), ext.getString("startsAt"));
    assertEquals(start.plus(60, ChronoUnit.MINUTES).toString(), ext.getString("endsAt"), "two 30-minute intervals");
    assertEquals(5000, ext.getInteger("targetReductionKw"), "the largest interval target");
    assertEquals("0.7500000", ext.getString("rewardPerKw"));
    assertEquals(0, ext.getInteger("modificationNumber"));

    JsonObject update = event(start, "PT45M", List.of()).put("eventName", "peak-1 longer");
    HttpResponse<Buffer> updated = vtn.call(PUT, V + "/events/" + e.getString("id"), utility, update);
    assertEquals(200, updated.statusCode(), updated.bodyAsString());
    assertEquals(1, updated.bodyAsJsonObject().getJsonObject("loadshift").getInteger("modificationNumber"));

    JsonObject now = createEvent(event(Instant.now().minus(10, ChronoUnit.MINUTES), "PT1H", List.of()));
    assertEquals("active", now.getJsonObject("loadshift").getString("status"));
  }

  @Test
  void badEventsAre400sAndNothingIsStored() {
    long before = count();
    Instant start = Instant.now().plus(1, ChronoUnit.DAYS);
    assertInvalid(event(start, "-PT1H", List.of()), "must not be negative");
    assertInvalid(event(start, "1 hour", List.of()), "ISO 8601 duration");
    assertInvalid(event(start, "P999999999999M", List.of()), "longer than any event");
    JsonObject badDate = event(start, "PT1H", List.of());
    badDate.getJsonObject("intervalPeriod").put("start", "next tuesday");
    assertInvalid(badDate, "RFC 3339");
    JsonObject negative = event(start, "PT1H", List.of());
    negative.getJsonArray("intervals").getJsonObject(0).put("payloads", new JsonArray().add(attr("TARGET_REDUCTION_KW", -50)));
    assertInvalid(negative, "TARGET_REDUCTION_KW");
    JsonObject oldTargets = event(start, "PT1H", List.of());
    oldTargets.put("targets", new JsonArray().add(new JsonObject().put("type", "VEN_NAME").put("values", new JsonArray().add("x"))));
    assertInvalid(oldTargets, "targets are strings");
    JsonObject simple = event(start, "PT1H", List.of());
    simple.getJsonArray("intervals").getJsonObject(0).put("payloads", new JsonArray().add(attr("SIMPLE", 7)));
    assertInvalid(simple, "SIMPLE");
    assertProblem(vtn.call(POST, V + "/events", utility, event(start, "PT1H", List.of()).put("programID", "nope")), 422,
        "unprocessable");
    assertProblem(vtn.call(POST, V + "/events", utility, event(start, "PT1H", List.of()).put("colour", "red")), 400,
        "invalid-event");
    assertProblem(vtn.call(POST, V + "/events", venA.getString("token"), event(start, "PT1H", List.of())), 403,
        "insufficient-scope");
    assertEquals(before, count(), "nothing stored");
  }

  @Test
  void venReadOnlyWhatTargetsThemWithTargetHiding() {
    Instant start = Instant.now().plus(3, ChronoUnit.HOURS);
    String grouped = createEvent(event(start, "PT1H", List.of("group-1", "group-9"))).getString("id");
    // B names itself after a target it was never given: that must not let it in.
    String byName = createEvent(event(start, "PT1H", List.of("site-b"))).getString("id");
    String everyone = createEvent(event(start, "PT1H", List.of())).getString("id");
    String a = venA.getString("token");
    String b = venB.getString("token");
    WebhookAwait.until(() -> ids(vtn.call(GET, V + "/events?limit=50", a, null)).contains(grouped), "A sees its event");

    Set<String> seenByA = ids(vtn.call(GET, V + "/events?limit=50", a, null));
    assertTrue(seenByA.containsAll(Set.of(grouped, everyone)));
    assertTrue(!seenByA.contains(byName));
    Set<String> seenByB = ids(vtn.call(GET, V + "/events?limit=50", b, null));
    assertTrue(seenByB.contains(everyone));
    assertTrue(!seenByB.contains(byName), "a venName a VEN chose itself is not a target");
    assertTrue(!seenByB.contains(grouped));

    JsonObject asA = vtn.call(GET, V + "/events/" + grouped, a, null).bodyAsJsonObject();
    assertEquals(List.of("group-1"), asA.getJsonArray("targets").getList(), "targets A was not given are hidden");
    assertTrue(!asA.containsKey("loadshift"), "VENs get plain 3.1 objects");
    assertProblem(vtn.call(GET, V + "/events/" + grouped, b, null), 404, "not-found");
    assertEquals(List.of("group-1", "group-9"),
        vtn.call(GET, V + "/events/" + grouped, utility, null).bodyAsJsonObject().getJsonArray("targets").getList());
    JsonObject totals = vtn.call(GET, V + "/events/" + grouped, utility, null).bodyAsJsonObject()
        .getJsonObject("loadshift").getJsonObject("totals");
    assertEquals(1, totals.getInteger("targetedVens"));
    assertEquals(Set.of(), ids(vtn.call(GET, V + "/events?targets=group-9", a, null)), "query targets narrow, never widen");
    assertEquals(Set.of(grouped), ids(vtn.call(GET, V + "/events?targets=group-1", a, null)));
  }

  @Test
  void cancellingKeepsTheRecordAndHidesItFromVens() {
    String id = createEvent(event(Instant.now().plus(5, ChronoUnit.HOURS), "PT1H", List.of())).getString("id");
    String a = venA.getString("token");
    WebhookAwait.until(() -> vtn.call(GET, V + "/events/" + id, a, null).statusCode() == 200, "A sees the event");
    HttpResponse<Buffer> cancelled = vtn.call(DELETE, V + "/events/" + id, utility, null);
    assertEquals(200, cancelled.statusCode());
    assertEquals("cancelled", cancelled.bodyAsJsonObject().getJsonObject("loadshift").getString("status"));
    WebhookAwait.until(() -> vtn.call(GET, V + "/events/" + id, a, null).statusCode() == 404, "A no longer sees it");
    assertEquals("cancelled", vtn.call(GET, V + "/events/" + id, utility, null).bodyAsJsonObject()
        .getJsonObject("loadshift").getString("status"), "the record stays");
    assertEquals(200, vtn.call(DELETE, V + "/events/" + id, utility, null).statusCode(), "cancelling twice is harmless");
    assertProblem(vtn.call(PUT, V + "/events/" + id, utility, event(Instant.now().plus(6, ChronoUnit.HOURS), "PT1H", List.of())),
        409, "conflict");
    assertProblem(vtn.call(DELETE, V + "/programs/" + programId, utility, null), 409, "conflict");
  }

  @Test
  void eventsRecordedAfterTheFactAreNeverSentToVens() {
    Instant lastWeek = Instant.now().minus(7, ChronoUnit.DAYS);
    JsonObject past = createEvent(event(lastWeek, "PT1H", List.of()));
    assertEquals(true, past.getJsonObject("loadshift").getBoolean("historical"));
    assertEquals("completed", past.getJsonObject("loadshift").getString("status"));
    String marker = createEvent(event(Instant.now().plus(9, ChronoUnit.HOURS), "PT1H", List.of())).getString("id");
    WebhookAwait.until(() -> ids(vtn.call(GET, V + "/events?limit=50", venA.getString("token"), null)).contains(marker),
        "the later event arrives");
    assertTrue(!ids(vtn.call(GET, V + "/events?limit=50", venA.getString("token"), null)).contains(past.getString("id")));
  }

  // --- helpers ---

  static JsonObject program(String name) {
    return new JsonObject().put("programName", name).put("attributes", new JsonArray()
        .add(attr("BASELINE_METHOD", "HIGH_5_OF_10")).add(attr("REWARD_PER_KW", 0.5)).add(attr("REWARD_ASSET", "native"))
        .add(attr("MIN_REDUCTION_KW", 1)));
  }

  static JsonObject createProgram(String name) {
    HttpResponse<Buffer> r = vtn.call(POST, V + "/programs", utility, program(name));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static JsonObject event(Instant start, String duration, List<String> targets) {
    return new JsonObject().put("programID", programId).put("targets", new JsonArray(targets))
        .put("intervalPeriod", new JsonObject().put("start", start.toString()).put("duration", duration))
        .put("intervals", new JsonArray()
            .add(new JsonObject().put("id", 0).put("payloads", new JsonArray().add(attr("TARGET_REDUCTION_KW", 5000))
                .add(attr("REWARD_PER_KW", 0.75)).add(attr("SIMPLE", 2))))
            .add(new JsonObject().put("id", 1).put("payloads", new JsonArray().add(attr("TARGET_REDUCTION_KW", 3000)))));
  }

  static JsonObject createEvent(JsonObject body) {
    HttpResponse<Buffer> r = vtn.call(POST, V + "/events", utility, body);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static String registerVen(JsonObject client, String name) {
    HttpResponse<Buffer> r = vtn.call(POST, V + "/vens", client.getString("token"),
        new JsonObject().put("objectType", "VEN_VEN_REQUEST").put("venName", name));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  static void assertInvalid(JsonObject body, String expected) {
    JsonObject p = assertProblem(vtn.call(POST, V + "/events", utility, body), 400, "invalid-event");
    assertTrue(p.getString("detail").contains(expected), p.getString("detail"));
  }

  static JsonObject attr(String type, Object value) {
    return new JsonObject().put("type", type).put("values", new JsonArray().add(value));
  }

  static List<Object> find(JsonArray attributes, String type) {
    return attributes.stream().map(o -> (JsonObject) o).filter(o -> type.equals(o.getString("type"))).findFirst()
        .map(o -> o.getJsonArray("values").getList()).orElse(null);
  }

  static Set<String> ids(HttpResponse<Buffer> r) {
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonArray().stream().map(o -> ((JsonObject) o).getString("id")).collect(Collectors.toSet());
  }

  static long count() {
    return TestVtn.await(vtn.app.pool().query("SELECT count(*) FROM events").execute()).iterator().next().getLong(0);
  }

  /** Polling for what travels by NOTIFY. */
  static final class WebhookAwait {
    static void until(java.util.function.BooleanSupplier c, String what) {
      io.loadshift.vtn.testing.WebhookReceiver.eventually(c, 3000, what);
    }
  }
}
