package io.loadshift.vtn.optimization;

import static io.loadshift.vtn.auth.Scopes.READ_ALL;
import static io.loadshift.vtn.auth.Scopes.READ_VEN_OBJECTS;
import static io.loadshift.vtn.auth.Scopes.WRITE_EVENTS;

import io.loadshift.vtn.auth.Authenticator;
import io.loadshift.vtn.auth.Principal;
import io.loadshift.vtn.auth.Role;
import io.loadshift.vtn.event.Durations;
import io.loadshift.vtn.platform.http.JsonBodies;
import io.loadshift.vtn.platform.http.JsonFields;
import io.loadshift.vtn.platform.http.MediaTypes;
import io.loadshift.vtn.platform.http.Problem;
import io.loadshift.vtn.platform.http.QueryParams;
import io.loadshift.vtn.platform.http.Responses;
import io.loadshift.vtn.platform.http.RouteModule;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Set;

/**
 * Dispatch optimization: plans ({@code POST /optimization/events/{eventID}/plan}, accept, read),
 * the schedules in force ({@code GET /optimization/schedules}, the seed's
 * get_optimization_schedules), grid limits, and emergency allocation (utilities only).
 */
public final class OptimizationRoutes implements RouteModule {
  private static final Set<String> EMERGENCY_FIELDS = Set.of("resourceID", "zone", "powerKw", "duration", "start");
  private static final Set<String> LIMIT_FIELDS = Set.of("limitKw");
  private static final String SCHEDULES = "SELECT p.event_id, p.id, s.resource_id, s.ven_id, "
      + "p.starts_at + (k.i - 1) * p.interval_seconds * interval '1 second' AS slot, p.interval_seconds, k.kw, "
      + "s.priority, s.stability FROM dispatch_plans p JOIN dispatch_schedules s ON s.plan_id = p.id "
      + "CROSS JOIN LATERAL unnest(s.power_kw) WITH ORDINALITY AS k(kw, i) "
      + "WHERE p.status IN ('ACCEPTED', 'RELEASED') AND k.kw <> 0 "
      + "AND ($1::text IS NULL OR p.event_id = $1) AND ($2::text IS NULL OR s.resource_id = $2) "
      + "AND ($3::text IS NULL OR s.ven_id = $3) "
      + "AND p.starts_at + k.i * p.interval_seconds * interval '1 second' > $4 "
      + "AND p.starts_at + (k.i - 1) * p.interval_seconds * interval '1 second' < $5 "
      + "AND ($6::text IS NULL OR EXISTS (SELECT 1 FROM vens v WHERE v.id = s.ven_id AND v.client_id = $6)) "
      + "AND ($7::text IS NULL OR EXISTS (SELECT 1 FROM vens v WHERE v.id = s.ven_id AND v.registered_by = $7)) "
      + "ORDER BY slot, s.resource_id OFFSET $8 LIMIT $9";
  private static final String PLANS = "SELECT " + DispatchService.PLAN_COLUMNS + " FROM dispatch_plans WHERE event_id = $1 "
      + "ORDER BY created_at";
  private static final String LIMITS = "SELECT kind, name, limit_kw, updated_by, updated_at FROM grid_limits ORDER BY kind, name";
  private static final String PUT_LIMIT = "INSERT INTO grid_limits (kind, name, limit_kw, updated_by) VALUES ($1, $2, $3, $4) "
      + "ON CONFLICT (kind, name) DO UPDATE SET limit_kw = EXCLUDED.limit_kw, updated_by = EXCLUDED.updated_by, "
      + "updated_at = now()";
  private static final String DELETE_LIMIT = "DELETE FROM grid_limits WHERE kind = $1 AND name = $2";

  private final Authenticator auth;
  private final Pool pool;
  private final DispatchService dispatch;
  private final EmergencyService emergencies;

  public OptimizationRoutes(Authenticator auth, Pool pool, DispatchService dispatch, EmergencyService emergencies) {
    this.auth = auth;
    this.pool = pool;
    this.dispatch = dispatch;
    this.emergencies = emergencies;
  }

