package io.loadshift.vtn;

import static io.loadshift.vtn.testing.ProblemAssert.assertProblem;
import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadshift.vtn.party.StellarAccount;
import io.loadshift.vtn.testing.TestVtn;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** VENs, resources and the DER fleet through the OpenADR 3.1 and fleet APIs, role by role. */
class RegistryTest {
  static final String V = "/openadr3/3.1.0";
  static TestVtn vtn;
  static String utility;
  static String aggregator;
  static String otherAggregator;

  @BeforeAll
  static void start() {
    vtn = TestVtn.start();
    utility = vtn.clientWithToken("utility", "Grid Co").getString("token");
    aggregator = vtn.clientWithToken("aggregator", "Fleet One").getString("token");
    otherAggregator = vtn.clientWithToken("aggregator", "Fleet Two").getString("token");
  }

  @AfterAll
  static void stop() {
    vtn.close();
  }

  @Test
  void aVenRegistersItselfAndOnlyItSeesItsObject() {
    JsonObject ven = vtn.clientWithToken("ven", "thermostat");
    String token = ven.getString("token");
    HttpResponse<Buffer> created = vtn.call(POST, V + "/vens", token,
        new JsonObject().put("objectType", "VEN_VEN_REQUEST").put("venName", "self-registered"));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    JsonObject body = created.bodyAsJsonObject();
    assertEquals("VEN", body.getString("objectType"));
    assertEquals(ven.getString("clientId"), body.getString("clientID"), "clientID comes from the token");
    assertNotNull(body.getString("createdDateTime"));
    String id = body.getString("id");
    assertEquals(V + "/vens/" + id, created.getHeader("Location"));

    assertEquals(200, vtn.call(GET, V + "/vens/" + id, token, null).statusCode());
    assertEquals(200, vtn.call(GET, V + "/vens/" + id, utility, null).statusCode(), "a utility reads all");
    JsonObject stranger = vtn.clientWithToken("ven", "someone else");
    assertProblem(vtn.call(GET, V + "/vens/" + id, stranger.getString("token"), null), 404, "not-found");
    assertProblem(vtn.call(GET, V + "/vens/" + id, aggregator, null), 404, "not-found");
    assertEquals(0, vtn.call(GET, V + "/vens", stranger.getString("token"), null).bodyAsJsonArray().size());

    // A VEN may not use the business-logic request, nor send a clientID of its choosing.
    assertProblem(vtn.call(POST, V + "/vens", token, new JsonObject().put("objectType", "BL_VEN_REQUEST")
        .put("venName", "sneaky").put("clientID", "victim")), 403, "forbidden");
  }

  @Test
  void aggregatorsSeeWhatTheyRegisteredAndOnlyUtilitiesSetTargets() {
    String id = createVen(aggregator, "agg-site-1", "agg-client-1", null);
    assertEquals(200, vtn.call(GET, V + "/vens/" + id, aggregator, null).statusCode());
    assertProblem(vtn.call(GET, V + "/vens/" + id, otherAggregator, null), 404, "not-found");
    assertProblem(vtn.call(PUT, V + "/vens/" + id, otherAggregator, blVen("taken-over", "agg-client-1")), 404, "not-found");

    assertProblem(vtn.call(POST, V + "/vens", aggregator, blVen("agg-site-2", "agg-client-2")
        .put("targets", new JsonArray().add("group-A"))), 403, "forbidden");
    assertProblem(vtn.call(POST, V + "/vens", aggregator, new JsonObject().put("objectType", "VEN_VEN_REQUEST")
        .put("venName", "agg-as-ven")), 403, "forbidden");

    HttpResponse<Buffer> targeted = vtn.call(PUT, V + "/vens/" + id, utility, blVen("agg-site-1", "agg-client-1")
        .put("targets", new JsonArray().add("group-A").add("feeder-12")));
    assertEquals(200, targeted.statusCode(), targeted.bodyAsString());
    assertEquals(List.of("group-A", "feeder-12"), targeted.bodyAsJsonObject().getJsonArray("targets").getList());
    // The aggregator updating its VEN keeps the utility's targets.
    HttpResponse<Buffer> renamed = vtn.call(PUT, V + "/vens/" + id, aggregator, blVen("agg-site-1b", "agg-client-1"));
    assertEquals(200, renamed.statusCode(), renamed.bodyAsString());
    assertEquals(2, renamed.bodyAsJsonObject().getJsonArray("targets").size());

    JsonArray byTarget = vtn.call(GET, V + "/vens?targets=feeder-12", utility, null).bodyAsJsonArray();
    assertEquals(Set.of(id), ids(byTarget));
  }

