package io.loadshift.vtn;

import static io.loadshift.vtn.testing.ProblemAssert.assertProblem;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadshift.vtn.oadr20b.xml.oadr.OadrCreatedPartyRegistrationType;
import io.loadshift.vtn.platform.config.DbUri;
import io.loadshift.vtn.testing.Oadr20bTestVen;
import io.loadshift.vtn.testing.Oadr20bTestVen.Answer;
import io.loadshift.vtn.testing.TestDatabase;
import io.loadshift.vtn.testing.TestVtn;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OpenADR 2.0b registration through the real HTTP server: who may register (VENs provisioned
 * through /vens, with their token; anyone by venName only in open-registration mode), the
 * registration the 3.1 API shows, cancelling, and oadrRequestReregistration from a durable queue.
 */
class Oadr20bRegistrationTest {
  static final String V = "/openadr3/3.1.0";
  static TestVtn vtn;
  static String utility;

  @BeforeAll
  static void start() {
    vtn = TestVtn.start();
    utility = vtn.clientWithToken("utility", "Grid Co").getString("token");
  }

  @AfterAll
  static void stop() throws Exception {
    vtn.close();
    Oadr20bTestVen.checkAnswersAgainstOfficialSchema();
  }

  @Test
  void queryRegistrationTellsAnyoneTheVtnsProfileAndPollInterval() {
    Answer a = new Oadr20bTestVen(vtn.http, null, "nobody").query();
    assertEquals(200, a.status());
    OadrCreatedPartyRegistrationType c = a.message().getOadrCreatedPartyRegistration();
    assertEquals("200", c.getEiResponse().getResponseCode());
    assertEquals("LOADSHIFT-VTN", c.getVtnID());
    assertEquals("2.0b", c.getOadrProfiles().getOadrProfile().get(0).getOadrProfileName().value());
    assertEquals("simpleHttp",
        c.getOadrProfiles().getOadrProfile().get(0).getOadrTransports().getOadrTransport().get(0).getOadrTransportName().value());
    assertEquals("PT10S", c.getOadrRequestedOadrPollFreq().getDuration());
    assertNull(c.getRegistrationID(), "not registered, so no registrationID");
    assertNull(c.getVenID());
  }

  @Test
  void aProvisionedVenRegistersWithItsTokenAsTheVenThe31ApiShows() {
    Oadr20bTestVen ven = provisioned("reg-site-a");
    String id = venIdOf("reg-site-a");
    Answer a = ven.register();
    assertEquals(200, a.status(), a.body());
    assertEquals("200", a.code(), a.body());
    assertEquals(id, ven.venId, "the venID is the VEN's id in /vens");
    assertNotNull(ven.registrationId);

    JsonObject state = vtn.call(GET, "/oadr20b/vens/" + id, utility, null).bodyAsJsonObject();
    assertEquals(true, state.getBoolean("registered"));
    assertEquals(ven.registrationId, state.getString("registrationID"));
    assertEquals(true, state.getBoolean("httpPull"));

    OadrCreatedPartyRegistrationType again = ven.query().message().getOadrCreatedPartyRegistration();
    assertEquals(ven.registrationId, again.getRegistrationID(), "a query now names the registration");
    assertEquals(id, again.getVenID());

    String first = ven.registrationId;
    assertEquals("200", ven.register(ven.venId, true, null, true).code(), "re-registering with the registrationID");
    assertEquals(first, ven.registrationId, "keeps it");
    assertEquals("200", ven.register(null, true, null, false).code(), "registering afresh");
    assertTrue(!first.equals(ven.registrationId), "replaces the registration");
    assertEquals(1L, count("SELECT count(*) FROM oadr20b_registrations WHERE ven_id = '" + id + "'"));
    assertEquals(3L, count("SELECT count(*) FROM audit_log WHERE action = 'oadr20b.registered' AND object_id = '"
        + id + "'"), "each registration is audited");
  }

  @Test
  void onlyProvisionedVensMayRegister() {
    long before = count("SELECT count(*) FROM oadr20b_registrations");
    JsonObject client = vtn.clientWithToken("ven", "unprovisioned");
    Oadr20bTestVen stranger = new Oadr20bTestVen(vtn.http, client.getString("token"), "reg-stranger");
    Answer a = stranger.register();
    assertEquals(200, a.status());
    assertEquals("463", a.code(), a.body());
    assertTrue(a.description().contains("reg-stranger"), a.description());

    Oadr20bTestVen named = provisioned("reg-site-b");
    Oadr20bTestVen wrongName = new Oadr20bTestVen(vtn.http, named.token(), "reg-site-b-renamed");
    assertEquals("463", wrongName.register().code(), "a venName it was not provisioned with");

    Oadr20bTestVen other = provisioned("reg-site-c");
    assertEquals("452", other.register(venIdOf("reg-site-b"), true, null, false).code(), "another VEN's venID");

    Answer anonymous = new Oadr20bTestVen(vtn.http, null, "reg-site-b").register();
    assertEquals("463", anonymous.code(), "no credentials, no registration (open registration is off)");

    Answer operator = new Oadr20bTestVen(vtn.http, utility, "reg-site-b").register();
    assertEquals("403", operator.code(), "a utility's token is not a VEN's");
    assertEquals(before, count("SELECT count(*) FROM oadr20b_registrations"), "nothing stored");
    assertEquals(0L, count("SELECT count(*) FROM vens WHERE ven_name = 'reg-stranger'"));
  }

