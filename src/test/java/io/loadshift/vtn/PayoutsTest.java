package io.loadshift.vtn;

import static io.loadshift.vtn.testing.ProblemAssert.assertProblem;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadshift.vtn.ledger.LocalHorizon;
import io.loadshift.vtn.payout.LedgerAccounts;
import io.loadshift.vtn.testing.TestVtn;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.stellar.sdk.KeyPair;
import org.stellar.sdk.MemoHash;
import org.stellar.sdk.Server;

/** Verified rewards paid on a (local) Stellar ledger through the HTTP API, with the ledger checked. */
class PayoutsTest {
  static final String V = "/openadr3/3.1.0";
  static Vertx ledgerVertx;
  static LocalHorizon ledger;
  static LedgerAccounts accounts;
  static TestVtn vtn;
  static String utility;
  static KeyPair distribution;
  static KeyPair issuer;
  static String asset;
  static final Map<String, KeyPair> keys = new HashMap<>();
  static final Map<String, String> venIds = new HashMap<>();

  @BeforeAll
  static void start() throws Exception {
    ledgerVertx = Vertx.vertx();
    ledger = TestVtn.await(LocalHorizon.start(ledgerVertx, LocalHorizon.Options.defaults().withPort(0)));
    accounts = new LedgerAccounts(ledger.url(), ledger.networkPassphrase());
    distribution = KeyPair.random();
    issuer = KeyPair.random();
    asset = "DRC:" + issuer.getAccountId();
    accounts.fund(distribution.getAccountId());
    accounts.fund(issuer.getAccountId());
    accounts.trust(distribution, asset);
    accounts.pay(issuer, distribution.getAccountId(), asset, 1_000L * 10_000_000L);
    // a, b: ready to be paid; c: no trustline; d: no account on the ledger; e: no STELLAR_ACCOUNT yet.
    for (String site : List.of("a", "b", "c", "d", "e")) {
      KeyPair k = KeyPair.random();
      keys.put(site, k);
      if (!site.equals("d")) {
        accounts.fund(k.getAccountId());
      }
      if (site.equals("a") || site.equals("b") || site.equals("e")) {
        accounts.trust(k, asset);
      }
    }
    vtn = TestVtn.start(Map.of("VTN_STELLAR_HORIZON_URL", ledger.url(), "VTN_STELLAR_NETWORK", ledger.networkPassphrase(),
        "VTN_STELLAR_SECRET", new String(distribution.getSecretSeed()), "VTN_PAYOUT_WAIT_SECONDS", "1"));
    utility = vtn.clientWithToken("utility", "Grid Co").getString("token");
    for (String site : List.of("a", "b", "c", "d", "e")) {
      JsonArray attributes = new JsonArray();
      if (!site.equals("e")) {
        attributes.add(attr("STELLAR_ACCOUNT", keys.get(site).getAccountId()));
      }
      HttpResponse<Buffer> r = vtn.call(POST, V + "/vens", utility, new JsonObject().put("objectType", "BL_VEN_REQUEST")
          .put("venName", "site-" + site).put("clientID", "client-" + site).put("attributes", attributes));
      assertEquals(201, r.statusCode(), r.bodyAsString());
      venIds.put(site, r.bodyAsJsonObject().getString("id"));
    }
  }

  @AfterAll
  static void stop() {
    vtn.close();
    accounts.close();
    ledgerVertx.close();
  }

  static JsonObject attr(String type, Object value) {
    return new JsonObject().put("type", type).put("values", new JsonArray().add(value));
  }

  /** A finished event of an EXTERNAL-baseline program, verified from the given reductions (kW). */
  static String verifiedEvent(String name, JsonArray programAttributes, Map<String, Double> reductions) {
    HttpResponse<Buffer> p = vtn.call(POST, V + "/programs", utility, new JsonObject().put("programName", name)
        .put("attributes", programAttributes.copy().add(attr("BASELINE_METHOD", "EXTERNAL"))));
    assertEquals(201, p.statusCode(), p.bodyAsString());
    Instant start = Instant.now().minus(3, ChronoUnit.HOURS).truncatedTo(ChronoUnit.HOURS);
    HttpResponse<Buffer> e = vtn.call(POST, V + "/events", utility, new JsonObject()
        .put("programID", p.bodyAsJsonObject().getString("id"))
        .put("intervalPeriod", new JsonObject().put("start", start.toString()).put("duration", "PT1H")));
    assertEquals(201, e.statusCode(), e.bodyAsString());
    String eventId = e.bodyAsJsonObject().getString("id");
    JsonArray submissions = new JsonArray();
    reductions.forEach((site, kw) -> submissions.add(new JsonObject().put("venID", venIds.get(site))
        .put("baselineKw", 100).put("actualKw", 100 - kw)));
    assertEquals(200, vtn.call(POST, "/settlement/events/" + eventId + "/external", utility,
        new JsonObject().put("submissions", submissions)).statusCode());
    assertEquals(200, vtn.call(POST, "/settlement/events/" + eventId + "/verify", utility, null).statusCode());
    return eventId;
  }