  @Test
  void badVenInputIsRefusedAndNothingIsStored() {
    createVen(aggregator, "unique-name", "c-unique", null);
    HttpResponse<Buffer> dup = vtn.call(POST, V + "/vens", aggregator, blVen("unique-name", "c-other"));
    assertTrue(assertProblem(dup, 409, "conflict").getString("detail").contains("venName"));

    String good = StellarAccount.encode(new byte[32]);
    char[] typo = good.toCharArray();
    typo[10] = typo[10] == 'A' ? 'B' : 'A';
    HttpResponse<Buffer> badAccount = vtn.call(POST, V + "/vens", aggregator, blVen("payee", "c-payee")
        .put("attributes", new JsonArray().add(attr("STELLAR_ACCOUNT", new String(typo)))));
    assertTrue(assertProblem(badAccount, 400, "validation-failed").getString("detail").contains("checksum"));
    assertProblem(vtn.call(POST, V + "/vens", aggregator, blVen("payee", "c-payee")
        .put("attributes", new JsonArray().add(attr("STELLAR_ACCOUNT", "not-an-account")))), 400, "validation-failed");
    assertProblem(vtn.call(POST, V + "/vens", aggregator, new JsonObject().put("objectType", "BL_VEN_REQUEST")
        .put("venName", "no-client")), 400, "validation-failed");
    assertProblem(vtn.call(POST, V + "/vens", aggregator, blVen("x", "y").put("color", "blue")), 400, "validation-failed");
    assertEquals(0, vtn.call(GET, V + "/vens?venName=payee", utility, null).bodyAsJsonArray().size(), "nothing stored");

    HttpResponse<Buffer> ok = vtn.call(POST, V + "/vens", aggregator, blVen("payee", "c-payee")
        .put("attributes", new JsonArray().add(attr("STELLAR_ACCOUNT", good))));
    assertEquals(201, ok.statusCode(), ok.bodyAsString());
  }

  @Test
  void resourcesCarryValidatedDerAttributes() {
    String ven = createVen(aggregator, "battery-site", "c-battery", null);
    HttpResponse<Buffer> created = vtn.call(POST, V + "/resources", aggregator, resource("batt-1", ven,
        attr("DER_TYPE", "BATTERY"), attr("CAPACITY_KW", 250), attr("ENERGY_CAPACITY_KWH", 500),
        attr("STATE_OF_CHARGE", 80), new JsonObject().put("type", "LOCATION").put("values", new JsonArray().add(40.57).add(-73.96)),
        attr("ZONE", "NYC"), attr("FEEDER", "F-12"), attr("BID_PRICE_PER_KW", 0.25), attr("MAX_POWER_EXPORT", 240)));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    JsonObject r = created.bodyAsJsonObject();
    assertEquals("RESOURCE", r.getString("objectType"));
    assertEquals("c-battery", r.getString("clientID"), "a resource carries its VEN's clientID");
    JsonArray attributes = r.getJsonArray("attributes");
    assertEquals(List.of("ONLINE"), value(attributes, "STATUS"), "a new resource starts ONLINE");
    assertEquals(List.of(240), value(attributes, "MAX_POWER_EXPORT"), "other attributes are kept as sent");

    JsonObject der = vtn.call(GET, "/fleet/ders/" + r.getString("id"), aggregator, null).bodyAsJsonObject();
    assertEquals("BATTERY", der.getString("derType"));
    assertEquals(250, der.getInteger("capacityKw"));
    assertEquals("0.2500000", der.getString("bidPricePerKw"), "money as an exact decimal");
    assertEquals(40.57, der.getJsonObject("location").getDouble("latitude"));
    assertEquals(1, der.getJsonArray("history").size());
  }

