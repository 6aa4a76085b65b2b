package io.loadshift.vtn;

import static io.loadshift.vtn.testing.ProblemAssert.assertProblem;
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
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** OpenADR 3.1 reports: VENs write readings into the telemetry store, idempotently, with revisions. */
class ReportsTest {
  static final String V = "/openadr3/3.1.0";
  static TestVtn vtn;
  static String utility;
  static JsonObject ven;
  static String eventId;
  static Instant hourAgo = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS);

  @BeforeAll
  static void start() {
    vtn = TestVtn.start();
    utility = vtn.clientWithToken("utility", "Grid Co").getString("token");
    String program = vtn.call(POST, V + "/programs", utility, new JsonObject().put("programName", "p")).bodyAsJsonObject().getString("id");
    eventId = vtn.call(POST, V + "/events", utility, new JsonObject().put("programID", program)
        .put("intervalPeriod", new JsonObject().put("start", hourAgo.toString()).put("duration", "PT1H")))
        .bodyAsJsonObject().getString("id");
    ven = vtn.clientWithToken("ven", "reporting VEN");
    String venId = vtn.call(POST, V + "/vens", ven.getString("token"), new JsonObject().put("objectType", "VEN_VEN_REQUEST")
        .put("venName", "reporter")).bodyAsJsonObject().getString("id");
    vtn.call(POST, V + "/resources", ven.getString("token"), new JsonObject().put("objectType", "VEN_RESOURCE_REQUEST")
        .put("resourceName", "main-meter").put("venID", venId));
  }

  @AfterAll
  static void stop() {
    vtn.close();
  }

  static JsonObject report(double... kwh) {
    JsonArray intervals = new JsonArray();
    for (int i = 0; i < kwh.length; i++) {
      intervals.add(new JsonObject().put("id", i).put("payloads", new JsonArray()
          .add(new JsonObject().put("type", "USAGE").put("values", new JsonArray().add(kwh[i])))));
    }
    return new JsonObject().put("eventID", eventId).put("clientName", "reporter")
        .put("payloadDescriptors", new JsonArray().add(new JsonObject().put("objectType", "REPORT_PAYLOAD_DESCRIPTOR")
            .put("payloadType", "USAGE").put("units", "KWH")))
        .put("resources", new JsonArray().add(new JsonObject().put("resourceName", "main-meter")
            .put("intervalPeriod", new JsonObject().put("start", hourAgo.toString()).put("duration", "PT15M"))
            .put("intervals", intervals)));
  }

  static long count(String sql) {
    return TestVtn.await(vtn.app.pool().query(sql).execute()).iterator().next().getLong(0);
  }

  @Test
  void readingsLandInTheTelemetryStoreIdempotentlyWithRevisions() {
    String token = ven.getString("token");
    HttpResponse<Buffer> created = vtn.call(POST, V + "/reports", token, report(1.0, 1.1, 1.2, 1.3));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    JsonObject r = created.bodyAsJsonObject();
    assertEquals("REPORT", r.getString("objectType"));
    assertEquals(ven.getString("clientId"), r.getString("clientID"));
    long before = count("SELECT count(*) FROM readings");
    assertTrue(before >= 4);
    assertEquals(1.2, TestVtn.await(vtn.app.pool().preparedQuery("SELECT value FROM readings WHERE interval_start = $1")
        .execute(Tuple.of(hourAgo.plus(30, ChronoUnit.MINUTES).atOffset(java.time.ZoneOffset.UTC)))).iterator().next().getDouble(0));

    assertEquals(201, vtn.call(POST, V + "/reports", token, report(1.0, 1.1, 1.2, 1.3)).statusCode(), "resending");
    assertEquals(before, count("SELECT count(*) FROM readings"), "the same intervals again change nothing");
    long revisions = count("SELECT count(*) FROM reading_revisions");

    HttpResponse<Buffer> corrected = vtn.call(PUT, V + "/reports/" + r.getString("id"), token, report(1.0, 1.1, 1.25, 1.3));
    assertEquals(200, corrected.statusCode(), corrected.bodyAsString());
    assertEquals(revisions + 1, count("SELECT count(*) FROM reading_revisions"), "the superseded value is kept");
    assertEquals(1L, count("SELECT max(revision) FROM readings"));
    assertTrue(count("SELECT count(*) FROM audit_log WHERE action = 'telemetry.revised'") >= 1);

    JsonObject other = vtn.clientWithToken("ven", "nosy");
    assertProblem(vtn.call(GET, V + "/reports/" + r.getString("id"), other.getString("token"), null), 404, "not-found");
    assertEquals(0, vtn.call(GET, V + "/reports", other.getString("token"), null).bodyAsJsonArray().size());
    assertTrue(vtn.call(GET, V + "/reports?eventID=" + eventId, utility, null).bodyAsJsonArray().size() >= 2);
  }

  @Test
  void badReportsAreRefusedAndStoreNothing() {
    String token = ven.getString("token");
    long before = count("SELECT count(*) FROM readings");
    JsonObject future = report(1.0);
    future.getJsonArray("resources").getJsonObject(0).getJsonObject("intervalPeriod")
        .put("start", Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.HOURS).toString());
    assertProblem(vtn.call(POST, V + "/reports", token, future), 400, "invalid-report");
    assertProblem(vtn.call(POST, V + "/reports", token, report(-2.0)), 400, "invalid-report");
    JsonObject stranger = report(1.0);
    stranger.getJsonArray("resources").getJsonObject(0).put("resourceName", "not-mine");
    assertProblem(vtn.call(POST, V + "/reports", token, stranger), 400, "invalid-report");
    JsonObject noPeriod = report(1.0);
    noPeriod.getJsonArray("resources").getJsonObject(0).remove("intervalPeriod");
    assertProblem(vtn.call(POST, V + "/reports", token, noPeriod), 400, "invalid-report");
    assertProblem(vtn.call(POST, V + "/reports", token, report(1.0).put("eventID", "nope")), 422, "unprocessable");
    assertProblem(vtn.call(POST, V + "/reports", utility, report(1.0)), 403, "insufficient-scope");
    assertEquals(before, count("SELECT count(*) FROM readings"));
  }
}