  @Test
  void pushRegistrationNeedsItsAddress() {
    Oadr20bTestVen ven = provisioned("reg-push");
    Answer missing = ven.register(null, false, null, false);
    assertEquals("454", missing.code(), missing.body());
    assertEquals("454", ven.register(null, false, "ftp://ven.example/", false).code());
    Answer pull = ven.register(null, true, "None", false);
    assertEquals("200", pull.code(), "a pull VEN's address is not used (OpenLEADR sends the text None)");
    assertEquals(null, vtn.call(GET, "/oadr20b/vens/" + ven.venId, utility, null).bodyAsJsonObject()
        .getString("transportAddress"));
    Answer ok = ven.register(null, false, "https://ven.example:8443/OpenADR2/Simple/2.0b", false);
    assertEquals("200", ok.code(), ok.body());
    JsonObject state = vtn.call(GET, "/oadr20b/vens/" + ven.venId, utility, null).bodyAsJsonObject();
    assertEquals(false, state.getBoolean("httpPull"));
    assertEquals("https://ven.example:8443/OpenADR2/Simple/2.0b", state.getString("transportAddress"));
  }

  @Test
  void cancellingEndsTheRegistration() {
    Oadr20bTestVen ven = provisioned("reg-cancel");
    assertEquals("200", ven.register().code());
    assertEquals("200", ven.poll().code());
    Answer wrong = ven.cancel("not-my-registration");
    assertEquals("452", wrong.code(), wrong.body());
    assertNotNull(wrong.message().getOadrCanceledPartyRegistration(), "answered in the cancel's own reply type");
    Answer ok = ven.cancel(ven.registrationId);
    assertEquals("200", ok.code(), ok.body());
    assertEquals(ven.registrationId, ok.message().getOadrCanceledPartyRegistration().getRegistrationID());
    assertEquals("463", ven.poll().code(), "no longer registered");
    assertEquals(false, vtn.call(GET, "/oadr20b/vens/" + ven.venId, utility, null).bodyAsJsonObject()
        .getBoolean("registered"));
    assertEquals(1L, count("SELECT count(*) FROM audit_log WHERE action = 'oadr20b.cancelled' AND object_id = '"
        + ven.venId + "'"));
  }

  @Test
  void reregistrationIsQueuedAndSurvivesARestart() {
    DbUri db = TestDatabase.create();
    JsonObject client;
    Oadr20bTestVen ven;
    String grid;
    try (TestVtn own = TestVtn.start(db, Map.of(), List.of(), false)) {
      grid = own.clientWithToken("utility", "Grid Co").getString("token");
      client = own.clientWithToken("ven", "requeue client");
      provision(own, grid, client.getString("clientId"), "reg-requeue");
      ven = new Oadr20bTestVen(own.http, client.getString("token"), "reg-requeue");
      assertEquals("200", ven.register().code());
      assertNotNull(ven.poll().message().getOadrResponse(), "nothing queued yet");

      assertProblem(own.call(POST, "/oadr20b/vens/" + ven.venId + "/reregistration", client.getString("token"), null),
          403, "forbidden");
      HttpResponse<Buffer> queued = own.call(POST, "/oadr20b/vens/" + ven.venId + "/reregistration", grid, null);
      assertEquals(202, queued.statusCode(), queued.bodyAsString());
      assertProblem(own.call(POST, "/oadr20b/vens/no-such-ven/reregistration", grid, null), 404, "not-found");
    }
    try (TestVtn restarted = TestVtn.start(db, Map.of(), List.of(), true)) {
      String token = TestVtn.await(restarted.token(client.getString("clientId"), client.getString("clientSecret")));
      Oadr20bTestVen same = new Oadr20bTestVen(restarted.http, token, "reg-requeue");
      same.venId = ven.venId;
      same.registrationId = ven.registrationId;
      Answer first = same.poll();
      assertNotNull(first.message().getOadrRequestReregistration(), first.body());
      assertEquals(ven.venId, first.message().getOadrRequestReregistration().getVenID());
      assertEquals("200", same.acknowledge("EiRegisterParty", "").code(), "the VEN acknowledges");
      assertNotNull(same.poll().message().getOadrResponse(), "delivered once");
      assertEquals("200", same.register(ven.venId, true, null, true).code(), "and registers again");
    }
  }