  @Test
  void badDerInputIsA400AndNothingIsStored() {
    String ven = createVen(aggregator, "bad-input-site", "c-bad", null);
    assertDerRefused(ven, "unknown DER_TYPE 'NUCLEAR'", attr("DER_TYPE", "NUCLEAR"), attr("CAPACITY_KW", 10));
    assertDerRefused(ven, "out of range for EV_CHARGER", attr("DER_TYPE", "EV_CHARGER"), attr("CAPACITY_KW", 5000));
    assertDerRefused(ven, "must be a number", attr("DER_TYPE", "SOLAR"), attr("CAPACITY_KW", "lots"));
    assertDerRefused(ven, "needs CAPACITY_KW", attr("DER_TYPE", "WIND"));
    assertDerRefused(ven, "needs ENERGY_CAPACITY_KWH", attr("DER_TYPE", "BATTERY"), attr("CAPACITY_KW", 10));
    assertDerRefused(ven, "STATE_OF_CHARGE", attr("DER_TYPE", "BATTERY"), attr("CAPACITY_KW", 10),
        attr("ENERGY_CAPACITY_KWH", 20), attr("STATE_OF_CHARGE", 140));
    assertDerRefused(ven, "LOCATION", attr("DER_TYPE", "SOLAR"), attr("CAPACITY_KW", 10),
        new JsonObject().put("type", "LOCATION").put("values", new JsonArray().add(123.0).add(5.0)));
    assertDerRefused(ven, "7 decimals", attr("DER_TYPE", "LOAD"), attr("CAPACITY_KW", 10), attr("BID_PRICE_PER_KW", 0.123456789));
    assertDerRefused(ven, "starts ONLINE", attr("DER_TYPE", "LOAD"), attr("CAPACITY_KW", 10), attr("STATUS", "OPTIMIZED"));
    assertEquals(0, vtn.call(GET, V + "/resources?venID=" + ven, utility, null).bodyAsJsonArray().size());
    assertEquals(0L, count("SELECT count(*) FROM audit_log WHERE object_type = 'resource' AND after->>'venID' = $1", ven));
    assertEquals(0L, count("SELECT count(*) FROM notifications WHERE ven_id = $1 AND object_type = 'RESOURCE'", ven));

    // A plain metered load needs no DER attributes at all.
    assertEquals(201, vtn.call(POST, V + "/resources", aggregator, resource("main-meter", ven)).statusCode());
    HttpResponse<Buffer> twin = vtn.call(POST, V + "/resources", aggregator, resource("main-meter", ven));
    assertTrue(assertProblem(twin, 409, "conflict").getString("detail").contains("resourceName"));
  }

  @Test
  void aVenCannotWriteUnderAnotherVen() {
    JsonObject a = vtn.clientWithToken("ven", "ven A");
    JsonObject b = vtn.clientWithToken("ven", "ven B");
    String venA = vtn.call(POST, V + "/vens", a.getString("token"), new JsonObject().put("objectType", "VEN_VEN_REQUEST")
        .put("venName", "ven-A")).bodyAsJsonObject().getString("id");
    HttpResponse<Buffer> intrusion = vtn.call(POST, V + "/resources", b.getString("token"),
        resource("planted", venA).put("objectType", "VEN_RESOURCE_REQUEST"));
    assertProblem(intrusion, 404, "not-found");
    HttpResponse<Buffer> own = vtn.call(POST, V + "/vens/" + venA + "/resources", a.getString("token"),
        new JsonObject().put("objectType", "VEN_RESOURCE_REQUEST").put("resourceName", "heat-pump")
            .put("attributes", new JsonArray().add(attr("DER_TYPE", "HEAT_PUMP")).add(attr("CAPACITY_KW", 7.5))));
    assertEquals(201, own.statusCode(), own.bodyAsString());
    String rid = own.bodyAsJsonObject().getString("id");
    assertProblem(vtn.call(GET, V + "/resources/" + rid, b.getString("token"), null), 404, "not-found");
    assertProblem(vtn.call(DELETE, V + "/resources/" + rid, b.getString("token"), null), 404, "not-found");
    assertEquals(Set.of(rid), ids(vtn.call(GET, V + "/vens/" + venA + "/resources", a.getString("token"), null).bodyAsJsonArray()));
    assertEquals(1, vtn.call(GET, V + "/resources", a.getString("token"), null).bodyAsJsonArray().size());
  }

