package io.loadshift.vtn.payout;

import io.loadshift.vtn.audit.Actor;
import io.loadshift.vtn.audit.AuditEntry;
import io.loadshift.vtn.audit.AuditService;
import io.loadshift.vtn.event.Event;
import io.loadshift.vtn.event.EventService;
import io.loadshift.vtn.platform.db.Ids;
import io.loadshift.vtn.platform.http.Problem;
import io.loadshift.vtn.program.Program;
import io.loadshift.vtn.program.ProgramService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The seed's distribute_rewards: turns an event's verified participations into payouts, one per
 * (event, VEN) and never a second, with amounts from {@link RewardRules}; the {@link PayoutWorker}
 * pays them. Also the reads of payouts, and sending a failed payout back to the queue.
 */
public final class PayoutService {
  static final String COLUMNS = "p.id, p.event_id, p.ven_id, p.ven_name, p.program_id, p.reduction_kw, p.reward_per_kw, "
      + "p.amount, p.asset, p.destination, p.evidence_digest, p.status, p.reason, p.attempts, p.batch_id, p.tx_hash, "
      + "p.ledger, p.created_at, p.updated_at, p.paid_at, b.memo_hash";
  private static final String LOCK_EVENT = "SELECT id FROM events WHERE id = $1 FOR UPDATE";
  private static final String LOCK_PROGRAM = "SELECT id FROM programs WHERE id = $1 FOR UPDATE";
  private static final String CLAIMS = "SELECT p.ven_id, p.ven_name, p.reduction_kw, p.evidence_digest, v.stellar_account "
      + "FROM participations p JOIN vens v ON v.id = p.ven_id WHERE p.event_id = $1 AND p.status = 'VERIFIED' "
      + "AND p.evidence_digest IS NOT NULL AND p.reduction_kw IS NOT NULL "
      + "AND NOT EXISTS (SELECT 1 FROM payouts x WHERE x.event_id = p.event_id AND x.ven_id = p.ven_id) ORDER BY p.ven_id";
  private static final String SPENT = "SELECT (SELECT coalesce(sum(amount), 0) FROM payouts WHERE event_id = $1), "
      + "(SELECT coalesce(sum(amount), 0) FROM payouts WHERE program_id = $2), "
      + "(SELECT count(*) FROM payouts WHERE event_id = $1)";
  private static final String INSERT = "INSERT INTO payouts (id, event_id, ven_id, program_id, ven_name, reduction_kw, "
      + "reward_per_kw, amount, asset, destination, evidence_digest, status, reason, created_by) "
      + "SELECT i::uuid, $1, v, $2, n, r::numeric, $3, a::numeric, $4, d, e, 'PENDING', "
      + "CASE WHEN d IS NULL THEN 'waiting for the VEN''s STELLAR_ACCOUNT attribute' END, $5 "
      + "FROM unnest($6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[]) "
      + "AS u(i, v, n, r, a, d, e) ON CONFLICT (event_id, ven_id) DO NOTHING RETURNING id";
  private static final String SET_REWARD = "UPDATE participations p SET reward = u.a::numeric "
      + "FROM unnest($2::text[], $3::text[]) AS u(v, a) WHERE p.event_id = $1 AND p.ven_id = u.v";
  private static final String LIST = "SELECT " + COLUMNS + " FROM payouts p LEFT JOIN payout_batches b ON b.id = p.batch_id "
      + "WHERE ($1::text IS NULL OR p.event_id = $1) AND ($2::text IS NULL OR p.status = $2) "
      + "AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM vens v WHERE v.id = p.ven_id AND v.client_id = $3)) "
      + "AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM vens v WHERE v.id = p.ven_id AND v.registered_by = $4)) "
      + "AND ($5::text IS NULL OR p.ven_name = $5) AND ($8::uuid IS NULL OR p.id = $8) "
      + "ORDER BY p.event_id, p.ven_name OFFSET $6 LIMIT $7";
  private static final String SUMMARY = "SELECT status, count(*), coalesce(sum(amount), 0) FROM payouts WHERE event_id = $1 "
      + "GROUP BY status";
  /** Back to the queue, to the VEN's current account (the old one may have been the problem). */
  private static final String RETRY = "UPDATE payouts p SET status = 'PENDING', reason = NULL, not_before = now(), "
      + "batch_id = NULL, destination = (SELECT v.stellar_account FROM vens v WHERE v.id = p.ven_id), updated_at = now() "
      + "WHERE p.id = $1::uuid AND p.status = 'FAILED' RETURNING p.id";
  private static final String NOTIFY = "SELECT pg_notify('vtn_payouts', $1)";

