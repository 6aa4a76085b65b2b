package io.loadshift.vtn.payout;

import io.loadshift.vtn.audit.Actor;
import io.loadshift.vtn.audit.AuditService;
import io.loadshift.vtn.platform.db.Ids;
import io.loadshift.vtn.platform.jobs.Serial;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.logging.Logger;

/**
 * Pays PENDING payouts from the distribution account, exactly once.
 *
 * <p>One worker at a time holds the account's lease (transactions from one account are ordered by
 * its sequence number). A batch of up to 100 payouts in one asset is built into a transaction
 * (hash memo over the evidence digests, time bounds), and its hash and signed envelope are stored,
 * with the payouts marked SUBMITTED, before it is sent. Whatever happens next (an answer, a
 * timeout, a crash), a SUBMITTED batch is settled only by what the ledger says:
 * <ul>
 *   <li>found by hash: successful means PAID; failed means its payouts go back to the queue;</li>
 *   <li>not found: it is given back to the queue only once it can never be applied: the
 *       account's sequence number has passed it, or the ledger's clock has passed its time
 *       bounds (both read before the lookup, so an inclusion between them cannot be missed);
 *       until then the same envelope is submitted again, which the network applies at most once.</li>
 * </ul>
 * A payout is therefore only ever in one transaction that can still be applied. Per-operation
 * failures fail only their payouts; a distribution account short of funds makes payouts wait.
 */
public final class PayoutWorker {
  private static final Logger LOG = Logger.getLogger(PayoutWorker.class.getName());
  private static final Actor WORKER = new Actor("payout-worker", "system", null);

  /** The boundaries a crash test stops the worker at. */
  public enum Step { BUILT, STORED, SUBMITTED, RECORDING }

  /** Called at each step boundary; tests throw {@link Crash} to stop the worker dead there. */
  public interface Crashpoints {
    Crashpoints NONE = step -> { };

    void at(Step step);
  }

  /** Stops a worker as abruptly as a killed process: nothing after the throw runs. */
  public static final class Crash extends RuntimeException {
    public Crash(Step step) {
      super("simulated crash at " + step, null, false, false);
    }
  }

  public record Settings(String holder, Duration leaseTtl, Duration txTimeout, long baseFee, long maxFee, int batchSize,
                         Duration waitBackoff, long nativeReserveStroops) {}