  @Override
  public void mount(Router router) {
    router.route("/optimization/*").handler(auth.bearer());
    router.post("/optimization/events/:eventID/plan").handler(Authenticator.anyScope(WRITE_EVENTS)).handler(this::plan);
    router.get("/optimization/events/:eventID/plans").handler(Authenticator.anyScope(WRITE_EVENTS)).handler(this::plans);
    router.get("/optimization/plans/:planID").handler(Authenticator.anyScope(WRITE_EVENTS)).handler(this::getPlan);
    router.post("/optimization/plans/:planID/accept").handler(Authenticator.anyScope(WRITE_EVENTS))
        .handler(ctx -> Responses.json(ctx, 200, dispatch.accept(Authenticator.actor(ctx), ctx.pathParam("planID"))
            .compose(this::withDispatch), j -> j));
    router.get("/optimization/schedules").handler(Authenticator.anyScope(READ_ALL, READ_VEN_OBJECTS))
        .handler(this::schedules);
    router.get("/optimization/limits").handler(Authenticator.anyScope(WRITE_EVENTS)).handler(this::limits);
    router.put("/optimization/limits/:kind/:name").handler(Authenticator.anyScope(WRITE_EVENTS))
        .handler(MediaTypes.json()).handler(this::putLimit);
    router.delete("/optimization/limits/:kind/:name").handler(Authenticator.anyScope(WRITE_EVENTS))
        .handler(this::deleteLimit);
    router.post("/optimization/emergency").handler(Authenticator.anyScope(WRITE_EVENTS)).handler(MediaTypes.json())
        .handler(this::emergency);
    router.get("/optimization/emergency").handler(Authenticator.anyScope(WRITE_EVENTS))
        .handler(ctx -> Responses.json(ctx, 200, emergencies.list(Boolean.TRUE.equals(QueryParams.optionalBoolean(ctx,
            "active")), QueryParams.integer(ctx, "limit", 100, 1, 1000)), a -> a));
  }

  private void plan(RoutingContext ctx) {
    boolean accept = Boolean.TRUE.equals(QueryParams.optionalBoolean(ctx, "accept"));
    Responses.json(ctx, 201, dispatch.plan(Authenticator.actor(ctx), ctx.pathParam("eventID"), accept)
        .compose(this::withDispatch), j -> j);
  }

  private void getPlan(RoutingContext ctx) {
    Responses.json(ctx, 200, dispatch.get(ctx.pathParam("planID")).compose(this::withDispatch), j -> j);
  }

  private void plans(RoutingContext ctx) {
    Responses.json(ctx, 200, pool.preparedQuery(PLANS).execute(Tuple.of(ctx.pathParam("eventID"))).map(rows -> {
      JsonArray out = new JsonArray();
      rows.forEach(r -> out.add(DispatchService.Stored.from(r).toJson()));
      return out;
    }), a -> a);
  }

  /** The plan with its per-resource setpoints ({@code dispatch}), in merit order of priority. */
  private Future<JsonObject> withDispatch(DispatchService.Stored plan) {
    return dispatch.schedules(pool, plan.id()).map(schedules -> {
      JsonArray d = new JsonArray();
      schedules.stream().sorted(java.util.Comparator.comparingInt(DispatchService.Schedule::priority)
          .thenComparing(DispatchService.Schedule::resourceId)).forEach(s -> {
            JsonArray kw = new JsonArray();
            for (double x : s.kw()) {
              kw.add(x);
            }
            d.add(new JsonObject().put("resourceID", s.resourceId()).put("venID", s.venId()).put("priority", s.priority())
                .put("gridStabilityScore", s.stability()).put("powerKw", kw));
          });
      return plan.toJson().put("dispatch", d);
    });
  }

  private void schedules(RoutingContext ctx) {
    Principal p = Authenticator.principal(ctx);
    Instant from = time(ctx, "from", Instant.EPOCH);
    Instant to = time(ctx, "to", Instant.parse("9999-12-31T00:00:00Z"));
    Object[] args = {QueryParams.optional(ctx, "eventID", 128), QueryParams.optional(ctx, "resourceID", 128),
        QueryParams.optional(ctx, "venID", 128), OffsetDateTime.ofInstant(from, ZoneOffset.UTC),
        OffsetDateTime.ofInstant(to, ZoneOffset.UTC), p.role() == Role.VEN ? p.clientId() : null,
        p.role() == Role.AGGREGATOR ? p.clientId() : null, QueryParams.integer(ctx, "skip", 0, 0, Integer.MAX_VALUE),
        QueryParams.integer(ctx, "limit", 500, 1, 10_000)};
    Responses.json(ctx, 200, pool.preparedQuery(SCHEDULES).execute(Tuple.from(args)).map(rows -> {
      JsonArray out = new JsonArray();
      for (Row r : rows) {
        out.add(new JsonObject().put("eventID", r.getString(0)).put("planID", r.getUUID(1).toString())
            .put("resourceID", r.getString(2)).put("venID", r.getString(3))
            .put("timeSlot", r.getOffsetDateTime(4).toInstant().toString())
            .put("duration", Duration.ofSeconds(r.getInteger(5)).toString())
            .put("powerSetpointKw", r.getBigDecimal(6).doubleValue()).put("priority", r.getShort(7))
            .put("gridStabilityScore", r.getShort(8)));
      }
      return out;
    }), a -> a);
  }

  private static Instant time(RoutingContext ctx, String name, Instant fallback) {
    String v = QueryParams.optional(ctx, name, 64);
    if (v == null) {
      return fallback;
    }
    try {
      return Durations.dateTime(v, Instant.now());
    } catch (IllegalArgumentException e) {
      throw Problem.validation("Query parameter '" + name + "': " + e.getMessage() + ".");
    }
  }

