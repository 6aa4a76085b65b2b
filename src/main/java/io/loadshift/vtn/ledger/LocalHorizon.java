package io.loadshift.vtn.ledger;

import io.loadshift.vtn.ledger.LedgerState.Applied;
import io.loadshift.vtn.ledger.LedgerState.Accepted;
import io.loadshift.vtn.ledger.LedgerState.AssetKey;
import io.loadshift.vtn.ledger.LedgerState.Malformed;
import io.loadshift.vtn.ledger.LedgerState.Outcome;
import io.loadshift.vtn.ledger.LedgerState.Rejected;
import io.loadshift.vtn.ledger.LedgerState.TxRecord;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.stellar.sdk.Asset;
import org.stellar.sdk.AssetTypeCreditAlphaNum;
import org.stellar.sdk.StrKey;

/**
 * A local Stellar ledger behind Horizon's HTTP API, for development and tests that cannot reach
 * a Stellar network. The unmodified Stellar SDK {@code org.stellar.sdk.Server} talks to it over
 * real HTTP: submitted envelopes are decoded, their signatures verified and the transactions
 * checked and applied by stellar-core's rules for the supported subset (see {@link LedgerState});
 * refusals carry Horizon's problem bodies and result codes.
 *
 * <p>Every ledger operation runs on one dedicated thread, one at a time, so each transaction is
 * applied atomically and concurrent submissions are serialized; the Vert.x event loop only parses
 * requests and writes responses. Each applied transaction closes its own ledger (ledger sequence
 * + 1, close time = wall clock, never earlier than the previous ledger's).
 *
 * <p>Endpoints: {@code GET /}, {@code GET /accounts/{id}}, {@code POST /transactions} (form field
 * {@code tx}), {@code GET /transactions/{hash}} (outer or inner hash of a fee bump),
 * {@code GET|POST /friendbot?addr=G...}.
 */
public final class LocalHorizon {
  private static final Logger LOG = Logger.getLogger(LocalHorizon.class.getName());

  public static final String DEFAULT_NETWORK_PASSPHRASE = "Loadshift Local Ledger ; 2026";
  /** Largest request body accepted; larger ones are answered 413. */
  public static final int MAX_BODY_BYTES = 256 * 1024;

  private static final String HAL = "application/hal+json; charset=utf-8";
  private static final String PROBLEM = "application/problem+json; charset=utf-8";