  private static final String LEASE = "INSERT INTO payout_leases (source_account, holder, expires_at) "
      + "VALUES ($1, $2, now() + $3 * interval '1 millisecond') ON CONFLICT (source_account) DO UPDATE "
      + "SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at "
      + "WHERE payout_leases.holder = EXCLUDED.holder OR payout_leases.expires_at < now() RETURNING holder";
  private static final String UNLEASE = "DELETE FROM payout_leases WHERE source_account = $1 AND holder = $2";
  private static final String FILL_DESTINATIONS = "UPDATE payouts p SET destination = v.stellar_account, reason = NULL, "
      + "updated_at = now() FROM vens v WHERE p.status = 'PENDING' AND p.destination IS NULL AND v.id = p.ven_id "
      + "AND v.stellar_account IS NOT NULL";
  private static final String OPEN_BATCH = "SELECT id, sequence, tx_hash, envelope, fee_stroops, asset, max_time, attempts, "
      + "cardinality(payout_ids), next_attempt_at <= now() FROM payout_batches WHERE source_account = $1 "
      + "AND status = 'SUBMITTED' ORDER BY created_at, id LIMIT 1";
  private static final String CANDIDATES = "WITH head AS (SELECT asset FROM payouts WHERE status = 'PENDING' "
      + "AND destination IS NOT NULL AND not_before <= now() ORDER BY created_at, id LIMIT 1) "
      + "SELECT p.id, p.destination, p.amount, p.evidence_digest, p.asset FROM payouts p, head "
      + "WHERE p.status = 'PENDING' AND p.destination IS NOT NULL AND p.not_before <= now() AND p.asset = head.asset "
      + "ORDER BY p.created_at, p.id LIMIT $1";
  private static final String WAIT = "UPDATE payouts SET reason = $2, not_before = now() + $3 * interval '1 millisecond', "
      + "updated_at = now() WHERE id = ANY ($1::uuid[]) AND status = 'PENDING'";
  /** The signed transaction stored and its payouts marked SUBMITTED, in one statement. */
  private static final String STORE = "WITH b AS (INSERT INTO payout_batches (id, source_account, sequence, tx_hash, "
      + "envelope, fee_stroops, asset, memo_hash, payout_ids, max_time, status) "
      + "VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9::uuid[], $10, 'SUBMITTED') RETURNING id) "
      + "UPDATE payouts SET status = 'SUBMITTED', batch_id = (SELECT id FROM b), attempts = attempts + 1, reason = NULL, "
      + "updated_at = now() WHERE id = ANY ($9::uuid[]) AND status = 'PENDING'";
  private static final String LATER = "UPDATE payout_batches SET attempts = attempts + 1, result = $2, "
      + "next_attempt_at = greatest(now() + $3 * interval '1 millisecond', $4) WHERE id = $1::uuid AND status = 'SUBMITTED'";
  private static final String RESUBMITTING = "UPDATE payout_batches SET attempts = attempts + 1 "
      + "WHERE id = $1::uuid AND status = 'SUBMITTED'";
  private static final String BUMPED = "UPDATE payout_batches SET envelope = $2, fee_stroops = $3, attempts = attempts + 1, "
      + "result = 'fee bumped' WHERE id = $1::uuid AND status = 'SUBMITTED'";
  private static final String RESOLVE_BATCH = "UPDATE payout_batches SET status = $2, result = $3, ledger = $4, "
      + "resolved_at = now() WHERE id = $1::uuid AND status = 'SUBMITTED'";
  /** Batch APPLIED, its payouts PAID and their participations REWARDED, in one statement. */
  private static final String PAID = "WITH b AS (UPDATE payout_batches SET status = 'APPLIED', result = 'applied', "
      + "ledger = $3, resolved_at = now() WHERE id = $1::uuid AND status = 'SUBMITTED' RETURNING id), "
      + "p AS (UPDATE payouts SET status = 'PAID', tx_hash = $2, ledger = $3, paid_at = now(), reason = NULL, "
      + "updated_at = now() WHERE batch_id = (SELECT id FROM b) AND status = 'SUBMITTED' "
      + "RETURNING id, event_id, ven_id, amount, asset, destination, evidence_digest), "
      + "r AS (UPDATE participations x SET status = 'REWARDED', reward = p.amount FROM p "
      + "WHERE x.event_id = p.event_id AND x.ven_id = p.ven_id) SELECT * FROM p";
  private static final String RELEASE = "UPDATE payouts SET status = 'PENDING', batch_id = NULL, updated_at = now() "
      + "WHERE batch_id = $1::uuid AND status = 'SUBMITTED'";
  /** Per payout of a failed transaction: back to the queue, waiting, or FAILED, with a reason. */
  private static final String OUTCOMES = "UPDATE payouts p SET status = u.s, reason = u.r, "
      + "batch_id = CASE WHEN u.s = 'FAILED' THEN p.batch_id END, not_before = now() + u.w * interval '1 millisecond', "
      + "updated_at = now() FROM unnest($2::uuid[], $3::text[], $4::text[], $5::bigint[]) AS u(i, s, r, w) "
      + "WHERE p.id = u.i AND p.batch_id = $1::uuid AND p.status = 'SUBMITTED' RETURNING p.id, p.status, p.reason";

  private final Vertx vertx;
  private final Pool pool;
  private final Stellar stellar;
  private final WorkerExecutor blocking;
  private final AuditService audit;
  private final Settings settings;
  private final Crashpoints crash;
  private final String source;
  private final Serial serial;
  private Context context;
  private long timer = -1;
  private volatile boolean stopped;
  private long leaseRenewedAt;
  private long destinationsFilledAt;

  /** What the worker counts, for /metrics. */
  public interface Counters {
    Counters NONE = new Counters() {
      public void submitted() { }

      public void paid(int payouts) { }

      public void failed(int payouts) { }
    };

    void submitted();

    void paid(int payouts);

    void failed(int payouts);
  }

  private Counters counters = Counters.NONE;

  /** Counts transactions submitted and payouts paid or failed. */
  public PayoutWorker counting(Counters counters) {
    this.counters = counters;
    return this;
  }

  public PayoutWorker(Vertx vertx, Pool pool, Stellar stellar, WorkerExecutor blocking, AuditService audit,
                      Settings settings, Crashpoints crash) {
    this.vertx = vertx;
    this.pool = pool;
    this.stellar = stellar;
    this.blocking = blocking;
    this.audit = audit;
    this.settings = settings;
    this.crash = crash;
    this.source = stellar.sourceAccount();
    this.serial = new Serial(this::tick, () -> stopped, this::failed);
  }

