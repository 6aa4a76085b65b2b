package io.loadshift.vtn.optimization;

import io.loadshift.vtn.audit.Actor;
import io.loadshift.vtn.audit.AuditEntry;
import io.loadshift.vtn.audit.AuditService;
import io.loadshift.vtn.der.DerStatus;
import io.loadshift.vtn.der.DerType;
import io.loadshift.vtn.der.ResourceService;
import io.loadshift.vtn.event.Event;
import io.loadshift.vtn.event.EventRequests;
import io.loadshift.vtn.event.EventService;
import io.loadshift.vtn.party.VenViews;
import io.loadshift.vtn.platform.db.Ids;
import io.loadshift.vtn.platform.http.Problem;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Dispatch planning as the VTN runs it: reads an event's target and the fleet it reaches (status,
 * capacity, storage, bids, grid limits, opt-outs, EiOpt availability), plans with {@link Planner}
 * off the event loop, stores the plan with its per-resource schedules, and, once accepted,
 * publishes it: one DISPATCH_SETPOINT event per VEN (targeted at that VEN alone) and the
 * dispatched resources OPTIMIZED for the window. A re-plan keeps what was already dispatched,
 * plans the rest and changes only the VENs' signals that differ.
 */
public final class DispatchService {
  static final String SIGNAL_PREFIX = "dispatch:";
  /** The resources an event reaches (same rule as verification), with what a plan needs. */
  private static final String FLEET = "WITH e AS (SELECT targets FROM events WHERE id = $1) "
      + "SELECT r.id, r.ven_id, r.der_type, r.status, r.capacity_kw, r.energy_capacity_kwh, r.state_of_charge, r.zone, "
      + "r.feeder, r.bid_price_per_kw FROM resources r JOIN vens v ON v.id = r.ven_id, e "
      + "WHERE e.targets = '{}' OR v.targets && e.targets OR r.targets && e.targets";
  private static final String OPT_OUTS = "SELECT ven_id FROM event_opts WHERE event_id = $1 AND opt = 'optOut'";
  private static final String UNAVAILABLE = "SELECT ven_id, resource_id, starts_at, ends_at FROM availability "
      + "WHERE opt = 'optOut' AND starts_at < $2 AND ends_at > $1";
  private static final String LIMITS = "SELECT kind, name, limit_kw FROM grid_limits";
  private static final String INSERT_PLAN = "INSERT INTO dispatch_plans (id, event_id, status, cause, replaces, starts_at, "
      + "interval_seconds, intervals, first_interval, target_kw, planned_kw, shortfall_kw, cost, lower_bound, solver, "
      + "solve_ms, resources, warnings, excluded, created_by) VALUES ($1::uuid, $2, 'PROPOSED', $3, $4::uuid, $5, $6, $7, "
      + "$8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)";
  private static final String INSERT_SCHEDULES = "INSERT INTO dispatch_schedules (plan_id, resource_id, ven_id, power_kw, "
      + "priority, stability) SELECT $1::uuid, r, v, string_to_array(k, ',')::numeric[], p, s "
      + "FROM unnest($2::text[], $3::text[], $4::text[], $5::smallint[], $6::smallint[]) AS u(r, v, k, p, s)";
  static final String PLAN_COLUMNS = "id, event_id, status, cause, replaces, starts_at, interval_seconds, intervals, "
      + "first_interval, target_kw, planned_kw, shortfall_kw, cost, lower_bound, solver, solve_ms, resources, warnings, "
      + "excluded, created_by, created_at, accepted_at, released_at";
  private static final String FIND_PLAN = "SELECT " + PLAN_COLUMNS + " FROM dispatch_plans WHERE id = $1::uuid";
  private static final String LOCK_EVENT = "SELECT id FROM events WHERE id = $1 FOR UPDATE";
  private static final String IN_FORCE = "SELECT " + PLAN_COLUMNS + " FROM dispatch_plans WHERE event_id = $1 "
      + "AND status = 'ACCEPTED'";
  private static final String SUPERSEDE = "UPDATE dispatch_plans SET status = 'SUPERSEDED' WHERE id = $1::uuid";
  private static final String ACCEPT = "UPDATE dispatch_plans SET status = 'ACCEPTED', accepted_at = now() "
      + "WHERE id = $1::uuid AND status = 'PROPOSED' RETURNING id";
  private static final String SCHEDULES = "SELECT resource_id, ven_id, power_kw::float8[], priority, stability "
      + "FROM dispatch_schedules WHERE plan_id = $1::uuid ORDER BY resource_id";
  private static final String SIGNALS = "SELECT ven_id, event_id FROM dispatch_signals WHERE plan_id = $1::uuid";
  private static final String ADD_SIGNALS = "INSERT INTO dispatch_signals (plan_id, ven_id, event_id) "
      + "SELECT $1::uuid, v, e FROM unnest($2::text[], $3::text[]) AS u(v, e)";

