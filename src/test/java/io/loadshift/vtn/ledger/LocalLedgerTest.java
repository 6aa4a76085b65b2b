package io.loadshift.vtn.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellar.sdk.Account;
import org.stellar.sdk.Asset;
import org.stellar.sdk.AssetTypeCreditAlphaNum4;
import org.stellar.sdk.AssetTypeNative;
import org.stellar.sdk.ChangeTrustAsset;
import org.stellar.sdk.ChangeTrustOperation;
import org.stellar.sdk.CreateAccountOperation;
import org.stellar.sdk.FeeBumpTransaction;
import org.stellar.sdk.KeyPair;
import org.stellar.sdk.ManageDataOperation;
import org.stellar.sdk.Memo;
import org.stellar.sdk.Network;
import org.stellar.sdk.NetworkMismatchException;
import org.stellar.sdk.Operation;
import org.stellar.sdk.PaymentOperation;
import org.stellar.sdk.Server;
import org.stellar.sdk.TimeBounds;
import org.stellar.sdk.Transaction;
import org.stellar.sdk.TransactionBuilder;
import org.stellar.sdk.TransactionPreconditions;
import org.stellar.sdk.Util;
import org.stellar.sdk.requests.ErrorResponse;
import org.stellar.sdk.requests.TooManyRequestsException;
import org.stellar.sdk.responses.AccountResponse;
import org.stellar.sdk.responses.RootResponse;
import org.stellar.sdk.responses.SubmitTransactionResponse;
import org.stellar.sdk.responses.SubmitTransactionTimeoutResponseException;
import org.stellar.sdk.responses.SubmitTransactionUnknownResponseException;
import org.stellar.sdk.responses.TransactionResponse;
import org.stellar.sdk.xdr.PaymentResultCode;
import org.stellar.sdk.xdr.TransactionMeta;
import org.stellar.sdk.xdr.TransactionResult;
import org.stellar.sdk.xdr.TransactionResultCode;

/** The local ledger driven through the real Stellar SDK over HTTP, as the VTN drives it. */
class LocalLedgerTest {
  private static final long XLM = 10_000_000L;
  private static final long FRIENDBOT = 10_000 * XLM;

  private static Vertx vertx;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<LocalHorizon> started = new ArrayList<>();
  private final List<Server> servers = new ArrayList<>();
  private LocalHorizon ledger;
  private Server server;
  private Network network;

  @TempDir Path tmp;

  @BeforeAll
  static void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() throws Exception {
    await(vertx.close());
  }

  @AfterEach
  void stop() throws Exception {
    servers.forEach(Server::close);
    for (LocalHorizon h : started) {
      await(h.close());
    }
  }

  private void start(LocalHorizon.Options options) throws Exception {
    ledger = await(LocalHorizon.start(vertx, options));
    started.add(ledger);
    server = new Server(ledger.url());
    servers.add(server);
    network = new Network(ledger.networkPassphrase());
  }

