package io.loadshift.vtn;

import static io.vertx.core.http.HttpMethod.POST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadshift.vtn.testing.Oadr20bTestVen;
import io.loadshift.vtn.testing.Oadr20bTestVen.Answer;
import io.loadshift.vtn.testing.TestDatabase;
import io.loadshift.vtn.testing.TestCerts;
import io.loadshift.vtn.testing.TestVtn;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who a 2.0b message is from, and what hostile or broken input gets: VENs identified by their
 * TLS client certificate's fingerprint (certificates from certs/generate.sh) or their token; a
 * venID that is not the sender's refused; XXE, billion laughs, schema-invalid, oversized and
 * misdirected messages answered with the right code, nothing stored, the server unaffected; and a
 * poll with nothing new touching no table.
 */
class Oadr20bSecurityTest {
  static final String V = "/openadr3/3.1.0";
  @TempDir
  static Path certs;
  static Vertx vertx;
  static TestVtn vtn;
  static String utility;

  @BeforeAll
  static void start() throws Exception {
    TestCerts.generate(certs, "ven-1", "ven-2");
    vertx = Vertx.vertx();
    vtn = TestVtn.start();
    utility = vtn.clientWithToken("utility", "Grid Co").getString("token");
  }

  @AfterAll
  static void stop() throws Exception {
    vtn.close();
    vertx.close();
    Oadr20bTestVen.checkAnswersAgainstOfficialSchema();
  }

  // ---------------------------------------------------------------------------------------------
  // Identity

  @Test
  void overMutualTlsTheCertificateIdentifiesTheVen() throws Exception {
    Map<String, String> tls = Map.of(
        "VTN_TLS_CERT_FILE", certs.resolve("server.crt").toString(),
        "VTN_TLS_KEY_FILE", certs.resolve("server.key").toString(),
        "VTN_TLS_CLIENT_CA_FILE", certs.resolve("ca.crt").toString(),
        "VTN_TLS_CLIENT_AUTH", "request");
    try (TestVtn secure = TestVtn.start(TestDatabase.create(), tls, List.of(), true)) {
      WebClient anonymous = tlsClient(null, secure.port());
      String admin = token(anonymous, TestVtn.ADMIN_ID, TestVtn.ADMIN_SECRET);
      String grid = client(anonymous, admin, "utility", "Grid Co").getString("token");
      JsonObject venClient = client(anonymous, admin, "ven", "tls ven client");
      String fingerprint = Files.readString(certs.resolve("ven-1.fingerprint")).trim();
      HttpResponse<Buffer> made = TestVtn.await(anonymous.post(V + "/vens").bearerTokenAuthentication(grid)
          .sendJsonObject(new JsonObject().put("objectType", "BL_VEN_REQUEST").put("venName", "tls-ven-1")
              .put("clientID", venClient.getString("clientId")).put("attributes", new JsonArray()
                  .add(new JsonObject().put("type", "OADR_CERT_FINGERPRINT").put("values", new JsonArray().add(fingerprint))))));
      assertEquals(201, made.statusCode(), made.bodyAsString());
      String venId = made.bodyAsJsonObject().getString("id");

      Oadr20bTestVen ven1 = new Oadr20bTestVen(tlsClient("ven-1", secure.port()), null, "tls-ven-1");
      Answer registered = ven1.register();
      assertEquals("200", registered.code(), registered.body());
      assertEquals(venId, ven1.venId, "the certificate's VEN, no token needed");
      assertNotNull(ven1.poll().message().getOadrResponse());
      assertEquals("463", new Oadr20bTestVen(tlsClient("ven-1", secure.port()), null, "tls-ven-1-other").register().code(),
          "the right certificate with another venName");

      Oadr20bTestVen ven2 = new Oadr20bTestVen(tlsClient("ven-2", secure.port()), null, "tls-ven-1");
      Answer unprovisioned = ven2.register();
      assertEquals("463", unprovisioned.code(), unprovisioned.body());
      assertTrue(unprovisioned.description().contains(Files.readString(certs.resolve("ven-2.fingerprint")).trim()));
      Answer impostor = ven2.poll(venId);
      assertEquals("452", impostor.code(), "another certificate polling as ven-1: " + impostor.body());
      assertEquals("463", new Oadr20bTestVen(anonymous, null, "tls-ven-1").poll(venId).code(), "no certificate, no token");
      assertNotNull(ven1.poll().message().getOadrResponse(), "ven-1 unaffected");
    }
  }

