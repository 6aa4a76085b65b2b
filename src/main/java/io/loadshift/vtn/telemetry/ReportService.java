package io.loadshift.vtn.telemetry;

import io.loadshift.vtn.audit.Actor;
import io.loadshift.vtn.audit.AuditEntry;
import io.loadshift.vtn.audit.AuditService;
import io.loadshift.vtn.auth.Principal;
import io.loadshift.vtn.auth.Role;
import io.loadshift.vtn.platform.db.Ids;
import io.loadshift.vtn.platform.http.Problem;
import io.loadshift.vtn.platform.outbox.Outbox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenADR 3.1 reports: VENs (and aggregators, for their VENs) write them, operators read all,
 * everyone else only their own. Their numeric interval payloads go into the telemetry store,
 * where verification finds them next to CSV and 2.0b readings.
 */
public final class ReportService {
  private static final Set<String> LOAD_METERS = Set.of("LOAD", "EV_CHARGER", "HEAT_PUMP");
  private static final String RESOLVE = "SELECT r.resource_name, r.id, r.der_type FROM resources r "
      + "WHERE r.resource_name = ANY ($1) AND ($2::text IS NULL OR r.client_id = $2) AND ($3::text IS NULL OR r.owner = $3)";
  private static final String COLUMNS = "id, client_id, event_id, client_name, body, readings, created_at, modified_at";
  private static final String INSERT = "INSERT INTO reports (id, client_id, event_id, client_name, body, readings) "
      + "VALUES ($1, $2, $3, $4, $5, $6) RETURNING " + COLUMNS;
  private static final String UPDATE = "UPDATE reports SET event_id = $2, client_name = $3, body = $4, readings = $5, "
      + "modified_at = now() WHERE id = $1 RETURNING " + COLUMNS;
  private static final String FIND = "SELECT " + COLUMNS + " FROM reports WHERE id = $1 AND ($2::text IS NULL OR client_id = $2)";
  private static final String DELETE = "DELETE FROM reports WHERE id = $1";
  private static final String SEARCH = "SELECT " + COLUMNS + " FROM reports r WHERE ($1::text IS NULL OR client_id = $1) "
      + "AND ($2::text IS NULL OR event_id = $2) AND ($3::text IS NULL OR client_name = $3) AND ($4::text IS NULL OR "
      + "EXISTS (SELECT 1 FROM events e WHERE e.id = r.event_id AND e.program_id = $4)) ORDER BY created_at, id OFFSET $5 LIMIT $6";
  private static final String EVENT_EXISTS = "SELECT EXISTS (SELECT 1 FROM events WHERE id = $1)";

  private final Pool pool;
  private final TelemetryService telemetry;
  private final AuditService audit;
  private final Outbox outbox;

  public ReportService(Pool pool, TelemetryService telemetry, AuditService audit, Outbox outbox) {
    this.pool = pool;
    this.telemetry = telemetry;
    this.audit = audit;
    this.outbox = outbox;
  }

  /** A stored report. */
  public record Report(String id, String clientId, String eventId, JsonObject body, int readings, OffsetDateTime createdAt,
                       OffsetDateTime modifiedAt) {
    public JsonObject toJson() {
      JsonObject o = new JsonObject().put("id", id)
          .put("createdDateTime", createdAt == null ? null : createdAt.toInstant().toString())
          .put("modificationDateTime", modifiedAt == null ? null : modifiedAt.toInstant().toString())
          .put("objectType", "REPORT").put("clientID", clientId);
      body.forEach(e -> o.put(e.getKey(), e.getValue()));
      return o;
    }
  }

  /** Whose reports a caller sees: operators all (null), everyone else its own client id. */
  public static String owner(Principal p) {
    return p.operator() ? null : p.clientId();
  }

  public Future<Report> create(Principal p, Actor actor, ReportRequests.Draft draft) {
    String id = Ids.newId();
    return pool.withTransaction(tx -> readings(tx, p, actor, draft).compose(n -> tx.preparedQuery(INSERT)
            .execute(Tuple.of(id, p.clientId(), draft.eventId(), draft.clientName(), draft.body(), n)))
        .map(rows -> toReport(rows.iterator().next()))
        .compose(r -> record(tx, actor, "report.created", "CREATE", r).map(r)));
  }

  public Future<Report> update(Principal p, Actor actor, String id, ReportRequests.Draft draft) {
    return pool.withTransaction(tx -> tx.preparedQuery(FIND + " FOR UPDATE").execute(Tuple.of(id, owner(p))).compose(found -> {
      if (found.size() == 0) {
        throw notFound(id);
      }
      return readings(tx, p, actor, draft).compose(n -> tx.preparedQuery(UPDATE)
              .execute(Tuple.of(id, draft.eventId(), draft.clientName(), draft.body(), n)))
          .map(rows -> toReport(rows.iterator().next()))
          .compose(r -> record(tx, actor, "report.updated", "UPDATE", r).map(r));
    }));
  }

