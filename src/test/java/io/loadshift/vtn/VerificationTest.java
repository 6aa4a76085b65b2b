package io.loadshift.vtn;

import static io.loadshift.vtn.testing.ProblemAssert.assertProblem;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadshift.vtn.testing.TestVtn;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Verification end to end: meter data through the CSV import, an event that has ended, and the
 * VTN's own CAISO 10-of-10 baselines. Every site draws 10 kW (2.5 kWh per 15 minutes) except
 * where a test says otherwise; the event is 17:00-18:00 UTC on the last Wednesday.
 */
class VerificationTest {
  static final String V = "/openadr3/3.1.0";
  static TestVtn vtn;
  static String utility;
  static Instant start;
  static Instant end;
  static String programId;
  static Map<String, String> venIds = new HashMap<>();

  @BeforeAll
  static void start() {
    vtn = TestVtn.start();
    utility = vtn.clientWithToken("utility", "Grid Co").getString("token");
    LocalDate wednesday = LocalDate.now(ZoneOffset.UTC).minusDays(1).with(TemporalAdjusters.previousOrSame(DayOfWeek.WEDNESDAY));
    start = wednesday.atTime(17, 0).toInstant(ZoneOffset.UTC);
    end = start.plus(1, ChronoUnit.HOURS);
    programId = vtn.call(POST, V + "/programs", utility, new JsonObject().put("programName", "m-and-v")
        .put("attributes", new JsonArray().add(attr("BASELINE_METHOD", "CAISO_10_OF_10")).add(attr("MIN_REDUCTION_KW", 2))
            .add(attr("REWARD_PER_KW", 1.5)))).bodyAsJsonObject().getString("id");
    for (String site : List.of("good", "small", "gappy", "optout", "badmeter")) {
      String id = vtn.call(POST, V + "/vens", utility, new JsonObject().put("objectType", "BL_VEN_REQUEST")
          .put("venName", site).put("clientID", "client-" + site)).bodyAsJsonObject().getString("id");
      venIds.put(site, id);
      assertEquals(201, vtn.call(POST, V + "/resources", utility, new JsonObject().put("objectType", "BL_RESOURCE_REQUEST")
          .put("resourceName", "meter").put("venID", id).put("attributes", new JsonArray().add(attr("ZONE", "north"))))
          .statusCode());
    }
    StringBuilder csv = new StringBuilder("venName,resourceName,intervalStart,intervalMinutes,kWh\n");
    Map<String, BiFunction<Instant, Boolean, Double>> load = Map.of(
        "good", (t, event) -> event ? 4.0 : 10.0,
        "small", (t, event) -> event ? 9.0 : 10.0,
        "gappy", (t, event) -> event && t.isAfter(start.plus(20, ChronoUnit.MINUTES)) ? null : event ? 4.0 : 10.0,
        "optout", (t, event) -> event ? 4.0 : 10.0,
        "badmeter", (t, event) -> event ? 4.0 : 10.0);
    for (var site : load.entrySet()) {
      for (Instant t = start.minus(22, ChronoUnit.DAYS); t.isBefore(end); t = t.plus(15, ChronoUnit.MINUTES)) {
        boolean inEvent = !t.isBefore(start) && t.isBefore(end);
        Double kw = site.getValue().apply(t, inEvent);
        if (kw != null) {
          csv.append(site.getKey()).append(",meter,").append(t).append(",15,").append(kw / 4).append('\n');
        }
      }
    }
    HttpResponse<Buffer> imported = vtn.http.post("/meterdata").bearerTokenAuthentication(utility)
        .putHeader("Content-Type", "text/csv").sendBuffer(Buffer.buffer(csv.toString()))
        .toCompletionStage().toCompletableFuture().join();
    assertEquals(200, imported.statusCode(), imported.bodyAsString());
    // The good site's register moves 4 kWh over the event; the bad one runs backwards.
    String registers = "venName,resourceName,readAt,registerKwh\n"
        + "good,meter," + start + ",1000\ngood,meter," + end + ",1004\n"
        + "badmeter,meter," + start + ",1000\nbadmeter,meter," + end + ",990\n";
    assertEquals(200, vtn.http.post("/meterdata/registers").bearerTokenAuthentication(utility)
        .putHeader("Content-Type", "text/csv").sendBuffer(Buffer.buffer(registers)).toCompletionStage().toCompletableFuture()
        .join().statusCode());
  }

  @AfterAll
  static void stop() {
    vtn.close();
  }

