package io.loadshift.vtn;

import static io.loadshift.vtn.testing.ProblemAssert.assertProblem;
import static io.loadshift.vtn.testing.WebhookReceiver.eventually;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadshift.vtn.platform.config.DbUri;
import io.loadshift.vtn.platform.http.Problem;
import io.loadshift.vtn.subscription.CallbackPolicy;
import io.loadshift.vtn.testing.TestVtn;
import io.loadshift.vtn.testing.WebhookReceiver;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Subscriptions and durable webhook delivery: who gets what, in order, retried, dead-lettered, once. */
class WebhooksTest {
  static final String V = "/openadr3/3.1.0";
  static final Map<String, String> WEBHOOK_ENV = Map.of(
      "VTN_WEBHOOK_HTTPS_ONLY", "false",
      "VTN_WEBHOOK_ALLOW_PRIVATE", "true",
      "VTN_WEBHOOK_RETRY_BASE_MS", "50",
      "VTN_WEBHOOK_RETRY_MAX_MS", "200",
      "VTN_WEBHOOK_MAX_ATTEMPTS", "3",
      "VTN_WEBHOOK_TIMEOUT_MS", "2000");
  static TestVtn vtn;
  static WebhookReceiver receiver;
  static String utility;
  static String programId;

  @BeforeAll
  static void start() {
    vtn = TestVtn.start(WEBHOOK_ENV);
    receiver = new WebhookReceiver();
    utility = vtn.clientWithToken("utility", "Grid Co").getString("token");
    programId = vtn.call(POST, V + "/programs", utility, new JsonObject().put("programName", "p"))
        .bodyAsJsonObject().getString("id");
  }

  @AfterAll
  static void stop() {
    receiver.close();
    vtn.close();
  }

  @Test
  void aVenGetsTheEventsMeantForItInOrderWithItsBearerToken() {
    JsonObject a = ven("hook-a", List.of("north"));
    JsonObject b = ven("hook-b", List.of("south"));
    subscribe(a.getString("token"), "a", "EVENT", "secret-a");
    subscribe(b.getString("token"), "b", "EVENT", null);

    List<String> north = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      north.add(event(List.of("north", "secret-group")));
    }
    String south = event(List.of("south"));
    String all = event(List.of());
    eventually(() -> receiver.calls("a").size() >= 11 && receiver.calls("b").size() >= 2, 5000, "deliveries");