  /**
   * How to run a local ledger. Start from {@link #defaults()} and change what you need with the
   * {@code with...} methods. Amounts are in stroops (1 XLM = 10,000,000 stroops).
   *
   * @param host interface to listen on
   * @param port TCP port, 0 for a free one
   * @param networkPassphrase the network transactions must be signed for
   * @param baseFee base fee per operation in stroops (surge pricing: {@link LedgerFaults#setBaseFee})
   * @param baseReserve base reserve in stroops; an account keeps (2 + subentries) × this
   * @param journal file to persist the ledger to and replay it from, or null for memory only
   * @param friendbotStartingBalance what friendbot gives a new account, in stroops
   * @param clock source of ledger close times
   */
  public record Options(
      String host,
      int port,
      String networkPassphrase,
      long baseFee,
      long baseReserve,
      Path journal,
      long friendbotStartingBalance,
      Clock clock) {
    public Options {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(networkPassphrase, "networkPassphrase");
      Objects.requireNonNull(clock, "clock");
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      if (networkPassphrase.isEmpty()) {
        throw new IllegalArgumentException("networkPassphrase must not be empty");
      }
      if (baseFee < 1 || baseReserve < 1) {
        throw new IllegalArgumentException("baseFee and baseReserve must be positive");
      }
      if (friendbotStartingBalance < 2 * baseReserve) {
        throw new IllegalArgumentException("friendbotStartingBalance must cover the minimum balance (2 × baseReserve)");
      }
    }

    /** 127.0.0.1, a free port, the Loadshift passphrase, 100 stroops, 0.5 XLM, no journal, 10,000 XLM. */
    public static Options defaults() {
      return new Options("127.0.0.1", 0, DEFAULT_NETWORK_PASSPHRASE, 100, 5_000_000, null,
          10_000L * 10_000_000L, Clock.systemUTC());
    }

    public Options withHost(String host) {
      return new Options(host, port, networkPassphrase, baseFee, baseReserve, journal, friendbotStartingBalance, clock);
    }

    public Options withPort(int port) {
      return new Options(host, port, networkPassphrase, baseFee, baseReserve, journal, friendbotStartingBalance, clock);
    }

    public Options withNetworkPassphrase(String networkPassphrase) {
      return new Options(host, port, networkPassphrase, baseFee, baseReserve, journal, friendbotStartingBalance, clock);
    }

    public Options withBaseFee(long baseFee) {
      return new Options(host, port, networkPassphrase, baseFee, baseReserve, journal, friendbotStartingBalance, clock);
    }

    public Options withBaseReserve(long baseReserve) {
      return new Options(host, port, networkPassphrase, baseFee, baseReserve, journal, friendbotStartingBalance, clock);
    }

    public Options withJournal(Path journal) {
      return new Options(host, port, networkPassphrase, baseFee, baseReserve, journal, friendbotStartingBalance, clock);
    }

    public Options withFriendbotStartingBalance(long stroops) {
      return new Options(host, port, networkPassphrase, baseFee, baseReserve, journal, stroops, clock);
    }

    public Options withClock(Clock clock) {
      return new Options(host, port, networkPassphrase, baseFee, baseReserve, journal, friendbotStartingBalance, clock);
    }
  }

  private final Vertx vertx;
  private final Options options;
  private final LedgerFaults faults;
  private final ExecutorService applier;
  private final Set<Long> timers = ConcurrentHashMap.newKeySet();
  /** Hashes of delayed transactions waiting for inclusion; applier thread only. */
  private final Set<String> pending = new HashSet<>();
  private LedgerState state;
  private LedgerJournal journal;
  private volatile HttpServer server;
  private volatile String url;
  private volatile boolean closed;

