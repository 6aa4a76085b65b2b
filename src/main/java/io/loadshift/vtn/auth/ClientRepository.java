package io.loadshift.vtn.auth;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

final class ClientRepository {
  private static final String COLUMNS =
      "client_id, name, role, enabled, token_generation, created_at, created_by, updated_at";
  private static final String INSERT =
      "INSERT INTO clients (client_id, name, role, secret_hash, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING " + COLUMNS;
  private static final String FIND = "SELECT " + COLUMNS + " FROM clients WHERE client_id = $1";
  private static final String FIND_FOR_UPDATE = FIND + " FOR UPDATE";
  private static final String FIND_HASH = "SELECT " + COLUMNS + ", secret_hash FROM clients WHERE client_id = $1";
  private static final String LIST = "SELECT " + COLUMNS + " FROM clients WHERE ($1::text IS NULL OR role = $1) "
      + "ORDER BY created_at, client_id OFFSET $2 LIMIT $3";
  private static final String SET_ENABLED = "UPDATE clients SET enabled = $2, updated_at = now(), "
      + "token_generation = token_generation + CASE WHEN $2 THEN 0 ELSE 1 END WHERE client_id = $1 RETURNING " + COLUMNS;
  private static final String SET_HASH =
      "UPDATE clients SET secret_hash = $2, updated_at = now() WHERE client_id = $1";
  private static final String COUNT_ENABLED_ADMINS =
      "SELECT count(*) FROM clients WHERE role = 'admin' AND enabled";
  private static final String REVOCATIONS =
      "SELECT client_id, enabled, token_generation FROM clients WHERE NOT enabled OR token_generation > 0";

  /** A client row together with its secret hash, for credential checks only. */
  record WithHash(Client client, String secretHash) {}

  Future<Client> insert(SqlClient sql, String id, String name, Role role, String hash, String createdBy) {
    return sql.preparedQuery(INSERT).execute(Tuple.of(id, name, role.wire(), hash, createdBy))
        .map(rows -> toClient(rows.iterator().next()));
  }

  Future<Optional<Client>> find(SqlClient sql, String id) {
    return sql.preparedQuery(FIND).execute(Tuple.of(id)).map(ClientRepository::first);
  }

  Future<Optional<Client>> findForUpdate(SqlClient sql, String id) {
    return sql.preparedQuery(FIND_FOR_UPDATE).execute(Tuple.of(id)).map(ClientRepository::first);
  }

  Future<Optional<WithHash>> findWithHash(SqlClient sql, String id) {
    return sql.preparedQuery(FIND_HASH).execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) {
        return Optional.empty();
      }
      Row r = rows.iterator().next();
      return Optional.of(new WithHash(toClient(r), r.getString("secret_hash")));
    });
  }

  Future<List<Client>> list(SqlClient sql, Role role, int offset, int limit) {
    return sql.preparedQuery(LIST).execute(Tuple.of(role == null ? null : role.wire(), offset, limit))
        .map(rows -> {
          List<Client> out = new ArrayList<>(rows.size());
          rows.forEach(r -> out.add(toClient(r)));
          return out;
        });
  }

  Future<Client> setEnabled(SqlClient sql, String id, boolean enabled) {
    return sql.preparedQuery(SET_ENABLED).execute(Tuple.of(id, enabled))
        .map(rows -> toClient(rows.iterator().next()));
  }

  Future<Void> setHash(SqlClient sql, String id, String hash) {
    return sql.preparedQuery(SET_HASH).execute(Tuple.of(id, hash)).mapEmpty();
  }

  Future<Long> countEnabledAdmins(SqlClient sql) {
    return sql.query(COUNT_ENABLED_ADMINS).execute().map(rows -> rows.iterator().next().getLong(0));
  }

  Future<RowSet<Row>> revocations(SqlClient sql) {
    return sql.query(REVOCATIONS).execute();
  }

  private static Optional<Client> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(toClient(rows.iterator().next()));
  }

  private static Client toClient(Row r) {
    return new Client(r.getString("client_id"), r.getString("name"),
        Role.fromWire(r.getString("role")).orElseThrow(), r.getBoolean("enabled"),
        r.getInteger("token_generation"), r.getOffsetDateTime("created_at"), r.getString("created_by"),
        r.getOffsetDateTime("updated_at"));
  }
}
