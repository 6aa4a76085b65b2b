package io.loadshift.vtn;

import static io.vertx.core.http.HttpMethod.POST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadshift.vtn.oadr20b.OadrXml;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrSignedObject;
import io.loadshift.vtn.testing.Oadr20bTestVen;
import io.loadshift.vtn.testing.Oadr20bTestVen.Answer;
import io.loadshift.vtn.testing.TestVtn;
import io.loadshift.vtn.testing.WebhookReceiver;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Push VENs (oadrHttpPullModel false): the VTN POSTs their queued messages and event changes to
 * their transport address, per endpoint, retrying what was not taken.
 */
class Oadr20bPushTest {
  static final String V = "/openadr3/3.1.0";
  static TestVtn vtn;
  static String utility;
  static Vertx receiverVertx;
  static HttpServer receiver;
  static final List<String[]> received = new CopyOnWriteArrayList<>();
  static final AtomicInteger failures = new AtomicInteger();

  @BeforeAll
  static void start() {
    vtn = TestVtn.start();
    utility = vtn.clientWithToken("utility", "Grid Co").getString("token");
    Oadr20bEventsTest.programId = vtn.call(POST, V + "/programs", utility, new JsonObject().put("programName", "2b-push"))
        .bodyAsJsonObject().getString("id");
    receiverVertx = Vertx.vertx();
    receiver = TestVtn.await(receiverVertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        req.response().setStatusCode(503).end();
        return;
      }
      received.add(new String[] {req.path(), b.toString(StandardCharsets.UTF_8)});
      req.response().putHeader("Content-Type", "application/xml").end();
    })).listen(0, "127.0.0.1"));
  }

  @AfterAll
  static void stop() {
    vtn.close();
    TestVtn.await(receiverVertx.close());
  }

  static OadrSignedObject awaitMessage(String path, String type) {
    OadrSignedObject[] got = new OadrSignedObject[1];
    WebhookReceiver.eventually(() -> {
      for (String[] r : received) {
        if (r[0].equals(path) && r[1].contains(type)) {
          got[0] = OadrXml.shared().parse(r[1].getBytes(StandardCharsets.UTF_8)).getOadrSignedObject();
          received.remove(r);
          return true;
        }
      }
      return false;
    }, 15_000, type + " at " + path);
    return got[0];
  }

  static long count(String sql) {
    return TestVtn.await(vtn.app.pool().query(sql).execute()).iterator().next().getLong(0);
  }

  @Test
  void queuedMessagesAndEventChangesArePostedToThePushVenWithRetries() {
    JsonObject client = vtn.clientWithToken("ven", "push client");
    HttpResponse<Buffer> r = vtn.call(POST, V + "/vens", utility, new JsonObject().put("objectType", "BL_VEN_REQUEST")
        .put("venName", "push-site").put("clientID", client.getString("clientId"))
        .put("targets", new JsonArray().add("grp-push")));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    Oadr20bTestVen ven = new Oadr20bTestVen(vtn.http, client.getString("token"), "push-site");
    failures.set(1);
    Answer a = ven.register(null, false, "http://127.0.0.1:" + receiver.actualPort() + "/ven", false);
    assertEquals("200", a.code(), a.body());

    // The VTN's METADATA: refused once, then delivered on a retry.
    OadrSignedObject metadata = awaitMessage("/ven/OpenADR2/Simple/2.0b/EiReport", "oadrRegisterReport");
    assertEquals(ven.venId, metadata.getOadrRegisterReport().getVenID());
    assertEquals(0, failures.get(), "the first attempt was refused");

    String eventId = Oadr20bEventsTest.createEvent(vtn, utility, Oadr20bEventsTest.event(
        Instant.now().plus(2, ChronoUnit.HOURS), "PT30M", List.of("grp-push"), Oadr20bEventsTest.simple(1)));
    OadrSignedObject d = awaitMessage("/ven/OpenADR2/Simple/2.0b/EiEvent", "oadrDistributeEvent");
    assertEquals(eventId, d.getOadrDistributeEvent().getOadrEvent().get(0).getEiEvent().getEventDescriptor().getEventID());

    assertEquals(202, vtn.call(POST, "/oadr20b/vens/" + ven.venId + "/reregistration", utility, null).statusCode());
    OadrSignedObject rereg = awaitMessage("/ven/OpenADR2/Simple/2.0b/EiRegisterParty", "oadrRequestReregistration");
    assertEquals(ven.venId, rereg.getOadrRequestReregistration().getVenID());
    WebhookReceiver.eventually(() -> count("SELECT count(*) FROM oadr20b_queue WHERE ven_id = '"
        + ven.venId + "' AND delivered_at IS NULL") == 0, 5000, "all delivered");
    assertTrue(received.stream().noneMatch(x -> x[1].contains("oadrDistributeEvent")), "the event set is sent once");
  }
}