  @Test
  void theStatusLifeCycleIsEnforcedAndRemembered() {
    String ven = createVen(aggregator, "lifecycle-site", "c-life", null);
    String id = vtn.call(POST, V + "/resources", aggregator, resource("ev-1", ven, attr("DER_TYPE", "EV_CHARGER"),
        attr("CAPACITY_KW", 11), attr("ENERGY_CAPACITY_KWH", 60))).bodyAsJsonObject().getString("id");

    assertEquals("OFFLINE", setStatus(aggregator, id, "OFFLINE", "charger fault").bodyAsJsonObject().getString("status"));
    JsonObject refused = assertProblem(setStatus(utility, id, "OPTIMIZED", null), 409, "invalid-status-transition");
    assertEquals(List.of("ONLINE", "MAINTENANCE"), refused.getJsonArray("allowed").getList());
    assertEquals(200, setStatus(aggregator, id, "ONLINE", "repaired").statusCode());
    assertProblem(setStatus(aggregator, id, "EMERGENCY", null), 409, "invalid-status-transition");
    assertProblem(setStatus(aggregator, id, "OPTIMIZED", null), 409, "invalid-status-transition");
    assertEquals(200, setStatus(utility, id, "EMERGENCY", "feeder 12 overload").statusCode());
    assertProblem(setStatus(aggregator, id, "ONLINE", null), 409, "invalid-status-transition");
    assertProblem(vtn.call(DELETE, V + "/resources/" + id, aggregator, null), 409, "conflict");
    assertEquals(200, setStatus(utility, id, "ONLINE", "emergency over").statusCode());
    assertEquals(200, setStatus(aggregator, id, "MAINTENANCE", "firmware").statusCode());

    JsonArray history = vtn.call(GET, "/fleet/ders/" + id, aggregator, null).bodyAsJsonObject().getJsonArray("history");
    List<String> statuses = history.stream().map(h -> ((JsonObject) h).getString("status")).collect(Collectors.toList());
    assertEquals(List.of("MAINTENANCE", "ONLINE", "EMERGENCY", "ONLINE", "OFFLINE", "ONLINE"), statuses);
    assertEquals("firmware", history.getJsonObject(0).getString("reason"));
    assertTrue(history.getJsonObject(0).getValue("until") == null, "the current interval is open");
    assertNotNull(history.getJsonObject(1).getString("until"));
    assertEquals(1L, count("SELECT count(*) FROM notifications WHERE object_id = $1 AND event = 'maintenance_recorded'", id));
    assertEquals(5L, count("SELECT count(*) FROM audit_log WHERE object_id = $1 AND action = 'resource.status_changed'", id));
    // STATUS in a 3.1 update goes through the same rules.
    JsonObject update = resource("ev-1", ven, attr("DER_TYPE", "EV_CHARGER"), attr("CAPACITY_KW", 11),
        attr("ENERGY_CAPACITY_KWH", 60), attr("STATUS", "OPTIMIZED"));
    assertProblem(vtn.call(PUT, V + "/resources/" + id, aggregator, update), 409, "invalid-status-transition");
  }

  @Test
  void listingFiltersByTypeStatusAndZoneAndPages() {
    String ven = createVen(utility, "filter-site", "c-filter", null);
    JsonArray items = new JsonArray();
    for (int i = 0; i < 30; i++) {
      String type = i % 3 == 0 ? "SOLAR" : "HEAT_PUMP";
      items.add(resource("f-" + i, ven, attr("DER_TYPE", type), attr("CAPACITY_KW", 5), attr("ZONE", i < 15 ? "north" : "south"),
          attr("STATUS", i % 2 == 0 ? "ONLINE" : "OFFLINE")));
    }
    assertEquals(201, vtn.call(POST, "/fleet/ders/bulk", utility, new JsonObject().put("resources", items)).statusCode());
    String q = V + "/resources?venID=" + ven + "&derType=HEAT_PUMP&status=OFFLINE";
    JsonArray all = vtn.call(GET, q + "&limit=50", utility, null).bodyAsJsonArray();
    assertEquals(10, all.size());
    JsonArray page1 = vtn.call(GET, q + "&limit=4", utility, null).bodyAsJsonArray();
    JsonArray page3 = vtn.call(GET, q + "&skip=8&limit=4", utility, null).bodyAsJsonArray();
    assertEquals(4, page1.size());
    assertEquals(2, page3.size());
    assertEquals(all.getJsonObject(8).getString("id"), page3.getJsonObject(0).getString("id"), "pages follow one order");
    // South is items 15..29; the even ones are ONLINE: 16, 18, ..., 28.
    assertEquals(7, vtn.call(GET, V + "/resources?venID=" + ven + "&zone=south&status=ONLINE", utility, null)
        .bodyAsJsonArray().size(), "zone filter");
    assertProblem(vtn.call(GET, V + "/resources?limit=51", utility, null), 400, "validation-failed");
    assertProblem(vtn.call(GET, V + "/resources?derType=COAL", utility, null), 400, "validation-failed");
  }