  @Test
  void verificationDecidesEachParticipantFromItsOwnMeterData() {
    String eventId = event();
    TestVtn.await(vtn.app.pool().preparedQuery("INSERT INTO event_opts (event_id, ven_id, opt, source) VALUES ($1, $2, 'optOut', 'test')")
        .execute(Tuple.of(eventId, venIds.get("optout"))));

    HttpResponse<Buffer> verified = vtn.call(POST, "/settlement/events/" + eventId + "/verify", utility, null);
    assertEquals(200, verified.statusCode(), verified.bodyAsString());
    JsonObject summary = verified.bodyAsJsonObject();
    assertEquals(4, summary.getInteger("participants"), "the opted-out VEN is not a participant");
    assertEquals(1, summary.getInteger("verified"));
    assertEquals(6.0, summary.getDouble("reductionKw"), 1e-9);

    Map<String, JsonObject> byVen = new HashMap<>();
    vtn.call(GET, "/settlement/events/" + eventId + "/participations", utility, null).bodyAsJsonArray()
        .forEach(o -> byVen.put(((JsonObject) o).getString("venName"), (JsonObject) o));
    assertEquals(4, byVen.size());
    JsonObject good = byVen.get("good");
    assertEquals("VERIFIED", good.getString("status"));
    assertEquals(10.0, good.getDouble("baselineKw"), 1e-9, "ten like days at 10 kW, no day-of change");
    assertEquals(4.0, good.getDouble("actualKw"), 1e-9);
    assertEquals(6.0, good.getDouble("reductionKw"), 1e-9);
    assertEquals(6.0, good.getDouble("reductionKwh"), 1e-9);
    assertEquals(1000.0, good.getDouble("meterReadingStart"));
    assertEquals(1004.0, good.getDouble("meterReadingEnd"));
    assertTrue(good.getString("evidenceDigest").matches("[0-9a-f]{64}"));
    assertEquals(10, good.getJsonObject("evidence").getJsonArray("baselineDays").size());
    assertEquals("north", good.getString("zone"));
    assertEquals(List.of("InsufficientReduction"), byVen.get("small").getJsonArray("reasons").getList(), "1 kW < 2 kW minimum");
    assertEquals("REJECTED", byVen.get("small").getString("status"));
    assertEquals(List.of("MissingData"), byVen.get("gappy").getJsonArray("reasons").getList());
    assertEquals(List.of("InvalidMeterReading"), byVen.get("badmeter").getJsonArray("reasons").getList());

    JsonObject event = vtn.call(GET, V + "/events/" + eventId, utility, null).bodyAsJsonObject();
    assertEquals(6, event.getJsonObject("loadshift").getInteger("reductionAchievedKw"));

    // Verifying again finds the same evidence.
    vtn.call(POST, "/settlement/events/" + eventId + "/verify", utility, null);
    JsonObject again = vtn.call(GET, "/settlement/events/" + eventId + "/participations?venName=good", utility, null)
        .bodyAsJsonArray().getJsonObject(0);
    assertEquals(good.getString("evidenceDigest"), again.getString("evidenceDigest"));
  }

  @Test
  void readingsThatBeginBeforeAWindowCountForIt() {
    // An event off the meters' quarter hours (17:07, two minutes): each like day's window and the
    // day-of adjustment hours begin inside a 15-minute reading, which must still count.
    Instant at = start.plus(7, ChronoUnit.MINUTES);
    HttpResponse<Buffer> created = vtn.call(POST, V + "/events", utility, new JsonObject().put("programID", programId)
        .put("intervalPeriod", new JsonObject().put("start", at.toString()).put("duration", "PT1M"))
        .put("intervals", new JsonArray()
            .add(new JsonObject().put("id", 0).put("payloads", new JsonArray().add(attr("TARGET_REDUCTION_KW", 20))))
            .add(new JsonObject().put("id", 1).put("payloads", new JsonArray().add(attr("TARGET_REDUCTION_KW", 20))))));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    String eventId = created.bodyAsJsonObject().getString("id");
    HttpResponse<Buffer> verified = vtn.call(POST, "/settlement/events/" + eventId + "/verify", utility, null);
    assertEquals(200, verified.statusCode(), verified.bodyAsString());
    JsonObject good = vtn.call(GET, "/settlement/events/" + eventId + "/participations?venName=good", utility, null)
        .bodyAsJsonArray().getJsonObject(0);
    assertEquals("VERIFIED", good.getString("status"), good.encode());
    assertEquals(10.0, good.getDouble("baselineKw"), 1e-9);
    assertEquals(4.0, good.getDouble("actualKw"), 1e-9);
    assertEquals(10, good.getJsonObject("evidence").getJsonArray("baselineDays").size());
    assertEquals(60, good.getJsonObject("evidence").getInteger("intervalSeconds"));

    // Off the minute (17:07:13, the API's "now" gives such starts): the window widened to whole minutes.
    Instant odd = at.plusSeconds(13);
    created = vtn.call(POST, V + "/events", utility, new JsonObject().put("programID", programId)
        .put("intervalPeriod", new JsonObject().put("start", odd.toString()).put("duration", "PT1M"))
        .put("intervals", new JsonArray()
            .add(new JsonObject().put("id", 0).put("payloads", new JsonArray().add(attr("TARGET_REDUCTION_KW", 20))))));
    String oddId = created.bodyAsJsonObject().getString("id");
    assertEquals(200, vtn.call(POST, "/settlement/events/" + oddId + "/verify", utility, null).statusCode());
    JsonObject widened = vtn.call(GET, "/settlement/events/" + oddId + "/participations?venName=good", utility, null)
        .bodyAsJsonArray().getJsonObject(0);
    assertEquals("VERIFIED", widened.getString("status"), widened.encode());
    assertEquals(6.0, widened.getDouble("reductionKw"), 1e-9);
    assertEquals(new JsonObject().put("start", at.toString()).put("end", at.plusSeconds(120).toString()),
        widened.getJsonObject("evidence").getJsonObject("window"));
  }