  private LocalHorizon(Vertx vertx, Options options) {
    this.vertx = vertx;
    this.options = options;
    this.faults = new LedgerFaults(options.baseFee());
    this.applier = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "local-ledger-apply");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Starts a ledger: replays the journal if one is configured and exists, then listens. Fails if
   * the journal cannot be read or does not replay.
   */
  public static Future<LocalHorizon> start(Vertx vertx, Options options) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(options, "options");
    LocalHorizon h = new LocalHorizon(vertx, options);
    return h.onApplier(h::load)
        .compose(v -> h.listen())
        .map(v -> h)
        .recover(err -> h.close().transform(ignored -> Future.failedFuture(err)));
  }

  private Void load() throws IOException {
    long now = now();
    if (options.journal() == null) {
      state = new LedgerState(options.networkPassphrase(), options.baseReserve(), now);
      return null;
    }
    journal = LedgerJournal.open(options.journal(), options.networkPassphrase(), options.baseReserve());
    List<LedgerJournal.Entry> entries = journal.existing();
    long genesis = entries.isEmpty() ? now : Math.min(now, entries.get(0).closeTime());
    state = new LedgerState(options.networkPassphrase(), options.baseReserve(), genesis);
    for (LedgerJournal.Entry e : entries) {
      state.replay(e.tx(), e.closeTime(), e.baseFee(), e.ledger());
    }
    if (!entries.isEmpty()) {
      LOG.info("local ledger: replayed " + entries.size() + " transactions from " + options.journal()
          + ", at ledger " + state.ledger());
    }
    return null;
  }

  private Future<Void> listen() {
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      if (faults.isDown()) {
        send(ctx, 503, HorizonJson.unavailable());
      } else if (ctx.request().method() == HttpMethod.GET
          && !ctx.request().path().startsWith("/friendbot")
          && faults.takeRateLimitRead()) {
        ctx.response().putHeader("Retry-After", "1");
        send(ctx, 429, HorizonJson.rateLimited());
      } else {
        ctx.next();
      }
    });
    router.get("/").handler(ctx -> answer(ctx, () -> HorizonJson.root(state, url, options.clock().instant().getEpochSecond())));
    router.get("/accounts/:id").handler(this::account);
    router.post("/transactions")
        .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
        .handler(this::submit);
    router.get("/transactions/:hash").handler(this::transaction);
    router.get("/friendbot").handler(this::friendbot);
    router.post("/friendbot")
        .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
        .handler(this::friendbot);
    router.errorHandler(400, ctx -> send(ctx, 400, HorizonJson.badRequest("tx", "the request body could not be read")));
    router.errorHandler(404, ctx -> send(ctx, 404, HorizonJson.notFound()));
    router.errorHandler(405, ctx -> send(ctx, 405, HorizonJson.methodNotAllowed()));
    router.errorHandler(413, ctx -> send(ctx, 413, HorizonJson.tooLarge(MAX_BODY_BYTES)));
    router.errorHandler(500, ctx -> {
      if (ctx.failure() != null) {
        LOG.log(Level.WARNING, "local ledger: request failed", ctx.failure());
      }
      send(ctx, 500, HorizonJson.serverError("The local ledger failed to handle this request."));
    });
    // A 100-operation envelope, URL-encoded in the form, is well over Vert.x's default 8 KiB form
    // attribute limit (which answers a plain-text 400); Horizon takes any envelope the XDR allows.
    return vertx.createHttpServer(new HttpServerOptions().setHost(options.host()).setPort(options.port())
            .setMaxFormAttributeSize(MAX_BODY_BYTES))
        .requestHandler(router)
        .listen()
        .map(s -> {
          server = s;
          url = "http://" + hostForUrl(options.host()) + ":" + s.actualPort();
          return null;
        });
  }

  private static String hostForUrl(String host) {
    if ("0.0.0.0".equals(host)) {
      return "127.0.0.1";
    }
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  // ---------------------------------------------------------------- public API

  public int port() {
    return server.actualPort();
  }

  /** Base URL for {@code new org.stellar.sdk.Server(url())}, e.g. {@code http://127.0.0.1:41234}. */
  public String url() {
    return url;
  }

  public String networkPassphrase() {
    return options.networkPassphrase();
  }

  public Options options() {
    return options;
  }

  public LedgerFaults faults() {
    return faults;
  }

  // The inspection methods below ask the apply thread and wait for its answer (microseconds when
  // idle, at most one transaction's apply time otherwise). Call them from tests or worker threads,
  // not from a Vert.x event loop.

  /** The account holding all lumens at genesis; its secret seed is the SHA-256 of the passphrase. */
  public String rootAccountId() {
    return query(() -> state.rootAccountId());
  }

  /**
   * Balance in stroops of {@code "native"} (or null) or a credit asset; 0 when the account or the
   * trust line does not exist, and for an issuer's own asset.
   */
  public long balanceStroops(String accountId, String assetCodeOrNative, String issuerOrNull) {
    AssetKey asset = assetCodeOrNative == null || "native".equals(assetCodeOrNative)
        ? AssetKey.NATIVE
        : new AssetKey(assetCodeOrNative, Objects.requireNonNull(issuerOrNull, "issuer of a credit asset"));
    return query(() -> state.balance(accountId, asset));
  }

  /** Balance in stroops of an SDK asset; see {@link #balanceStroops(String, String, String)}. */
  public long balanceStroops(String accountId, Asset asset) {
    if (asset instanceof AssetTypeCreditAlphaNum credit) {
      return balanceStroops(accountId, credit.getCode(), credit.getIssuer());
    }
    return balanceStroops(accountId, "native", null);
  }

  /** Whether the account has a trust line for the credit asset. */
  public boolean hasTrustline(String accountId, String assetCode, String issuer) {
    AssetKey asset = new AssetKey(assetCode, issuer);
    return query(() -> {
      LedgerState.Account a = state.account(accountId);
      return a != null && a.lines.containsKey(asset);
    });
  }

  public boolean accountExists(String accountId) {
    return query(() -> state.account(accountId) != null);
  }

  /** Current sequence number of an account; NoSuchElementException if it does not exist. */
  public long sequence(String accountId) {
    Long seq = query(() -> {
      LedgerState.Account a = state.account(accountId);
      return a == null ? null : a.seq;
    });
    if (seq == null) {
      throw new NoSuchElementException("no account " + accountId);
    }
    return seq;
  }

  /** Successful transactions in history, friendbot fundings included. */
  public int appliedTransactions() {
    return query(() -> state.successfulTransactions());
  }

  /** Transactions in history that failed (tx_failed: fee charged, sequence consumed, no effects). */
  public int failedTransactions() {
    return query(() -> state.failedTransactions());
  }

  /** Whether a transaction (outer or inner hash) is in history, successful or not. */
  public boolean transactionExists(String hash) {
    String h = hash.toLowerCase(Locale.ROOT);
    return query(() -> state.transaction(h) != null);
  }

  /** PAYMENT operations of successful transactions, in the order they were applied. */
  public List<AppliedPayment> payments() {
    return query(() -> new ArrayList<>(state.payments()));
  }

  /** How many PAYMENT operations of successful transactions credited this account. */
  public int paymentsTo(String accountId) {
    return query(() -> (int) state.payments().stream().filter(p -> p.destination().equals(accountId)).count());
  }

  /** Sequence number of the last closed ledger (1 = genesis, + 1 per applied transaction). */
  public long ledgerSequence() {
    return query(() -> state.ledger());
  }

  /** Stops listening, drops transactions still delayed, closes the journal. */
  public Future<Void> close() {
    if (closed) {
      return Future.succeededFuture();
    }
    closed = true;
    timers.forEach(vertx::cancelTimer);
    Future<Void> stopped = server == null ? Future.succeededFuture() : server.close();
    return stopped
        .transform(ignored -> onApplier(() -> {
          if (journal != null) {
            journal.close();
          }
          return (Void) null;
        }))
        .transform(ar -> {
          applier.shutdown();
          return ar.succeeded() ? Future.<Void>succeededFuture() : Future.<Void>failedFuture(ar.cause());
        });
  }

  /**
   * Runs a standalone ledger: {@code LocalHorizon [port [journal-file]]}, port 8000 by default,
   * listening on 127.0.0.1 (system property {@code ledger.host} to change).
   */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8000;
    Path journalPath = args.length > 1 ? Path.of(args[1]) : null;
    Options opts = Options.defaults()
        .withHost(System.getProperty("ledger.host", "127.0.0.1"))
        .withPort(port)
        .withJournal(journalPath);
    Vertx vertx = Vertx.vertx();
    LocalHorizon h;
    try {
      h = start(vertx, opts).toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      System.err.println("local ledger: start failed: " + e.getCause().getMessage());
      vertx.close();
      System.exit(1);
      return;
    }
    System.out.println("Local Stellar ledger (Horizon API): " + h.url());
    System.out.println("Network passphrase: " + h.networkPassphrase());
    System.out.println("Friendbot: " + h.url() + "/friendbot?addr=G...");
    System.out.println("Journal: " + (journalPath == null ? "none (memory only)" : journalPath.toAbsolutePath()));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        h.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("local ledger: stop did not finish cleanly: " + e);
      }
    }));
  }

  // ---------------------------------------------------------------- handlers

  private void account(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!isAccountId(id)) {
      send(ctx, 400, HorizonJson.badRequest("account_id",
          "Account ID must start with `G` and contain 56 alphanum characters"));
      return;
    }
    answer(ctx, () -> {
      LedgerState.Account a = state.account(id);
      return a == null ? null : HorizonJson.account(state, a, url);
    });
  }

  private void transaction(RoutingContext ctx) {
    String hash = ctx.pathParam("hash").toLowerCase(Locale.ROOT);
    if (!hash.matches("[0-9a-f]{64}")) {
      send(ctx, 400, HorizonJson.badRequest("tx_id", "Transaction hash must be a hex-encoded, lowercase SHA-256 hash"));
      return;
    }
    answer(ctx, () -> {
      TxRecord r = state.transaction(hash);
      return r == null ? null : HorizonJson.transaction(r, hash, url);
    });
  }

  private void submit(RoutingContext ctx) {
    String tx = formValue(ctx, "tx");
    if (tx == null || tx.isBlank()) {
      send(ctx, 400, HorizonJson.badRequest("tx", "Missing the form field `tx` with a base64 TransactionEnvelope"));
      return;
    }
    if (faults.takeRateLimit()) {
      ctx.response().putHeader("Retry-After", "1");
      send(ctx, 429, HorizonJson.rateLimited());
      return;
    }
    boolean lose = faults.takeFailAfterApply();
    Duration delay = faults.inclusionDelay();
    long baseFee = faults.baseFee();
    long now = now();
    boolean delayed = !delay.isZero();
    onApplier(() -> {
      Outcome o = state.submit(tx, now, baseFee, !delayed);
      if (o instanceof Accepted a) {
        if (pending.add(a.hash())) {
          include(tx, a.hash(), delay);
        }
      } else if (o instanceof Applied a && a.fresh()) {
        journal(a.record(), baseFee, false);
      }
      return o;
    }).onComplete(ar -> {
      if (ar.failed()) {
        LOG.log(Level.SEVERE, "local ledger: submission failed", ar.cause());
        send(ctx, 500, HorizonJson.serverError("The local ledger failed to process the transaction: " + ar.cause()));
      } else if (lose || ar.result() instanceof Accepted) {
        send(ctx, 504, HorizonJson.timeout());
      } else {
        respond(ctx, ar.result());
      }
    });
  }

  /** Applies a delayed transaction once its delay is over, checking it all over again. */
  private void include(String tx, String hash, Duration delay) {
    long id = vertx.setTimer(Math.max(1, delay.toMillis()), tid -> {
      timers.remove(tid);
      onApplier(() -> {
        pending.remove(hash);
        if (closed) {
          return null; // the ledger stopped before this transaction was included
        }
        long baseFee = faults.baseFee();
        Outcome o = state.submit(tx, now(), baseFee, true);
        if (o instanceof Applied a && a.fresh()) {
          journal(a.record(), baseFee, false);
        } else if (o instanceof Rejected r) {
          LOG.info("local ledger: delayed transaction " + hash + " dropped at inclusion: " + r.codes());
        }
        return null;
      }).onFailure(err -> LOG.log(Level.SEVERE, "local ledger: delayed inclusion failed", err));
    });
    timers.add(id);
  }

  private void friendbot(RoutingContext ctx) {
    String addr = ctx.request().getParam("addr");
    if (addr == null) {
      addr = formValue(ctx, "addr");
    }
    if (addr == null || !isAccountId(addr)) {
      send(ctx, 400, HorizonJson.badRequest("addr", "base32 decoding failed: not a Stellar account ID (G...)"));
      return;
    }
    String destination = addr;
    long now = now();
    onApplier(() -> {
      if (state.account(destination) != null) {
        return null;
      }
      long baseFee = faults.baseFee();
      String env = state.friendbotEnvelope(destination, options.friendbotStartingBalance(), baseFee);
      Outcome o = state.submit(env, now, baseFee, true);
      if (o instanceof Applied a && a.fresh()) {
        journal(a.record(), baseFee, true);
      }
      return o;
    }).onComplete(ar -> {
      if (ar.failed()) {
        LOG.log(Level.SEVERE, "local ledger: friendbot failed", ar.cause());
        send(ctx, 500, HorizonJson.serverError("friendbot failed: " + ar.cause()));
      } else if (ar.result() == null) {
        send(ctx, 400, HorizonJson.problem("bad_request", "Bad Request", 400,
            "account already funded to starting balance"));
      } else {
        respond(ctx, ar.result());
      }
    });
  }

  private void respond(RoutingContext ctx, Outcome o) {
    if (o instanceof Malformed m) {
      send(ctx, 400, HorizonJson.transactionMalformed(m.envelopeXdr(), m.detail()));
    } else if (o instanceof Rejected r) {
      send(ctx, 400, HorizonJson.transactionFailed(r.envelopeXdr(), r.resultXdr(), r.codes()));
    } else if (o instanceof Applied a) {
      TxRecord r = a.record();
      if (r.successful()) {
        send(ctx, 200, HorizonJson.transaction(r, a.requestedHash(), url));
      } else {
        send(ctx, 400, HorizonJson.transactionFailed(r.envelopeXdr(), r.resultXdr(), r.codes()));
      }
    } else {
      send(ctx, 504, HorizonJson.timeout());
    }
  }

  private void journal(TxRecord r, long baseFee, boolean friendbot) throws IOException {
    if (journal != null) {
      journal.append(new LedgerJournal.Entry(r.ledger(), r.closeTime(), baseFee, r.envelopeXdr(), friendbot));
    }
  }

  // ---------------------------------------------------------------- plumbing

  private long now() {
    return options.clock().instant().getEpochSecond();
  }

  private static boolean isAccountId(String id) {
    if (id == null || id.length() != 56 || id.charAt(0) != 'G') {
      return false;
    }
    try {
      StrKey.decodeEd25519PublicKey(id);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static String formValue(RoutingContext ctx, String name) {
    String v = ctx.request().getFormAttribute(name);
    if (v != null || ctx.body() == null || ctx.body().buffer() == null) {
      return v;
    }
    List<String> values = new QueryStringDecoder(ctx.body().asString(), false).parameters().get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** Computes a body on the apply thread; null means 404. */
  private void answer(RoutingContext ctx, Callable<JsonObject> body) {
    onApplier(body).onComplete(ar -> {
      if (ar.failed()) {
        LOG.log(Level.WARNING, "local ledger: request failed", ar.cause());
        send(ctx, 500, HorizonJson.serverError("The local ledger failed to handle this request."));
      } else if (ar.result() == null) {
        send(ctx, 404, HorizonJson.notFound());
      } else {
        send(ctx, 200, ar.result());
      }
    });
  }

  private static void send(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", status < 300 ? HAL : PROBLEM)
        .end(body.encode());
  }

  /** Runs a task on the apply thread; the future completes on the caller's Vert.x context. */
  private <T> Future<T> onApplier(Callable<T> task) {
    Context ctx = vertx.getOrCreateContext();
    CompletableFuture<T> cf = new CompletableFuture<>();
    try {
      applier.execute(() -> {
        try {
          cf.complete(task.call());
        } catch (Throwable t) {
          cf.completeExceptionally(t);
        }
      });
    } catch (RejectedExecutionException e) {
      return Future.failedFuture(new IllegalStateException("the local ledger is closed"));
    }
    return Future.fromCompletionStage(cf, ctx);
  }

  /** Runs a read on the apply thread and waits for it; for callers off the event loop. */
  private <T> T query(Callable<T> task) {
    try {
      return applier.submit(task).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof RuntimeException re ? re : new IllegalStateException(c);
    } catch (TimeoutException | RejectedExecutionException e) {
      throw new IllegalStateException("the local ledger did not answer", e);
    }
  }
}