  @Test
  void aVenPollingAsAnotherVenIsRefusedAndChangesNothing() {
    Oadr20bTestVen a = Vens.registered(vtn, utility, "sec-a");
    Oadr20bTestVen b = Vens.registered(vtn, utility, "sec-b");
    assertEquals(202, vtn.call(POST, "/oadr20b/vens/" + b.venId + "/reregistration", utility, null).statusCode());

    Answer asB = a.poll(b.venId);
    assertEquals(200, asB.status());
    assertEquals("452", asB.code(), asB.body());
    assertEquals("452", a.requestEventAs(b.venId, "req-as-b").code(), "asking for B's events");
    assertEquals("452", a.post("EiEvent", Oadr20bTestVen.createdEventBody(b.venId, "r", List.of())).code());
    assertEquals("452", a.cancelAs(b.venId, b.registrationId).code());
    assertNotNull(b.poll().message().getOadrRequestReregistration(), "B's message still waits for B");
    assertNotNull(a.poll().message().getOadrResponse());

    assertEquals("463", new Oadr20bTestVen(vtn.http, "not-a-token", "sec-a").poll(a.venId).code());
    assertEquals("463", new Oadr20bTestVen(vtn.http, null, "sec-a").poll(a.venId).code(), "no credentials");
  }

  // ---------------------------------------------------------------------------------------------
  // Bad input

