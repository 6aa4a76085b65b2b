package io.loadshift.vtn.subscription;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** SQL of the webhook outbox: fan-out inserts, leases, outcomes, and the dead-letter view. */
final class Deliveries {
  static final String DISPATCH_LOCK = "SELECT pg_try_advisory_xact_lock(hashtext('vtn.webhook_dispatch'))";
  static final String CLAIM_NOTIFICATIONS = "SELECT id, event, object_type, operation, object_id, ven_id, payload, owner "
      + "FROM notifications WHERE dispatched_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED";
  static final String MARK_DISPATCHED = "UPDATE notifications SET dispatched_at = now() WHERE id = ANY ($1)";
  static final String INSERT = "INSERT INTO webhook_deliveries (subscription_id, notification_id, callback_url, bearer_token, body) "
      + "SELECT s, n, u, t, b::jsonb FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[]) "
      + "AS x(s, n, u, t, b) ORDER BY n, s";
  /**
   * Leases the oldest pending delivery of up to $1 subscriptions whose turn has come and which
   * nobody holds, oldest first across subscriptions. Each subscription's head is one probe of the
   * pending index. The re-check in the outer WHERE runs under the row lock, so two instances never
   * lease the same row; a lease that runs out (a crashed worker) makes the row available again.
   */
  static final String LEASE = "UPDATE webhook_deliveries d SET lease_until = now() + make_interval(secs => $2), "
      + "attempts = attempts + 1 WHERE d.id IN (SELECT h.id FROM subscriptions s CROSS JOIN LATERAL (SELECT w.id, "
      + "w.next_attempt_at, w.lease_until FROM webhook_deliveries w WHERE w.subscription_id = s.id AND w.status = 'PENDING' "
      + "ORDER BY w.id LIMIT 1) h WHERE h.next_attempt_at <= now() AND (h.lease_until IS NULL OR h.lease_until < now()) "
      + "ORDER BY h.id LIMIT $1) AND d.status = 'PENDING' AND (d.lease_until IS NULL OR d.lease_until < now()) "
      + "RETURNING d.id, d.subscription_id, d.callback_url, d.bearer_token, d.body, d.attempts";
  static final String DELIVERED = "UPDATE webhook_deliveries SET status = 'DELIVERED', delivered_at = now(), lease_until = NULL, "
      + "last_error = NULL WHERE id = ANY ($1)";
  static final String FAILED = "UPDATE webhook_deliveries d SET status = CASE WHEN d.attempts >= $4 THEN 'DEAD' ELSE 'PENDING' END, "
      + "next_attempt_at = now() + make_interval(secs => x.delay / 1000.0), last_error = x.err, lease_until = NULL "
      + "FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS x(id, delay, err) WHERE d.id = x.id";
  static final String NEXT_DUE = "SELECT min(next_attempt_at) FROM webhook_deliveries WHERE status = 'PENDING'";
  static final String LIST = "SELECT d.id, d.subscription_id, d.notification_id, d.callback_url, d.status, d.attempts, "
      + "d.next_attempt_at, d.last_error, d.created_at, d.delivered_at, d.body FROM webhook_deliveries d "
      + "JOIN subscriptions s ON s.id = d.subscription_id WHERE ($1::text IS NULL OR s.client_id = $1) "
      + "AND ($2::text IS NULL OR d.subscription_id = $2) AND ($3::text IS NULL OR d.status = $3) "
      + "AND ($4::bigint IS NULL OR d.id < $4) ORDER BY d.id DESC LIMIT $5";
  static final String RETRY = "UPDATE webhook_deliveries d SET status = 'PENDING', attempts = 0, next_attempt_at = now(), "
      + "lease_until = NULL FROM subscriptions s WHERE d.id = $1 AND s.id = d.subscription_id AND d.status = 'DEAD' "
      + "AND ($2::text IS NULL OR s.client_id = $2) RETURNING d.id";

  /** A leased delivery about to be attempted. */
  record Leased(long id, String subscriptionId, String url, String bearerToken, JsonObject body, int attempts) {}

  static List<Leased> leased(Iterable<Row> rows) {
    List<Leased> out = new ArrayList<>();
    for (Row r : rows) {
      out.add(new Leased(r.getLong(0), r.getString(1), r.getString(2), r.getString(3), (JsonObject) r.getValue(4),
          r.getInteger(5)));
    }
    return out;
  }

  /** What the delivery API shows of a row. */
  static JsonObject toJson(Row r) {
    OffsetDateTime next = r.getOffsetDateTime(6);
    OffsetDateTime created = r.getOffsetDateTime(8);
    OffsetDateTime delivered = r.getOffsetDateTime(9);
    JsonObject body = (JsonObject) r.getValue(10);
    return new JsonObject()
        .put("id", r.getLong(0))
        .put("subscriptionID", r.getString(1))
        .put("notificationID", r.getLong(2))
        .put("callbackUrl", r.getString(3))
        .put("status", r.getString(4))
        .put("attempts", r.getInteger(5))
        .put("nextAttemptAt", next == null ? null : next.toInstant().toString())
        .put("lastError", r.getString(7))
        .put("createdAt", created == null ? null : created.toInstant().toString())
        .put("deliveredAt", delivered == null ? null : delivered.toInstant().toString())
        .put("objectType", body.getString("objectType"))
        .put("operation", body.getString("operation"));
  }

  static Future<List<JsonObject>> list(SqlClient sql, String owner, String subscriptionId, String status, Long before, int limit) {
    return sql.preparedQuery(LIST).execute(Tuple.of(owner, subscriptionId, status, before, limit)).map(rows -> {
      List<JsonObject> out = new ArrayList<>();
      rows.forEach(r -> out.add(toJson(r)));
      return out;
    });
  }

  private Deliveries() {}
}
