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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The telemetry store every source writes to. Stores readings idempotently: the same value again
 * changes nothing; a different value for a stored interval becomes the current one (revision + 1)
 * and the old value is kept in {@code reading_revisions}, with an audit row counting revisions.
 */
public final class TelemetryService {
  /** Superseded values are copied to reading_revisions by the readings_keep_revision trigger. */
  private static final String UPSERT = "INSERT INTO readings (resource_id, quantity, interval_start, duration_s, value, source) "
      + "SELECT *, $6 FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::int[], $5::float8[]) ON CONFLICT (resource_id, quantity, interval_start) DO UPDATE SET value = EXCLUDED.value, "
      + "duration_s = EXCLUDED.duration_s, source = EXCLUDED.source, revision = readings.revision + 1, recorded_at = now() "
      + "WHERE readings.value <> EXCLUDED.value OR readings.duration_s <> EXCLUDED.duration_s "
      + "RETURNING (xmax = 0)";
  private static final String REGISTERS = "INSERT INTO register_readings (resource_id, read_at, kwh, source) "
      + "SELECT * , $4 FROM unnest($1::text[], $2::timestamptz[], $3::float8[]) ON CONFLICT (resource_id, read_at) "
      + "DO UPDATE SET kwh = EXCLUDED.kwh, source = EXCLUDED.source, recorded_at = now() WHERE register_readings.kwh <> EXCLUDED.kwh";

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

  /**
   * Stores readings inside the caller's transaction. Duplicates of one key in the batch must have
   * been resolved by the caller (the last one wins here).
   */
  public Future<Outcome> store(SqlClient tx, Actor actor, String source, List<Reading> readings) {
    if (readings.isEmpty()) {
      return Future.succeededFuture(new Outcome(0, 0, 0));
    }
    Map<String, Reading> unique = new HashMap<>(readings.size() * 2);
    for (Reading r : readings) {
      unique.put(r.resourceId() + '\u0000' + r.quantity() + '\u0000' + r.intervalStart(), r);
    }
    int n = unique.size();
    String[] ids = new String[n];
    String[] quantities = new String[n];
    OffsetDateTime[] starts = new OffsetDateTime[n];
    Integer[] durations = new Integer[n];
    Double[] values = new Double[n];
    int i = 0;
    for (Reading r : unique.values()) {
      ids[i] = r.resourceId();
      quantities[i] = r.quantity();
      starts[i] = r.intervalStart().atOffset(ZoneOffset.UTC);
      durations[i] = r.durationSeconds();
      values[i] = r.value();
      i++;
    }
    return tx.preparedQuery(UPSERT).execute(Tuple.from(new Object[] {ids, quantities, starts, durations, values, source}))
        .compose(rows -> {
          int inserted = 0;
          int revised = 0;
          for (Row r : rows) {
            if (r.getBoolean(0)) {
              inserted++;
            } else {
              revised++;
            }
          }
          Outcome o = new Outcome(inserted, revised, readings.size() - inserted - revised);
          if (revised == 0) {
            return Future.succeededFuture(o);
          }
          return audit.record(tx, AuditEntry.of(actor, "telemetry.revised", "telemetry", source,
              null, o.toJson().put("source", source))).map(o);
        });
  }

  /** One cumulative register reading. */
  public record Register(String resourceId, Instant readAt, double kwh) {}

  public Future<Integer> storeRegisters(SqlClient tx, String source, List<Register> registers) {
    if (registers.isEmpty()) {
      return Future.succeededFuture(0);
    }
    String[] ids = registers.stream().map(Register::resourceId).toArray(String[]::new);
    OffsetDateTime[] at = registers.stream().map(r -> r.readAt().atOffset(ZoneOffset.UTC)).toArray(OffsetDateTime[]::new);
    Double[] kwh = registers.stream().map(Register::kwh).toArray(Double[]::new);
    return tx.preparedQuery(REGISTERS).execute(Tuple.from(new Object[] {ids, at, kwh, source})).map(rows -> rows.rowCount());
  }
}