  /** A stored plan. */
  public record Stored(String id, String eventId, String status, String cause, String replaces, Instant start,
                       int intervalSeconds, int intervals, int firstInterval, double[] targetKw, double[] plannedKw,
                       double[] shortfallKw, BigDecimal cost, BigDecimal lowerBound, String solver, double solveMs,
                       int resources, JsonArray warnings, JsonArray excluded, String createdBy, OffsetDateTime createdAt,
                       OffsetDateTime acceptedAt, OffsetDateTime releasedAt) {
    static Stored from(Row r) {
      return new Stored(r.getUUID("id").toString(), r.getString("event_id"), r.getString("status"), r.getString("cause"),
          r.getUUID("replaces") == null ? null : r.getUUID("replaces").toString(),
          r.getOffsetDateTime("starts_at").toInstant(), r.getInteger("interval_seconds"), r.getInteger("intervals"),
          r.getInteger("first_interval"), doubles(r.getArrayOfDoubles("target_kw")),
          doubles(r.getArrayOfDoubles("planned_kw")), doubles(r.getArrayOfDoubles("shortfall_kw")),
          r.getBigDecimal("cost"), r.getBigDecimal("lower_bound"), r.getString("solver"), r.getDouble("solve_ms"),
          r.getInteger("resources"), (JsonArray) r.getValue("warnings"), (JsonArray) r.getValue("excluded"),
          r.getString("created_by"), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("accepted_at"),
          r.getOffsetDateTime("released_at"));
    }

    public Instant end() {
      return start.plusSeconds((long) intervalSeconds * intervals);
    }

    public JsonObject toJson() {
      JsonArray iv = new JsonArray();
      for (int k = 0; k < intervals; k++) {
        iv.add(new JsonObject().put("start", start.plusSeconds((long) intervalSeconds * k).toString())
            .put("targetKw", targetKw[k]).put("plannedKw", plannedKw[k]).put("shortfallKw", shortfallKw[k]));
      }
      return new JsonObject().put("id", id).put("eventID", eventId).put("status", status).put("cause", cause)
          .put("replaces", replaces).put("solver", solver)
          .put("intervalPeriod", new JsonObject().put("start", start.toString())
              .put("duration", Duration.ofSeconds(intervalSeconds).toString()))
          .put("firstInterval", firstInterval)
          .put("cost", cost.toPlainString()).put("lowerBound", lowerBound.toPlainString())
          .put("shortfallKw", Arrays.stream(shortfallKw).max().orElse(0)).put("solveMillis", solveMs)
          .put("dispatchedResources", resources).put("intervals", iv).put("warnings", warnings).put("excluded", excluded)
          .put("createdBy", createdBy).put("createdDateTime", createdAt == null ? null : createdAt.toInstant().toString())
          .put("acceptedDateTime", acceptedAt == null ? null : acceptedAt.toInstant().toString())
          .put("releasedDateTime", releasedAt == null ? null : releasedAt.toInstant().toString());
    }
  }

  /** A resource's setpoints in a plan. */
  public record Schedule(String resourceId, String venId, double[] kw, int priority, int stability) {}

  private final Pool pool;
  private final EventService events;
  private final ResourceService resources;
  private final AuditService audit;
  private final WorkerExecutor solver;

  public DispatchService(Pool pool, EventService events, ResourceService resources, AuditService audit,
                         WorkerExecutor solver) {
    this.pool = pool;
    this.events = events;
    this.resources = resources;
    this.audit = audit;
    this.solver = solver;
  }

  // ---- planning --------------------------------------------------------------------------------

  /** Plans an event from its first interval and stores the plan as PROPOSED (accepted too, if asked). */
  public Future<Stored> plan(Actor actor, String eventId, boolean accept) {
    return events.get(eventId).compose(event -> {
      TargetProfile profile = TargetProfile.of(event);
      return planFrom(actor, event, profile, 0, "REQUESTED", null, Map.of());
    }).compose(stored -> accept ? accept(actor, stored.id()) : Future.succeededFuture(stored));
  }

