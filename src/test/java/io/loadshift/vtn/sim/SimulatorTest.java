package io.loadshift.vtn.sim;

import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadshift.vtn.testing.TestVtn;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator against a real VTN: sites register themselves over both protocols, reuse their
 * clients on a second run, backfill history, and during an event opt in or out, shed what their
 * setpoints ask (or nothing, when they do not comply) and report their meters after it.
 */
class SimulatorTest {
  static final String V = "/openadr3/3.1.0";
  static final int SITES = 4;
  static TestVtn vtn;
  static Vertx vertx;
  static String admin;
  static String utility;
  static long seed;

  @TempDir
  static Path dir;

  @BeforeAll
  static void start() {
    vtn = TestVtn.start(Map.of("VTN_WEBHOOK_HTTPS_ONLY", "false", "VTN_WEBHOOK_ALLOW_PRIVATE", "true"));
    vertx = Vertx.vertx();
    admin = TestVtn.await(vtn.adminToken());
    utility = vtn.clientWithToken("utility", "Grid Co").getString("token");
    // A fleet where site 0 (3.1) and site 1 (2.0b) comply and site 3 (2.0b) does not.
    seed = 1;
    while (!(Site.of("t", 0, seed, 0.5, ZoneOffset.UTC).complies() && Site.of("t", 1, seed, 0.5, ZoneOffset.UTC).complies()
        && !Site.of("t", 3, seed, 0.5, ZoneOffset.UTC).complies())) {
      seed++;
    }
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vtn.close();
  }

  static Simulator simulator(ByteArrayOutputStream log) {
    return new Simulator(vertx, new Simulator.Options("http://127.0.0.1:" + vtn.port(), "t", SITES, 0.5, 0.5, seed,
        Duration.ofMillis(200), 5, "sim-test", 4, 8, dir.resolve("state.tsv"), true,
        new PrintStream(log, true, StandardCharsets.UTF_8), true, "127.0.0.1"));
  }

  @Test
  void sitesRegisterRespondCurtailAndReport() throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Simulator first = simulator(log);
    TestVtn.await(first.provision(admin));
    first.close();

    // Every site: a VEN in the group, its meter and DERs, its own VEN client kept in the state file.
    for (int i = 0; i < SITES; i++) {
      Site site = Site.of("t", i, seed, 0.5, ZoneOffset.UTC);
      JsonArray found = vtn.call(GET, V + "/vens?venName=" + site.name(), admin, null).bodyAsJsonArray();
      assertEquals(1, found.size(), site.name());
      assertTrue(found.getJsonObject(0).getJsonArray("targets").contains("sim-test"));
      JsonArray resources = vtn.call(GET, V + "/vens/" + found.getJsonObject(0).getString("id") + "/resources", admin, null)
          .bodyAsJsonArray();
      assertEquals(1 + site.ders().size(), resources.size(), resources.encode());
    }
    List<String> state = Files.readAllLines(dir.resolve("state.tsv"));
    assertEquals(SITES + 1, state.size(), "a comment and one line per site");
    assertTrue(log.toString(StandardCharsets.UTF_8).contains("registering sites"), "a progress line");
    int clients = vtn.call(GET, "/admin/clients?limit=500", admin, null).bodyAsJsonArray().size();
    int twoB = (int) TestVtn.await(vtn.app.pool().query("SELECT count(*) FROM oadr20b_registrations").execute())
        .iterator().next().getLong(0).longValue();
    assertEquals(2, twoB, "two sites speak 2.0b");

    // A second run of the same fleet reuses its clients and VENs; its 3.1 sites' subscriptions
    // replace the first run's (one each, at the new receiver).
    Simulator sim = simulator(new ByteArrayOutputStream());
    TestVtn.await(sim.provision(admin));
    assertEquals(clients, vtn.call(GET, "/admin/clients?limit=500", admin, null).bodyAsJsonArray().size());
    assertEquals(2L, TestVtn.await(vtn.app.pool().query("SELECT count(*) FROM subscriptions").execute())
        .iterator().next().getLong(0));

    // A day of 15-minute history through /meterdata.
    Instant now = Instant.now();
    long stored = TestVtn.await(sim.backfill(utility, now.minus(Duration.ofDays(1)), now, 15));
    assertEquals(SITES * 96L, stored);

