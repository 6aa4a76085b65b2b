package io.loadshift.vtn.der;

import io.loadshift.vtn.party.Reach;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

final class ResourceRepository {
  static final String COLUMNS = "id, ven_id, resource_name, client_id, owner, targets, der_type, capacity_kw, "
      + "energy_capacity_kwh, state_of_charge, latitude, longitude, zone, feeder, bid_price_per_kw, status, "
      + "status_since, extra_attributes, created_at, modified_at";
  private static final String R_COLUMNS = COLUMNS.replaceAll("(\\w+)", "r.$1");
  private static final String INSERT = "INSERT INTO resources (id, ven_id, resource_name, client_id, owner, targets, "
      + "der_type, capacity_kw, energy_capacity_kwh, state_of_charge, latitude, longitude, zone, feeder, "
      + "bid_price_per_kw, status, extra_attributes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
      + "$14, $15, $16, $17) RETURNING " + COLUMNS;
  private static final String INSERT_MANY = "INSERT INTO resources (id, ven_id, resource_name, client_id, owner, "
      + "targets, der_type, capacity_kw, energy_capacity_kwh, state_of_charge, latitude, longitude, zone, feeder, "
      + "bid_price_per_kw, status, extra_attributes) "
      + "SELECT i, v, n, c, o, ARRAY(SELECT jsonb_array_elements_text(t::jsonb)), dt, cap::numeric, en::numeric, "
      + "soc::numeric, lat::float8, lon::float8, z, f, bid::numeric, st, x::jsonb "
      + "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], "
      + "$9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], "
      + "$17::text[]) AS u(i, v, n, c, o, t, dt, cap, en, soc, lat, lon, z, f, bid, st, x)";
  private static final String HISTORY_MANY = "INSERT INTO resource_status_history (resource_id, status, since, changed_by) "
      + "SELECT i, s, now(), $3 FROM unnest($1::text[], $2::text[]) AS u(i, s)";
  private static final String EXISTING_NAMES = "SELECT r.ven_id, r.resource_name FROM resources r "
      + "JOIN unnest($1::text[], $2::text[]) AS u(v, n) ON r.ven_id = u.v AND r.resource_name = u.n";
  private static final String REACH = "($2::text IS NULL OR client_id = $2) AND ($3::text IS NULL OR owner = $3)";
  private static final String FIND = "SELECT " + COLUMNS + " FROM resources WHERE id = $1 AND " + REACH;
  private static final String UPDATE = "UPDATE resources SET resource_name = $2, targets = $3, der_type = $4, "
      + "capacity_kw = $5, energy_capacity_kwh = $6, state_of_charge = $7, latitude = $8, longitude = $9, zone = $10, "
      + "feeder = $11, bid_price_per_kw = $12, extra_attributes = $13, modified_at = now() WHERE id = $1 RETURNING " + COLUMNS;
  private static final String SET_STATUS = "UPDATE resources SET status = $2, status_since = now(), modified_at = now() "
      + "WHERE id = $1 RETURNING " + COLUMNS;
  private static final String CLOSE_HISTORY =
      "UPDATE resource_status_history SET until = now() WHERE resource_id = $1 AND until IS NULL";
  private static final String OPEN_HISTORY = "INSERT INTO resource_status_history (resource_id, status, since, changed_by, reason) "
      + "VALUES ($1, $2, now(), $3, $4)";
  private static final String HISTORY = "SELECT status, since, until, changed_by, reason FROM resource_status_history "
      + "WHERE resource_id = $1 ORDER BY since DESC, id DESC LIMIT $2";
  private static final String DELETE = "DELETE FROM resources WHERE id = $1";
  /** Moves resources whose status is one of $3 to $2; returns id, VEN, previous status and name. */
  private static final String SET_STATUS_MANY = "WITH p AS (SELECT id, status AS prev FROM resources "
      + "WHERE id = ANY ($1) AND status = ANY ($3) ORDER BY id FOR UPDATE), "
      + "h AS (UPDATE resource_status_history x SET until = now() FROM p WHERE x.resource_id = p.id AND x.until IS NULL), "
      + "n AS (INSERT INTO resource_status_history (resource_id, status, since, changed_by, reason) "
      + "SELECT id, $2, now(), $4, $5 FROM p) "
      + "UPDATE resources r SET status = $2, status_since = now(), modified_at = now() FROM p WHERE r.id = p.id "
      + "RETURNING r.id, r.ven_id, p.prev, r.resource_name";

  Future<Resource> insert(SqlClient sql, String id, ResourceDraft d, String clientId, String owner, DerSpec s, DerStatus status) {
    return sql.preparedQuery(INSERT).execute(Tuple.from(new Object[] {id, d.venId(), d.resourceName(), clientId, owner,
            targets(d.targets()), s.derType() == null ? null : s.derType().name(), s.capacityKw(), s.energyCapacityKwh(),
            s.stateOfCharge(), s.latitude(), s.longitude(), s.zone(), s.feeder(), s.bidPricePerKw(), status.name(), s.extra()}))
        .map(rows -> toResource(rows.iterator().next()));
  }

