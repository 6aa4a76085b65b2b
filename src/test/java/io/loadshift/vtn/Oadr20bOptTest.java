package io.loadshift.vtn;

import static io.vertx.core.http.HttpMethod.POST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadshift.vtn.testing.Oadr20bTestVen;
import io.loadshift.vtn.testing.Oadr20bTestVen.Answer;
import io.loadshift.vtn.testing.TestVtn;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * EiOpt: a 2.0b VEN's opt schedules (oadrCreateOpt, oadrCancelOpt) stored as availability windows
 * that dispatch planning respects, event-scoped opts recorded like oadrCreatedEvent's, refusals.
 */
class Oadr20bOptTest {
  static final String V = "/openadr3/3.1.0";
  static TestVtn vtn;
  static String utility;
  static String programId;

  @BeforeAll
  static void start() {
    vtn = TestVtn.start();
    utility = vtn.clientWithToken("utility", "Grid Co").getString("token");
    HttpResponse<Buffer> p = vtn.call(POST, V + "/programs", utility, new JsonObject().put("programName", "2b-opt"));
    assertEquals(201, p.statusCode(), p.bodyAsString());
    programId = p.bodyAsJsonObject().getString("id");
    Oadr20bEventsTest.programId = programId;
  }

  @AfterAll
  static void stop() throws Exception {
    vtn.close();
    Oadr20bTestVen.checkAnswersAgainstOfficialSchema();
  }

  static JsonObject attr(String type, Object value) {
    return new JsonObject().put("type", type).put("values", new JsonArray().add(value));
  }