  static Map<String, JsonObject> payouts(String eventId) {
    HttpResponse<Buffer> r = vtn.call(GET, "/settlement/events/" + eventId + "/payouts", utility, null);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    Map<String, JsonObject> out = new HashMap<>();
    r.bodyAsJsonArray().forEach(o -> out.put(((JsonObject) o).getString("venName").substring(5), (JsonObject) o));
    return out;
  }

  static Map<String, JsonObject> awaitPayouts(String eventId, Predicate<Map<String, JsonObject>> done) throws Exception {
    long deadline = System.currentTimeMillis() + 20_000;
    Map<String, JsonObject> p = payouts(eventId);
    while (!done.test(p)) {
      if (System.currentTimeMillis() > deadline) {
        List<String> batches = new java.util.ArrayList<>();
        TestVtn.await(vtn.app.pool().query("SELECT status, result, attempts, fee_stroops, next_attempt_at - now() "
            + "FROM payout_batches ORDER BY created_at").execute()).forEach(r -> batches.add(r.toJson().encode()));
        throw new AssertionError("payouts did not settle: " + p + "\nbatches: " + batches);
      }
      Thread.sleep(100);
      p = payouts(eventId);
    }
    return p;
  }

  static String status(Map<String, JsonObject> p, String site) {
    return p.get(site).getString("status");
  }

