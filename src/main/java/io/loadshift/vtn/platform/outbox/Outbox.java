package io.loadshift.vtn.platform.outbox;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/**
 * The durable notification queue. Capabilities add what happened in the same transaction as the
 * change, so a notification exists exactly when the change does; delivery (webhooks, 2.0b push)
 * reads from the table and is woken by NOTIFY on channel {@code vtn_notifications}. Each row
 * remembers who registered the VEN it concerns (so write it before deleting that VEN).
 */
public final class Outbox {
  private static final String INSERT = "INSERT INTO notifications (event, object_type, operation, object_id, ven_id, "
      + "payload, owner) VALUES ($1, $2, $3, $4, $5, $6, (SELECT registered_by FROM vens WHERE id = $5))";
  private static final String INSERT_MANY = "INSERT INTO notifications (event, object_type, operation, object_id, ven_id, "
      + "payload, owner) SELECT $1, $2, $3, t.o, t.v, t.p::jsonb, vv.registered_by "
      + "FROM unnest($4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS t(o, v, p, n) LEFT JOIN vens vv ON vv.id = t.v "
      + "ORDER BY t.n";

  /** One notification: an event name (e.g. {@code der_registered}) about an object. */
  public record Notification(String event, String objectType, String operation, String objectId, String venId,
                             JsonObject payload) {}

  public Future<Void> enqueue(SqlClient tx, Notification n) {
    return tx.preparedQuery(INSERT)
        .execute(Tuple.of(n.event(), n.objectType(), n.operation(), n.objectId(), n.venId(), n.payload()))
        .mapEmpty();
  }

  /** Many notifications of one kind in one statement (bulk registrations). */
  public Future<Void> enqueueAll(SqlClient tx, String event, String objectType, String operation,
                                 List<String> objectIds, List<String> venIds, List<String> payloads) {
    return tx.preparedQuery(INSERT_MANY)
        .execute(Tuple.of(event, objectType, operation, objectIds.toArray(String[]::new),
            venIds.toArray(String[]::new), payloads.toArray(String[]::new)))
        .mapEmpty();
  }
}