  private void start() throws Exception {
    start(LocalHorizon.Options.defaults());
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(ledger.url() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private KeyPair funded() throws Exception {
    KeyPair k = KeyPair.random();
    HttpResponse<String> r = get("/friendbot?addr=" + k.getAccountId());
    assertEquals(200, r.statusCode(), r.body());
    return k;
  }

  private Transaction tx(KeyPair source, Operation... ops) {
    return tx(source, ledger.sequence(source.getAccountId()), ops);
  }

  /** A transaction with base fee 100 whose sequence number is {@code current + 1}. */
  private Transaction tx(KeyPair source, long current, Operation... ops) {
    Transaction t = new TransactionBuilder(new Account(source.getAccountId(), current), network)
        .addOperations(Arrays.asList(ops))
        .setBaseFee(100)
        .setTimeout(300)
        .build();
    t.sign(source);
    return t;
  }

  private static Operation pay(KeyPair to, Asset asset, String amount) {
    return new PaymentOperation.Builder(to.getAccountId(), asset, amount).build();
  }

  private static Operation trust(Asset asset, KeyPair owner) {
    return new ChangeTrustOperation.Builder(ChangeTrustAsset.create(asset), "1000000")
        .setSourceAccount(owner.getAccountId()).build();
  }

  private SubmitTransactionResponse submit(Transaction t) throws Exception {
    return server.submitTransaction(t, true);
  }

  private SubmitTransactionResponse submitOk(Transaction t) throws Exception {
    SubmitTransactionResponse r = submit(t);
    assertTrue(r.isSuccess(), () -> "rejected: " + codes(r));
    return r;
  }

  private static String codes(SubmitTransactionResponse r) {
    if (r.getExtras() == null || r.getExtras().getResultCodes() == null) {
      return "(no result codes)";
    }
    SubmitTransactionResponse.Extras.ResultCodes c = r.getExtras().getResultCodes();
    return c.getTransactionResultCode() + " " + c.getInnerTransactionResultCode() + " " + c.getOperationsResultCodes();
  }

  private static String txCode(SubmitTransactionResponse r) {
    assertFalse(r.isSuccess());
    return r.getExtras().getResultCodes().getTransactionResultCode();
  }

  private static List<String> opCodes(SubmitTransactionResponse r) {
    return r.getExtras().getResultCodes().getOperationsResultCodes();
  }

  private long xlm(KeyPair k) {
    return ledger.balanceStroops(k.getAccountId(), "native", null);
  }

  private static int status(Callable<?> call) throws Exception {
    try {
      call.call();
      return 200;
    } catch (ErrorResponse e) {
      return e.getCode();
    }
  }

  // ------------------------------------------------------------------ the happy path

  @Test
  void issuesATokenAndPaysSeveralDestinationsInOneTransaction() throws Exception {
    start();
    RootResponse root = server.root();
    assertEquals(LocalHorizon.DEFAULT_NETWORK_PASSPHRASE, root.getNetworkPassphrase());
    assertEquals(21, root.getCurrentProtocolVersion());
    assertEquals(ledger.ledgerSequence(), root.getHistoryLatestLedger());

    KeyPair issuer = funded();
    KeyPair distributor = funded();
    KeyPair[] dest = {funded(), funded(), funded()};
    assertEquals(FRIENDBOT, xlm(distributor));
    AccountResponse fresh = server.accounts().account(distributor.getAccountId());
    assertEquals(ledger.sequence(distributor.getAccountId()), fresh.getSequenceNumber());
    assertEquals(5, ledger.appliedTransactions(), "five friendbot fundings");

    Asset kwh = new AssetTypeCreditAlphaNum4("KWH", issuer.getAccountId());
    // One transaction opens all four trust lines: operation sources sign for themselves.
    Transaction trustAll = tx(distributor, trust(kwh, distributor), trust(kwh, dest[0]), trust(kwh, dest[1]), trust(kwh, dest[2]));
    for (KeyPair d : dest) {
      trustAll.sign(d);
    }
    submitOk(trustAll);
    submitOk(tx(issuer, pay(distributor, kwh, "5000")));

    Transaction payout = tx(distributor, pay(dest[0], kwh, "10"), pay(dest[1], kwh, "20"), pay(dest[2], kwh, "30.5"));
    SubmitTransactionResponse r = server.submitTransaction(payout); // with the SDK's memo-required check
    assertTrue(r.isSuccess(), () -> codes(r));
    assertEquals(payout.hashHex(), r.getHash());
    assertEquals(ledger.ledgerSequence(), r.getLedger());
    TransactionResult result = r.getDecodedTransactionResult().orElseThrow();
    assertEquals(TransactionResultCode.txSUCCESS, result.getResult().getDiscriminant());
    assertEquals(300L, result.getFeeCharged().getInt64());
    assertEquals(3, result.getResult().getResults().length);
    assertEquals(PaymentResultCode.PAYMENT_SUCCESS,
        result.getResult().getResults()[2].getTr().getPaymentResult().getDiscriminant());

    long[] expected = {100_000_000L, 200_000_000L, 305_000_000L};
    for (int i = 0; i < dest.length; i++) {
      assertEquals(expected[i], ledger.balanceStroops(dest[i].getAccountId(), "KWH", issuer.getAccountId()));
      assertEquals(1, ledger.paymentsTo(dest[i].getAccountId()));
      AccountResponse a = server.accounts().account(dest[i].getAccountId());
      assertEquals(1, a.getSubentryCount());
      AccountResponse.Balance line = Arrays.stream(a.getBalances())
          .filter(b -> "KWH".equals(b.getAssetCode().orElse(null))).findFirst().orElseThrow();
      assertEquals(LedgerState.amount(expected[i]), line.getBalance());
      assertEquals("credit_alphanum4", line.getAssetType());
      assertEquals(issuer.getAccountId(), line.getAssetIssuer().orElseThrow());
      assertEquals(kwh, line.getAsset().orElseThrow());
      assertEquals("1000000.0000000", line.getLimit());
    }
    assertEquals(5000 * XLM - 605_000_000L, ledger.balanceStroops(distributor.getAccountId(), kwh));
    assertEquals(FRIENDBOT - 400 - 300, xlm(distributor), "fees: 4 trust operations, then 3 payments");
    assertEquals(FRIENDBOT - 100, xlm(issuer));
    assertEquals(0, ledger.balanceStroops(issuer.getAccountId(), kwh), "an issuer holds no line of its own asset");
    AccountResponse issuerAccount = server.accounts().account(issuer.getAccountId());
    assertEquals(1, issuerAccount.getBalances().length);
    assertEquals("native", issuerAccount.getBalances()[0].getAssetType());
    assertEquals(LedgerState.amount(FRIENDBOT - 100), issuerAccount.getBalances()[0].getBalance());

    TransactionResponse t = server.transactions().transaction(payout.hashHex());
    assertTrue(t.isSuccessful());
    assertEquals(r.getLedger(), t.getLedger());
    assertEquals(distributor.getAccountId(), t.getSourceAccount());
    assertEquals(distributor.getAccountId(), t.getFeeAccount());
    assertEquals(300L, t.getFeeCharged());
    assertEquals(300L, t.getMaxFee());
    assertEquals(3, t.getOperationCount());
    assertEquals(payout.getSequenceNumber(), t.getSourceAccountSequence());
    assertEquals(payout.toEnvelopeXdrBase64(), t.getEnvelopeXdr());
    assertEquals(Memo.none(), t.getMemo());
    assertEquals(1, t.getSignatures().size());
    assertTrue(t.getPreconditions().isPresent());
    assertTrue(t.getFeeBump().isEmpty());
    TransactionMeta meta = TransactionMeta.fromXdrBase64(t.getResultMetaXdr());
    assertEquals(3, meta.getOperations().length, "a minimal meta: one (empty) entry per operation");
  }

  @Test
  void memosAndFriendbotShapes() throws Exception {
    start();
    KeyPair a = funded();
    KeyPair b = funded();
    assertEquals(400, get("/friendbot?addr=" + a.getAccountId()).statusCode(), "already funded");
    HttpResponse<String> bad = get("/friendbot?addr=GNOTANACCOUNT");
    assertEquals(400, bad.statusCode());
    assertEquals("addr", new JsonObject(bad.body()).getJsonObject("extras").getString("invalid_field"));

    byte[] hash = Util.hash("invoice 42".getBytes(StandardCharsets.UTF_8));
    Transaction withHash = new TransactionBuilder(new Account(a.getAccountId(), ledger.sequence(a.getAccountId())), network)
        .addOperation(pay(b, new AssetTypeNative(), "1")).addMemo(Memo.hash(hash)).setBaseFee(100).setTimeout(60).build();
    withHash.sign(a);
    submitOk(withHash);
    assertEquals(Memo.hash(hash), server.transactions().transaction(withHash.hashHex()).getMemo());

    Transaction withText = new TransactionBuilder(new Account(a.getAccountId(), ledger.sequence(a.getAccountId())), network)
        .addOperation(pay(b, new AssetTypeNative(), "1")).addMemo(Memo.text("payout 7")).setBaseFee(100).setTimeout(60).build();
    withText.sign(a);
    submitOk(withText);
    assertEquals(Memo.text("payout 7"), server.transactions().transaction(withText.hashHex()).getMemo());
  }

  // ------------------------------------------------------------------ refusals: nothing changes

  @Test
  void badSequenceIsRefusedWithoutConsumingIt() throws Exception {
    start();
    KeyPair a = funded();
    KeyPair b = funded();
    long seq = ledger.sequence(a.getAccountId());
    long ledgerBefore = ledger.ledgerSequence();

    Transaction ahead = tx(a, seq + 1, pay(b, new AssetTypeNative(), "1"));
    SubmitTransactionResponse r = submit(ahead);
    assertEquals("tx_bad_seq", txCode(r));
    assertNull(opCodes(r));
    assertEquals(ahead.toEnvelopeXdrBase64(), r.getEnvelopeXdr().orElseThrow());
    TransactionResult result = TransactionResult.fromXdrBase64(r.getResultXdr().orElseThrow());
    assertEquals(TransactionResultCode.txBAD_SEQ, result.getResult().getDiscriminant());

    assertEquals(seq, ledger.sequence(a.getAccountId()));
    assertEquals(FRIENDBOT, xlm(a), "no fee for a refused transaction");
    assertEquals(ledgerBefore, ledger.ledgerSequence());
    assertEquals(404, status(() -> server.transactions().transaction(ahead.hashHex())));

    submitOk(tx(a, seq, pay(b, new AssetTypeNative(), "1")));
    assertEquals("tx_bad_seq", txCode(submit(tx(a, seq, pay(b, new AssetTypeNative(), "2")))), "a used sequence number");
  }

  @Test
  void signaturesAreVerified() throws Exception {
    start();
    KeyPair a = funded();
    KeyPair b = funded();
    long seq = ledger.sequence(a.getAccountId());

    Transaction byOther = new TransactionBuilder(new Account(a.getAccountId(), seq), network)
        .addOperation(pay(b, new AssetTypeNative(), "1")).setBaseFee(100).setTimeout(60).build();
    byOther.sign(b);
    assertEquals("tx_bad_auth", txCode(submit(byOther)));

    Transaction unsigned = new TransactionBuilder(new Account(a.getAccountId(), seq), network)
        .addOperation(pay(b, new AssetTypeNative(), "1")).setBaseFee(100).setTimeout(60).build();
    assertEquals("tx_bad_auth", txCode(submit(unsigned)));

    Transaction otherNetwork = new TransactionBuilder(new Account(a.getAccountId(), seq), new Network("Some Other Network ; 2026"))
        .addOperation(pay(b, new AssetTypeNative(), "1")).setBaseFee(100).setTimeout(60).build();
    otherNetwork.sign(a);
    assertThrows(NetworkMismatchException.class, () -> server.submitTransaction(otherNetwork, true),
        "the SDK itself refuses a transaction built for another network");
    assertEquals("tx_bad_auth", txCode(server.submitTransactionXdr(otherNetwork.toEnvelopeXdrBase64())));

    Transaction extra = tx(a, seq, pay(b, new AssetTypeNative(), "1"));
    extra.sign(b);
    assertEquals("tx_bad_auth_extra", txCode(submit(extra)));

    Transaction opSourceUnsigned = tx(a, seq,
        new PaymentOperation.Builder(a.getAccountId(), new AssetTypeNative(), "1").setSourceAccount(b.getAccountId()).build());
    SubmitTransactionResponse r = submit(opSourceUnsigned);
    assertEquals("tx_failed", txCode(r));
    assertEquals(List.of("op_bad_auth"), opCodes(r));

    assertEquals(seq, ledger.sequence(a.getAccountId()), "refused: sequence not consumed");
    assertEquals(FRIENDBOT, xlm(a));
    assertEquals(FRIENDBOT, xlm(b));
    assertEquals(0, ledger.failedTransactions());
  }

  @Test
  void timeBoundsAreCheckedAgainstTheLedgerClock() throws Exception {
    start();
    KeyPair a = funded();
    KeyPair b = funded();
    long seq = ledger.sequence(a.getAccountId());
    long now = Instant.now().getEpochSecond();

    Transaction late = new TransactionBuilder(new Account(a.getAccountId(), seq), network)
        .addOperation(pay(b, new AssetTypeNative(), "1"))
        .addPreconditions(TransactionPreconditions.builder().timeBounds(new TimeBounds(0, now - 10)).build())
        .setBaseFee(100).build();
    late.sign(a);
    assertEquals("tx_too_late", txCode(submit(late)));

    Transaction early = new TransactionBuilder(new Account(a.getAccountId(), seq), network)
        .addOperation(pay(b, new AssetTypeNative(), "1"))
        .addPreconditions(TransactionPreconditions.builder().timeBounds(new TimeBounds(now + 3600, 0)).build())
        .setBaseFee(100).build();
    early.sign(a);
    assertEquals("tx_too_early", txCode(submit(early)));

    assertEquals(seq, ledger.sequence(a.getAccountId()));
    assertEquals(FRIENDBOT, xlm(a));
  }

  @Test
  void surgePricingRefusesLowFeesAndAFeeBumpGetsThrough() throws Exception {
    start();
    KeyPair a = funded();
    KeyPair sponsor = funded();
    KeyPair b = funded();
    long seq = ledger.sequence(a.getAccountId());
    ledger.faults().setBaseFee(1000);

    Transaction inner = tx(a, seq, pay(b, new AssetTypeNative(), "1"));
    assertEquals("tx_insufficient_fee", txCode(submit(inner)));
    assertEquals(seq, ledger.sequence(a.getAccountId()));

    FeeBumpTransaction tooLow = new FeeBumpTransaction.Builder(inner).setBaseFee(500).setFeeAccount(sponsor.getAccountId()).build();
    tooLow.sign(sponsor);
    assertEquals("tx_insufficient_fee", txCode(server.submitTransaction(tooLow, true)));

    FeeBumpTransaction bump = new FeeBumpTransaction.Builder(inner).setBaseFee(1000).setFeeAccount(sponsor.getAccountId()).build();
    FeeBumpTransaction unsignedBump = new FeeBumpTransaction.Builder(inner).setBaseFee(1000).setFeeAccount(sponsor.getAccountId()).build();
    assertEquals("tx_bad_auth", txCode(server.submitTransaction(unsignedBump, true)));
    bump.sign(sponsor);
    SubmitTransactionResponse r = server.submitTransaction(bump, true);
    assertTrue(r.isSuccess(), () -> codes(r));
    assertEquals(bump.hashHex(), r.getHash());
    TransactionResult result = r.getDecodedTransactionResult().orElseThrow();
    assertEquals(TransactionResultCode.txFEE_BUMP_INNER_SUCCESS, result.getResult().getDiscriminant());
    assertArrayEquals(inner.hash(), result.getResult().getInnerResultPair().getTransactionHash().getHash());

    assertEquals(FRIENDBOT - XLM, xlm(a), "the inner source pays no fee");
    assertEquals(FRIENDBOT - 2000, xlm(sponsor), "fee: 1000 × (1 operation + 1)");
    assertEquals(FRIENDBOT + XLM, xlm(b));
    assertEquals(seq + 1, ledger.sequence(a.getAccountId()));

    TransactionResponse byOuter = server.transactions().transaction(bump.hashHex());
    TransactionResponse byInner = server.transactions().transaction(inner.hashHex());
    assertEquals(bump.hashHex(), byOuter.getHash());
    assertEquals(inner.hashHex(), byInner.getHash());
    for (TransactionResponse t : List.of(byOuter, byInner)) {
      assertTrue(t.isSuccessful());
      assertEquals(r.getLedger(), t.getLedger());
      assertEquals(sponsor.getAccountId(), t.getFeeAccount());
      assertEquals(a.getAccountId(), t.getSourceAccount());
      assertEquals(2000L, t.getFeeCharged());
      assertEquals(2000L, t.getMaxFee());
      assertEquals(bump.hashHex(), t.getFeeBump().orElseThrow().getHash());
      assertEquals(inner.hashHex(), t.getInner().orElseThrow().getHash());
      assertEquals(100L, t.getInner().orElseThrow().getMaxFee());
    }
    assertEquals(byOuter.getFeeBump().orElseThrow().getSignatures(), byOuter.getSignatures());
    assertEquals(byInner.getInner().orElseThrow().getSignatures(), byInner.getSignatures());

    // The inner envelope on its own is found in history (as Horizon finds it by inner hash);
    // anything else with that sequence number is too late.
    ledger.faults().reset();
    SubmitTransactionResponse innerAgain = submitOk(inner);
    assertEquals(r.getLedger(), innerAgain.getLedger());
    assertEquals(inner.hashHex(), innerAgain.getHash());
    assertEquals("tx_bad_seq", txCode(submit(tx(a, seq, pay(b, new AssetTypeNative(), "2")))));
    assertEquals(FRIENDBOT + XLM, xlm(b), "paid once");

    // A fee bump whose inner operation fails at apply: the sponsor pays, the inner sequence is used.
    long sponsorBefore = xlm(sponsor);
    Transaction doomed = tx(a, pay(KeyPair.random(), new AssetTypeNative(), "1"));
    FeeBumpTransaction doomedBump = new FeeBumpTransaction.Builder(doomed).setBaseFee(100).setFeeAccount(sponsor.getAccountId()).build();
    doomedBump.sign(sponsor);
    SubmitTransactionResponse failed = server.submitTransaction(doomedBump, true);
    assertEquals("tx_fee_bump_inner_failed", txCode(failed));
    assertEquals("tx_failed", failed.getExtras().getResultCodes().getInnerTransactionResultCode());
    assertEquals(List.of("op_no_destination"), opCodes(failed));
    assertEquals(sponsorBefore - 200, xlm(sponsor));
    assertEquals(seq + 2, ledger.sequence(a.getAccountId()));
    assertFalse(server.transactions().transaction(doomed.hashHex()).isSuccessful());
  }

  // ------------------------------------------------------------------ failed but applied

  @Test
  void aPaymentWithoutTrustlineFailsTheWholeTransactionButChargesTheFee() throws Exception {
    start();
    KeyPair issuer = funded();
    KeyPair distributor = funded();
    KeyPair trusting1 = funded();
    KeyPair untrusting = funded();
    KeyPair trusting2 = funded();
    Asset kwh = new AssetTypeCreditAlphaNum4("KWH", issuer.getAccountId());
    Transaction lines = tx(distributor, trust(kwh, distributor), trust(kwh, trusting1), trust(kwh, trusting2));
    lines.sign(trusting1);
    lines.sign(trusting2);
    submitOk(lines);
    submitOk(tx(issuer, pay(distributor, kwh, "1000")));

    long seq = ledger.sequence(distributor.getAccountId());
    long xlmBefore = xlm(distributor);
    long ledgerBefore = ledger.ledgerSequence();
    Transaction payout = tx(distributor, pay(trusting1, kwh, "10"), pay(untrusting, kwh, "10"), pay(trusting2, kwh, "10"));
    SubmitTransactionResponse r = submit(payout);
    assertEquals("tx_failed", txCode(r));
    assertEquals(List.of("op_success", "op_no_trust", "op_success"), opCodes(r));
    TransactionResult result = TransactionResult.fromXdrBase64(r.getResultXdr().orElseThrow());
    assertEquals(TransactionResultCode.txFAILED, result.getResult().getDiscriminant());
    assertEquals(300L, result.getFeeCharged().getInt64());
    assertEquals(PaymentResultCode.PAYMENT_NO_TRUST,
        result.getResult().getResults()[1].getTr().getPaymentResult().getDiscriminant());

    assertEquals(1000 * XLM, ledger.balanceStroops(distributor.getAccountId(), kwh), "no operation took effect");
    assertEquals(0, ledger.balanceStroops(trusting1.getAccountId(), kwh));
    assertEquals(0, ledger.balanceStroops(trusting2.getAccountId(), kwh));
    assertEquals(0, ledger.paymentsTo(trusting1.getAccountId()));
    assertEquals(xlmBefore - 300, xlm(distributor), "fee charged");
    assertEquals(seq + 1, ledger.sequence(distributor.getAccountId()), "sequence consumed");
    assertEquals(ledgerBefore + 1, ledger.ledgerSequence());
    assertEquals(1, ledger.failedTransactions());

    TransactionResponse t = server.transactions().transaction(payout.hashHex());
    assertFalse(t.isSuccessful());
    assertEquals(300L, t.getFeeCharged());
    assertEquals(r.getResultXdr().orElseThrow(), t.getResultXdr());

    // Submitting it again answers the same and charges nothing more.
    SubmitTransactionResponse again = submit(payout);
    assertEquals(List.of("op_success", "op_no_trust", "op_success"), opCodes(again));
    assertEquals(r.getResultXdr(), again.getResultXdr());
    assertEquals(xlmBefore - 300, xlm(distributor));
    assertEquals(ledgerBefore + 1, ledger.ledgerSequence());
  }

  @Test
  void operationRulesOfCore() throws Exception {
    start();
    KeyPair issuer = funded();
    KeyPair a = funded();
    KeyPair b = funded();
    KeyPair nobody = KeyPair.random();
    Asset kwh = new AssetTypeCreditAlphaNum4("KWH", issuer.getAccountId());
    Asset ghost = new AssetTypeCreditAlphaNum4("GHO", nobody.getAccountId());

    SubmitTransactionResponse r = submit(tx(a, pay(nobody, new AssetTypeNative(), "1")));
    assertEquals(List.of("op_no_destination"), opCodes(r));
    r = submit(tx(a, pay(b, new AssetTypeNative(), "10000")));
    assertEquals(List.of("op_underfunded"), opCodes(r), "the reserve stays");
    r = submit(tx(a, pay(b, kwh, "1")));
    assertEquals(List.of("op_no_trust"), opCodes(r), "credited first: the destination's line is checked first");
    r = submit(tx(a, new ChangeTrustOperation.Builder(ChangeTrustAsset.create(ghost), "10").build()));
    assertEquals(List.of("op_no_issuer"), opCodes(r));
    r = submit(tx(a, new CreateAccountOperation.Builder(KeyPair.random().getAccountId(), "0.5").build()));
    assertEquals(List.of("op_low_reserve"), opCodes(r));
    r = submit(tx(a, new CreateAccountOperation.Builder(b.getAccountId(), "5").build()));
    assertEquals(List.of("op_already_exists"), opCodes(r));
    assertEquals(6, ledger.failedTransactions(), "all applied as tx_failed");

    // Refused before application: malformed and unsupported operations.
    long seq = ledger.sequence(a.getAccountId());
    r = submit(tx(a, pay(b, new AssetTypeNative(), "0.0000001"), new ManageDataOperation.Builder("k", new byte[] {1}).build()));
    assertEquals("tx_failed", txCode(r));
    assertEquals(List.of("op_success", "op_not_supported"), opCodes(r));
    r = submit(tx(a, new ChangeTrustOperation.Builder(ChangeTrustAsset.create(kwh), "-1").build()));
    assertEquals(List.of("op_malformed"), opCodes(r));
    assertEquals(seq, ledger.sequence(a.getAccountId()), "malformed operations do not consume the sequence");

    // Trust lines: create, a balance, removal refused while funded, limit below balance refused.
    submitOk(tx(b, new ChangeTrustOperation.Builder(ChangeTrustAsset.create(kwh), "100").build()));
    submitOk(tx(issuer, pay(b, kwh, "60")));
    r = submit(tx(issuer, pay(b, kwh, "50")));
    assertEquals(List.of("op_line_full"), opCodes(r));
    r = submit(tx(b, new ChangeTrustOperation.Builder(ChangeTrustAsset.create(kwh), "0").build()));
    assertEquals(List.of("op_invalid_limit"), opCodes(r));
    submitOk(tx(b, pay(issuer, kwh, "60")));
    assertEquals(0, ledger.balanceStroops(b.getAccountId(), kwh), "paid back to the issuer: burned");
    submitOk(tx(b, new ChangeTrustOperation.Builder(ChangeTrustAsset.create(kwh), "0").build()));
    assertFalse(ledger.hasTrustline(b.getAccountId(), "KWH", issuer.getAccountId()));
    assertEquals(0, server.accounts().account(b.getAccountId()).getSubentryCount());

    // A later operation sees an earlier one's effect within the same transaction.
    KeyPair created = KeyPair.random();
    submitOk(tx(a, new CreateAccountOperation.Builder(created.getAccountId(), "5").build(), pay(created, new AssetTypeNative(), "2")));
    assertEquals(7 * XLM, xlm(created));
    assertEquals((long) ledger.ledgerSequence() << 32, ledger.sequence(created.getAccountId()));
  }

  // ------------------------------------------------------------------ idempotence and faults

  @Test
  void resubmittingTheSameEnvelopePaysOnce() throws Exception {
    start();
    KeyPair a = funded();
    KeyPair b = funded();
    Transaction t = tx(a, pay(b, new AssetTypeNative(), "5"));
    SubmitTransactionResponse first = submitOk(t);
    long ledgerAfter = ledger.ledgerSequence();
    SubmitTransactionResponse second = submitOk(t);
    assertEquals(first.getHash(), second.getHash());
    assertEquals(first.getLedger(), second.getLedger());
    assertEquals(first.getResultXdr(), second.getResultXdr());
    assertEquals(ledgerAfter, ledger.ledgerSequence());
    assertEquals(FRIENDBOT + 5 * XLM, xlm(b));
    assertEquals(1, ledger.paymentsTo(b.getAccountId()));
    assertEquals(List.of(new AppliedPayment(a.getAccountId(), b.getAccountId(), "native", null, 5 * XLM, t.hashHex(), first.getLedger())),
        ledger.payments().stream().filter(p -> p.destination().equals(b.getAccountId())).toList());
  }

  @Test
  void aLostResponseStillAppliesTheTransaction() throws Exception {
    start();
    KeyPair a = funded();
    KeyPair b = funded();
    ledger.faults().failAfterApply(1);
    Transaction t = tx(a, pay(b, new AssetTypeNative(), "3"));
    assertThrows(SubmitTransactionTimeoutResponseException.class, () -> submit(t));

    TransactionResponse found = server.transactions().transaction(t.hashHex());
    assertTrue(found.isSuccessful());
    assertEquals(FRIENDBOT + 3 * XLM, xlm(b));
    SubmitTransactionResponse again = submitOk(t);
    assertEquals(found.getLedger(), again.getLedger());
    assertEquals(FRIENDBOT + 3 * XLM, xlm(b), "paid once");
    assertEquals(1, ledger.paymentsTo(b.getAccountId()));
  }

  @Test
  void rateLimitedSubmissionsApplyNothing() throws Exception {
    start();
    KeyPair a = funded();
    KeyPair b = funded();
    long seq = ledger.sequence(a.getAccountId());
    ledger.faults().rateLimit(2);
    Transaction t = tx(a, pay(b, new AssetTypeNative(), "3"));
    // The SDK's submit path does not go through its ResponseHandler: a 429 arrives as an unknown response.
    SubmitTransactionUnknownResponseException e =
        assertThrows(SubmitTransactionUnknownResponseException.class, () -> submit(t));
    assertEquals(429, e.getCode());
    assertEquals("https://stellar.org/horizon-errors/rate_limit_exceeded", new JsonObject(e.getBody()).getString("type"));
    HttpResponse<String> raw = http.send(HttpRequest.newBuilder(URI.create(ledger.url() + "/transactions"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("tx=" + java.net.URLEncoder.encode(t.toEnvelopeXdrBase64(), StandardCharsets.UTF_8)))
            .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(429, raw.statusCode());
    assertEquals("1", raw.headers().firstValue("Retry-After").orElseThrow());

    assertEquals(seq, ledger.sequence(a.getAccountId()));
    assertEquals(404, status(() -> server.transactions().transaction(t.hashHex())));
    submitOk(t);
    assertEquals(FRIENDBOT + 3 * XLM, xlm(b));

    // Reads can be rate limited too; there the SDK raises TooManyRequestsException.
    ledger.faults().rateLimitReads(1);
    TooManyRequestsException tooMany = assertThrows(TooManyRequestsException.class,
        () -> server.transactions().transaction(t.hashHex()));
    assertEquals(1, tooMany.getRetryAfter().orElseThrow());
    assertTrue(server.transactions().transaction(t.hashHex()).isSuccessful());
  }

  @Test
  void delayedInclusionIsInvisibleUntilApplied() throws Exception {
    MutableClock clock = new MutableClock(Instant.now());
    start(LocalHorizon.Options.defaults().withClock(clock));
    KeyPair a = funded();
    KeyPair b = funded();
    long seq = ledger.sequence(a.getAccountId());
    ledger.faults().delayInclusion(Duration.ofMillis(400));

    Transaction t = tx(a, pay(b, new AssetTypeNative(), "4"));
    assertThrows(SubmitTransactionTimeoutResponseException.class, () -> submit(t));
    assertEquals(404, status(() -> server.transactions().transaction(t.hashHex())));
    assertEquals(seq, ledger.sequence(a.getAccountId()));
    assertThrows(SubmitTransactionTimeoutResponseException.class, () -> submit(t), "still pending");
    assertEquals("tx_bad_seq", txCode(submit(tx(a, seq + 5, pay(b, new AssetTypeNative(), "1")))),
        "checked at submission too");

    TransactionResponse found = poll(t.hashHex());
    assertTrue(found.isSuccessful());
    assertEquals(seq + 1, ledger.sequence(a.getAccountId()));
    assertEquals(FRIENDBOT + 4 * XLM, xlm(b));
    assertEquals(1, ledger.paymentsTo(b.getAccountId()), "the resubmission while pending did not pay twice");

    // Everything is checked again at inclusion: this one has expired by then.
    long now = clock.instant().getEpochSecond();
    Transaction expiring = new TransactionBuilder(new Account(a.getAccountId(), seq + 1), network)
        .addOperation(pay(b, new AssetTypeNative(), "1"))
        .addPreconditions(TransactionPreconditions.builder().timeBounds(new TimeBounds(0, now + 30)).build())
        .setBaseFee(100).build();
    expiring.sign(a);
    assertThrows(SubmitTransactionTimeoutResponseException.class, () -> submit(expiring));
    clock.advance(Duration.ofMinutes(5));
    Thread.sleep(1200);
    assertEquals(404, status(() -> server.transactions().transaction(expiring.hashHex())));
    assertEquals(seq + 1, ledger.sequence(a.getAccountId()), "dropped: too late at inclusion");
  }

  private TransactionResponse poll(String hash) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        return server.transactions().transaction(hash);
      } catch (ErrorResponse e) {
        assertEquals(404, e.getCode());
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  @Test
  void httpErrorsInHorizonShapes() throws Exception {
    start();
    KeyPair a = funded();
    assertEquals(404, status(() -> server.accounts().account(KeyPair.random().getAccountId())));
    ErrorResponse missing = assertThrows(ErrorResponse.class, () -> server.accounts().account(KeyPair.random().getAccountId()));
    assertEquals("https://stellar.org/horizon-errors/not_found", new JsonObject(missing.getBody()).getString("type"));
    assertEquals(400, status(() -> server.accounts().account("GABC")));
    assertEquals(400, status(() -> server.transactions().transaction("not-a-hash")));

    SubmitTransactionResponse garbage = server.submitTransactionXdr("AAAAAgAAAAB=");
    assertFalse(garbage.isSuccess());
    assertEquals("AAAAAgAAAAB=", garbage.getEnvelopeXdr().orElseThrow());
    assertNull(garbage.getExtras().getResultCodes());

    Operation[] tooMany = new Operation[101];
    Arrays.fill(tooMany, pay(a, new AssetTypeNative(), "1"));
    SubmitTransactionResponse overLimit = server.submitTransactionXdr(tx(a, tooMany).toEnvelopeXdrBase64());
    assertFalse(overLimit.isSuccess());
    assertNull(overLimit.getExtras().getResultCodes(), "more than 100 operations: transaction_malformed");

    String huge = "A".repeat(LocalHorizon.MAX_BODY_BYTES + 10);
    SubmitTransactionUnknownResponseException tooBig =
        assertThrows(SubmitTransactionUnknownResponseException.class, () -> server.submitTransactionXdr(huge));
    assertEquals(413, tooBig.getCode());

    ledger.faults().down(true);
    assertEquals(503, status(() -> server.root()));
    assertEquals(503, status(() -> server.accounts().account(a.getAccountId())));
    Transaction t = tx(a, pay(a, new AssetTypeNative(), "1"));
    SubmitTransactionUnknownResponseException down = assertThrows(SubmitTransactionUnknownResponseException.class,
        () -> server.submitTransactionXdr(t.toEnvelopeXdrBase64()));
    assertEquals(503, down.getCode());
    // submitTransaction(tx) first asks GET / for the network passphrase (once per Server): that 503 is an ErrorResponse.
    assertEquals(503, status(() -> new Server(ledger.url()).submitTransaction(t, true)));
    ledger.faults().reset();
    assertEquals(200, status(() -> server.root()));
  }

  @Test
  void concurrentSubmissionsApplyOneAtATime() throws Exception {
    start();
    KeyPair target = funded();
    int n = 12;
    List<KeyPair> payers = new ArrayList<>();
    List<Transaction> txs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      KeyPair p = funded();
      payers.add(p);
      txs.add(tx(p, pay(target, new AssetTypeNative(), "1")));
    }
    long ledgerBefore = ledger.ledgerSequence();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<java.util.concurrent.Future<SubmitTransactionResponse>> results = new ArrayList<>();
      for (Transaction t : txs) {
        results.add(pool.submit(() -> submit(t)));
        results.add(pool.submit(() -> submit(t))); // each twice, concurrently
      }
      for (java.util.concurrent.Future<SubmitTransactionResponse> f : results) {
        assertTrue(f.get(30, TimeUnit.SECONDS).isSuccess());
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(ledgerBefore + n, ledger.ledgerSequence(), "one ledger per transaction, duplicates ignored");
    assertEquals(FRIENDBOT + n * XLM, xlm(target));
    assertEquals(n, ledger.paymentsTo(target.getAccountId()));
  }

  // ------------------------------------------------------------------ persistence

  @Test
  void theJournalRebuildsBalancesSequencesAndHistory() throws Exception {
    Path journal = tmp.resolve("ledger/journal.jsonl");
    start(LocalHorizon.Options.defaults().withJournal(journal));
    KeyPair issuer = funded();
    KeyPair a = funded();
    KeyPair b = funded();
    Asset kwh = new AssetTypeCreditAlphaNum4("KWH", issuer.getAccountId());
    submitOk(tx(a, trust(kwh, a)));
    submitOk(tx(issuer, pay(a, kwh, "70")));
    Transaction paid = tx(a, pay(b, new AssetTypeNative(), "12.5"));
    submitOk(paid);
    Transaction failed = tx(a, pay(b, kwh, "1"));
    assertEquals("tx_failed", txCode(submit(failed)));
    ledger.faults().setBaseFee(250);
    Transaction surged = new TransactionBuilder(new Account(b.getAccountId(), ledger.sequence(b.getAccountId())), network)
        .addOperation(pay(a, new AssetTypeNative(), "1")).setBaseFee(250).setTimeout(60).build();
    surged.sign(b);
    submitOk(surged);

    long ledgerSeq = ledger.ledgerSequence();
    long seqA = ledger.sequence(a.getAccountId());
    long xlmA = xlm(a);
    long xlmB = xlm(b);
    long kwhA = ledger.balanceStroops(a.getAccountId(), kwh);
    int applied = ledger.appliedTransactions();
    List<AppliedPayment> payments = ledger.payments();
    await(ledger.close());

    start(LocalHorizon.Options.defaults().withJournal(journal));
    assertEquals(ledgerSeq, ledger.ledgerSequence());
    assertEquals(seqA, ledger.sequence(a.getAccountId()));
    assertEquals(xlmA, xlm(a));
    assertEquals(xlmB, xlm(b));
    assertEquals(kwhA, ledger.balanceStroops(a.getAccountId(), kwh));
    assertEquals(applied, ledger.appliedTransactions());
    assertEquals(1, ledger.failedTransactions());
    assertEquals(payments, ledger.payments());
    assertTrue(server.transactions().transaction(paid.hashHex()).isSuccessful());
    assertFalse(server.transactions().transaction(failed.hashHex()).isSuccessful());
    assertEquals(400, get("/friendbot?addr=" + a.getAccountId()).statusCode(), "friendbot fundings were replayed");
    submitOk(tx(a, pay(b, new AssetTypeNative(), "1")));

    // A crash in the middle of a write leaves half a line: it is dropped, the rest replays.
    long afterMore = ledger.ledgerSequence();
    await(ledger.close());
    Files.writeString(journal, "{\"ledger\":99,\"clo", StandardOpenOption.APPEND);
    start(LocalHorizon.Options.defaults().withJournal(journal));
    assertEquals(afterMore, ledger.ledgerSequence());
    await(ledger.close());

    ExecutionException wrong = assertThrows(ExecutionException.class, () -> await(LocalHorizon.start(vertx,
        LocalHorizon.Options.defaults().withJournal(journal).withNetworkPassphrase("Another ; 2026"))));
    assertTrue(wrong.getCause().getMessage().contains("network passphrase"), wrong.getCause().getMessage());
  }

  // ------------------------------------------------------------------ speed

  @Test
  void aHundredPaymentTransactionAppliesInAFewMilliseconds() throws Exception {
    String passphrase = LocalHorizon.DEFAULT_NETWORK_PASSPHRASE;
    Network net = new Network(passphrase);
    LedgerState state = new LedgerState(passphrase, 5_000_000, Instant.now().getEpochSecond());
    KeyPair root = KeyPair.fromSecretSeed(Util.hash(passphrase.getBytes(StandardCharsets.UTF_8)));
    assertEquals(root.getAccountId(), state.rootAccountId());
    KeyPair payer = KeyPair.random();
    long now = Instant.now().getEpochSecond();
    applyOk(state, signed(root, net, 0, new CreateAccountOperation.Builder(payer.getAccountId(), "100000").build()), now);
    List<KeyPair> dests = new ArrayList<>();
    List<Operation> creates = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      KeyPair d = KeyPair.random();
      dests.add(d);
      creates.add(new CreateAccountOperation.Builder(d.getAccountId(), "2").build());
    }
    long seq = state.account(payer.getAccountId()).seq;
    applyOk(state, signed(payer, net, seq, creates.toArray(new Operation[0])), now);

    int rounds = 60;
    List<String> envelopes = new ArrayList<>();
    seq = state.account(payer.getAccountId()).seq;
    for (int r = 0; r < rounds; r++) {
      Operation[] ops = dests.stream().map(d -> pay(d, new AssetTypeNative(), "0.0100000")).toArray(Operation[]::new);
      envelopes.add(signed(payer, net, seq + r, ops).toEnvelopeXdrBase64());
    }
    long[] nanos = new long[rounds];
    for (int r = 0; r < rounds; r++) {
      long t0 = System.nanoTime();
      LedgerState.Outcome o = state.submit(envelopes.get(r), now, 100, true);
      nanos[r] = System.nanoTime() - t0;
      assertTrue(o instanceof LedgerState.Applied a && a.record().successful(), String.valueOf(o));
    }
    for (KeyPair d : dests) {
      assertEquals(2 * XLM + rounds * 100_000L, state.balance(d.getAccountId(), LedgerState.AssetKey.NATIVE));
    }
    long[] warm = Arrays.copyOfRange(nanos, 20, rounds);
    Arrays.sort(warm);
    double medianMs = warm[warm.length / 2] / 1e6;
    System.out.printf("local ledger: applying a 100-payment transaction: median %.2f ms, max %.2f ms (after warm-up)%n",
        medianMs, warm[warm.length - 1] / 1e6);
    assertTrue(medianMs < 25, "median " + medianMs + " ms");
  }

  private static Transaction signed(KeyPair source, Network net, long current, Operation... ops) {
    Transaction t = new TransactionBuilder(new Account(source.getAccountId(), current), net)
        .addOperations(Arrays.asList(ops)).setBaseFee(100).setTimeout(TransactionPreconditions.TIMEOUT_INFINITE).build();
    t.sign(source);
    return t;
  }

  private static void applyOk(LedgerState state, Transaction t, long now) {
    LedgerState.Outcome o = state.submit(t.toEnvelopeXdrBase64(), now, 100, true);
    assertTrue(o instanceof LedgerState.Applied a && a.record().successful(), String.valueOf(o));
  }

  @Test
  void aHundredPaymentTransactionOverHttp() throws Exception {
    start();
    KeyPair payer = funded();
    List<KeyPair> dests = new ArrayList<>();
    List<Operation> creates = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      KeyPair d = KeyPair.random();
      dests.add(d);
      creates.add(new CreateAccountOperation.Builder(d.getAccountId(), "2").build());
    }
    submitOk(tx(payer, creates.toArray(new Operation[0])));
    long seq = ledger.sequence(payer.getAccountId());
    int rounds = 20;
    // The SDK's default OkHttp sockets keep Nagle's algorithm on: a request body split over two
    // writes then waits for the server's delayed ACK (about 40 ms on Linux loopback).
    Server noDelay = noDelayServer(ledger.url());
    for (Server client : List.of(server, noDelay)) {
      long building = 0;
      long submitting = 0;
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        Operation[] ops = dests.stream().map(d -> pay(d, new AssetTypeNative(), "0.1")).toArray(Operation[]::new);
        String envelope = tx(payer, ledger.sequence(payer.getAccountId()), ops).toEnvelopeXdrBase64();
        long t1 = System.nanoTime();
        SubmitTransactionResponse resp = client.submitTransactionXdr(envelope);
        long t2 = System.nanoTime();
        assertTrue(resp.isSuccess(), () -> codes(resp));
        if (r >= 5) {
          building += t1 - t0;
          submitting += t2 - t1;
        }
      }
      System.out.printf("local ledger: 100-payment transaction: build + sign %.2f ms, submit over HTTP %.2f ms (mean of %d, %s)%n",
          building / 1e6 / (rounds - 5), submitting / 1e6 / (rounds - 5), rounds - 5,
          client == server ? "SDK default client" : "client with TCP_NODELAY");
    }
    rounds *= 2;
    for (KeyPair d : dests) {
      assertEquals(rounds, ledger.paymentsTo(d.getAccountId()));
    }
    String lastHash = ledger.payments().get(ledger.payments().size() - 1).txHash();
    assertEquals(100, server.transactions().transaction(lastHash).getOperationCount());
  }

  /** The SDK server the VTN's payouts use: sockets with TCP_NODELAY. */
  private Server noDelayServer(String url) {
    Server s = io.loadshift.vtn.payout.HorizonStellar.server(url);
    servers.add(s);
    return s;
  }

  /** A clock tests move by hand. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