    List<WebhookReceiver.Call> toA = receiver.calls("a");
    List<String> order = toA.stream().map(c -> c.body().getJsonObject("object").getString("id")).toList();
    List<String> expected = new ArrayList<>(north);
    expected.add(all);
    assertEquals(expected, order, "every event meant for A, in the order they were issued, and no other");
    WebhookReceiver.Call first = toA.get(0);
    assertEquals("Bearer secret-a", first.authorization());
    assertEquals("EVENT", first.body().getString("objectType"));
    assertEquals("CREATE", first.body().getString("operation"));
    assertEquals(List.of("north"), first.body().getJsonObject("object").getJsonArray("targets").getList(),
        "targets A was not given are hidden in notifications too");
    assertEquals(List.of(south, all), receiver.calls("b").stream()
        .map(c -> c.body().getJsonObject("object").getString("id")).toList());
    assertEquals(null, receiver.calls("b").get(0).authorization());
  }

  @Test
  void failedDeliveriesAreRetriedAndFinallyDeadLettered() {
    JsonObject flaky = ven("hook-flaky", List.of());
    JsonObject broken = ven("hook-broken", List.of());
    receiver.failNext("flaky", 2);
    receiver.failAlways("broken", true);
    subscribe(flaky.getString("token"), "flaky", "EVENT", null);
    String brokenSub = subscribe(broken.getString("token"), "broken", "EVENT", null);
    String id = event(List.of());
    eventually(() -> receiver.calls("flaky").stream().anyMatch(c -> id.equals(c.body().getJsonObject("object").getString("id"))),
        5000, "the flaky receiver gets it on the third attempt");

    String token = broken.getString("token");
    eventually(() -> vtn.call(GET, "/webhooks/deliveries?status=DEAD", token, null).bodyAsJsonArray().size() == 1, 5000,
        "a dead delivery");
    JsonObject dead = vtn.call(GET, "/webhooks/deliveries?status=DEAD", token, null).bodyAsJsonArray().getJsonObject(0);
    assertEquals(brokenSub, dead.getString("subscriptionID"));
    assertEquals(3, dead.getInteger("attempts"));
    assertEquals("HTTP 503", dead.getString("lastError"));
    assertEquals(0, vtn.call(GET, "/webhooks/deliveries?status=DEAD", flaky.getString("token"), null).bodyAsJsonArray().size(),
        "each subscriber sees only its own deliveries");

    receiver.failAlways("broken", false);
    assertEquals(202, vtn.call(POST, "/webhooks/deliveries/" + dead.getLong("id") + "/retry", token, null).statusCode());
    eventually(() -> receiver.calls("broken").size() == 1, 5000, "the retried delivery arrives");
    assertProblem(vtn.call(POST, "/webhooks/deliveries/" + dead.getLong("id") + "/retry", token, null), 404, "not-found");
  }

  @Test
  void registryChangesReachTheirOwnersSubscriptions() {
    JsonObject v = vtn.clientWithToken("ven", "registry watcher");
    String venId = vtn.call(POST, V + "/vens", v.getString("token"), new JsonObject().put("objectType", "VEN_VEN_REQUEST")
        .put("venName", "watcher")).bodyAsJsonObject().getString("id");
    subscribe(v.getString("token"), "registry", "RESOURCE", null);
    HttpResponse<Buffer> r = vtn.call(POST, V + "/resources", v.getString("token"), new JsonObject()
        .put("objectType", "VEN_RESOURCE_REQUEST").put("resourceName", "meter").put("venID", venId));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject other = vtn.clientWithToken("ven", "other");
    String otherVen = vtn.call(POST, V + "/vens", other.getString("token"), new JsonObject()
        .put("objectType", "VEN_VEN_REQUEST").put("venName", "other-site")).bodyAsJsonObject().getString("id");
    vtn.call(POST, V + "/resources", other.getString("token"), new JsonObject()
        .put("objectType", "VEN_RESOURCE_REQUEST").put("resourceName", "meter").put("venID", otherVen));
    eventually(() -> receiver.calls("registry").size() >= 1, 5000, "the resource notification");
    String firstEvent = event(List.of());
    eventually(() -> notified(firstEvent), 5000, "later notifications have been dispatched");
    assertEquals(1, receiver.calls("registry").size(), "only its own resource, not the other VEN's");
    assertEquals("RESOURCE", receiver.calls("registry").get(0).body().getString("objectType"));
  }

  @Test
  void anAggregatorHearsOfItsOwnVensEvenWhenTheyAreDeleted() {
    JsonObject agg = vtn.clientWithToken("aggregator", "fleet owner");
    String token = agg.getString("token");
    HttpResponse<Buffer> sub = vtn.call(POST, V + "/subscriptions", token, new JsonObject().put("clientName", "fleet")
        .put("objectOperations", new JsonArray().add(new JsonObject().put("objects", new JsonArray().add("VEN"))
            .put("operations", new JsonArray().add("CREATE").add("DELETE")).put("callbackUrl", receiver.url("fleet")))));
    assertEquals(201, sub.statusCode(), sub.bodyAsString());
    String venId = vtn.call(POST, V + "/vens", token, new JsonObject().put("objectType", "BL_VEN_REQUEST")
        .put("venName", "short-lived-site").put("clientID", "short-lived-client")).bodyAsJsonObject().getString("id");
    vtn.call(POST, V + "/vens", utility, new JsonObject().put("objectType", "BL_VEN_REQUEST")
        .put("venName", "someone-elses-site").put("clientID", "other-client"));
    assertEquals(200, vtn.call(io.vertx.core.http.HttpMethod.DELETE, V + "/vens/" + venId, token, null).statusCode());
    eventually(() -> receiver.calls("fleet").size() >= 2, 5000, "create and delete notifications");
    String marker = event(List.of());
    eventually(() -> notified(marker), 5000, "later notifications dispatched");
    assertEquals(List.of("CREATE", "DELETE"), receiver.calls("fleet").stream().map(c -> c.body().getString("operation")).toList(),
        "its own VEN's creation and deletion, not the other VEN");
  }

  @Test
  void badSubscriptionsAreRefused() {
    JsonObject v = vtn.clientWithToken("ven", "bad subscriber");
    String t = v.getString("token");
    JsonObject base = new JsonObject().put("clientName", "x").put("objectOperations", new JsonArray().add(new JsonObject()
        .put("objects", new JsonArray().add("EVENT")).put("operations", new JsonArray().add("CREATE"))
        .put("callbackUrl", "ftp://example.com/hook")));
    assertProblem(vtn.call(POST, V + "/subscriptions", t, base), 400, "validation-failed");
    base.getJsonArray("objectOperations").getJsonObject(0).put("callbackUrl", receiver.url("x")).put("operations",
        new JsonArray().add("POST"));
    assertProblem(vtn.call(POST, V + "/subscriptions", t, base), 400, "validation-failed");
    base.getJsonArray("objectOperations").getJsonObject(0).put("operations", new JsonArray().add("CREATE"))
        .put("callbackUrl", "http://127.0.0.1:1/nothing-listens-here");
    assertTrue(assertProblem(vtn.call(POST, V + "/subscriptions", t, base), 400, "validation-failed")
        .getString("detail").contains("echo"));
    assertEquals(0, vtn.call(GET, V + "/subscriptions", t, null).bodyAsJsonArray().size(), "nothing stored");
  }

  @Test
  void callbackPolicyRefusesInternalAddressesAndPlainHttpByDefault() {
    CallbackPolicy strict = new CallbackPolicy(true, false);
    assertThrows(Problem.class, () -> strict.check("http://example.com/hook"), "https only");
    for (String internal : List.of("https://127.0.0.1/h", "https://10.1.2.3/h", "https://192.168.0.10/h",
        "https://169.254.169.254/latest/meta-data", "https://[::1]/h", "https://[fd00::1]/h", "https://0.0.0.0/h",
        "https://localhost/h")) {
      assertThrows(Problem.class, () -> strict.check(internal), internal);
    }
    assertThrows(Problem.class, () -> strict.check("https://user:pw@8.8.8.8/h"));
    strict.check("https://8.8.8.8/hook");
    new CallbackPolicy(false, true).check("http://127.0.0.1:9/h");
  }

  @Test
  void twoInstancesServeNewEventsAtOnceAndDeliverEachWebhookOnce() throws Exception {
    DbUri db = vtn.db;
    try (TestVtn second = TestVtn.startOn(db, WEBHOOK_ENV)) {
      JsonObject v = ven("twin", List.of("twin-group"));
      subscribe(v.getString("token"), "twin", "EVENT", null);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        ids.add(event(List.of("twin-group")));
      }
      String last = ids.get(ids.size() - 1);
      long start = System.nanoTime();
      eventually(() -> second.call(GET, V + "/events/" + last, v.getString("token"), null).statusCode() == 200, 1000,
          "the second instance serves an event created through the first within a second");
      assertTrue(System.nanoTime() - start < 1_000_000_000L);
      eventually(() -> receiver.calls("twin").size() >= 30, 10_000, "30 deliveries");
      Thread.sleep(300);
      Map<String, Long> perEvent = receiver.calls("twin").stream()
          .collect(Collectors.groupingBy(c -> c.body().getJsonObject("object").getString("id"), Collectors.counting()));
      assertEquals(30, perEvent.size());
      assertTrue(perEvent.values().stream().allMatch(n -> n == 1), "each webhook delivered once: " + perEvent);
      assertEquals(ids, receiver.calls("twin").stream().map(c -> c.body().getJsonObject("object").getString("id")).toList(),
          "in order, although two instances send");
    }
  }

  // --- helpers ---

  static JsonObject ven(String name, List<String> targets) {
    JsonObject client = vtn.clientWithToken("ven", name);
    HttpResponse<Buffer> r = vtn.call(POST, V + "/vens", utility, new JsonObject().put("objectType", "BL_VEN_REQUEST")
        .put("venName", name).put("clientID", client.getString("clientId")).put("targets", new JsonArray(targets)));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return client;
  }

  static String subscribe(String token, String hook, String object, String bearer) {
    HttpResponse<Buffer> r = vtn.call(POST, V + "/subscriptions", token, new JsonObject().put("clientName", hook)
        .put("objectOperations", new JsonArray().add(new JsonObject().put("objects", new JsonArray().add(object))
            .put("operations", new JsonArray().add("CREATE").add("UPDATE").add("DELETE"))
            .put("callbackUrl", receiver.url(hook)).put("bearerToken", bearer))));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject s = r.bodyAsJsonObject();
    assertNotNull(s.getString("clientID"));
    return s.getString("id");
  }

  static String event(List<String> targets) {
    HttpResponse<Buffer> r = vtn.call(POST, V + "/events", utility, new JsonObject().put("programID", programId)
        .put("targets", new JsonArray(targets))
        .put("intervalPeriod", new JsonObject().put("start", Instant.now().plus(1, ChronoUnit.DAYS).toString())
            .put("duration", "PT1H"))
        .put("intervals", new JsonArray().add(new JsonObject().put("id", 0)
            .put("payloads", new JsonArray().add(new JsonObject().put("type", "SIMPLE").put("values", new JsonArray().add(1)))))));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  static boolean notified(String eventId) {
    return TestVtn.await(vtn.app.pool().preparedQuery("SELECT count(*) FROM notifications WHERE object_id = $1 "
        + "AND dispatched_at IS NOT NULL").execute(io.vertx.sqlclient.Tuple.of(eventId))).iterator().next().getLong(0) > 0;
  }

}