  /**
   * Plans intervals {@code first..n-1} (earlier ones keep {@code kept}, what was dispatched) and
   * stores the plan.
   */
  Future<Stored> planFrom(Actor actor, Event event, TargetProfile profile, int first, String cause, String replaces,
                          Map<String, Schedule> kept) {
    Instant from = profile.start().plus(profile.interval().multipliedBy(first));
    return Future.all(pool.preparedQuery(FLEET).execute(Tuple.of(event.id())),
            pool.preparedQuery(OPT_OUTS).execute(Tuple.of(event.id())),
            pool.preparedQuery(UNAVAILABLE).execute(Tuple.of(OffsetDateTime.ofInstant(from, ZoneOffset.UTC),
                OffsetDateTime.ofInstant(profile.end(), ZoneOffset.UTC))),
            pool.query(LIMITS).execute())
        .compose(all -> solver.executeBlocking(() -> solve(profile, first, all.resultAt(0), all.resultAt(1),
            all.resultAt(2), all.resultAt(3), kept), false))
        .compose(result -> store(actor, event, profile, first, cause, replaces, result));
  }

  /** The plan of intervals first..n-1 joined with what was kept of the earlier ones. */
  private record Result(Plan plan, List<Schedule> schedules, double[] planned, double[] shortfall, int dispatched) {}

  private Result solve(TargetProfile profile, int first, io.vertx.sqlclient.RowSet<Row> fleetRows,
                       io.vertx.sqlclient.RowSet<Row> optRows, io.vertx.sqlclient.RowSet<Row> unavailableRows,
                       io.vertx.sqlclient.RowSet<Row> limitRows, Map<String, Schedule> kept) {
    int n = profile.targetKw().length;
    int m = n - first;
    Instant from = profile.start().plus(profile.interval().multipliedBy(first));
    Set<String> optedOut = new HashSet<>();
    optRows.forEach(r -> optedOut.add(r.getString(0)));
    Map<String, List<Instant[]>> venOut = new HashMap<>();
    Map<String, List<Instant[]>> resourceOut = new HashMap<>();
    for (Row r : unavailableRows) {
      Instant[] w = {r.getOffsetDateTime(2).toInstant(), r.getOffsetDateTime(3).toInstant()};
      if (r.getString(1) == null) {
        venOut.computeIfAbsent(r.getString(0), x -> new ArrayList<>()).add(w);
      } else {
        resourceOut.computeIfAbsent(r.getString(1), x -> new ArrayList<>()).add(w);
      }
    }
    Map<String, Double> feeders = new TreeMap<>();
    Map<String, Double> zones = new TreeMap<>();
    for (Row r : limitRows) {
      ("ZONE".equals(r.getString(0)) ? zones : feeders).put(r.getString(1), r.getBigDecimal(2).doubleValue());
    }
    List<Der> ders = new ArrayList<>(fleetRows.size());
    for (Row r : fleetRows) {
      String id = r.getString(0);
      String ven = r.getString(1);
      boolean[] available = availability(from, profile.interval(), m, venOut.get(ven), resourceOut.get(id));
      ders.add(new Der(id, ven, r.getString(2) == null ? null : DerType.valueOf(r.getString(2)),
          DerStatus.valueOf(r.getString(3)), decimal(r.getBigDecimal(4)), decimal(r.getBigDecimal(5)),
          r.getBigDecimal(6) == null ? null : r.getBigDecimal(6).doubleValue() / 100, // STATE_OF_CHARGE is in percent
          null, null, r.getString(7), r.getString(8), r.getBigDecimal(9), available));
    }
    double[] targets = Arrays.copyOfRange(profile.targetKw(), first, n);
    Plan plan = Planner.plan(new PlanInput(from, profile.interval(), targets, ders, feeders, zones, optedOut,
        PlanOptions.DEFAULT));
    // Whole-window schedules: kept intervals before `first`, the new plan after.
    Map<String, Schedule> joined = new TreeMap<>();
    kept.forEach((id, s) -> {
      double[] kw = new double[n];
      System.arraycopy(s.kw(), 0, kw, 0, Math.min(first, s.kw().length));
      joined.put(id, new Schedule(id, s.venId(), kw, s.priority(), s.stability()));
    });
    for (Plan.Dispatch d : plan.dispatch()) {
      Schedule before = joined.get(d.id());
      double[] kw = before == null ? new double[n] : before.kw();
      System.arraycopy(d.kw(), 0, kw, first, m);
      joined.put(d.id(), new Schedule(d.id(), d.venId(), kw, d.priority(), d.gridStability()));
    }
    joined.values().removeIf(s -> Arrays.stream(s.kw()).allMatch(x -> x == 0));
    double[] planned = new double[n];
    double[] shortfall = new double[n];
    for (Schedule s : joined.values()) {
      for (int k = 0; k < n; k++) {
        planned[k] += s.kw()[k];
      }
    }
    for (int k = 0; k < n; k++) {
      planned[k] = Math.round(planned[k] * 1000) / 1000.0;
      shortfall[k] = k < first ? Math.max(0, Math.round((profile.targetKw()[k] - planned[k]) * 1000) / 1000.0)
          : plan.intervals().get(k - first).shortfallKw();
    }
    return new Result(plan, List.copyOf(joined.values()), planned, shortfall, plan.dispatch().size());
  }