  @Test
  void aConsumerReadsItsOwnHistoryOnly() {
    String eventId = event();
    vtn.call(POST, "/settlement/events/" + eventId + "/verify", utility, null);
    JsonObject venClient = vtn.clientWithToken("ven", "site owner");
    // Give the 'good' VEN object to this client so it reads as that VEN.
    TestVtn.await(vtn.app.pool().preparedQuery("UPDATE vens SET client_id = $1 WHERE id = $2")
        .execute(Tuple.of(venClient.getString("clientId"), venIds.get("good"))));
    JsonArray own = vtn.call(GET, "/settlement/participations?venName=good", venClient.getString("token"), null).bodyAsJsonArray();
    assertTrue(own.size() >= 1);
    assertEquals(0, vtn.call(GET, "/settlement/participations?venName=small", venClient.getString("token"), null)
        .bodyAsJsonArray().size(), "another consumer's history is not visible");
    assertProblem(vtn.call(POST, "/settlement/events/" + eventId + "/verify", venClient.getString("token"), null), 403,
        "insufficient-scope");
  }

  @Test
  void unfinishedAndUnknownEventsAreRefused() {
    String future = vtn.call(POST, V + "/events", utility, new JsonObject().put("programID", programId)
        .put("intervalPeriod", new JsonObject().put("start", Instant.now().plus(1, ChronoUnit.DAYS).toString())
            .put("duration", "PT1H"))).bodyAsJsonObject().getString("id");
    assertProblem(vtn.call(POST, "/settlement/events/" + future + "/verify", utility, null), 409, "conflict");
    assertProblem(vtn.call(POST, "/settlement/events/nope/verify", utility, null), 404, "not-found");
  }

  @Test
  void externalBaselinesComeFromTheUtility() {
    String program = vtn.call(POST, V + "/programs", utility, new JsonObject().put("programName", "external")
        .put("attributes", new JsonArray().add(attr("BASELINE_METHOD", "EXTERNAL")))).bodyAsJsonObject().getString("id");
    String eventId = vtn.call(POST, V + "/events", utility, new JsonObject().put("programID", program)
        .put("intervalPeriod", new JsonObject().put("start", start.toString()).put("duration", "PT1H")))
        .bodyAsJsonObject().getString("id");
    HttpResponse<Buffer> stored = vtn.call(POST, "/settlement/events/" + eventId + "/external", utility, new JsonObject()
        .put("submissions", new JsonArray()
            .add(new JsonObject().put("venID", venIds.get("good")).put("baselineKw", 50).put("actualKw", 30.5))
            .add(new JsonObject().put("venID", venIds.get("small")).put("baselineKw", 50).put("actualKw", 40)
                .put("meterReadingStart", 500).put("meterReadingEnd", 490))));
    assertEquals(200, stored.statusCode(), stored.bodyAsString());
    assertProblem(vtn.call(POST, "/settlement/events/" + eventId + "/external", utility, new JsonObject()
        .put("submissions", new JsonArray().add(new JsonObject().put("venID", "x").put("baselineKw", -1).put("actualKw", 1)))),
        400, "validation-failed");
    JsonObject summary = vtn.call(POST, "/settlement/events/" + eventId + "/verify", utility, null).bodyAsJsonObject();
    assertEquals(1, summary.getInteger("verified"));
    assertEquals(19.5, summary.getDouble("reductionKw"), 1e-9);
    JsonObject small = vtn.call(GET, "/settlement/events/" + eventId + "/participations?venName=small", utility, null)
        .bodyAsJsonArray().getJsonObject(0);
    assertEquals(List.of("InvalidMeterReading"), small.getJsonArray("reasons").getList());
  }

  static String event() {
    HttpResponse<Buffer> r = vtn.call(POST, V + "/events", utility, new JsonObject().put("programID", programId)
        .put("intervalPeriod", new JsonObject().put("start", start.toString()).put("duration", "PT15M"))
        .put("intervals", new JsonArray()
            .add(new JsonObject().put("id", 0).put("payloads", new JsonArray().add(attr("TARGET_REDUCTION_KW", 20))))
            .add(new JsonObject().put("id", 1).put("payloads", new JsonArray().add(attr("TARGET_REDUCTION_KW", 20))))
            .add(new JsonObject().put("id", 2).put("payloads", new JsonArray().add(attr("TARGET_REDUCTION_KW", 20))))
            .add(new JsonObject().put("id", 3).put("payloads", new JsonArray().add(attr("TARGET_REDUCTION_KW", 20))))));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  static JsonObject attr(String type, Object value) {
    return new JsonObject().put("type", type).put("values", new JsonArray().add(value));
  }
}