  @Test
  void bulkRegistrationStoresAllOrNothing() {
    String ven = createVen(aggregator, "bulk-site", "c-bulk", null);
    JsonArray items = new JsonArray();
    for (int i = 0; i < 500; i++) {
      items.add(resource("pv-" + i, ven, attr("DER_TYPE", "SOLAR"), attr("CAPACITY_KW", 4 + i % 5)));
    }
    JsonArray broken = items.copy();
    broken.set(7, resource("pv-7", ven, attr("DER_TYPE", "SOLAR"), attr("CAPACITY_KW", -1)));
    broken.set(300, resource("pv-300", "no-such-ven", attr("DER_TYPE", "SOLAR"), attr("CAPACITY_KW", 4)));
    broken.set(301, resource("pv-1", ven, attr("DER_TYPE", "SOLAR"), attr("CAPACITY_KW", 4)));
    JsonObject refused = assertProblem(vtn.call(POST, "/fleet/ders/bulk", aggregator, new JsonObject().put("resources", broken)),
        422, "bulk-rejected");
    assertEquals(3, refused.getInteger("errorCount"), refused.encode());
    assertEquals(List.of(7, 300, 301), refused.getJsonArray("errors").stream()
        .map(e -> ((JsonObject) e).getInteger("index")).collect(Collectors.toList()));
    assertEquals(0L, count("SELECT count(*) FROM resources WHERE ven_id = $1", ven), "nothing stored");

    HttpResponse<Buffer> ok = vtn.call(POST, "/fleet/ders/bulk", aggregator, new JsonObject().put("resources", items));
    assertEquals(201, ok.statusCode(), ok.bodyAsString());
    assertEquals(500, ok.bodyAsJsonObject().getInteger("created"));
    assertEquals(500L, count("SELECT count(*) FROM resources WHERE ven_id = $1", ven));
    assertEquals(500L, count("SELECT count(*) FROM resource_status_history h JOIN resources r ON r.id = h.resource_id "
        + "WHERE r.ven_id = $1", ven));
    assertEquals(500L, count("SELECT count(*) FROM notifications WHERE ven_id = $1 AND event = 'der_registered'", ven));
    assertEquals(500L, count("SELECT count(*) FROM audit_log WHERE action = 'resource.created' AND after->>'venID' = $1", ven));
    assertProblem(vtn.call(POST, "/fleet/ders/bulk", otherAggregator, new JsonObject().put("resources",
        new JsonArray().add(resource("x", ven, attr("DER_TYPE", "SOLAR"), attr("CAPACITY_KW", 4))))), 422, "bulk-rejected");
  }

  @Test
  void fleetStatsCountCapacityAndAvailability() {
    JsonObject agg = vtn.clientWithToken("aggregator", "stats fleet");
    String token = agg.getString("token");
    String ven = createVen(token, "stats-site", "c-stats", null);
    vtn.call(POST, "/fleet/ders/bulk", token, new JsonArray()
        .add(resource("s1", ven, attr("DER_TYPE", "SOLAR"), attr("CAPACITY_KW", 100), attr("ZONE", "east")))
        .add(resource("s2", ven, attr("DER_TYPE", "SOLAR"), attr("CAPACITY_KW", 50), attr("ZONE", "west")))
        .add(resource("b1", ven, attr("DER_TYPE", "BATTERY"), attr("CAPACITY_KW", 200), attr("ENERGY_CAPACITY_KWH", 400),
            attr("ZONE", "east"), attr("STATUS", "MAINTENANCE"))));
    JsonObject stats = vtn.call(GET, "/fleet/stats", token, null).bodyAsJsonObject();
    assertEquals(3, stats.getJsonObject("total").getInteger("count"));
    assertEquals(350, stats.getJsonObject("total").getInteger("capacityKw"));
    assertEquals(150, stats.getJsonObject("availableNow").getInteger("capacityKw"), "the battery is in maintenance");
    assertEquals(new JsonObject().put("count", 2).put("capacityKw", 150).put("derType", "SOLAR"),
        find(stats.getJsonArray("byType"), "derType", "SOLAR"));
    assertEquals(300, find(stats.getJsonArray("byZone"), "zone", "east").getInteger("capacityKw"));
    double availability = stats.getJsonObject("window").getDouble("availability");
    assertTrue(availability > 0.6 && availability < 0.7, "two of three DERs available the whole time: " + availability);
    assertProblem(vtn.call(GET, "/fleet/stats", vtn.clientWithToken("ven", "v").getString("token"), null), 403, "forbidden");
  }