    // An event for the group, dispatched to every site: two 5-second intervals a few seconds ahead.
    TestVtn.await(sim.start(0));
    String program = vtn.call(POST, V + "/programs", utility, new JsonObject().put("programName", "sim-test")
        .put("attributes", new JsonArray().add(attr("BASELINE_METHOD", "METER_BEFORE_AFTER")))).bodyAsJsonObject()
        .getString("id");
    long startS = (Instant.now().getEpochSecond() / 5 + 2) * 5;
    Instant start = Instant.ofEpochSecond(startS);
    Instant end = start.plusSeconds(10);
    double all = 0;
    for (int i = 0; i < SITES; i++) {
      all += Site.of("t", i, seed, 0.5, ZoneOffset.UTC).ders().stream().mapToDouble(Site.Der::capacityKw).sum();
    }
    var created = vtn.call(POST, V + "/events", utility, new JsonObject().put("programID", program)
        .put("targets", new JsonArray().add("sim-test"))
        .put("intervalPeriod", new JsonObject().put("start", start.toString()).put("duration", "PT5S"))
        .put("intervals", new JsonArray()
            .add(new JsonObject().put("id", 0).put("payloads", new JsonArray().add(attr("TARGET_REDUCTION_KW", all))))
            .add(new JsonObject().put("id", 1).put("payloads", new JsonArray().add(attr("TARGET_REDUCTION_KW", all))))));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    String event = created.bodyAsJsonObject().getString("id");
    assertEquals(201, vtn.call(POST, "/optimization/events/" + event + "/plan?accept=true", utility, null).statusCode());

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    while (TestVtn.await(sim.reportedThrough(end.getEpochSecond())) < SITES && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    Simulator.RunStats run = TestVtn.await(sim.stop());
    sim.close();
    assertEquals(SITES, TestVtn.await(sim.reportedThrough(end.getEpochSecond())), "every site reported: " + run);
    assertEquals(0, run.errors(), String.valueOf(run.lastError()));
    assertTrue(run.polls() > SITES, "the sites polled");
    assertTrue(TestVtn.await(sim.notifications()) >= 2, "the 3.1 sites heard of their events by webhook");

    // 2.0b sites answered the event: optIn when complying, optOut when not.
    Map<String, String> opts = new HashMap<>();
    for (Row r : TestVtn.await(vtn.app.pool().preparedQuery("SELECT v.ven_name, o.opt FROM event_opts o "
        + "JOIN vens v ON v.id = o.ven_id WHERE o.event_id = $1").execute(Tuple.of(event)))) {
      opts.put(r.getString(0), r.getString(1));
    }
    assertEquals("optIn", opts.get("t-0001"));
    assertEquals("optOut", opts.get("t-0003"));

    // Meter readings over the event: complying sites used less than their building's load by
    // what they shed; a site that does not comply used exactly its building's load.
    for (int i = 0; i < SITES; i++) {
      Site site = Site.of("t", i, seed, 0.5, ZoneOffset.UTC);
      double used = 0;
      double model = 0;
      for (Row r : TestVtn.await(vtn.app.pool().preparedQuery("SELECT rd.interval_start, rd.value FROM readings rd "
          + "JOIN resources res ON res.id = rd.resource_id JOIN vens v ON v.id = res.ven_id WHERE v.ven_name = $1 "
          + "AND res.resource_name = 'meter' AND rd.interval_start >= $2 AND rd.interval_start < $3")
          .execute(Tuple.of(site.name(), start.atOffset(ZoneOffset.UTC), end.atOffset(ZoneOffset.UTC))))) {
        used += r.getDouble(1);
        model += Math.round(site.load().kw(r.getOffsetDateTime(0).toInstant()) * 5 / 3600.0 * 10_000) / 10_000.0;
      }
      assertTrue(model > 0, site.name() + " reported the event's intervals");
      if (site.complies()) {
        assertTrue(used < model - 1e-3, site.name() + " curtailed: " + used + " < " + model);
      } else {
        assertEquals(model, used, 1e-6, site.name() + " did not comply and used what its building did");
      }
    }

    // Verification sees every site but the one that opted out.
    var verified = vtn.call(POST, "/settlement/events/" + event + "/verify", utility, null);
    assertEquals(200, verified.statusCode(), verified.bodyAsString());
    assertEquals(SITES - 1, verified.bodyAsJsonObject().getInteger("participants"), verified.bodyAsString());

    // Stopping removed the 3.1 sites' webhook subscriptions.
    assertEquals(0L, TestVtn.await(vtn.app.pool().query("SELECT count(*) FROM subscriptions").execute())
        .iterator().next().getLong(0));

    // The state file lost: new clients, and the admin hands each site's VEN to its new client.
    Files.delete(dir.resolve("state.tsv"));
    Simulator fresh = simulator(new ByteArrayOutputStream());
    TestVtn.await(fresh.provision(admin));
    TestVtn.await(fresh.stop());
    fresh.close();
    assertEquals(clients + SITES, vtn.call(GET, "/admin/clients?limit=500", admin, null).bodyAsJsonArray().size());
    for (int i = 0; i < SITES; i++) {
      String name = Site.of("t", i, seed, 0.5, ZoneOffset.UTC).name();
      JsonObject ven = vtn.call(GET, V + "/vens?venName=" + name, admin, null).bodyAsJsonArray().getJsonObject(0);
      assertEquals(fresh.venId(i), ven.getString("id"), name + " kept its VEN");
      assertTrue(Files.readString(dir.resolve("state.tsv")).contains(name + "\t" + ven.getString("clientID") + "\t"),
          name + "'s VEN belongs to the client in the new state file");
    }
  }

  static JsonObject attr(String type, Object value) {
    return new JsonObject().put("type", type).put("values", new JsonArray().add(value));
  }
}