  private final Pool pool;
  private final EventService events;
  private final ProgramService programs;
  private final AuditService audit;
  private final String defaultAsset;

  public PayoutService(Pool pool, EventService events, ProgramService programs, AuditService audit, String defaultAsset) {
    this.pool = pool;
    this.events = events;
    this.programs = programs;
    this.audit = audit;
    this.defaultAsset = defaultAsset;
  }

  /** What one call to distribute did. */
  public record Distribution(String eventId, String asset, BigDecimal rewardPerKw, int created, int existing,
                             BigDecimal createdAmount, boolean capped, boolean scaled, Map<String, long[]> byStatus) {
    public JsonObject toJson() {
      JsonObject statuses = new JsonObject();
      byStatus.forEach((k, v) -> statuses.put(k, new JsonObject().put("count", v[0])
          .put("amount", RewardRules.units(v[1]).toPlainString())));
      return new JsonObject().put("eventID", eventId).put("asset", asset)
          .put("rewardPerKw", rewardPerKw.toPlainString()).put("created", created).put("existing", existing)
          .put("createdAmount", createdAmount.setScale(7).toPlainString()).put("cappedPerParticipant", capped)
          .put("scaledToEventCapOrBudget", scaled).put("byStatus", statuses);
    }
  }

  public Future<Distribution> distribute(Actor actor, String eventId) {
    return events.get(eventId).compose(event -> programs.get(pool, event.programId()).compose(program -> {
      if (event.cancelledAt() != null) {
        throw Problem.conflict("The event was cancelled; there is nothing to pay.");
      }
      if (event.endsAt() == null || event.endsAt().isAfter(Instant.now())) {
        throw Problem.conflict("The event has not ended yet; pay after " + event.endsAt() + ".");
      }
      BigDecimal rate = event.rewardPerKw() != null ? event.rewardPerKw() : program.rules().rewardPerKw();
      if (rate == null) {
        throw Problem.conflict("Neither the event nor its program sets REWARD_PER_KW; there is no reward to pay.");
      }
      String asset = program.rules().rewardAsset() != null ? program.rules().rewardAsset() : defaultAsset;
      return pool.withTransaction(tx -> tx.preparedQuery(LOCK_EVENT).execute(Tuple.of(eventId))
          .compose(x -> tx.preparedQuery(LOCK_PROGRAM).execute(Tuple.of(program.id())))
          .compose(x -> tx.preparedQuery(SPENT).execute(Tuple.of(eventId, program.id())))
          .compose(spent -> tx.preparedQuery(CLAIMS).execute(Tuple.of(eventId)).compose(rows -> {
            Row s = spent.iterator().next();
            return create(tx, actor, event, program, asset, rate, rows, s.getBigDecimal(0), s.getBigDecimal(1),
                s.getLong(2).intValue());
          })))
          .compose(d -> summary(eventId).map(by -> new Distribution(d.eventId(), d.asset(), d.rewardPerKw(), d.created(),
              d.existing(), d.createdAmount(), d.capped(), d.scaled(), by)));
    }));
  }

