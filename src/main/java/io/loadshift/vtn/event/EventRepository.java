package io.loadshift.vtn.event;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

final class EventRepository {
  static final String COLUMNS = "id, program_id, targets, priority, body, starts_at, ends_at, target_reduction_kw, "
      + "reward_per_kw, historical, cancelled_at, modification_number, achieved_reduction_kw, created_at, modified_at";
  private static final String INSERT = "INSERT INTO events (id, program_id, event_name, priority, targets, body, starts_at, "
      + "ends_at, target_reduction_kw, reward_per_kw, historical, created_by) "
      + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING " + COLUMNS;
  private static final String UPDATE = "UPDATE events SET event_name = $2, priority = $3, targets = $4, body = $5, "
      + "starts_at = $6, ends_at = $7, target_reduction_kw = $8, reward_per_kw = $9, "
      + "modification_number = modification_number + 1, modified_at = now() WHERE id = $1 RETURNING " + COLUMNS;
  private static final String CANCEL = "UPDATE events SET cancelled_at = now(), modification_number = modification_number + 1, "
      + "modified_at = now() WHERE id = $1 RETURNING " + COLUMNS;
  private static final String FIND = "SELECT " + COLUMNS + " FROM events WHERE id = $1";
  private static final String RETAINED = "SELECT " + COLUMNS + " FROM events WHERE NOT historical "
      + "AND (ends_at IS NULL OR ends_at > $1)";
  private static final String SEARCH = "SELECT " + COLUMNS + " FROM events WHERE ($1::text IS NULL OR program_id = $1) "
      + "AND ($2::text[] IS NULL OR targets && $2) AND ($3::boolean IS NOT TRUE OR (cancelled_at IS NULL "
      + "AND (ends_at IS NULL OR ends_at > now()))) ORDER BY created_at, id OFFSET $4 LIMIT $5";
  private static final String TOTALS = "WITH e AS (SELECT targets FROM events WHERE id = $1), "
      + "t AS (SELECT v.id FROM vens v, e WHERE e.targets = '{}' OR v.targets && e.targets "
      + "OR EXISTS (SELECT 1 FROM resources r WHERE r.ven_id = v.id AND r.targets && e.targets)) "
      + "SELECT (SELECT count(*) FROM t), "
      + "(SELECT count(*) FROM event_opts o WHERE o.event_id = $1 AND o.opt = 'optIn' AND o.ven_id IN (SELECT id FROM t)), "
      + "(SELECT count(*) FROM event_opts o WHERE o.event_id = $1 AND o.opt = 'optOut' AND o.ven_id IN (SELECT id FROM t))";

  Future<Event> insert(SqlClient sql, String id, EventDraft d, boolean historical, String createdBy) {
    return sql.preparedQuery(INSERT).execute(Tuple.from(new Object[] {id, d.programId(), d.body().getString("eventName"),
            d.priority(), d.targets().toArray(String[]::new), d.body(), utc(d.startsAt()), utc(d.endsAt()),
            d.targetReductionKw(), d.rewardPerKw(), historical, createdBy}))
        .map(rows -> toEvent(rows.iterator().next()));
  }

  Future<Event> update(SqlClient sql, String id, EventDraft d) {
    return sql.preparedQuery(UPDATE).execute(Tuple.from(new Object[] {id, d.body().getString("eventName"), d.priority(),
            d.targets().toArray(String[]::new), d.body(), utc(d.startsAt()), utc(d.endsAt()), d.targetReductionKw(),
            d.rewardPerKw()}))
        .map(rows -> toEvent(rows.iterator().next()));
  }

  Future<Event> cancel(SqlClient sql, String id) {
    return sql.preparedQuery(CANCEL).execute(Tuple.of(id)).map(rows -> toEvent(rows.iterator().next()));
  }

  Future<Optional<Event>> find(SqlClient sql, String id, boolean forUpdate) {
    return sql.preparedQuery(forUpdate ? FIND + " FOR UPDATE" : FIND).execute(Tuple.of(id)).map(EventRepository::first);
  }

  Future<List<Event>> retained(SqlClient sql, Instant cutoff) {
    return sql.preparedQuery(RETAINED).execute(Tuple.of(utc(cutoff))).map(EventRepository::all);
  }

  Future<List<Event>> search(SqlClient sql, String programId, List<String> targets, Boolean active, int skip, int limit) {
    return sql.preparedQuery(SEARCH).execute(Tuple.of(programId, targets == null ? null : targets.toArray(String[]::new),
        active, skip, limit)).map(EventRepository::all);
  }

  /** Targeted VENs, opted in, opted out. */
  Future<long[]> totals(SqlClient sql, String id) {
    return sql.preparedQuery(TOTALS).execute(Tuple.of(id)).map(rows -> {
      Row r = rows.iterator().next();
      return new long[] {r.getLong(0), r.getLong(1), r.getLong(2)};
    });
  }

  private static OffsetDateTime utc(Instant i) {
    return i == null ? null : i.atOffset(ZoneOffset.UTC);
  }

  private static Optional<Event> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(toEvent(rows.iterator().next()));
  }

  private static List<Event> all(RowSet<Row> rows) {
    List<Event> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(toEvent(r)));
    return out;
  }

  static Event toEvent(Row r) {
    String[] targets = r.getArrayOfStrings("targets");
    OffsetDateTime starts = r.getOffsetDateTime("starts_at");
    OffsetDateTime ends = r.getOffsetDateTime("ends_at");
    return new Event(r.getString("id"), r.getString("program_id"), targets == null ? List.of() : Arrays.asList(targets),
        r.getInteger("priority"), (JsonObject) r.getValue("body"), starts == null ? null : starts.toInstant(),
        ends == null ? null : ends.toInstant(), r.getBigDecimal("target_reduction_kw"), r.getBigDecimal("reward_per_kw"),
        r.getBoolean("historical"), r.getOffsetDateTime("cancelled_at"), r.getInteger("modification_number"),
        r.getBigDecimal("achieved_reduction_kw"), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("modified_at"));
  }
}