  /** Column-wise values of many new resources, for one INSERT ... SELECT FROM unnest(...). */
  static final class Batch {
    final List<String> ids = new ArrayList<>();
    final List<String> venIds = new ArrayList<>();
    final List<String> names = new ArrayList<>();
    final List<String> clientIds = new ArrayList<>();
    final List<String> owners = new ArrayList<>();
    final List<String> targets = new ArrayList<>();
    final List<String> types = new ArrayList<>();
    // Numbers travel as text (the driver cannot encode nulls inside numeric or float8 arrays).
    final List<String> capacities = new ArrayList<>();
    final List<String> energies = new ArrayList<>();
    final List<String> socs = new ArrayList<>();
    final List<String> lats = new ArrayList<>();
    final List<String> lons = new ArrayList<>();
    final List<String> zones = new ArrayList<>();
    final List<String> feeders = new ArrayList<>();
    final List<String> bids = new ArrayList<>();
    final List<String> statuses = new ArrayList<>();
    final List<String> extras = new ArrayList<>();

    void add(String id, ResourceDraft d, String clientId, String owner, DerSpec s, DerStatus status) {
      ids.add(id);
      venIds.add(d.venId());
      names.add(d.resourceName());
      clientIds.add(clientId);
      owners.add(owner);
      targets.add(new JsonArray(d.targets() == null ? List.of() : d.targets()).encode());
      types.add(s.derType() == null ? null : s.derType().name());
      capacities.add(text(s.capacityKw()));
      energies.add(text(s.energyCapacityKwh()));
      socs.add(text(s.stateOfCharge()));
      lats.add(s.latitude() == null ? null : Double.toString(s.latitude()));
      lons.add(s.longitude() == null ? null : Double.toString(s.longitude()));
      zones.add(s.zone());
      feeders.add(s.feeder());
      bids.add(text(s.bidPricePerKw()));
      statuses.add(status.name());
      extras.add(s.extra().encode());
    }

    int size() {
      return ids.size();
    }

    private static String text(BigDecimal d) {
      return d == null ? null : d.toPlainString();
    }
  }

  Future<Void> insertMany(SqlClient sql, Batch b, String changedBy) {
    Tuple t = Tuple.from(new Object[] {s(b.ids), s(b.venIds), s(b.names), s(b.clientIds), s(b.owners), s(b.targets),
        s(b.types), s(b.capacities), s(b.energies), s(b.socs), s(b.lats), s(b.lons), s(b.zones), s(b.feeders), s(b.bids),
        s(b.statuses), s(b.extras)});
    return sql.preparedQuery(INSERT_MANY).execute(t)
        .compose(v -> sql.preparedQuery(HISTORY_MANY).execute(Tuple.of(s(b.ids), s(b.statuses), changedBy)))
        .mapEmpty();
  }

  /** Which of these (VEN, name) pairs are taken already. */
  Future<List<String[]>> existingNames(SqlClient sql, List<String> venIds, List<String> names) {
    return sql.preparedQuery(EXISTING_NAMES).execute(Tuple.from(new Object[] {s(venIds), s(names)})).map(rows -> {
      List<String[]> out = new ArrayList<>();
      rows.forEach(r -> out.add(new String[] {r.getString(0), r.getString(1)}));
      return out;
    });
  }

  Future<Optional<Resource>> find(SqlClient sql, String id, Reach reach, boolean forUpdate) {
    return sql.preparedQuery(forUpdate ? FIND + " FOR UPDATE" : FIND).execute(Tuple.of(id, reach.clientId(), reach.owner()))
        .map(ResourceRepository::first);
  }

  /**
   * Lists resources with only the filters that are set in the SQL, so each shape of query gets a
   * plan that uses the matching index (a generic "$n IS NULL OR" plan would scan).
   */
  Future<List<Resource>> search(SqlClient sql, ResourceQuery q, Reach reach, int skip, int limit) {
    StringBuilder where = new StringBuilder();
    List<Object> args = new ArrayList<>();
    filter(where, args, "ven_id = ", q.venId());
    filter(where, args, "resource_name = ", q.resourceName());
    filter(where, args, "der_type = ", q.derType() == null ? null : q.derType().name());
    filter(where, args, "status = ", q.status() == null ? null : q.status().name());
    filter(where, args, "zone = ", q.zone());
    filter(where, args, "feeder = ", q.feeder());
    filter(where, args, "owner = ", q.owner());
    filter(where, args, "client_id = ", reach.clientId());
    filter(where, args, "owner = ", reach.owner());
    if (q.targets() != null && !q.targets().isEmpty()) {
      args.add(s(q.targets()));
      where.append(where.length() == 0 ? " WHERE " : " AND ").append("targets && $").append(args.size()).append("::text[]");
    }
    args.add(skip);
    args.add(limit);
    // Page the ids first (an index-only scan skips the offset rows without touching the table),
    // then fetch just the page's rows.
    String sqlText = "WITH page AS (SELECT id, created_at FROM resources" + where + " ORDER BY created_at, id OFFSET $"
        + (args.size() - 1) + " LIMIT $" + args.size() + ") SELECT " + R_COLUMNS
        + " FROM page p JOIN resources r ON r.id = p.id ORDER BY p.created_at, p.id";
    return sql.preparedQuery(sqlText).execute(Tuple.from(args)).map(ResourceRepository::all);
  }