  private static boolean[] availability(Instant from, Duration interval, int m, List<Instant[]> ven,
                                        List<Instant[]> resource) {
    if (ven == null && resource == null) {
      return null;
    }
    boolean[] out = new boolean[m];
    for (int k = 0; k < m; k++) {
      Instant s = from.plus(interval.multipliedBy(k));
      Instant e = s.plus(interval);
      out[k] = !overlaps(ven, s, e) && !overlaps(resource, s, e);
    }
    return out;
  }

  private static boolean overlaps(List<Instant[]> windows, Instant s, Instant e) {
    if (windows == null) {
      return false;
    }
    for (Instant[] w : windows) {
      if (w[0].isBefore(e) && w[1].isAfter(s)) {
        return true;
      }
    }
    return false;
  }

  private static Double decimal(BigDecimal d) {
    return d == null ? null : d.doubleValue();
  }

  private Future<Stored> store(Actor actor, Event event, TargetProfile profile, int first, String cause, String replaces,
                               Result r) {
    String id = Ids.newId();
    int n = profile.targetKw().length;
    int s = r.schedules().size();
    String[] resourceIds = new String[s];
    String[] vens = new String[s];
    String[] kws = new String[s];
    Short[] priorities = new Short[s];
    Short[] stabilities = new Short[s];
    for (int i = 0; i < s; i++) {
      Schedule x = r.schedules().get(i);
      resourceIds[i] = x.resourceId();
      vens[i] = x.venId();
      StringBuilder b = new StringBuilder();
      for (int k = 0; k < n; k++) {
        b.append(k == 0 ? "" : ",").append(BigDecimal.valueOf(x.kw()[k]).setScale(3, java.math.RoundingMode.HALF_EVEN)
            .toPlainString());
      }
      kws[i] = b.toString();
      priorities[i] = (short) x.priority();
      stabilities[i] = (short) x.stability();
    }
    JsonArray warnings = new JsonArray(new ArrayList<>(r.plan().warnings()));
    JsonArray excluded = new JsonArray();
    r.plan().excluded().stream().limit(1000).forEach(x -> excluded.add(new JsonObject().put("resourceID", x.id())
        .put("venID", x.venId()).put("reason", x.reason())));
    if (r.plan().excluded().size() > 1000) {
      warnings.add((r.plan().excluded().size() - 1000) + " more excluded resources not listed");
    }
    Tuple plan = Tuple.from(new Object[] {id, event.id(), cause, replaces, OffsetDateTime.ofInstant(profile.start(),
        ZoneOffset.UTC), (int) profile.interval().toSeconds(), n, first, boxed(profile.targetKw()), boxed(r.planned()),
        boxed(r.shortfall()), r.plan().cost(), r.plan().lowerBound(), r.plan().solver(), r.plan().solveMillis(), s,
        warnings, excluded, actor.id()});
    return pool.withTransaction(tx -> tx.preparedQuery(INSERT_PLAN).execute(plan)
        .compose(x -> tx.preparedQuery(INSERT_SCHEDULES).execute(Tuple.from(new Object[] {id, resourceIds, vens, kws,
            priorities, stabilities})))
        .compose(x -> audit.record(tx, AuditEntry.of(actor, "dispatch_plan_created", "dispatch_plan", id, null,
            new JsonObject().put("eventID", event.id()).put("cause", cause).put("solver", r.plan().solver())
                .put("cost", r.plan().cost().toPlainString()).put("resources", s)))))
        .compose(x -> get(id));
  }

