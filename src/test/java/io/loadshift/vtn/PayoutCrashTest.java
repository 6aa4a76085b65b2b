package io.loadshift.vtn;

import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.loadshift.vtn.audit.AuditService;
import io.loadshift.vtn.ledger.LocalHorizon;
import io.loadshift.vtn.payout.HorizonStellar;
import io.loadshift.vtn.payout.LedgerAccounts;
import io.loadshift.vtn.payout.PayoutWorker;
import io.loadshift.vtn.payout.PayoutWorker.Step;
import io.loadshift.vtn.testing.TestVtn;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.stellar.sdk.KeyPair;

/**
 * The exactly-once proof: the payout worker is stopped dead at every step boundary in turn (and
 * once with the ledger's answer lost after it applied the transaction, and once long enough for a
 * stored transaction's time bounds to pass), restarted each time, and in the end every verified
 * participant was paid exactly once, with the exact amount, and nobody else was paid.
 */
class PayoutCrashTest {
  static final String V = "/openadr3/3.1.0";
  static final int VENS = 250;
  static final long START_STROOPS = 20_000_000L;
  static Vertx ledgerVertx;
  static LocalHorizon ledger;
  static LedgerAccounts accounts;
  static TestVtn vtn;
  static KeyPair distribution;
  static WorkerExecutor blocking;
  static final List<KeyPair> consumers = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    ledgerVertx = Vertx.vertx();
    ledger = TestVtn.await(LocalHorizon.start(ledgerVertx, LocalHorizon.Options.defaults().withPort(0)));
    accounts = new LedgerAccounts(ledger.url(), ledger.networkPassphrase());
    distribution = KeyPair.random();
    accounts.fund(distribution.getAccountId());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < VENS; i++) {
      KeyPair k = KeyPair.random();
      consumers.add(k);
      ids.add(k.getAccountId());
    }
    accounts.createAccounts(distribution, ids, START_STROOPS);
    // The VTN serves the API; the payout workers under test run beside it, on its database.
    vtn = TestVtn.start(Map.of("VTN_STELLAR_HORIZON_URL", ledger.url(), "VTN_STELLAR_NETWORK", ledger.networkPassphrase(),
        "VTN_STELLAR_SECRET", new String(distribution.getSecretSeed()), "VTN_PAYOUT_WORKER", "false"));
    blocking = vtn.app.vertx().createSharedWorkerExecutor("crash-test-stellar", 2);
  }

  @AfterAll
  static void stop() {
    blocking.close();
    vtn.close();
    accounts.close();
    ledgerVertx.close();
  }

  static JsonObject attr(String type, Object value) {
    return new JsonObject().put("type", type).put("values", new JsonArray().add(value));
  }

  /** A worker that dies the first time it reaches {@code step} (never, for null). */
  static PayoutWorker worker(Step step, Duration txTimeout) {
    AtomicBoolean crashed = new AtomicBoolean();
    PayoutWorker.Crashpoints crash = s -> {
      if (s == step && crashed.compareAndSet(false, true)) {
        throw new PayoutWorker.Crash(s);
      }
    };
    PayoutWorker w = new PayoutWorker(vtn.app.vertx(), vtn.app.pool(),
        new HorizonStellar(ledger.url(), ledger.networkPassphrase(), distribution.getSecretSeed()), blocking,
        new AuditService(), new PayoutWorker.Settings("crash-test", Duration.ofSeconds(30), txTimeout, 100, 10_000, 100,
        Duration.ofSeconds(1), 20_000_000L), crash);
    vtn.app.vertx().runOnContext(v -> w.start());
    return w;
  }

  static void awaitDeath(PayoutWorker w) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    while (!w.stopped()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("the worker never reached its crash point");
      }
      Thread.sleep(20);
    }
  }

  static Map<String, Long> statuses(String utility, String eventId) {
    Map<String, Long> out = new HashMap<>();
    HttpResponse<Buffer> r = vtn.call(GET, "/settlement/events/" + eventId + "/payouts?limit=1000", utility, null);
    r.bodyAsJsonArray().forEach(o -> out.merge(((JsonObject) o).getString("status"), 1L, Long::sum));
    return out;
  }

  @Test
  void everyVerifiedParticipantIsPaidExactlyOnceWhateverStepTheWorkerDiesAt() throws Exception {
    String utility = vtn.clientWithToken("utility", "Grid Co").getString("token");
    String program = vtn.call(POST, V + "/programs", utility, new JsonObject().put("programName", "crash")
        .put("attributes", new JsonArray().add(attr("BASELINE_METHOD", "EXTERNAL")).add(attr("REWARD_PER_KW", 0.01))
            .add(attr("REWARD_ASSET", "native")))).bodyAsJsonObject().getString("id");
    Instant start = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.HOURS);
    String eventId = vtn.call(POST, V + "/events", utility, new JsonObject().put("programID", program)
        .put("intervalPeriod", new JsonObject().put("start", start.toString()).put("duration", "PT1H")))
        .bodyAsJsonObject().getString("id");
    JsonArray submissions = new JsonArray();
    Map<String, Long> owed = new HashMap<>();
    for (int i = 0; i < VENS; i++) {
      String account = consumers.get(i).getAccountId();
      HttpResponse<Buffer> r = vtn.call(POST, V + "/vens", utility, new JsonObject().put("objectType", "BL_VEN_REQUEST")
          .put("venName", "home-" + i).put("clientID", "home-" + i)
          .put("attributes", new JsonArray().add(attr("STELLAR_ACCOUNT", account))));
      assertEquals(201, r.statusCode(), r.bodyAsString());
      double kw = 1 + i % 17;
      submissions.add(new JsonObject().put("venID", r.bodyAsJsonObject().getString("id")).put("baselineKw", 50)
          .put("actualKw", 50 - kw));
      owed.put(account, (long) (kw * 0.01 * 10_000_000L));
    }
    assertEquals(200, vtn.call(POST, "/settlement/events/" + eventId + "/external", utility,
        new JsonObject().put("submissions", submissions)).statusCode());
    assertEquals(200, vtn.call(POST, "/settlement/events/" + eventId + "/verify", utility, null).statusCode());
    assertEquals(VENS, vtn.call(POST, "/settlement/events/" + eventId + "/payouts", utility, null).bodyAsJsonObject()
        .getInteger("created"));

    // A transaction stored, never sent, and left until its time bounds pass: rebuilt, not lost.
    awaitDeath(worker(Step.STORED, Duration.ofSeconds(1)));
    Thread.sleep(2_500);
    for (Step step : List.of(Step.BUILT, Step.STORED, Step.SUBMITTED)) {
      awaitDeath(worker(step, Duration.ofSeconds(60)));
    }
    // The ledger applies the next transaction but its answer is lost; the worker dies right after.
    ledger.faults().failAfterApply(1);
    awaitDeath(worker(Step.SUBMITTED, Duration.ofSeconds(60)));
    awaitDeath(worker(Step.RECORDING, Duration.ofSeconds(60)));

    PayoutWorker last = worker(null, Duration.ofSeconds(60));
    long deadline = System.currentTimeMillis() + 30_000;
    while (statuses(utility, eventId).getOrDefault("PAID", 0L) < VENS) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("not all paid: " + statuses(utility, eventId));
      }
      Thread.sleep(100);
    }
    io.vertx.core.Promise<Void> stopped = io.vertx.core.Promise.promise();
    vtn.app.vertx().runOnContext(v -> last.stop().onComplete(stopped));
    TestVtn.await(stopped.future());

    assertEquals(Map.of("PAID", (long) VENS), statuses(utility, eventId));
    for (KeyPair k : consumers) {
      assertEquals(1, ledger.paymentsTo(k.getAccountId()), "payments to " + k.getAccountId());
      assertEquals(START_STROOPS + owed.get(k.getAccountId()), accounts.balance(k.getAccountId(), "native"));
    }
    // Three transactions paid everyone; the one left past its time bounds was never applied.
    Map<String, String> batches = new java.util.TreeMap<>();
    TestVtn.await(vtn.app.pool().query("SELECT status, count(*), string_agg(DISTINCT result, '; ') FROM payout_batches "
        + "GROUP BY status").execute()).forEach(r -> batches.put(r.getString(0), r.getLong(1) + " " + r.getString(2)));
    assertEquals(Map.of("APPLIED", "3 applied", "EXPIRED", "1 not in the ledger and its time bounds have passed"), batches);
    JsonArray parts = vtn.call(GET, "/settlement/events/" + eventId + "/participations?limit=1000", utility, null)
        .bodyAsJsonArray();
    assertEquals(VENS, parts.stream().filter(o -> ((JsonObject) o).getString("status").equals("REWARDED")).count());
  }
}
