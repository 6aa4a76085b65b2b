package io.loadshift.vtn.party;

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

final class VenRepository {
  private static final String COLUMNS =
      "id, ven_name, client_id, registered_by, targets, attributes, stellar_account, created_at, modified_at";
  private static final String REACH = "($2::text IS NULL OR client_id = $2) AND ($3::text IS NULL OR registered_by = $3)";
  private static final String INSERT = "INSERT INTO vens (id, ven_name, client_id, registered_by, targets, attributes, "
      + "stellar_account) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING " + COLUMNS;
  private static final String FIND = "SELECT " + COLUMNS + " FROM vens WHERE id = $1 AND " + REACH;
  private static final String FIND_FOR_UPDATE = FIND + " FOR UPDATE";
  private static final String FIND_MANY = "SELECT " + COLUMNS + " FROM vens WHERE id = ANY($1) AND " + REACH;
  private static final String SEARCH = "SELECT " + COLUMNS + " FROM vens WHERE ($1::text IS NULL OR ven_name = $1) AND "
      + REACH + " AND ($4::text[] IS NULL OR targets && $4) ORDER BY created_at, id OFFSET $5 LIMIT $6";
  private static final String UPDATE = "UPDATE vens SET ven_name = $2, targets = $3, attributes = $4, "
      + "stellar_account = $5, modified_at = now() WHERE id = $1 RETURNING " + COLUMNS;
  private static final String DELETE = "DELETE FROM vens WHERE id = $1";
  private static final String DISPATCHED = "SELECT count(*) FROM resources WHERE ven_id = $1 AND status IN ('OPTIMIZED', 'EMERGENCY')";
  private static final String DELETE_RESOURCES = "DELETE FROM resources WHERE ven_id = $1 RETURNING id, resource_name";
  private static final String RESYNC_RESOURCES = "UPDATE resources SET client_id = $2 WHERE ven_id = $1";

  Future<Ven> insert(SqlClient sql, String id, VenDraft d, String clientId, String registeredBy, String stellar) {
    return sql.preparedQuery(INSERT)
        .execute(Tuple.of(id, d.venName(), clientId, registeredBy, targets(d.targets()), d.attributes(), stellar))
        .map(rows -> toVen(rows.iterator().next()));
  }

  Future<Optional<Ven>> find(SqlClient sql, String id, Reach reach, boolean forUpdate) {
    return sql.preparedQuery(forUpdate ? FIND_FOR_UPDATE : FIND)
        .execute(Tuple.of(id, reach.clientId(), reach.owner()))
        .map(VenRepository::first);
  }

  Future<List<Ven>> findMany(SqlClient sql, List<String> ids, Reach reach) {
    return sql.preparedQuery(FIND_MANY)
        .execute(Tuple.of(ids.toArray(String[]::new), reach.clientId(), reach.owner()))
        .map(VenRepository::all);
  }

  Future<List<Ven>> search(SqlClient sql, String venName, Reach reach, List<String> targets, int skip, int limit) {
    return sql.preparedQuery(SEARCH)
        .execute(Tuple.of(venName, reach.clientId(), reach.owner(), targets == null ? null : targets.toArray(String[]::new),
            skip, limit))
        .map(VenRepository::all);
  }

  Future<Ven> update(SqlClient sql, String id, String venName, List<String> targets, JsonArray attributes, String stellar) {
    return sql.preparedQuery(UPDATE)
        .execute(Tuple.of(id, venName, targets(targets), attributes, stellar))
        .map(rows -> toVen(rows.iterator().next()));
  }

  Future<Void> delete(SqlClient sql, String id) {
    return sql.preparedQuery(DELETE).execute(Tuple.of(id)).mapEmpty();
  }

  Future<Long> dispatchedResources(SqlClient sql, String venId) {
    return sql.preparedQuery(DISPATCHED).execute(Tuple.of(venId)).map(rows -> rows.iterator().next().getLong(0));
  }

  /** Deletes the VEN's resources; their ids and names. */
  Future<List<String[]>> deleteResources(SqlClient sql, String venId) {
    return sql.preparedQuery(DELETE_RESOURCES).execute(Tuple.of(venId)).map(rows -> {
      List<String[]> out = new ArrayList<>();
      rows.forEach(r -> out.add(new String[] {r.getString(0), r.getString(1)}));
      return out;
    });
  }

  Future<Void> resyncResourceClient(SqlClient sql, String venId, String clientId) {
    return sql.preparedQuery(RESYNC_RESOURCES).execute(Tuple.of(venId, clientId)).mapEmpty();
  }

  private static String[] targets(List<String> t) {
    return t == null ? new String[0] : t.toArray(String[]::new);
  }

  private static Optional<Ven> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(toVen(rows.iterator().next()));
  }

  private static List<Ven> all(RowSet<Row> rows) {
    List<Ven> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(toVen(r)));
    return out;
  }

  static Ven toVen(Row r) {
    String[] targets = r.getArrayOfStrings("targets");
    Object attrs = r.getValue("attributes");
    return new Ven(r.getString("id"), r.getString("ven_name"), r.getString("client_id"), r.getString("registered_by"),
        targets == null ? List.of() : Arrays.asList(targets),
        attrs instanceof JsonArray a ? a : new JsonArray(),
        r.getString("stellar_account"), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("modified_at"));
  }
}