  private static Double[] boxed(double[] a) {
    return Arrays.stream(a).boxed().toArray(Double[]::new);
  }

  public Future<Stored> get(String planId) {
    return pool.preparedQuery(FIND_PLAN).execute(Tuple.of(uuid(planId))).map(rows -> {
      if (rows.size() == 0) {
        throw Problem.notFound("No dispatch plan '" + planId + "'.");
      }
      return Stored.from(rows.iterator().next());
    });
  }

  public Future<List<Schedule>> schedules(SqlClient sql, String planId) {
    return sql.preparedQuery(SCHEDULES).execute(Tuple.of(planId)).map(rows -> {
      List<Schedule> out = new ArrayList<>(rows.size());
      for (Row r : rows) {
        out.add(new Schedule(r.getString(0), r.getString(1), doubles(r.getArrayOfDoubles(2)), r.getShort(3),
            r.getShort(4)));
      }
      return out;
    });
  }

  static String uuid(String id) {
    try {
      return UUID.fromString(id).toString();
    } catch (IllegalArgumentException e) {
      throw Problem.notFound("No dispatch plan '" + id + "'.");
    }
  }

  private static double[] doubles(Double[] a) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] == null ? 0 : a[i];
    }
    return out;
  }

  // ---- publication ------------------------------------------------------------------------------

  /**
   * Puts a PROPOSED plan in force: the plan it replaces is SUPERSEDED, each VEN's signal event is
   * created, changed or cancelled as its setpoints require, and resources go OPTIMIZED (and those
   * no longer dispatched back ONLINE), all in one transaction.
   */
  public Future<Stored> accept(Actor actor, String planId) {
    return get(planId).compose(plan -> {
      if (!"PROPOSED".equals(plan.status())) {
        throw Problem.conflict("The plan is " + plan.status() + "; only a PROPOSED plan can be accepted.");
      }
      if (!plan.end().isAfter(Instant.now())) {
        throw Problem.conflict("The event's window is over; there is nothing left to dispatch.");
      }
      return events.get(plan.eventId()).compose(event -> pool.withTransaction(tx -> tx.preparedQuery(LOCK_EVENT)
          .execute(Tuple.of(plan.eventId()))
          .compose(x -> tx.preparedQuery(IN_FORCE).execute(Tuple.of(plan.eventId())))
          .compose(inForce -> {
            Stored previous = inForce.size() == 0 ? null : Stored.from(inForce.iterator().next());
            Future<Void> retire = previous == null ? Future.succeededFuture()
                : tx.preparedQuery(SUPERSEDE).execute(Tuple.of(previous.id())).mapEmpty();
            return retire.compose(x -> tx.preparedQuery(ACCEPT).execute(Tuple.of(plan.id()))).compose(accepted -> {
              if (accepted.rowCount() == 0) {
                throw Problem.conflict("The plan was accepted or replaced meanwhile.");
              }
              return publish(tx, actor, event, plan, previous);
            });
          })))
          .compose(x -> get(planId));
    });
  }

  private Future<Void> publish(SqlClient tx, Actor actor, Event event, Stored plan, Stored previous) {
    Future<List<Schedule>> before = previous == null ? Future.succeededFuture(List.of()) : schedules(tx, previous.id());
    Future<Map<String, String>> oldSignals = previous == null ? Future.succeededFuture(Map.of())
        : tx.preparedQuery(SIGNALS).execute(Tuple.of(previous.id())).map(rows -> {
          Map<String, String> m = new HashMap<>();
          rows.forEach(r -> m.put(r.getString(0), r.getString(1)));
          return m;
        });
    return Future.all(before, schedules(tx, plan.id()), oldSignals).compose(all -> {
      List<Schedule> was = all.resultAt(0);
      List<Schedule> now = all.resultAt(1);
      Map<String, String> signals = all.resultAt(2);
      Map<String, double[]> venNow = byVen(now, plan.intervals());
      Map<String, double[]> venWas = byVen(was, plan.intervals());
      Set<String> vens = new java.util.TreeSet<>(venNow.keySet());
      vens.addAll(signals.keySet());
      List<String> signalVens = new ArrayList<>();
      List<String> signalEvents = new ArrayList<>();
      Future<Void> chain = Future.succeededFuture();
      for (String ven : vens) {
        double[] kw = venNow.get(ven);
        String existing = signals.get(ven);
        if (kw == null) {
          // No longer dispatched: its signal is cancelled.
          chain = chain.compose(x -> events.cancel(tx, actor, existing).mapEmpty());
          continue;
        }
        if (existing != null && Arrays.equals(kw, venWas.get(ven))) {
          signalVens.add(ven);
          signalEvents.add(existing);
          continue;
        }
        io.loadshift.vtn.event.EventDraft draft = signal(event, plan, ven, kw);
        if (existing == null) {
          chain = chain.compose(x -> events.create(tx, actor, draft).map(e -> {
            signalVens.add(ven);
            signalEvents.add(e.id());
            return null;
          }));
        } else {
          chain = chain.compose(x -> events.update(tx, actor, existing, draft).map(e -> {
            signalVens.add(ven);
            signalEvents.add(existing);
            return null;
          }));
        }
      }
      Set<String> dispatched = new HashSet<>();
      now.forEach(s -> dispatched.add(s.resourceId()));
      List<String> released = was.stream().map(Schedule::resourceId).filter(r -> !dispatched.contains(r)).toList();
      return chain
          .compose(x -> tx.preparedQuery(ADD_SIGNALS).execute(Tuple.from(new Object[] {plan.id(),
              signalVens.toArray(String[]::new), signalEvents.toArray(String[]::new)})))
          .compose(x -> resources.setStatusMany(tx, actor, dispatched, DerStatus.OPTIMIZED, Set.of(DerStatus.EMERGENCY),
              "dispatched by plan " + plan.id()))
          .compose(x -> resources.setStatusMany(tx, actor, released, DerStatus.ONLINE, Set.of(DerStatus.EMERGENCY,
              DerStatus.OFFLINE, DerStatus.MAINTENANCE), "no longer dispatched (plan " + plan.id() + ")"))
          .compose(x -> audit.record(tx, AuditEntry.of(actor, "dispatch_plan_accepted", "dispatch_plan", plan.id(),
              previous == null ? null : new JsonObject().put("replaced", previous.id()),
              new JsonObject().put("eventID", event.id()).put("cause", plan.cause()).put("resources", dispatched.size())
                  .put("vens", venNow.size()).put("cost", plan.cost().toPlainString()))));
    });
  }

  private static Map<String, double[]> byVen(List<Schedule> schedules, int n) {
    Map<String, double[]> out = new LinkedHashMap<>();
    for (Schedule s : schedules) {
      double[] kw = out.computeIfAbsent(s.venId(), v -> new double[n]);
      for (int k = 0; k < n && k < s.kw().length; k++) {
        kw[k] = Math.round((kw[k] + s.kw()[k]) * 1000) / 1000.0;
      }
    }
    return out;
  }

  /** A VEN's signal: the event's window, one DISPATCH_SETPOINT (kW, its resources together) per interval. */
  private static io.loadshift.vtn.event.EventDraft signal(Event event, Stored plan, String venId, double[] kw) {
    return setpoints(event.programId(), SIGNAL_PREFIX + event.id(), event.priority(), venId, plan.start(),
        Duration.ofSeconds(plan.intervalSeconds()), kw);
  }

  /**
   * An event for one VEN alone (its implicit target) with a DISPATCH_SETPOINT in kW (its resources
   * together) per interval: how plans and emergencies reach VENs.
   */
  static io.loadshift.vtn.event.EventDraft setpoints(String programId, String eventName, Integer priority, String venId,
                                                    Instant start, Duration interval, double[] kw) {
    JsonArray intervals = new JsonArray();
    for (int k = 0; k < kw.length; k++) {
      intervals.add(new JsonObject().put("id", k).put("payloads", new JsonArray().add(new JsonObject()
          .put("type", "DISPATCH_SETPOINT").put("values", new JsonArray().add(kw[k])))));
    }
    JsonObject body = new JsonObject()
        .put("programID", programId)
        .put("eventName", eventName)
        .put("targets", new JsonArray().add(VenViews.venTarget(venId)))
        .put("payloadDescriptors", new JsonArray().add(new JsonObject().put("objectType", "EVENT_PAYLOAD_DESCRIPTOR")
            .put("payloadType", "DISPATCH_SETPOINT").put("units", "KW")))
        .put("intervalPeriod", new JsonObject().put("start", start.toString()).put("duration", interval.toString()))
        .put("intervals", intervals);
    if (priority != null) {
      body.put("priority", priority);
    }
    return EventRequests.read(body, Instant.now());
  }
}