  private void limits(RoutingContext ctx) {
    Responses.json(ctx, 200, pool.query(LIMITS).execute().map(rows -> {
      JsonArray out = new JsonArray();
      rows.forEach(r -> out.add(new JsonObject().put("kind", r.getString(0)).put("name", r.getString(1))
          .put("limitKw", r.getBigDecimal(2).doubleValue()).put("updatedBy", r.getString(3))
          .put("updatedDateTime", r.getOffsetDateTime(4).toInstant().toString())));
      return out;
    }), a -> a);
  }

  private static String kind(RoutingContext ctx) {
    String kind = ctx.pathParam("kind").toUpperCase(java.util.Locale.ROOT);
    if (!kind.equals("ZONE") && !kind.equals("FEEDER")) {
      throw Problem.notFound("Limits are set per zone or feeder: /optimization/limits/zone/{name} or .../feeder/{name}.");
    }
    return kind;
  }

  private void putLimit(RoutingContext ctx) {
    String kind = kind(ctx);
    String name = ctx.pathParam("name");
    if (name.isEmpty() || name.length() > 128) {
      throw Problem.validation("The zone or feeder name must be 1 to 128 characters.");
    }
    JsonObject body = JsonBodies.object(ctx);
    JsonFields.rejectUnknown(body, LIMIT_FIELDS);
    if (!(body.getValue("limitKw") instanceof Number n) || !Double.isFinite(n.doubleValue()) || n.doubleValue() < 0
        || n.doubleValue() > 1e9) {
      throw Problem.validation("'limitKw' must be a number from 0 to 1e9 (kW).");
    }
    BigDecimal limit = BigDecimal.valueOf(n.doubleValue()).setScale(3, java.math.RoundingMode.HALF_EVEN);
    Responses.json(ctx, 200, pool.preparedQuery(PUT_LIMIT).execute(Tuple.of(kind, name, limit,
        Authenticator.actor(ctx).id())), x -> new JsonObject().put("kind", kind).put("name", name)
        .put("limitKw", limit.doubleValue()));
  }

  private void deleteLimit(RoutingContext ctx) {
    String kind = kind(ctx);
    String name = ctx.pathParam("name");
    Responses.json(ctx, 200, pool.preparedQuery(DELETE_LIMIT).execute(Tuple.of(kind, name)).map(rows -> {
      if (rows.rowCount() == 0) {
        throw Problem.notFound("No " + kind.toLowerCase(java.util.Locale.ROOT) + " limit '" + name + "'.");
      }
      return new JsonObject().put("kind", kind).put("name", name);
    }), j -> j);
  }

  private void emergency(RoutingContext ctx) {
    Principal p = Authenticator.principal(ctx);
    if (!p.operator()) {
      throw Problem.forbidden("Emergency allocation is for utilities.");
    }
    JsonObject body = JsonBodies.object(ctx);
    JsonFields.rejectUnknown(body, EMERGENCY_FIELDS);
    String resource = JsonFields.optionalString(body, "resourceID", 128);
    String zone = JsonFields.optionalString(body, "zone", 128);
    if ((resource == null) == (zone == null)) {
      throw Problem.validation("Give either 'resourceID' or 'zone'.");
    }
    if (!(body.getValue("powerKw") instanceof Number n) || !Double.isFinite(n.doubleValue()) || n.doubleValue() == 0
        || Math.abs(n.doubleValue()) > 1e7) {
      throw Problem.validation("'powerKw' must be a non-zero number of kW (positive: reduce load or discharge), "
          + "at most 1e7 in size.");
    }
    String d = JsonFields.requiredString(body, "duration", 64);
    Duration duration;
    try {
      Durations.Span span = Durations.duration(d);
      duration = Duration.between(Instant.EPOCH, span.addTo(Instant.EPOCH));
    } catch (IllegalArgumentException e) {
      throw Problem.validation("'duration': " + e.getMessage() + ".");
    }
    if (duration.isNegative() || duration.isZero() || duration.compareTo(Duration.ofDays(7)) > 0) {
      throw Problem.validation("'duration' must be positive and at most P7D.");
    }
    Instant now = Instant.now();
    Instant start = now;
    String s = JsonFields.optionalString(body, "start", 64);
    if (s != null) {
      try {
        start = Durations.dateTime(s, now);
      } catch (IllegalArgumentException e) {
        throw Problem.validation("'start': " + e.getMessage() + ".");
      }
      if (start.isBefore(now.minusSeconds(300)) || start.isAfter(now.plus(Duration.ofDays(7)))) {
        throw Problem.validation("'start' must be from 5 minutes ago to 7 days ahead (omit it for now).");
      }
    }
    Responses.json(ctx, 201, emergencies.allocate(Authenticator.actor(ctx),
        new EmergencyService.Order(resource, zone, n.doubleValue(), start, duration)), j -> j);
  }
}