  /** Binds the worker to the calling context; it also looks for work once a second. */
  public void start() {
    context = vertx.getOrCreateContext();
    timer = vertx.setPeriodic(1000, id -> run());
    run();
  }

  /** Lets the current step finish, gives up the lease and stops. */
  public Future<Void> stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    Future<Void> done;
    if (serial.running()) {
      Promise<Void> idle = Promise.promise();
      serial.onSettled(idle::tryComplete);
      done = idle.future();
    } else {
      done = Future.succeededFuture();
    }
    return done.compose(v -> pool.preparedQuery(UNLEASE).execute(Tuple.of(source, settings.holder())))
        .otherwiseEmpty().mapEmpty();
  }

  /** New payouts were queued (from any thread). */
  public void kick() {
    if (context != null) {
      context.runOnContext(v -> run());
    }
  }

  public boolean stopped() {
    return stopped;
  }

  private void run() {
    serial.run();
  }

  private void failed(Throwable e) {
    if (e instanceof Crash) {
      // Dead as a killed process: no clean-up, the lease stays until it expires.
      stopped = true;
      vertx.cancelTimer(timer);
    } else {
      LOG.warning("payouts: " + e.getMessage());
    }
  }

  /** One step: settle the open batch if there is one, else send the next. True when there may be more to do. */
  private Future<Boolean> tick() {
    return lease().compose(ours -> {
          if (!ours) {
            return Future.succeededFuture(false); // another instance pays from this account
          }
          return fillDestinations()
              .compose(x -> pool.preparedQuery(OPEN_BATCH).execute(Tuple.of(source)))
              .compose(open -> {
                if (open.size() > 0) {
                  Row r = open.iterator().next();
                  if (!r.getBoolean(9)) {
                    return Future.succeededFuture(false);
                  }
                  return reconcile(Batch.from(r)).map(true);
                }
                return next();
              });
        });
  }

  /** Takes or renews the lease; renewed when a third of it has gone by, so most steps cost no query. */
  private Future<Boolean> lease() {
    long now = System.currentTimeMillis();
    if (now - leaseRenewedAt < settings.leaseTtl().toMillis() / 3) {
      return Future.succeededFuture(true);
    }
    return pool.preparedQuery(LEASE).execute(Tuple.of(source, settings.holder(), settings.leaseTtl().toMillis()))
        .map(rows -> {
          leaseRenewedAt = rows.rowCount() == 0 ? 0 : now;
          return rows.rowCount() > 0;
        });
  }

  /** Payouts created before their VEN named an account get it (looked for at most once a second). */
  private Future<Void> fillDestinations() {
    long now = System.currentTimeMillis();
    if (now - destinationsFilledAt < 1000) {
      return Future.succeededFuture();
    }
    destinationsFilledAt = now;
    return pool.query(FILL_DESTINATIONS).execute().mapEmpty();
  }

  /** A stored transaction still to be settled. */
  record Batch(String id, long sequence, String hash, String envelope, long fee, String asset, Instant maxTime,
               int attempts, int operations) {
    static Batch from(Row r) {
      return new Batch(r.getUUID(0).toString(), r.getLong(1), r.getString(2), r.getString(3), r.getLong(4), r.getString(5),
          r.getOffsetDateTime(6).toInstant(), r.getInteger(7), r.getInteger(8));
    }
  }

  private record Candidate(String id, String destination, long stroops, String digest) {}

  /** Built off the event loop: the transaction, and the payouts that must wait (and why). */
  private record Prepared(Stellar.Signed signed, String asset, List<Candidate> included, String memo,
                          List<String> waiting, String waitReason) {}

  // ---- building and sending ------------------------------------------------------------------

  private Future<Boolean> next() {
    return pool.preparedQuery(CANDIDATES).execute(Tuple.of(settings.batchSize())).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(false);
      }
      List<Candidate> candidates = new ArrayList<>();
      String asset = null;
      for (Row r : rows) {
        candidates.add(new Candidate(r.getUUID(0).toString(), r.getString(1), RewardRules.toStroops(r.getBigDecimal(2)),
            r.getString(3)));
        asset = r.getString(4);
      }
      String a = asset;
      return offLoop(() -> prepare(a, candidates)).compose(p -> {
        crash.at(Step.BUILT);
        Future<Void> waits = p.waiting().isEmpty() ? Future.succeededFuture()
            : pool.preparedQuery(WAIT).execute(Tuple.of(uuids(p.waiting()), p.waitReason(),
                settings.waitBackoff().toMillis())).mapEmpty();
        if (p.signed() == null) {
          return waits.map(false);
        }
        return waits.compose(x -> store(p)).compose(batch -> {
          crash.at(Step.STORED);
          return send(batch, batch.envelope());
        }).map(true);
      });
    });
  }

  private Prepared prepare(String asset, List<Candidate> candidates) throws Stellar.LedgerUnavailable {
    Optional<Stellar.Account> account = stellar.account(source);
    List<String> all = candidates.stream().map(Candidate::id).toList();
    if (account.isEmpty()) {
      return new Prepared(null, asset, List.of(), null, all,
          "distribution account " + source + " does not exist on the ledger");
    }
    long balance = account.get().balance(asset);
    if (balance < 0) {
      return new Prepared(null, asset, List.of(), null, all,
          "distribution account " + source + " has no trustline for " + asset);
    }
    if ("native".equals(asset)) {
      balance -= settings.nativeReserveStroops() + settings.maxFee() * (candidates.size() + 1L);
    }
    List<Candidate> included = new ArrayList<>();
    List<String> waiting = new ArrayList<>();
    long sum = 0;
    long missing = 0;
    for (Candidate c : candidates) {
      if (waiting.isEmpty() && sum + c.stroops() <= balance) {
        included.add(c);
        sum += c.stroops();
      } else {
        waiting.add(c.id());
        missing += c.stroops();
      }
    }
    String reason = waiting.isEmpty() ? null : "distribution account " + source + " holds "
        + RewardRules.units(Math.max(0, balance - sum)).toPlainString() + " " + asset + " too little: "
        + RewardRules.units(missing).toPlainString() + " more needed";
    if (included.isEmpty()) {
      return new Prepared(null, asset, included, null, waiting, reason);
    }
    MessageDigest md = sha256();
    for (Candidate c : included) {
      md.update((c.digest() + "\n").getBytes(StandardCharsets.UTF_8));
    }
    byte[] memo = md.digest();
    List<Stellar.Payment> payments = included.stream().map(c -> new Stellar.Payment(c.destination(), c.stroops())).toList();
    Instant maxTime = Instant.now().plus(settings.txTimeout());
    Stellar.Signed signed = stellar.sign(account.get().sequence() + 1, asset, payments, memo, settings.baseFee(), maxTime);
    return new Prepared(signed, asset, included, HexFormat.of().formatHex(memo), waiting, reason);
  }

  private Future<Batch> store(Prepared p) {
    String batchId = Ids.newId();
    UUID[] ids = uuids(p.included().stream().map(Candidate::id).toList());
    Stellar.Signed s = p.signed();
    return pool.withTransaction(tx -> tx.preparedQuery(STORE).execute(Tuple.from(new Object[] {batchId, source,
            s.sequence(), s.hash(), s.envelope(), s.feeStroops(), p.asset(), p.memo(), ids,
            OffsetDateTime.ofInstant(s.maxTime(), ZoneOffset.UTC)}))
        .map(marked -> {
          if (marked.rowCount() != ids.length) {
            throw new IllegalStateException("payouts changed while their transaction was built; building again");
          }
          return new Batch(batchId, s.sequence(), s.hash(), s.envelope(), s.feeStroops(), p.asset(), s.maxTime(), 0,
              ids.length);
        }));
  }

  private Future<Void> send(Batch batch, String envelope) {
    counters.submitted();
    return offLoop(() -> stellar.submit(envelope)).compose(answer -> {
      crash.at(Step.SUBMITTED);
      return handle(batch, answer);
    });
  }

  private Future<Void> handle(Batch batch, Stellar.Submission answer) {
    if (answer instanceof Stellar.Applied a) {
      crash.at(Step.RECORDING);
      return paid(batch, a.ledger());
    }
    if (answer instanceof Stellar.Rejected r) {
      if ("tx_failed".equals(r.transactionCode())) {
        return operationsFailed(batch, r.operationCodes());
      }
      if ("tx_insufficient_fee".equals(r.transactionCode())) {
        return bump(batch);
      }
      // Not applied now; whether it could still be applied is for the ledger to say.
      return settle(batch, false, "refused: " + r.transactionCode());
    }
    if (answer instanceof Stellar.Retry r) {
      return later(batch, r.reason(), r.after());
    }
    // Most often the transaction is waiting for inclusion: look again soon.
    return later(batch, ((Stellar.Unknown) answer).reason(), backoff(batch.attempts()).compareTo(Duration.ofSeconds(4)) > 0
        ? Duration.ofSeconds(4) : backoff(batch.attempts()));
  }

  private Future<Void> bump(Batch batch) {
    long perOperation = batch.fee() / Math.max(1, batch.operations());
    long next = Math.min(settings.maxFee(), Math.max(perOperation * 2, settings.baseFee() * 2));
    if (next <= perOperation) {
      return later(batch, "network fees above VTN_STELLAR_MAX_FEE_STROOPS (" + settings.maxFee() + " per operation)",
          Duration.ofSeconds(15));
    }
    return offLoop(() -> stellar.feeBump(batch.envelope(), next)).compose(bumped ->
        pool.preparedQuery(BUMPED).execute(Tuple.of(batch.id(), bumped.envelope(), bumped.feeStroops()))
            .compose(x -> send(new Batch(batch.id(), batch.sequence(), batch.hash(), bumped.envelope(), bumped.feeStroops(),
                batch.asset(), batch.maxTime(), batch.attempts() + 1, batch.operations() + 1), bumped.envelope())));
  }

  // ---- settling by what the ledger says --------------------------------------------------------

  private record Verdict(Optional<Stellar.Found> found, boolean sequencePassed, boolean expired) {}

  private Future<Void> reconcile(Batch batch) {
    return settle(batch, true, null);
  }

  /**
   * Looks the batch up. Not found and never applicable any more: back to the queue. Not found but
   * still applicable: submitted again ({@code resubmit}) or left to wait until its time bounds pass.
   */
  private Future<Void> settle(Batch batch, boolean resubmit, String waitReason) {
    return offLoop(() -> {
      // Account and clock first, then the lookup: a transaction applied in between is found.
      Optional<Stellar.Account> account = stellar.account(source);
      Instant ledgerTime = stellar.ledgerTime();
      Optional<Stellar.Found> found = stellar.find(batch.hash());
      return new Verdict(found, account.isPresent() && account.get().sequence() >= batch.sequence(),
          ledgerTime.isAfter(batch.maxTime()));
    }).recover(e -> later(batch, e.getMessage(), backoff(batch.attempts())).map((Verdict) null)).compose(v -> {
      if (v == null) {
        return Future.succeededFuture();
      }
      if (v.found().isPresent()) {
        if (v.found().get().successful()) {
          crash.at(Step.RECORDING);
          return paid(batch, v.found().get().ledger());
        }
        return release(batch, "FAILED", "failed in ledger " + v.found().get().ledger());
      }
      if (v.sequencePassed()) {
        return release(batch, "EXPIRED", "not in the ledger and its sequence number is used");
      }
      if (v.expired()) {
        return release(batch, "EXPIRED", "not in the ledger and its time bounds have passed");
      }
      if (!resubmit) {
        return later(batch, waitReason, Duration.between(Instant.now(), batch.maxTime()).plusSeconds(1));
      }
      return pool.preparedQuery(RESUBMITTING).execute(Tuple.of(batch.id()))
          .compose(x -> send(new Batch(batch.id(), batch.sequence(), batch.hash(), batch.envelope(), batch.fee(),
              batch.asset(), batch.maxTime(), batch.attempts() + 1, batch.operations()), batch.envelope()));
    });
  }

  private Future<Void> later(Batch batch, String reason, Duration after) {
    return pool.preparedQuery(LATER).execute(Tuple.of(batch.id(), reason, Math.max(0, after.toMillis()),
        OffsetDateTime.now(ZoneOffset.UTC))).mapEmpty();
  }

  private Future<Void> release(Batch batch, String status, String result) {
    return pool.withTransaction(tx -> tx.preparedQuery(RESOLVE_BATCH).execute(Tuple.of(batch.id(), status, result, null))
        .compose(x -> tx.preparedQuery(RELEASE).execute(Tuple.of(batch.id()))).mapEmpty());
  }

  private Future<Void> paid(Batch batch, long ledger) {
    return pool.withTransaction(tx -> tx.preparedQuery(PAID).execute(Tuple.of(batch.id(), batch.hash(), ledger))
        .compose(rows -> {
          List<String> ids = new ArrayList<>(rows.size());
          List<String> after = new ArrayList<>(rows.size());
          for (Row r : rows) {
            ids.add(r.getUUID(0).toString());
            after.add(new JsonObject().put("eventID", r.getString(1)).put("venID", r.getString(2))
                .put("participation", r.getString(1) + "/" + r.getString(2)).put("evidenceDigest", r.getString(6))
                .put("amount", r.getBigDecimal(3).toPlainString()).put("asset", r.getString(4))
                .put("destination", r.getString(5)).put("txHash", batch.hash()).put("ledger", ledger)
                .put("batchID", batch.id()).encode());
          }
          counters.paid(ids.size());
          return audit.recordAll(tx, WORKER, "payout_paid", "payout", ids, after);
        }));
  }

  private Future<Void> operationsFailed(Batch batch, List<String> codes) {
    return pool.preparedQuery("SELECT payout_ids FROM payout_batches WHERE id = $1::uuid").execute(Tuple.of(batch.id()))
        .compose(rows -> {
          UUID[] ids = (UUID[]) rows.iterator().next().getValue(0);
          if (codes.size() != ids.length) {
            return release(batch, "FAILED", "tx_failed " + codes);
          }
          String[] status = new String[ids.length];
          String[] reason = new String[ids.length];
          Long[] wait = new Long[ids.length];
          for (int i = 0; i < ids.length; i++) {
            Outcome o = outcome(codes.get(i), batch.asset());
            status[i] = o.status();
            reason[i] = o.reason();
            wait[i] = o.waits() ? settings.waitBackoff().toMillis() : 0L;
          }
          return pool.withTransaction(tx -> tx.preparedQuery(RESOLVE_BATCH)
              .execute(Tuple.of(batch.id(), "FAILED", "tx_failed " + codes, null))
              .compose(x -> tx.preparedQuery(OUTCOMES).execute(Tuple.of(batch.id(), ids, status, reason, wait)))
              .compose(updated -> {
                List<String> failed = new ArrayList<>();
                List<String> after = new ArrayList<>();
                for (Row r : updated) {
                  if ("FAILED".equals(r.getString(1))) {
                    failed.add(r.getUUID(0).toString());
                    after.add(new JsonObject().put("reason", r.getString(2)).put("txHash", batch.hash())
                        .put("batchID", batch.id()).encode());
                  }
                }
                counters.failed(failed.size());
                return failed.isEmpty() ? Future.<Void>succeededFuture()
                    : audit.recordAll(tx, WORKER, "payout_failed", "payout", failed, after);
              }));
        });
  }

  /** What a payment operation's result code means for its payout. */
  record Outcome(String status, String reason, boolean waits) {}

  static Outcome outcome(String code, String asset) {
    return switch (code == null ? "" : code) {
      case "op_success" -> new Outcome("PENDING", null, false);
      case "op_underfunded" -> new Outcome("PENDING", "distribution account had too little " + asset, true);
      case "op_src_no_trust", "op_src_not_authorized" ->
          new Outcome("PENDING", "distribution account may not send " + asset, true);
      case "op_no_destination" -> new Outcome("FAILED", "destination account does not exist on the ledger", false);
      case "op_no_trust" -> new Outcome("FAILED", "destination account has no trustline for " + asset, false);
      case "op_line_full" -> new Outcome("FAILED", "destination's trustline limit for " + asset + " would be exceeded",
          false);
      case "op_not_authorized" -> new Outcome("FAILED", "destination is not authorized to hold " + asset, false);
      case "op_no_issuer" -> new Outcome("FAILED", "the issuer of " + asset + " does not exist on the ledger", false);
      case "op_malformed" -> new Outcome("FAILED", "the ledger refused the payment as malformed", false);
      default -> new Outcome("FAILED", "the ledger refused the payment: " + code, false);
    };
  }

  private static UUID[] uuids(List<String> ids) {
    return ids.stream().map(UUID::fromString).toArray(UUID[]::new);
  }

  private static Duration backoff(int attempts) {
    return Duration.ofMillis(Math.min(30_000L, 500L << Math.min(attempts, 6)));
  }

  private <T> Future<T> offLoop(Callable<T> work) {
    return blocking.executeBlocking(work, false);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The account this worker pays from. */
  public String sourceAccount() {
    return source;
  }
}
