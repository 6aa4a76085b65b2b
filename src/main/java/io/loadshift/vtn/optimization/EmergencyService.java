package io.loadshift.vtn.optimization;

import io.loadshift.vtn.audit.Actor;
import io.loadshift.vtn.audit.AuditEntry;
import io.loadshift.vtn.audit.AuditService;
import io.loadshift.vtn.der.DerStatus;
import io.loadshift.vtn.der.ResourceService;
import io.loadshift.vtn.event.EventService;
import io.loadshift.vtn.platform.db.Ids;
import io.loadshift.vtn.platform.http.Problem;
import io.loadshift.vtn.program.ProgramRequests;
import io.loadshift.vtn.program.ProgramService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The seed's emergency_allocation: a utility orders a power (kW; positive = reduce load or
 * discharge) from one resource, or from a zone's available resources (shared in proportion to
 * their capacity), for a duration. It overrides any plan (the resources go EMERGENCY, which plans
 * do not use, so plans in force are re-planned without them), is audited, and reaches each VEN at
 * once as a priority-0 DISPATCH_SETPOINT event targeted at it alone: in its next poll (the event
 * cache is told by NOTIFY) and by webhook. When it ends the resources go back ONLINE.
 */
public final class EmergencyService {
  static final String PROGRAM_NAME = "loadshift-emergency";
  private static final String PROGRAM = "SELECT id FROM programs WHERE program_name = $1";
  private static final String ONE = "SELECT id, ven_id, status, capacity_kw, zone FROM resources WHERE id = $1 FOR UPDATE";
  private static final String ZONE = "SELECT id, ven_id, status, capacity_kw, zone FROM resources WHERE zone = $1 "
      + "AND status IN ('ONLINE', 'OPTIMIZED') ORDER BY id FOR UPDATE";
  private static final String INSERT = "INSERT INTO emergencies (id, resource_id, zone, power_kw, starts_at, ends_at, "
      + "resources, events, created_by) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9)";
  private static final String LIST = "SELECT id, resource_id, zone, power_kw, starts_at, ends_at, resources, events, "
      + "created_by, created_at, ended_at FROM emergencies WHERE ($1::boolean IS NOT TRUE OR ended_at IS NULL) "
      + "ORDER BY created_at DESC LIMIT $2";

  /** What was asked. */
  public record Order(String resourceId, String zone, double powerKw, Instant start, Duration duration) {}

  private final Pool pool;
  private final ProgramService programs;
  private final EventService events;
  private final ResourceService resources;
  private final AuditService audit;

  public EmergencyService(Pool pool, ProgramService programs, EventService events, ResourceService resources,
                          AuditService audit) {
    this.pool = pool;
    this.programs = programs;
    this.events = events;
    this.resources = resources;
    this.audit = audit;
  }

  private record Unit(String id, String venId, Double capacityKw) {}

  public Future<JsonObject> allocate(Actor actor, Order order) {
    return program(actor).compose(programId -> pool.withTransaction(tx -> units(tx, order).compose(units -> {
      Map<String, Double> kw = share(order, units);
      Map<String, Double> byVen = new TreeMap<>();
      Map<String, String> venOf = new TreeMap<>();
      units.forEach(u -> venOf.put(u.id(), u.venId()));
      kw.forEach((id, p) -> byVen.merge(venOf.get(id), p, Double::sum));
      Instant end = order.start().plus(order.duration());
      List<String> eventIds = new ArrayList<>();
      Future<Void> chain = Future.succeededFuture();
      for (Map.Entry<String, Double> v : byVen.entrySet()) {
        io.loadshift.vtn.event.EventDraft draft = DispatchService.setpoints(programId, "emergency", 0, v.getKey(),
            order.start(), order.duration(), new double[] {round(v.getValue())});
        chain = chain.compose(x -> events.create(tx, actor, draft)
            .map(e -> eventIds.add(e.id())).mapEmpty());
      }
      String id = Ids.newId();
      List<String> ids = List.copyOf(kw.keySet());
      return chain
          .compose(x -> resources.setStatusMany(tx, actor, ids, DerStatus.EMERGENCY, Set.of(), "emergency " + id))
          .compose(moved -> tx.preparedQuery(INSERT).execute(Tuple.from(new Object[] {id, order.resourceId(), order.zone(),
                  BigDecimal.valueOf(order.powerKw()).setScale(3, RoundingMode.HALF_EVEN),
                  OffsetDateTime.ofInstant(order.start(), ZoneOffset.UTC), OffsetDateTime.ofInstant(end, ZoneOffset.UTC),
                  ids.toArray(String[]::new), eventIds.toArray(String[]::new), actor.id()}))
              .map(moved))
          .compose(moved -> {
            JsonObject allocation = new JsonObject();
            kw.forEach((r, p) -> allocation.put(r, round(p)));
            double allocated = kw.values().stream().mapToDouble(Double::doubleValue).sum();
            JsonObject out = new JsonObject().put("id", id).put("resourceID", order.resourceId()).put("zone", order.zone())
                .put("powerKw", order.powerKw()).put("allocatedKw", round(allocated))
                .put("shortfallKw", round(Math.max(0, Math.abs(order.powerKw()) - Math.abs(allocated))))
                .put("start", order.start().toString()).put("end", end.toString()).put("allocation", allocation)
                .put("events", new JsonArray(eventIds)).put("vens", byVen.size());
            return audit.record(tx, AuditEntry.of(actor, "emergency_allocated", "emergency", id, null, out)).map(out);
          });
    })));
  }

