package io.loadshift.vtn;

import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadshift.vtn.testing.TestVtn;
import io.loadshift.vtn.testing.WebhookReceiver;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Webhooks go to the address their host name was checked to have at delivery time, never to a
 * second lookup: a callback host that resolved to a public address when subscribed and resolves
 * to loopback later (DNS rebinding) gets nothing. A table stands in for DNS.
 */
class WebhookRebindingTest {
  static final String V = "/openadr3/3.1.0";
  static final Map<String, String> DNS = new ConcurrentHashMap<>();
  static WebhookReceiver receiver;

  @BeforeAll
  static void start() {
    receiver = new WebhookReceiver();
  }

  @AfterAll
  static void stop() {
    receiver.close();
  }

  static InetAddress[] resolve(String host) throws UnknownHostException {
    String ip = DNS.get(host);
    if (ip == null) {
      throw new UnknownHostException(host);
    }
    return new InetAddress[] {InetAddress.getByName(ip)};
  }

  /** A VEN subscribed to events at http://{host}:{receiver's port}/hooks/{hook}; returns the subscription. */
  static String subscribe(TestVtn vtn, String utility, String host, String hook) {
    JsonObject client = vtn.clientWithToken("ven", hook);
    assertEquals(201, vtn.call(POST, V + "/vens", utility, new JsonObject().put("objectType", "BL_VEN_REQUEST")
        .put("venName", hook).put("clientID", client.getString("clientId"))).statusCode());
    String url = receiver.url(hook).replace("127.0.0.1", host);
    HttpResponse<Buffer> r = vtn.call(POST, V + "/subscriptions", client.getString("token"), new JsonObject()
        .put("clientName", hook).put("objectOperations", new JsonArray().add(new JsonObject()
            .put("objects", new JsonArray().add("EVENT")).put("operations", new JsonArray().add("CREATE"))
            .put("callbackUrl", url))));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  static void event(TestVtn vtn, String utility) {
    String program = vtn.call(POST, V + "/programs", utility, new JsonObject().put("programName", "p-" + System.nanoTime()))
        .bodyAsJsonObject().getString("id");
    assertEquals(201, vtn.call(POST, V + "/events", utility, new JsonObject().put("programID", program)
        .put("intervalPeriod", new JsonObject().put("start", Instant.now().plus(1, ChronoUnit.DAYS).toString())
            .put("duration", "PT1H"))).statusCode());
  }

  @Test
  void aHostThatNowResolvesInsideGetsNothing() {
    DNS.put("hooks.example.com", "93.184.216.34");
    try (TestVtn vtn = TestVtn.start(Map.of("VTN_WEBHOOK_HTTPS_ONLY", "false", "VTN_WEBHOOK_VERIFY_ECHO", "false",
        "VTN_WEBHOOK_RETRY_BASE_MS", "50", "VTN_WEBHOOK_RETRY_MAX_MS", "100", "VTN_WEBHOOK_MAX_ATTEMPTS", "2"),
        WebhookRebindingTest::resolve)) {
      String utility = vtn.clientWithToken("utility", "Grid Co").getString("token");
      String subscription = subscribe(vtn, utility, "hooks.example.com", "rebound");
      DNS.put("hooks.example.com", "127.0.0.1"); // rebinding: same name, now the VTN's own host
      event(vtn, utility);
      WebhookReceiver.eventually(() -> {
        JsonArray d = vtn.call(GET, "/webhooks/deliveries?subscriptionID=" + subscription, utility, null).bodyAsJsonArray();
        return !d.isEmpty() && "DEAD".equals(d.getJsonObject(0).getString("status"));
      }, 10_000, "the delivery to give up");
      JsonObject delivery = vtn.call(GET, "/webhooks/deliveries?subscriptionID=" + subscription, utility, null)
          .bodyAsJsonArray().getJsonObject(0);
      assertTrue(delivery.getString("lastError").contains("internal address"), delivery.encode());
      assertEquals(List.of(), receiver.calls("rebound"), "nothing reached the loopback receiver");
    }
  }

  @Test
  void deliveriesConnectToTheAddressTheNameWasCheckedToHave() {
    // hooks.test does not exist in real DNS: only the checked address leads to the receiver.
    DNS.put("hooks.test", "127.0.0.1");
    try (TestVtn vtn = TestVtn.start(Map.of("VTN_WEBHOOK_HTTPS_ONLY", "false", "VTN_WEBHOOK_ALLOW_PRIVATE", "true",
        "VTN_WEBHOOK_VERIFY_ECHO", "false"), WebhookRebindingTest::resolve)) {
      String utility = vtn.clientWithToken("utility", "Grid Co").getString("token");
      subscribe(vtn, utility, "hooks.test", "pinned");
      event(vtn, utility);
      WebhookReceiver.eventually(() -> receiver.calls("pinned").size() == 1, 10_000, "the delivery");
    }
  }
}