  @Test
  void deletingAVenRemovesItsResourcesAndIsAudited() {
    String ven = createVen(aggregator, "short-lived", "c-short", null);
    String rid = vtn.call(POST, V + "/resources", aggregator, resource("r", ven, attr("DER_TYPE", "LOAD"),
        attr("CAPACITY_KW", 3))).bodyAsJsonObject().getString("id");
    assertEquals(200, vtn.call(DELETE, V + "/vens/" + ven, aggregator, null).statusCode());
    assertProblem(vtn.call(GET, V + "/resources/" + rid, aggregator, null), 404, "not-found");
    assertEquals(1L, count("SELECT count(*) FROM audit_log WHERE object_id = $1 AND action = 'ven.deleted'", ven));
    assertEquals(1L, count("SELECT count(*) FROM audit_log WHERE object_id = $1 AND action = 'resource.deleted'", rid));
    assertEquals(1L, count("SELECT count(*) FROM notifications WHERE object_id = $1 AND event = 'der_deleted'", rid));
    assertEquals(0L, count("SELECT count(*) FROM resource_status_history WHERE resource_id = $1 AND until IS NULL", rid));

    // A VEN whose resource is dispatched stays until the resource is released.
    String busy = createVen(aggregator, "busy-site", "c-busy", null);
    String dispatched = vtn.call(POST, V + "/resources", aggregator, resource("r", busy, attr("DER_TYPE", "LOAD"),
        attr("CAPACITY_KW", 3))).bodyAsJsonObject().getString("id");
    assertEquals(200, setStatus(utility, dispatched, "OPTIMIZED", "dispatch").statusCode());
    assertProblem(vtn.call(DELETE, V + "/vens/" + busy, aggregator, null), 409, "conflict");
    assertEquals(200, vtn.call(GET, V + "/resources/" + dispatched, aggregator, null).statusCode());
  }

  // --- helpers ---

  static String createVen(String token, String name, String clientId, JsonArray targets) {
    JsonObject body = blVen(name, clientId);
    if (targets != null) {
      body.put("targets", targets);
    }
    HttpResponse<Buffer> r = vtn.call(POST, V + "/vens", token, body);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  static JsonObject blVen(String name, String clientId) {
    return new JsonObject().put("objectType", "BL_VEN_REQUEST").put("venName", name).put("clientID", clientId);
  }

  static JsonObject resource(String name, String venId, JsonObject... attributes) {
    JsonArray a = new JsonArray();
    for (JsonObject x : attributes) {
      a.add(x);
    }
    return new JsonObject().put("objectType", "BL_RESOURCE_REQUEST").put("resourceName", name).put("venID", venId)
        .put("attributes", a);
  }

  static JsonObject attr(String type, Object value) {
    return new JsonObject().put("type", type).put("values", new JsonArray().add(value));
  }

  static List<Object> value(JsonArray attributes, String type) {
    return attributes.stream().map(o -> (JsonObject) o).filter(o -> type.equals(o.getString("type")))
        .findFirst().map(o -> o.getJsonArray("values").getList()).orElse(null);
  }

  static JsonObject find(JsonArray rows, String key, String value) {
    return rows.stream().map(o -> (JsonObject) o).filter(o -> value.equals(o.getString(key))).findFirst().orElseThrow();
  }

  static Set<String> ids(JsonArray objects) {
    return objects.stream().map(o -> ((JsonObject) o).getString("id")).collect(Collectors.toSet());
  }

  static HttpResponse<Buffer> setStatus(String token, String id, String status, String reason) {
    return vtn.call(PUT, "/fleet/ders/" + id + "/status", token, new JsonObject().put("status", status).put("reason", reason));
  }

  static void assertDerRefused(String ven, String expected, JsonObject... attributes) {
    HttpResponse<Buffer> r = vtn.call(POST, V + "/resources", aggregator, resource("refused", ven, attributes));
    String detail = assertProblem(r, 400, r.bodyAsJsonObject().getString("type").endsWith("validation-failed")
        ? "validation-failed" : "invalid-der-attributes").getString("detail");
    assertTrue(detail.contains(expected), detail);
  }

  static long count(String sql, String param) {
    return TestVtn.await(vtn.app.pool().preparedQuery(sql).execute(Tuple.of(param))).iterator().next().getLong(0);
  }
}