  static String resource(String venId, String name, JsonObject... attributes) {
    HttpResponse<Buffer> r = vtn.call(POST, V + "/resources", utility, new JsonObject()
        .put("objectType", "BL_RESOURCE_REQUEST").put("resourceName", name).put("venID", venId)
        .put("attributes", new JsonArray(List.of((Object[]) attributes))));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  static String createOpt(String venId, String optId, String type, String target, Instant... windowStarts) {
    StringBuilder windows = new StringBuilder();
    if (windowStarts.length > 0) {
      windows.append("<xcal:vavailability xmlns:xcal=\"urn:ietf:params:xml:ns:icalendar-2.0\"><xcal:components>");
      for (Instant s : windowStarts) {
        windows.append("<xcal:available><xcal:properties><xcal:dtstart><xcal:date-time>").append(s)
            .append("</xcal:date-time></xcal:dtstart><xcal:duration><xcal:duration>PT30M</xcal:duration>")
            .append("</xcal:duration></xcal:properties></xcal:available>");
      }
      windows.append("</xcal:components></xcal:vavailability>");
    }
    return Oadr20bTestVen.payload("<oadr:oadrCreateOpt ei:schemaVersion=\"2.0b\"><ei:optID>" + optId + "</ei:optID>"
        + "<ei:optType>" + type + "</ei:optType><ei:optReason>x-schedule</ei:optReason><ei:venID>" + venId
        + "</ei:venID>" + windows + "<ei:createdDateTime>" + Instant.now().truncatedTo(ChronoUnit.SECONDS)
        + "</ei:createdDateTime><pyld:requestID>req-" + optId + "</pyld:requestID>"
        + (target == null ? "<ei:eiTarget/>" : target) + "</oadr:oadrCreateOpt>");
  }

  static String cancelOpt(String venId, String optId) {
    return Oadr20bTestVen.payload("<oadr:oadrCancelOpt ei:schemaVersion=\"2.0b\"><pyld:requestID>cancel-" + optId
        + "</pyld:requestID><ei:optID>" + optId + "</ei:optID><ei:venID>" + venId + "</ei:venID></oadr:oadrCancelOpt>");
  }

  static String resources(String... ids) {
    StringBuilder t = new StringBuilder("<ei:eiTarget>");
    for (String id : ids) {
      t.append("<ei:resourceID>").append(id).append("</ei:resourceID>");
    }
    return t.append("</ei:eiTarget>").toString();
  }

  static Map<String, List<Object>> plan(String eventId) {
    HttpResponse<Buffer> r = vtn.call(POST, "/optimization/events/" + eventId + "/plan", utility, null);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    Map<String, List<Object>> out = new HashMap<>();
    r.bodyAsJsonObject().getJsonArray("dispatch").forEach(o -> out.put(((JsonObject) o).getString("resourceID"),
        ((JsonObject) o).getJsonArray("powerKw").getList()));
    return out;
  }

  static long count(String sql, Object... params) {
    return TestVtn.await(vtn.app.pool().preparedQuery(sql).execute(Tuple.from(params))).iterator().next().getLong(0);
  }

  @Test
  void anOptOutWindowKeepsTheVensResourceOutOfThePlanUntilCancelled() {
    Oadr20bTestVen ven = Oadr20bEventsTest.registered(vtn, utility, vtn.clientWithToken("ven", "opt site client"),
        "opt-site", "grp-opt-site");
    String cheap = resource(ven.venId, "battery-1", attr("DER_TYPE", "LOAD"), attr("CAPACITY_KW", 100),
        attr("BID_PRICE_PER_KW", 0.05));
    JsonObject client = vtn.clientWithToken("ven", "other site client");
    HttpResponse<Buffer> o = vtn.call(POST, V + "/vens", utility, new JsonObject().put("objectType", "BL_VEN_REQUEST")
        .put("venName", "opt-other").put("clientID", client.getString("clientId")));
    assertEquals(201, o.statusCode(), o.bodyAsString());
    String dear = resource(o.bodyAsJsonObject().getString("id"), "load-2", attr("DER_TYPE", "LOAD"),
        attr("CAPACITY_KW", 100), attr("BID_PRICE_PER_KW", 0.20));

    Instant start = Instant.now().plus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MINUTES);
    JsonArray intervals = new JsonArray();
    for (int k = 0; k < 2; k++) {
      intervals.add(new JsonObject().put("id", k).put("payloads", new JsonArray().add(attr("TARGET_REDUCTION_KW", 40))));
    }
    HttpResponse<Buffer> e = vtn.call(POST, V + "/events", utility, new JsonObject().put("programID", programId)
        .put("intervalPeriod", new JsonObject().put("start", start.toString()).put("duration", "PT30M"))
        .put("intervals", intervals));
    assertEquals(201, e.statusCode(), e.bodyAsString());
    String eventId = e.bodyAsJsonObject().getString("id");
    assertEquals(List.of(40.0, 40.0), plan(eventId).get(cheap), "the cheaper resource covers both intervals");

    // Opted out for the first half hour, naming the resource by its resourceName.
    Answer a = ven.post("EiOpt", createOpt(ven.venId, "OPT-1", "optOut", resources("battery-1"), start));
    assertEquals("200", a.code(), a.body());
    assertEquals("OPT-1", a.message().getOadrCreatedOpt().getOptID());
    assertEquals("req-OPT-1", a.message().getOadrCreatedOpt().getEiResponse().getRequestID());
    assertEquals(1, count("SELECT count(*) FROM availability WHERE opt_id = 'OPT-1' AND resource_id = $1", cheap));
    Map<String, List<Object>> d = plan(eventId);
    assertEquals(List.of(0.0, 40.0), d.get(cheap));
    assertEquals(List.of(40.0, 0.0), d.get(dear));

    // The same optID again replaces the schedule: now the second half hour.
    assertEquals("200", ven.post("EiOpt", createOpt(ven.venId, "OPT-1", "optOut", resources(cheap),
        start.plus(30, ChronoUnit.MINUTES))).code());
    assertEquals(1, count("SELECT count(*) FROM availability WHERE opt_id = 'OPT-1'"));
    assertEquals(List.of(40.0, 0.0), plan(eventId).get(cheap));

    Answer c = ven.post("EiOpt", cancelOpt(ven.venId, "OPT-1"));
    assertEquals("200", c.code(), c.body());
    assertEquals("OPT-1", c.message().getOadrCanceledOpt().getOptID());
    assertEquals(0, count("SELECT count(*) FROM availability WHERE opt_id = 'OPT-1'"));
    assertEquals(List.of(40.0, 40.0), plan(eventId).get(cheap), "available again");

    Answer again = ven.post("EiOpt", cancelOpt(ven.venId, "OPT-1"));
    assertEquals("452", again.code(), again.body());
    assertNull(again.message().getOadrResponse(), "answered as oadrCanceledOpt");

    // A VEN-wide window (no eiTarget) also keeps it out.
    assertEquals("200", ven.post("EiOpt", createOpt(ven.venId, "OPT-2", "optOut", null, start)).code());
    assertEquals(List.of(0.0, 40.0), plan(eventId).get(cheap));

    // Somebody else's resource: refused, nothing stored.
    Answer foreign = ven.post("EiOpt", createOpt(ven.venId, "OPT-3", "optOut", resources(cheap, dear), start));
    assertEquals("452", foreign.code(), foreign.body());
    assertTrue(foreign.description().contains(dear), foreign.description());
    assertEquals(0, count("SELECT count(*) FROM availability WHERE opt_id = 'OPT-3'"));
    assertEquals(0, count("SELECT count(*) FROM oadr20b_opts WHERE opt_id = 'OPT-3'"));

    // No windows and no event: nothing to store.
    Answer empty = ven.post("EiOpt", createOpt(ven.venId, "OPT-4", "optOut", null));
    assertEquals("454", empty.code(), empty.body());
  }

