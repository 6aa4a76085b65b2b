package io.loadshift.vtn.audit;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

final class AuditRepository {
  private static final String INSERT =
      "INSERT INTO audit_log (actor, actor_role, action, object_type, object_id, before, after, request_id) "
          + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
  private static final String SELECT =
      "SELECT id, occurred_at, actor, actor_role, action, object_type, object_id, before, after, request_id "
          + "FROM audit_log WHERE ($1::text IS NULL OR object_type = $1) AND ($2::text IS NULL OR object_id = $2) "
          + "AND ($3::text IS NULL OR actor = $3) AND ($4::bigint IS NULL OR id < $4) ORDER BY id DESC LIMIT $5";

  Future<Void> insert(SqlClient sql, AuditEntry e) {
    return sql.preparedQuery(INSERT)
        .execute(Tuple.of(e.actor(), e.actorRole(), e.action(), e.objectType(), e.objectId(),
            e.before(), e.after(), e.requestId()))
        .mapEmpty();
  }

  private static final String INSERT_ALL =
      "INSERT INTO audit_log (actor, actor_role, action, object_type, object_id, after, request_id) "
          + "SELECT $1, $2, $3, $4, o, a::jsonb, $5 FROM unnest($6::text[], $7::text[]) AS u(o, a)";

  Future<Void> insertAll(SqlClient sql, Actor actor, String action, String objectType, List<String> ids, List<String> after) {
    return sql.preparedQuery(INSERT_ALL)
        .execute(Tuple.from(new Object[] {actor.id(), actor.role(), action, objectType, actor.requestId(),
            ids.toArray(String[]::new), after.toArray(String[]::new)}))
        .mapEmpty();
  }

  Future<List<AuditEntry>> find(SqlClient sql, AuditQuery q) {
    return sql.preparedQuery(SELECT)
        .execute(Tuple.of(q.objectType(), q.objectId(), q.actor(), q.beforeId(), q.limit()))
        .map(rows -> {
          List<AuditEntry> out = new ArrayList<>(rows.size());
          for (Row r : rows) {
            out.add(new AuditEntry(r.getLong("id"), r.getOffsetDateTime("occurred_at"), r.getString("actor"),
                r.getString("actor_role"), r.getString("action"), r.getString("object_type"),
                r.getString("object_id"), (JsonObject) r.getValue("before"), (JsonObject) r.getValue("after"),
                r.getString("request_id")));
          }
          return out;
        });
  }
}