  private Future<List<Unit>> units(SqlClient tx, Order order) {
    if (order.resourceId() != null) {
      return tx.preparedQuery(ONE).execute(Tuple.of(order.resourceId())).map(rows -> {
        if (rows.size() == 0) {
          throw Problem.notFound("No resource '" + order.resourceId() + "'.");
        }
        Row r = rows.iterator().next();
        DerStatus status = DerStatus.valueOf(r.getString(2));
        if (!status.allowedNext(true).contains(DerStatus.EMERGENCY)) {
          throw Problem.conflict("Resource '" + order.resourceId() + "' is " + status + " and cannot be dispatched in an "
              + "emergency.");
        }
        return List.of(unit(r));
      });
    }
    return tx.preparedQuery(ZONE).execute(Tuple.of(order.zone())).map(rows -> {
      List<Unit> out = new ArrayList<>();
      rows.forEach(r -> out.add(unit(r)));
      if (out.stream().noneMatch(u -> u.capacityKw() != null && u.capacityKw() > 0)) {
        throw Problem.conflict("Zone '" + order.zone() + "' has no ONLINE or OPTIMIZED resource with a capacity.");
      }
      return out;
    });
  }

  private static Unit unit(Row r) {
    BigDecimal cap = r.getBigDecimal(3);
    return new Unit(r.getString(0), r.getString(1), cap == null ? null : cap.doubleValue());
  }

  /**
   * One resource takes the whole order (at most its capacity when it has one); a zone's resources
   * with a capacity share it in proportion to their capacities, none beyond its own.
   */
  static Map<String, Double> share(Order order, List<Unit> units) {
    Map<String, Double> out = new TreeMap<>();
    double sign = Math.signum(order.powerKw());
    double want = Math.abs(order.powerKw());
    if (order.resourceId() != null) {
      Unit u = units.get(0);
      double p = u.capacityKw() == null ? want : Math.min(want, u.capacityKw());
      out.put(u.id(), sign * p);
      return out;
    }
    double total = units.stream().filter(u -> u.capacityKw() != null && u.capacityKw() > 0)
        .mapToDouble(Unit::capacityKw).sum();
    double f = Math.min(1, want / total);
    for (Unit u : units) {
      if (u.capacityKw() != null && u.capacityKw() > 0) {
        out.put(u.id(), sign * u.capacityKw() * f);
      }
    }
    return out;
  }

  private static double round(double kw) {
    return Math.round(kw * 1000) / 1000.0;
  }

  /** The program emergency events belong to, made the first time one is needed. */
  private Future<String> program(Actor actor) {
    return pool.preparedQuery(PROGRAM).execute(Tuple.of(PROGRAM_NAME)).compose(rows -> {
      if (rows.size() > 0) {
        return Future.succeededFuture(rows.iterator().next().getString(0));
      }
      return programs.create(actor, ProgramRequests.read(new JsonObject().put("programName", PROGRAM_NAME)))
          .map(p -> p.id())
          .recover(e -> pool.preparedQuery(PROGRAM).execute(Tuple.of(PROGRAM_NAME)).map(again -> {
            if (again.size() == 0) {
              throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
            }
            return again.iterator().next().getString(0);
          }));
    });
  }

  public Future<JsonArray> list(boolean active, int limit) {
    return pool.preparedQuery(LIST).execute(Tuple.of(active, limit)).map(rows -> {
      JsonArray out = new JsonArray();
      for (Row r : rows) {
        out.add(new JsonObject().put("id", r.getUUID(0).toString()).put("resourceID", r.getString(1))
            .put("zone", r.getString(2)).put("powerKw", r.getBigDecimal(3).doubleValue())
            .put("start", r.getOffsetDateTime(4).toInstant().toString())
            .put("end", r.getOffsetDateTime(5).toInstant().toString())
            .put("resources", new JsonArray(List.of(r.getArrayOfStrings(6))))
            .put("events", new JsonArray(List.of(r.getArrayOfStrings(7)))).put("createdBy", r.getString(8))
            .put("createdDateTime", r.getOffsetDateTime(9).toInstant().toString())
            .put("endedDateTime", r.getOffsetDateTime(10) == null ? null : r.getOffsetDateTime(10).toInstant().toString()));
      }
      return out;
    });
  }
}