  /** Removes the report; its readings stay in the telemetry store (they may be settlement evidence). */
  public Future<Report> delete(Principal p, Actor actor, String id) {
    return pool.withTransaction(tx -> tx.preparedQuery(FIND + " FOR UPDATE").execute(Tuple.of(id, owner(p))).compose(found -> {
      if (found.size() == 0) {
        throw notFound(id);
      }
      Report r = toReport(found.iterator().next());
      return tx.preparedQuery(DELETE).execute(Tuple.of(id)).compose(v -> record(tx, actor, "report.deleted", "DELETE", r)).map(r);
    }));
  }

  public Future<Report> get(Principal p, String id) {
    return pool.preparedQuery(FIND).execute(Tuple.of(id, owner(p))).map(rows -> {
      if (rows.size() == 0) {
        throw notFound(id);
      }
      return toReport(rows.iterator().next());
    });
  }

  public Future<List<Report>> search(Principal p, String eventId, String clientName, String programId, int skip, int limit) {
    return pool.preparedQuery(SEARCH).execute(Tuple.from(new Object[] {owner(p), eventId, clientName, programId, skip, limit}))
        .map(rows -> {
          List<Report> out = new ArrayList<>();
          rows.forEach(r -> out.add(toReport(r)));
          return out;
        });
  }

  /** Resolves the report's resources within the caller's reach, checks and stores its readings. */
  private Future<Integer> readings(SqlClient tx, Principal p, Actor actor, ReportRequests.Draft draft) {
    return tx.preparedQuery(EVENT_EXISTS).execute(Tuple.of(draft.eventId())).compose(exists -> {
      if (!exists.iterator().next().getBoolean(0)) {
        throw Problem.unprocessable("eventID '" + draft.eventId() + "' is not an event.");
      }
      String[] names = draft.readings().stream().map(ReportRequests.Item::resourceName).distinct().toArray(String[]::new);
      String client = p.role() == Role.VEN ? p.clientId() : null;
      String owner = p.role() == Role.AGGREGATOR ? p.clientId() : null;
      return tx.preparedQuery(RESOLVE).execute(Tuple.of(names, client, owner));
    }).compose(rows -> {
      Map<String, List<Row>> byName = new HashMap<>();
      rows.forEach(r -> byName.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add(r));
      List<String> errors = new ArrayList<>();
      List<Reading> out = new ArrayList<>();
      long now = Instant.now().getEpochSecond();
      for (ReportRequests.Item item : draft.readings()) {
        List<Row> matches = byName.get(item.resourceName());
        if (matches == null) {
          errors.add("no resource '" + item.resourceName() + "' of yours");
          continue;
        }
        if (matches.size() > 1) {
          errors.add("resourceName '" + item.resourceName() + "' names resources of several of your VENs");
          continue;
        }
        Row r = matches.get(0);
        if (item.start().getEpochSecond() + item.durationSeconds() > now + 60) {
          errors.add("the interval of '" + item.resourceName() + "' starting " + item.start() + " has not ended yet");
        } else if (Reading.USAGE.equals(item.quantity()) && item.value() < 0
            && (r.getString(2) == null || LOAD_METERS.contains(r.getString(2)))) {
          errors.add("negative USAGE (" + item.value() + " kWh) for load meter '" + item.resourceName() + "'");
        } else {
          out.add(new Reading(r.getString(1), item.quantity(), item.start(), item.durationSeconds(), item.value()));
        }
      }
      if (!errors.isEmpty()) {
        throw new Problem(400, "invalid-report", "Invalid report", errors.stream().distinct().limit(20)
            .reduce((a, b) -> a + "; " + b).orElse("") + ".", new JsonObject().put("errors", new JsonArray(errors.stream()
            .distinct().limit(100).toList())));
      }
      return telemetry.store(tx, actor, "oadr3-report", out).map(o -> out.size());
    });
  }

  private Future<Void> record(SqlClient tx, Actor actor, String action, String op, Report r) {
    JsonObject summary = new JsonObject().put("id", r.id()).put("eventID", r.eventId()).put("clientID", r.clientId())
        .put("readings", r.readings());
    return audit.record(tx, AuditEntry.of(actor, action, "report", r.id(), null, summary))
        .compose(v -> outbox.enqueue(tx, new Outbox.Notification("report_" + op.toLowerCase(java.util.Locale.ROOT), "REPORT",
            op, r.id(), null, r.toJson())));
  }

  private static Report toReport(Row r) {
    return new Report(r.getString("id"), r.getString("client_id"), r.getString("event_id"), (JsonObject) r.getValue("body"),
        r.getInteger("readings"), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("modified_at"));
  }

  static Problem notFound(String id) {
    return Problem.notFound("No report '" + id + "'.");
  }
}