  private static void filter(StringBuilder where, List<Object> args, String predicate, Object value) {
    if (value == null) {
      return;
    }
    args.add(value);
    where.append(where.length() == 0 ? " WHERE " : " AND ").append(predicate).append('$').append(args.size());
  }

  Future<Resource> update(SqlClient sql, String id, String name, List<String> targets, DerSpec s) {
    return sql.preparedQuery(UPDATE).execute(Tuple.from(new Object[] {id, name, targets(targets),
            s.derType() == null ? null : s.derType().name(), s.capacityKw(), s.energyCapacityKwh(), s.stateOfCharge(),
            s.latitude(), s.longitude(), s.zone(), s.feeder(), s.bidPricePerKw(), s.extra()}))
        .map(rows -> toResource(rows.iterator().next()));
  }

  Future<Resource> setStatus(SqlClient sql, String id, DerStatus status, String changedBy, String reason) {
    return sql.preparedQuery(CLOSE_HISTORY).execute(Tuple.of(id))
        .compose(v -> sql.preparedQuery(OPEN_HISTORY).execute(Tuple.of(id, status.name(), changedBy, reason)))
        .compose(v -> sql.preparedQuery(SET_STATUS).execute(Tuple.of(id, status.name())))
        .map(rows -> toResource(rows.iterator().next()));
  }

  /** A resource moved by {@link #setStatusMany}. */
  record Moved(String id, String venId, DerStatus from, String resourceName) {}

  Future<List<Moved>> setStatusMany(SqlClient sql, List<String> ids, List<DerStatus> from, DerStatus to, String changedBy,
                                    String reason) {
    return sql.preparedQuery(SET_STATUS_MANY).execute(Tuple.from(new Object[] {s(ids), to.name(),
        from.stream().map(Enum::name).toArray(String[]::new), changedBy, reason})).map(rows -> {
          List<Moved> out = new ArrayList<>(rows.size());
          rows.forEach(r -> out.add(new Moved(r.getString(0), r.getString(1), DerStatus.valueOf(r.getString(2)),
              r.getString(3))));
          return out;
        });
  }

  Future<Void> openHistory(SqlClient sql, String id, DerStatus status, String changedBy) {
    return sql.preparedQuery(OPEN_HISTORY).execute(Tuple.of(id, status.name(), changedBy, null)).mapEmpty();
  }

  Future<List<StatusChange>> history(SqlClient sql, String id, int limit) {
    return sql.preparedQuery(HISTORY).execute(Tuple.of(id, limit)).map(rows -> {
      List<StatusChange> out = new ArrayList<>(rows.size());
      rows.forEach(r -> out.add(new StatusChange(DerStatus.valueOf(r.getString(0)), r.getOffsetDateTime(1),
          r.getOffsetDateTime(2), r.getString(3), r.getString(4))));
      return out;
    });
  }

  Future<Void> delete(SqlClient sql, String id) {
    return sql.preparedQuery(DELETE).execute(Tuple.of(id)).mapEmpty();
  }

  private static String[] s(List<String> l) {
    return l.toArray(String[]::new);
  }

  private static String[] targets(List<String> t) {
    return t == null ? new String[0] : t.toArray(String[]::new);
  }

  private static Optional<Resource> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(toResource(rows.iterator().next()));
  }

  private static List<Resource> all(RowSet<Row> rows) {
    List<Resource> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(toResource(r)));
    return out;
  }

  static Resource toResource(Row r) {
    String type = r.getString("der_type");
    Object extra = r.getValue("extra_attributes");
    DerSpec spec = new DerSpec(type == null ? null : DerType.valueOf(type), decimal(r, "capacity_kw"),
        decimal(r, "energy_capacity_kwh"), decimal(r, "state_of_charge"), r.getDouble("latitude"), r.getDouble("longitude"),
        r.getString("zone"), r.getString("feeder"), decimal(r, "bid_price_per_kw"), null,
        extra instanceof JsonArray a ? a : new JsonArray());
    String[] targets = r.getArrayOfStrings("targets");
    return new Resource(r.getString("id"), r.getString("ven_id"), r.getString("resource_name"), r.getString("client_id"),
        r.getString("owner"), targets == null ? List.of() : Arrays.asList(targets), spec,
        DerStatus.valueOf(r.getString("status")), r.getOffsetDateTime("status_since"), r.getOffsetDateTime("created_at"),
        r.getOffsetDateTime("modified_at"));
  }

  private static BigDecimal decimal(Row r, String column) {
    Object v = r.getValue(column);
    if (v == null) {
      return null;
    }
    return r.getBigDecimal(column);
  }
}
