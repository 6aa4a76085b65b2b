package io.loadshift.vtn.telemetry;

import io.loadshift.vtn.audit.Actor;
import io.loadshift.vtn.audit.AuditEntry;
import io.loadshift.vtn.audit.AuditService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The telemetry store every source writes to. Stores readings idempotently: the same value again
 * changes nothing; a different value for a stored interval becomes the current one (revision + 1)
 * and the old value is kept in {@code reading_revisions}, with an audit row counting revisions.
 */
public final class TelemetryService {
  /** Superseded values are copied to reading_revisions by the readings_keep_revision trigger. */
  private static final String UPSERT = "WITH stored AS (INSERT INTO readings (resource_id, quantity, interval_start, "
      + "duration_s, value, source) SELECT r, q, to_timestamp(t), d, v, $6 FROM unnest($1::text[], $2::text[], $3::bigint[], "
      + "$4::int[], $5::float8[]) AS u(r, q, t, d, v) ON CONFLICT (resource_id, quantity, interval_start) DO UPDATE SET "
      + "value = EXCLUDED.value, duration_s = EXCLUDED.duration_s, source = EXCLUDED.source, revision = readings.revision + 1, "
      + "recorded_at = now() WHERE readings.value <> EXCLUDED.value OR readings.duration_s <> EXCLUDED.duration_s "
      + "RETURNING (xmax = 0) AS inserted) SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM stored";
  private static final String REGISTERS = "WITH stored AS (INSERT INTO register_readings (resource_id, read_at, kwh, source) "
      + "SELECT * , $4 FROM unnest($1::text[], $2::timestamptz[], $3::float8[]) ON CONFLICT (resource_id, read_at) "
      + "DO UPDATE SET kwh = EXCLUDED.kwh, source = EXCLUDED.source, recorded_at = now() WHERE register_readings.kwh <> EXCLUDED.kwh "
      + "RETURNING (xmax = 0) AS inserted) SELECT count(*) FILTER (WHERE NOT inserted) FROM stored";

  private static final java.util.Comparator<Reading> KEY_ORDER = java.util.Comparator.comparing(Reading::resourceId)
      .thenComparing(Reading::quantity).thenComparing(Reading::intervalStart);

  private final AuditService audit;

  public TelemetryService(AuditService audit) {
    this.audit = audit;
  }

  /** What a batch did: new intervals, revised intervals, and resent identical ones. */
  public record Outcome(int inserted, int revised, int unchanged) {
    public Outcome plus(Outcome o) {
      return new Outcome(inserted + o.inserted, revised + o.revised, unchanged + o.unchanged);
    }

    public JsonObject toJson() {
      return new JsonObject().put("inserted", inserted).put("revised", revised).put("unchanged", unchanged);
    }
  }

  /** Readings in key order and column form, ready for one statement (deduplicated: a repeated key keeps its last value). */
  public record Batch(int received, String[] ids, String[] quantities, Long[] starts, Integer[] durations, Double[] values) {}

  /** Sorts and columns readings; pure CPU work, for a worker thread when the batch is large. */
  public static Batch prepare(List<Reading> readings) {
    // In key order, so index inserts walk the primary key instead of jumping across it.
    List<Reading> sorted = new ArrayList<>(readings);
    sorted.sort(KEY_ORDER);
    List<Reading> unique = new ArrayList<>(sorted.size());
    for (int k = 0; k < sorted.size(); k++) {
      if (k + 1 < sorted.size() && KEY_ORDER.compare(sorted.get(k), sorted.get(k + 1)) == 0) {
        continue;
      }
      unique.add(sorted.get(k));
    }
    int n = unique.size();
    Batch b = new Batch(readings.size(), new String[n], new String[n], new Long[n], new Integer[n], new Double[n]);
    for (int i = 0; i < n; i++) {
      Reading r = unique.get(i);
      b.ids()[i] = r.resourceId();
      b.quantities()[i] = r.quantity();
      b.starts()[i] = r.intervalStart().getEpochSecond();
      b.durations()[i] = r.durationSeconds();
      b.values()[i] = r.value();
    }
    return b;
  }

  /** Stores readings inside the caller's transaction. */
  public Future<Outcome> store(SqlClient tx, Actor actor, String source, List<Reading> readings) {
    return store(tx, actor, source, prepare(readings));
  }

  public Future<Outcome> store(SqlClient tx, Actor actor, String source, Batch b) {
    if (b.received() == 0) {
      return Future.succeededFuture(new Outcome(0, 0, 0));
    }
    return tx.preparedQuery(UPSERT)
        .execute(Tuple.from(new Object[] {b.ids(), b.quantities(), b.starts(), b.durations(), b.values(), source}))
        .compose(rows -> {
          Row counts = rows.iterator().next();
          int inserted = counts.getLong(0).intValue();
          int revised = counts.getLong(1).intValue();
          Outcome o = new Outcome(inserted, revised, b.received() - inserted - revised);
          if (revised == 0) {
            return Future.succeededFuture(o);
          }
          return audit.record(tx, AuditEntry.of(actor, "telemetry.revised", "telemetry", source,
              null, o.toJson().put("source", source))).map(o);
        });
  }

  /** One cumulative register reading. */
  public record Register(String resourceId, Instant readAt, double kwh) {}

  /** Stores register readings; a changed value is audited with the count of changes. */
  public Future<Integer> storeRegisters(SqlClient tx, Actor actor, String source, List<Register> registers) {
    if (registers.isEmpty()) {
      return Future.succeededFuture(0);
    }
    String[] ids = registers.stream().map(Register::resourceId).toArray(String[]::new);
    OffsetDateTime[] at = registers.stream().map(r -> r.readAt().atOffset(ZoneOffset.UTC)).toArray(OffsetDateTime[]::new);
    Double[] kwh = registers.stream().map(Register::kwh).toArray(Double[]::new);
    return tx.preparedQuery(REGISTERS).execute(Tuple.from(new Object[] {ids, at, kwh, source})).compose(rows -> {
      long changed = rows.iterator().next().getLong(0);
      if (changed == 0) {
        return Future.succeededFuture(registers.size());
      }
      return audit.record(tx, AuditEntry.of(actor, "telemetry.registers_revised", "telemetry", source, null,
          new JsonObject().put("changed", changed).put("source", source))).map(registers.size());
    });
  }
}