  private Future<Distribution> create(SqlConnection tx, Actor actor, Event event, Program program, String asset,
                                      BigDecimal rate, io.vertx.sqlclient.RowSet<Row> rows, BigDecimal eventSpent,
                                      BigDecimal programSpent, int existing) {
    List<RewardRules.Claim> claims = new ArrayList<>();
    Map<String, Row> byVen = new HashMap<>();
    for (Row r : rows) {
      claims.add(new RewardRules.Claim(r.getString(0), r.getBigDecimal(2)));
      byVen.put(r.getString(0), r);
    }
    BigDecimal remaining = null;
    if (program.rules().maxRewardPerEvent() != null) {
      remaining = program.rules().maxRewardPerEvent().subtract(eventSpent);
    }
    if (program.rules().rewardBudget() != null) {
      BigDecimal budgetLeft = program.rules().rewardBudget().subtract(programSpent);
      remaining = remaining == null ? budgetLeft : remaining.min(budgetLeft);
    }
    RewardRules.Result result = RewardRules.compute(claims, rate, program.rules().minReductionKw(),
        program.rules().maxRewardPerParticipant(), remaining);
    int n = result.stroops().size();
    if (n == 0) {
      return Future.succeededFuture(new Distribution(event.id(), asset, rate, 0, existing, BigDecimal.ZERO,
          result.capped(), result.scaled(), Map.of()));
    }
    String[] ids = new String[n];
    String[] vens = new String[n];
    String[] names = new String[n];
    String[] reductions = new String[n];
    String[] amounts = new String[n];
    String[] destinations = new String[n];
    String[] digests = new String[n];
    List<String> after = new ArrayList<>(n);
    int i = 0;
    for (Map.Entry<String, Long> e : result.stroops().entrySet()) {
      Row r = byVen.get(e.getKey());
      ids[i] = Ids.newId();
      vens[i] = e.getKey();
      names[i] = r.getString(1);
      reductions[i] = r.getBigDecimal(2).toPlainString();
      amounts[i] = RewardRules.units(e.getValue()).toPlainString();
      destinations[i] = r.getString(4);
      digests[i] = r.getString(3);
      after.add(new JsonObject().put("eventID", event.id()).put("venID", vens[i]).put("participation",
              event.id() + "/" + vens[i]).put("evidenceDigest", digests[i]).put("amount", amounts[i])
          .put("asset", asset).put("destination", destinations[i]).encode());
      i++;
    }
    return tx.preparedQuery(INSERT).execute(Tuple.from(new Object[] {event.id(), program.id(), rate, asset, actor.id(),
            ids, vens, names, reductions, amounts, destinations, digests}))
        .compose(inserted -> {
          if (inserted.rowCount() != n) {
            // The event row lock makes this impossible short of a bug; refuse rather than half-pay.
            throw new IllegalStateException("payouts for event " + event.id() + " were created concurrently");
          }
          return tx.preparedQuery(SET_REWARD).execute(Tuple.of(event.id(), vens, amounts));
        })
        .compose(x -> audit.recordAll(tx, actor, "payout_created", "payout", List.of(ids), after))
        .compose(x -> audit.record(tx, AuditEntry.of(actor, "rewards_distributed", "event", event.id(), null,
            new JsonObject().put("payouts", n).put("amount", RewardRules.units(result.total()).toPlainString())
                .put("asset", asset).put("rewardPerKw", rate.toPlainString()).put("scaled", result.scaled()))))
        .compose(x -> tx.preparedQuery(NOTIFY).execute(Tuple.of(event.id())))
        .map(x -> new Distribution(event.id(), asset, rate, n, existing, RewardRules.units(result.total()),
            result.capped(), result.scaled(), Map.of()));
  }

  private Future<Map<String, long[]>> summary(String eventId) {
    return pool.preparedQuery(SUMMARY).execute(Tuple.of(eventId)).map(rows -> {
      Map<String, long[]> out = new java.util.TreeMap<>();
      rows.forEach(r -> out.put(r.getString(0), new long[] {r.getLong(1),
          RewardRules.toStroops(r.getBigDecimal(2))}));
      return out;
    });
  }

  /** Filters: {@code venClient} limits to the VEN the caller is, {@code owner} to VENs it registered. */
  public Future<List<Payout>> list(String eventId, String status, String venClient, String owner, String venName,
                                   int skip, int limit) {
    return list(eventId, status, venClient, owner, venName, null, skip, limit);
  }

  /** One payout, if the caller (filtered as in {@link #list}) may see it. */
  public Future<Optional<Payout>> get(String id, String venClient, String owner) {
    return list(null, null, venClient, owner, null, UUID.fromString(id), 0, 1)
        .map(l -> l.isEmpty() ? Optional.empty() : Optional.of(l.get(0)));
  }

  private Future<List<Payout>> list(String eventId, String status, String venClient, String owner, String venName,
                                    UUID id, int skip, int limit) {
    return pool.preparedQuery(LIST).execute(Tuple.from(new Object[] {eventId, status, venClient, owner, venName, skip,
        limit, id})).map(rows -> {
          List<Payout> out = new ArrayList<>(rows.size());
          rows.forEach(r -> out.add(Payout.from(r)));
          return out;
        });
  }

  /** Sends a FAILED payout back to the queue (after its cause was fixed, say a trustline added). */
  public Future<Payout> retry(Actor actor, String id) {
    return pool.withTransaction(tx -> tx.preparedQuery(RETRY).execute(Tuple.of(id)).compose(rows -> {
      if (rows.rowCount() == 0) {
        return get(id, null, null).map(p -> {
          if (p.isEmpty()) {
            throw Problem.notFound("No payout " + id + ".");
          }
          throw Problem.conflict("Payout " + id + " is " + p.get().status() + "; only FAILED payouts can be retried.");
        });
      }
      return audit.record(tx, AuditEntry.of(actor, "payout_retried", "payout", id, null, null))
          .compose(x -> tx.preparedQuery(NOTIFY).execute(Tuple.of(id)))
          .map(x -> (Payout) null);
    })).compose(p -> p != null ? Future.succeededFuture(p) : get(id, null, null).map(Optional::get));
  }
}
