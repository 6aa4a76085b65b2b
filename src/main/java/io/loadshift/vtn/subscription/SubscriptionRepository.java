package io.loadshift.vtn.subscription;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

final class SubscriptionRepository {
  private static final String COLUMNS =
      "id, client_id, client_name, program_id, object_operations, targets, created_at, modified_at";
  private static final String INSERT = "INSERT INTO subscriptions (id, client_id, client_name, program_id, "
      + "object_operations, targets) VALUES ($1, $2, $3, $4, $5, $6) RETURNING " + COLUMNS;
  private static final String UPDATE = "UPDATE subscriptions SET client_name = $2, program_id = $3, object_operations = $4, "
      + "targets = $5, modified_at = now() WHERE id = $1 RETURNING " + COLUMNS;
  private static final String FIND = "SELECT " + COLUMNS + " FROM subscriptions WHERE id = $1 AND ($2::text IS NULL OR client_id = $2)";
  private static final String DELETE = "DELETE FROM subscriptions WHERE id = $1";
  private static final String SEARCH = "SELECT " + COLUMNS + " FROM subscriptions WHERE ($1::text IS NULL OR client_id = $1) "
      + "AND ($2::text IS NULL OR program_id = $2) AND ($3::text IS NULL OR client_name = $3) "
      + "AND ($4::text[] IS NULL OR EXISTS (SELECT 1 FROM jsonb_array_elements(object_operations) op, "
      + "jsonb_array_elements_text(op->'objects') o WHERE o = ANY ($4))) ORDER BY created_at, id OFFSET $5 LIMIT $6";
  /** Every subscription with its client's role and whether the client is enabled (for fan-out). */
  static final String ALL_WITH_ROLES = "SELECT s.id, s.client_id, s.client_name, s.program_id, s.object_operations, "
      + "s.targets, s.created_at, s.modified_at, c.role, coalesce(c.enabled, false) FROM subscriptions s "
      + "LEFT JOIN clients c ON c.client_id = s.client_id";

  Future<Subscription> insert(SqlClient sql, String id, String clientId, SubscriptionRequests.Draft d) {
    return sql.preparedQuery(INSERT).execute(Tuple.of(id, clientId, d.clientName(), d.programId(), d.objectOperations(),
        d.targets().toArray(String[]::new))).map(rows -> toSubscription(rows.iterator().next()));
  }

  Future<Subscription> update(SqlClient sql, String id, SubscriptionRequests.Draft d) {
    return sql.preparedQuery(UPDATE).execute(Tuple.of(id, d.clientName(), d.programId(), d.objectOperations(),
        d.targets().toArray(String[]::new))).map(rows -> toSubscription(rows.iterator().next()));
  }

  Future<Optional<Subscription>> find(SqlClient sql, String id, String clientId) {
    return sql.preparedQuery(FIND).execute(Tuple.of(id, clientId))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(toSubscription(rows.iterator().next())));
  }

  Future<Void> delete(SqlClient sql, String id) {
    return sql.preparedQuery(DELETE).execute(Tuple.of(id)).mapEmpty();
  }

  Future<List<Subscription>> search(SqlClient sql, String clientId, String programId, String clientName, List<String> objects,
                                    int skip, int limit) {
    return sql.preparedQuery(SEARCH).execute(Tuple.of(clientId, programId, clientName,
        objects == null ? null : objects.toArray(String[]::new), skip, limit)).map(SubscriptionRepository::all);
  }

  static List<Subscription> all(RowSet<Row> rows) {
    List<Subscription> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(toSubscription(r)));
    return out;
  }

  static Subscription toSubscription(Row r) {
    String[] targets = r.getArrayOfStrings("targets");
    return new Subscription(r.getString("id"), r.getString("client_id"), r.getString("client_name"),
        r.getString("program_id"), (JsonArray) r.getValue("object_operations"),
        targets == null ? List.of() : Arrays.asList(targets), r.getOffsetDateTime("created_at"),
        r.getOffsetDateTime("modified_at"));
  }
}