  @Test
  void verifiedRewardsArePaidOnceWithTheirEvidenceAndFailuresSayWhy() throws Exception {
    // Other tests pay a and b too: amounts here are measured from what they held before.
    long aBefore = accounts.balance(keys.get("a").getAccountId(), asset);
    long bBefore = accounts.balance(keys.get("b").getAccountId(), asset);
    int aPayments = ledger.paymentsTo(keys.get("a").getAccountId());
    String eventId = verifiedEvent("pay", new JsonArray().add(attr("REWARD_PER_KW", 0.5))
        .add(attr("REWARD_ASSET", asset)).add(attr("MAX_REWARD_PER_PARTICIPANT", 8)),
        Map.of("a", 20.0, "b", 10.0, "c", 4.0, "d", 6.0, "e", 2.0));

    JsonObject first = vtn.call(POST, "/settlement/events/" + eventId + "/payouts", utility, null).bodyAsJsonObject();
    assertEquals(5, first.getInteger("created"));
    assertEquals("19.0000000", first.getString("createdAmount")); // 8 (capped from 10) + 5 + 2 + 3 + 1
    assertTrue(first.getBoolean("cappedPerParticipant"));
    JsonObject second = vtn.call(POST, "/settlement/events/" + eventId + "/payouts", utility, null).bodyAsJsonObject();
    assertEquals(0, second.getInteger("created"));
    assertEquals(5, second.getInteger("existing"));

    Map<String, JsonObject> p = awaitPayouts(eventId, m -> status(m, "a").equals("PAID") && status(m, "b").equals("PAID")
        && status(m, "c").equals("FAILED") && status(m, "d").equals("FAILED"));
    assertEquals("8.0000000", p.get("a").getString("amount"));
    assertEquals("5.0000000", p.get("b").getString("amount"));
    assertTrue(p.get("c").getString("reason").contains("no trustline"), p.get("c").encode());
    assertTrue(p.get("d").getString("reason").contains("does not exist"), p.get("d").encode());
    assertEquals("PENDING", status(p, "e"));
    assertTrue(p.get("e").getString("reason").contains("STELLAR_ACCOUNT"), p.get("e").encode());

    // On the ledger: exactly the amounts, once; nothing reached the failed ones.
    assertEquals(aBefore + 80_000_000L, accounts.balance(keys.get("a").getAccountId(), asset));
    assertEquals(bBefore + 50_000_000L, accounts.balance(keys.get("b").getAccountId(), asset));
    assertEquals(-1L, accounts.balance(keys.get("c").getAccountId(), asset));
    assertEquals(aPayments + 1, ledger.paymentsTo(keys.get("a").getAccountId()));

    // The transaction's memo is the hash of the evidence digests it pays for.
    JsonObject a = p.get("a");
    assertEquals(a.getString("txHash"), p.get("b").getString("txHash"));
    assertNotNull(a.getLong("ledger"));
    String da = a.getString("evidenceDigest");
    String db = p.get("b").getString("evidenceDigest");
    try (Server server = new Server(ledger.url())) {
      MemoHash memo = (MemoHash) server.transactions().transaction(a.getString("txHash")).getMemo();
      assertTrue(memo.getHexValue().equals(sha256(da + "\n" + db + "\n")) || memo.getHexValue().equals(sha256(db + "\n" + da + "\n")));
      assertEquals(a.getString("memoHash"), memo.getHexValue());
    }
    // Participations are REWARDED with the amount paid; the audit log links payout, evidence and transaction.
    JsonObject part = vtn.call(GET, "/settlement/events/" + eventId + "/participations?venName=site-a", utility, null)
        .bodyAsJsonArray().getJsonObject(0);
    assertEquals("REWARDED", part.getString("status"));
    assertEquals("8.0000000", part.getString("reward"));
    String admin = TestVtn.await(vtn.adminToken());
    JsonArray audit = vtn.call(GET, "/admin/audit?objectType=payout&objectId=" + a.getString("id"), admin, null)
        .bodyAsJsonArray();
    JsonObject paid = audit.stream().map(o -> (JsonObject) o).filter(o -> o.getString("action").equals("payout_paid"))
        .findFirst().orElseThrow();
    assertEquals(a.getString("txHash"), paid.getJsonObject("after").getString("txHash"));
    assertEquals(da, paid.getJsonObject("after").getString("evidenceDigest"));
    assertEquals(eventId + "/" + venIds.get("a"), paid.getJsonObject("after").getString("participation"));

    // Operators see the engine at work in /metrics.
    String metrics = TestVtn.await(vtn.http.get("/metrics").send()).bodyAsString();
    assertTrue(metrics.matches("(?s).*vtn_payouts_paid_total [1-9].*"), "paid counter");
    assertTrue(metrics.matches("(?s).*vtn_payouts_failed_total [1-9].*"), "failed counter");

    // Fixing the causes: c gets its trustline and is retried; e names its account.
    accounts.trust(keys.get("c"), asset);
    HttpResponse<Buffer> retried = vtn.call(POST, "/settlement/payouts/" + p.get("c").getString("id") + "/retry", utility, null);
    assertEquals(200, retried.statusCode(), retried.bodyAsString());
    assertProblem(vtn.call(POST, "/settlement/payouts/" + a.getString("id") + "/retry", utility, null), 409, "conflict");
    JsonObject venE = vtn.call(GET, V + "/vens/" + venIds.get("e"), utility, null).bodyAsJsonObject();
    venE.put("attributes", new JsonArray().add(attr("STELLAR_ACCOUNT", keys.get("e").getAccountId())));
    HttpResponse<Buffer> updated = vtn.call(PUT, V + "/vens/" + venIds.get("e"), utility, new JsonObject()
        .put("objectType", "BL_VEN_REQUEST").put("venName", "site-e").put("clientID", "client-e")
        .put("attributes", venE.getJsonArray("attributes")));
    assertEquals(200, updated.statusCode(), updated.bodyAsString());
    vtn.call(POST, "/settlement/events/" + eventId + "/payouts", utility, null); // a nudge is harmless
    p = awaitPayouts(eventId, m -> status(m, "c").equals("PAID") && status(m, "e").equals("PAID"));
    assertEquals(20_000_000L, accounts.balance(keys.get("c").getAccountId(), asset));
    assertEquals(10_000_000L, accounts.balance(keys.get("e").getAccountId(), asset));
    assertEquals("FAILED", status(p, "d"));
    assertEquals(aBefore + 80_000_000L, accounts.balance(keys.get("a").getAccountId(), asset));
  }