  @Test
  void anEventScopedOptIsTheVensOptOfThatEvent() {
    Oadr20bTestVen ven = Oadr20bEventsTest.registered(vtn, utility, vtn.clientWithToken("ven", "opt ev client"),
        "opt-ev", "grp-opt-ev");
    String eventId = Oadr20bEventsTest.createEvent(vtn, utility, Oadr20bEventsTest.event(
        Instant.now().plus(4, ChronoUnit.HOURS), "PT1H", List.of("grp-opt-ev"), Oadr20bEventsTest.simple(1)));
    // Until the VEN has been sent this event (a distribution of other events may come first).
    io.loadshift.vtn.testing.WebhookReceiver.eventually(
        () -> Oadr20bEventsTest.statuses(ven.poll()).containsKey(eventId), 5000, "the event in an oadrDistributeEvent");
    String body = Oadr20bTestVen.payload("<oadr:oadrCreateOpt ei:schemaVersion=\"2.0b\"><ei:optID>OPT-EV</ei:optID>"
        + "<ei:optType>optOut</ei:optType><ei:optReason>overrideStatus</ei:optReason><ei:venID>" + ven.venId
        + "</ei:venID><ei:createdDateTime>2025-06-10T12:31:07Z</ei:createdDateTime><pyld:requestID>r-ev</pyld:requestID>"
        + "<ei:qualifiedEventID><ei:eventID>" + eventId + "</ei:eventID><ei:modificationNumber>0</ei:modificationNumber>"
        + "</ei:qualifiedEventID><ei:eiTarget/></oadr:oadrCreateOpt>");
    Answer a = ven.post("EiOpt", body);
    assertEquals("200", a.code(), a.body());
    assertEquals(1, count("SELECT count(*) FROM event_opts WHERE event_id = $1 AND ven_id = $2 AND opt = 'optOut' "
        + "AND source = '2.0b'", eventId, ven.venId));
    assertEquals("200", ven.post("EiOpt", cancelOpt(ven.venId, "OPT-EV")).code());
    assertEquals(0, count("SELECT count(*) FROM event_opts WHERE event_id = $1 AND ven_id = $2", eventId, ven.venId));

    Answer unknown = ven.post("EiOpt", body.replace(eventId, "no-such-event"));
    assertEquals("452", unknown.code(), unknown.body());
    assertEquals(0, count("SELECT count(*) FROM oadr20b_opts WHERE ven_id = $1", ven.venId));
  }
}