  @Test
  void hostileAndBrokenBodiesGetTheRightCodeAndStoreNothing() {
    Oadr20bTestVen ven = Vens.registered(vtn, utility, "sec-input");
    long[] before = stored();
    String poll = Oadr20bTestVen.pollBody(ven.venId);

    String xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE oadrPayload [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n"
        + poll.substring(poll.indexOf("<oadrPayload")).replace(ven.venId, "&xxe;");
    Answer a = ven.post("OadrPoll", xxe);
    assertEquals(200, a.status());
    assertEquals("400", a.code(), a.body());
    assertTrue(a.description().contains("DOCTYPE"), a.description());
    assertTrue(!a.body().contains("root:"), "no file content comes back");

    StringBuilder lol = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
    for (int i = 1; i <= 9; i++) {
      lol.append("<!ENTITY lol").append(i).append(" \"").append((i == 1 ? "&lol;" : "&lol" + (i - 1) + ";").repeat(10))
          .append("\">\n");
    }
    lol.append("]>\n").append(poll.substring(poll.indexOf("<oadrPayload")).replace(ven.venId, "&lol9;"));
    long start = System.nanoTime();
    assertEquals("400", ven.post("OadrPoll", lol.toString()).code());
    assertTrue((System.nanoTime() - start) / 1_000_000 < 1000, "refused at once");

    Answer invalid = ven.post("OadrPoll", poll.replace("<ei:venID>", "<ei:nickname>x</ei:nickname><ei:venID>"));
    assertEquals("400", invalid.code());
    assertTrue(invalid.description().contains("ei:nickname"), invalid.description());
    assertEquals("400", ven.post("OadrPoll", poll.substring(0, poll.length() / 2)).code(), "truncated");
    assertEquals("400", ven.post("OadrPoll", "").code(), "empty");
    assertEquals("400", ven.post("EiEvent", "{\"oadrPoll\": true}").code(), "not XML at all");

    byte[] huge = new byte[(1 << 20) + 100];
    Arrays.fill(huge, (byte) ' ');
    byte[] head = poll.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(head, 0, huge, 0, head.length);
    assertEquals(413, ven.post("OadrPoll", huge, "application/xml").status(), "over the body limit");
    assertEquals(415, ven.post("OadrPoll", poll, "application/json").status());
    assertEquals(415, ven.post("OadrPoll", poll.getBytes(StandardCharsets.UTF_8), null).status(), "no Content-Type");
    assertEquals("200", ven.post("OadrPoll", poll, "text/xml; charset=utf-8").code(), "text/xml is taken too");

    assertEquals(Arrays.toString(before), Arrays.toString(stored()), "nothing stored");
    assertEquals(200, vtn.call(io.vertx.core.http.HttpMethod.GET, "/health/live", null, null).statusCode());
    assertEquals("200", ven.poll().code(), "the server is unaffected");
  }

  @Test
  void messagesSentToTheWrongEndpointOrNotServedYetGetTheirCodes() throws IOException {
    Oadr20bTestVen ven = Vens.registered(vtn, utility, "sec-endpoints");
    String poll = Oadr20bTestVen.pollBody(ven.venId);
    Answer misdirected = ven.post("EiEvent", poll);
    assertEquals("459", misdirected.code(), misdirected.body());
    assertTrue(misdirected.description().contains("OadrPoll"), misdirected.description());
    assertEquals("459", ven.post("OadrPoll", Oadr20bTestVen.createPartyRegistration("sec-endpoints", null, null, true, null))
        .code());
    assertEquals("459", ven.post("EiRegisterParty", sample("oadrCreateOpt.xml")).code());
    assertEquals("452", ven.post("EiReport", sample("oadrRegisterReport.xml")).code(), "the sample names another VEN");
    assertEquals("452", ven.post("EiOpt", sample("oadrCreateOpt.xml")).code(), "the sample names another VEN");
    assertEquals(404, ven.post("OadrPollX", poll).status());
  }

  // ---------------------------------------------------------------------------------------------
  // Speed: nothing new costs no query

  @Test
  void aPollWithNothingNewDoesNotQueryTheDatabase() throws Exception {
    Oadr20bTestVen ven = Vens.registered(vtn, utility, "sec-quiet");
    TestVtn.await(vtn.http.post(V + "/events").bearerTokenAuthentication(utility)
        .sendJsonObject(new JsonObject().put("programID", program()).put("targets", new JsonArray().add("quiet-group"))));
    for (int i = 0; i < 5; i++) {
      ven.poll();
    }
    Thread.sleep(1200);
    double queryingBefore = metric("vtn_oadr20b_polls_querying_total");
    double sqlBefore = metric("vertx_sql_processing_time_seconds_count", "oadr20b");
    long commitsBefore = commits();
    assertTrue(sqlBefore > 0, "the 2.0b pool's meters are read (it registered the VEN)");
    int polls = 400;
    for (int i = 0; i < polls; i++) {
      Answer a = ven.poll();
      assertNotNull(a.message().getOadrResponse(), a.body());
    }
    Thread.sleep(1200);
    assertEquals(queryingBefore, metric("vtn_oadr20b_polls_querying_total"), "no poll queried");
    assertEquals(sqlBefore, metric("vertx_sql_processing_time_seconds_count", "oadr20b"),
        "the 2.0b pool ran no statement");
    long commits = commits() - commitsBefore;
    System.out.println("2.0b polls: " + polls + ", PostgreSQL transactions meanwhile: " + commits);
    assertTrue(commits < polls / 10, "PostgreSQL saw " + commits + " transactions during " + polls
        + " polls (background jobs only)");
    assertTrue(metric("vtn_oadr20b_polls_total", "nothing") >= polls);
  }

  // --- helpers ---

  static String program() {
    HttpResponse<Buffer> r = vtn.call(POST, V + "/programs", utility, new JsonObject().put("programName", "sec-quiet-"
        + System.nanoTime()));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  /** Rows a refused message must not have added. */
  static long[] stored() {
    long[] out = new long[5];
    String[] tables = {"oadr20b_registrations", "oadr20b_queue", "oadr20b_event_state", "event_opts", "audit_log"};
    for (int i = 0; i < tables.length; i++) {
      out[i] = TestVtn.await(vtn.app.pool().query("SELECT count(*) FROM " + tables[i]).execute()).iterator().next().getLong(0);
    }
    return out;
  }

  static long commits() {
    return TestVtn.await(vtn.app.pool().query("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
        .execute()).iterator().next().getLong(0);
  }

  /** The sum of a metric's samples whose line contains all the given fragments. */
  static double metric(String name, String... fragments) {
    String text = vtn.call(io.vertx.core.http.HttpMethod.GET, "/metrics", null, null).bodyAsString();
    double sum = 0;
    for (String line : text.split("\n")) {
      if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
        continue;
      }
      boolean all = true;
      for (String f : fragments) {
        all &= line.contains(f);
      }
      if (all) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  static String sample(String name) throws IOException {
    try (InputStream in = Oadr20bSecurityTest.class.getClassLoader().getResourceAsStream("oadr20b/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static WebClient tlsClient(String ven, int port) {
    return TestCerts.client(vertx, certs, ven, port);
  }

  static String token(WebClient http, String id, String secret) {
    HttpResponse<Buffer> r = TestVtn.await(http.post(V + "/auth/token").sendForm(io.vertx.core.MultiMap
        .caseInsensitiveMultiMap().add("grant_type", "client_credentials").add("client_id", id).add("client_secret", secret)));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("access_token");
  }

  static JsonObject client(WebClient http, String admin, String role, String name) {
    HttpResponse<Buffer> r = TestVtn.await(http.post("/admin/clients").bearerTokenAuthentication(admin)
        .sendJsonObject(new JsonObject().put("role", role).put("name", name)));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject c = r.bodyAsJsonObject();
    return c.put("token", token(http, c.getString("clientId"), c.getString("clientSecret")));
  }

  /** Provisioned and registered VENs for these tests. */
  static final class Vens {
    static Oadr20bTestVen registered(TestVtn on, String grid, String venName) {
      JsonObject client = on.clientWithToken("ven", venName + " client");
      HttpResponse<Buffer> r = on.call(POST, V + "/vens", grid, new JsonObject().put("objectType", "BL_VEN_REQUEST")
          .put("venName", venName).put("clientID", client.getString("clientId")));
      assertEquals(201, r.statusCode(), r.bodyAsString());
      Oadr20bTestVen ven = new Oadr20bTestVen(on.http, client.getString("token"), venName);
      assertEquals("200", ven.register().code());
      return ven;
    }
  }
}