  @Test
  void anUnderfundedAccountMakesPayoutsWaitUntilItIsFunded() throws Exception {
    KeyPair poorIssuer = KeyPair.random();
    accounts.fund(poorIssuer.getAccountId());
    String poor = "POOR:" + poorIssuer.getAccountId();
    accounts.trust(distribution, poor);
    accounts.trust(keys.get("a"), poor);
    accounts.trust(keys.get("b"), poor);
    accounts.pay(poorIssuer, distribution.getAccountId(), poor, 10_000_000L); // 1 POOR: too little for 3 + 2
    String eventId = verifiedEvent("poor", new JsonArray().add(attr("REWARD_PER_KW", 1)).add(attr("REWARD_ASSET", poor)),
        Map.of("a", 3.0, "b", 2.0));
    assertEquals(2, vtn.call(POST, "/settlement/events/" + eventId + "/payouts", utility, null).bodyAsJsonObject()
        .getInteger("created"));
    Map<String, JsonObject> p = awaitPayouts(eventId, m -> m.values().stream().allMatch(x -> x.getString("reason") != null));
    p.values().forEach(x -> {
      assertEquals("PENDING", x.getString("status"));
      assertTrue(x.getString("reason").contains("too little"), x.encode());
    });
    accounts.pay(poorIssuer, distribution.getAccountId(), poor, 100_000_000L);
    awaitPayouts(eventId, m -> m.values().stream().allMatch(x -> x.getString("status").equals("PAID")));
    assertEquals(30_000_000L, accounts.balance(keys.get("a").getAccountId(), poor));
    assertEquals(20_000_000L, accounts.balance(keys.get("b").getAccountId(), poor));
  }

  @Test
  void networkTroubleIsRetriedAndNobodyIsPaidTwice() throws Exception {
    long aBefore = accounts.balance(keys.get("a").getAccountId(), asset);
    long bBefore = accounts.balance(keys.get("b").getAccountId(), asset);
    // Surge pricing (our 100 stroops per operation are too little: fee bumps), then a rate limit,
    // then a ledger that takes its time to include what it accepted (the answer is a timeout).
    ledger.faults().setBaseFee(300).rateLimit(2).delayInclusion(java.time.Duration.ofMillis(1500));
    try {
      String eventId = verifiedEvent("trouble", new JsonArray().add(attr("REWARD_PER_KW", 1))
          .add(attr("REWARD_ASSET", asset)), Map.of("a", 1.5, "b", 2.5));
      vtn.call(POST, "/settlement/events/" + eventId + "/payouts", utility, null);
      Map<String, JsonObject> p = awaitPayouts(eventId, m -> m.values().stream()
          .allMatch(x -> x.getString("status").equals("PAID")));
      assertTrue(p.get("a").getInteger("attempts") >= 1);
    } finally {
      ledger.faults().reset();
    }
    assertEquals(aBefore + 15_000_000L, accounts.balance(keys.get("a").getAccountId(), asset));
    assertEquals(bBefore + 25_000_000L, accounts.balance(keys.get("b").getAccountId(), asset));
  }

  @Test
  void anAssetTheDistributionAccountCannotHoldMakesPayoutsWaitWithTheReason() throws Exception {
    String ghost = "GHOST:" + KeyPair.random().getAccountId();
    String eventId = verifiedEvent("ghost", new JsonArray().add(attr("REWARD_PER_KW", 1)).add(attr("REWARD_ASSET", ghost)),
        Map.of("b", 2.0));
    vtn.call(POST, "/settlement/events/" + eventId + "/payouts", utility, null);
    Map<String, JsonObject> p = awaitPayouts(eventId, m -> m.get("b").getString("reason") != null);
    assertEquals("PENDING", status(p, "b"));
    assertTrue(p.get("b").getString("reason").contains("no trustline for " + ghost), p.get("b").encode());
  }

  @Test
  void distributionIsForUtilitiesOnFinishedEventsWithARate() {
    String ven = vtn.clientWithToken("ven", "some ven").getString("token");
    assertProblem(vtn.call(POST, "/settlement/events/nope/payouts", utility, null), 404, "not-found");
    String unrated = verifiedEvent("unrated", new JsonArray(), Map.of("a", 1.0));
    assertProblem(vtn.call(POST, "/settlement/events/" + unrated + "/payouts", utility, null), 409, "conflict");
    assertProblem(vtn.call(POST, "/settlement/events/" + unrated + "/payouts", ven, null), 403, "insufficient-scope");
    assertProblem(vtn.call(GET, "/settlement/payouts/not-a-uuid", utility, null), 404, "not-found");
    assertProblem(vtn.call(GET, "/settlement/events/" + unrated + "/payouts?status=LOST", utility, null), 400,
        "validation-failed");
    JsonObject ledgerState = vtn.call(GET, "/settlement/ledger", utility, null).bodyAsJsonObject();
    assertEquals(distribution.getAccountId(), ledgerState.getJsonObject("distributionAccount").getString("id"));
    assertEquals(ledger.networkPassphrase(), ledgerState.getString("networkPassphrase"));
  }

  static String sha256(String s) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes()));
  }
}