  @Test
  void openRegistrationCreatesTheVenRecordInDevelopmentMode() {
    try (TestVtn open = TestVtn.start(Map.of("VTN_OADR20B_OPEN_REGISTRATION", "true"))) {
      String grid = open.clientWithToken("utility", "Grid Co").getString("token");
      Oadr20bTestVen ven = new Oadr20bTestVen(open.http, null, "open-site-1");
      Answer a = ven.register();
      assertEquals("200", a.code(), a.body());
      JsonArray listed = open.call(GET, V + "/vens?venName=open-site-1", grid, null).bodyAsJsonArray();
      assertEquals(1, listed.size(), "the 3.1 API shows the VEN");
      assertEquals(ven.venId, listed.getJsonObject(0).getString("id"));
      assertEquals("200", ven.poll().code());
      Oadr20bTestVen again = new Oadr20bTestVen(open.http, null, "open-site-1");
      assertEquals("200", again.register().code(), "the same venName registers the same VEN");
      assertEquals(ven.venId, again.venId);
    }
  }

  @Test
  void onlyAUtilityProvisionsTheCertificateFingerprint() {
    JsonObject client = vtn.clientWithToken("ven", "fp client");
    String fingerprint = "AB:CD:EF:01:23:45:67:89:AB:CD";
    JsonObject self = new JsonObject().put("objectType", "VEN_VEN_REQUEST").put("venName", "reg-fp")
        .put("attributes", new JsonArray().add(attr("OADR_CERT_FINGERPRINT", fingerprint)));
    assertProblem(vtn.call(POST, V + "/vens", client.getString("token"), self), 403, "forbidden");
    String id = provision(vtn, utility, client.getString("clientId"), "reg-fp", fingerprint.toLowerCase());
    assertProblem(vtn.call(POST, V + "/vens", utility, blVen("reg-fp-2", client.getString("clientId"), fingerprint)),
        409, "conflict");
    assertProblem(vtn.call(POST, V + "/vens", utility, blVen("reg-fp-3", client.getString("clientId"), "AB:CD")),
        400, "validation-failed");

    // The VEN's own update without the attribute keeps it; changing it is refused.
    HttpResponse<Buffer> kept = vtn.call(PUT, V + "/vens/" + id, client.getString("token"),
        new JsonObject().put("objectType", "VEN_VEN_REQUEST").put("venName", "reg-fp"));
    assertEquals(200, kept.statusCode(), kept.bodyAsString());
    assertEquals(fingerprint, TestVtn.await(vtn.app.pool().query("SELECT oadr_fingerprint FROM vens WHERE id = '" + id
        + "'").execute()).iterator().next().getString(0));
    assertProblem(vtn.call(PUT, V + "/vens/" + id, client.getString("token"), new JsonObject()
        .put("objectType", "VEN_VEN_REQUEST").put("venName", "reg-fp")
        .put("attributes", new JsonArray().add(attr("OADR_CERT_FINGERPRINT", "00:00:00:00:00:00:00:00:00:00")))),
        403, "forbidden");
  }

  // --- helpers ---

  /** A VEN client, and a VEN the utility provisions for it under this venName. */
  static Oadr20bTestVen provisioned(String venName) {
    JsonObject client = vtn.clientWithToken("ven", venName + " client");
    provision(vtn, utility, client.getString("clientId"), venName);
    return new Oadr20bTestVen(vtn.http, client.getString("token"), venName);
  }

  static String provision(TestVtn on, String utilityToken, String clientId, String venName) {
    return provision(on, utilityToken, clientId, venName, null);
  }

  static String provision(TestVtn on, String utilityToken, String clientId, String venName, String fingerprint) {
    HttpResponse<Buffer> r = on.call(POST, V + "/vens", utilityToken, blVen(venName, clientId, fingerprint));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  static JsonObject blVen(String venName, String clientId, String fingerprint) {
    JsonObject body = new JsonObject().put("objectType", "BL_VEN_REQUEST").put("venName", venName).put("clientID", clientId);
    if (fingerprint != null) {
      body.put("attributes", new JsonArray().add(attr("OADR_CERT_FINGERPRINT", fingerprint)));
    }
    return body;
  }

  static JsonObject attr(String type, Object value) {
    return new JsonObject().put("type", type).put("values", new JsonArray().add(value));
  }

  static String venIdOf(String venName) {
    return vtn.call(GET, V + "/vens?venName=" + venName, utility, null).bodyAsJsonArray().getJsonObject(0).getString("id");
  }

  static long count(String sql) {
    return TestVtn.await(vtn.app.pool().query(sql).execute()).iterator().next().getLong(0);
  }
}
