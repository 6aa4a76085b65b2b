package io.loadshift.vtn.oadr3;

import static io.loadshift.vtn.auth.Scopes.READ_ALL;
import static io.loadshift.vtn.auth.Scopes.READ_TARGETS;
import static io.loadshift.vtn.auth.Scopes.WRITE_EVENTS;
import static io.loadshift.vtn.oadr3.VenRoutes.BASE;

import io.loadshift.vtn.auth.Authenticator;
import io.loadshift.vtn.event.Event;
import io.loadshift.vtn.event.EventCache;
import io.loadshift.vtn.event.EventRequests;
import io.loadshift.vtn.event.EventService;
import io.loadshift.vtn.party.VenViews;
import io.loadshift.vtn.platform.http.JsonBodies;
import io.loadshift.vtn.platform.http.MediaTypes;
import io.loadshift.vtn.platform.http.QueryParams;
import io.loadshift.vtn.platform.http.Responses;
import io.loadshift.vtn.platform.http.RouteModule;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * OpenADR 3.1 {@code /events}. Utilities write and read everything from PostgreSQL, with a
 * {@code loadshift} member carrying status, window and totals. VENs and aggregators read from the
 * in-memory event cache what targets them, with target hiding and no Loadshift members.
 */
public final class EventRoutes implements RouteModule {
  private final Authenticator auth;
  private final EventService events;
  private final EventCache cache;
  private final VenViews views;

  public EventRoutes(Authenticator auth, EventService events, EventCache cache, VenViews views) {
    this.auth = auth;
    this.events = events;
    this.cache = cache;
    this.views = views;
  }

  @Override
  public void mount(Router router) {
    router.route(BASE + "/events").handler(auth.bearer());
    router.route(BASE + "/events/*").handler(auth.bearer());
    router.get(BASE + "/events").handler(Authenticator.anyScope(READ_ALL, READ_TARGETS)).handler(this::search);
    router.post(BASE + "/events").handler(Authenticator.anyScope(WRITE_EVENTS)).handler(MediaTypes.json()).handler(this::create);
    router.get(BASE + "/events/:eventID").handler(Authenticator.anyScope(READ_ALL, READ_TARGETS)).handler(this::get);
    router.put(BASE + "/events/:eventID").handler(Authenticator.anyScope(WRITE_EVENTS)).handler(MediaTypes.json())
        .handler(this::update);
    router.delete(BASE + "/events/:eventID").handler(Authenticator.anyScope(WRITE_EVENTS)).handler(this::cancel);
  }

  private void search(RoutingContext ctx) {
    String programId = QueryParams.optional(ctx, "programID", 128);
    List<String> targets = VenRoutes.targets(ctx);
    Boolean active = QueryParams.optionalBoolean(ctx, "active");
    int skip = QueryParams.integer(ctx, "skip", 0, 0, Integer.MAX_VALUE);
    int limit = QueryParams.integer(ctx, "limit", 50, 0, 50);
    Future<JsonArray> result = views.of(Authenticator.principal(ctx)).compose(view -> {
      if (view == null) {
        return events.search(programId, targets, active, skip, limit).map(list -> {
          JsonArray out = new JsonArray();
          list.forEach(e -> out.add(forOperator(e, null)));
          return out;
        });
      }
      JsonArray out = new JsonArray();
      cache.forReader(view, programId, targets, Boolean.TRUE.equals(active), skip, limit)
          .forEach(s -> out.add(s.event().toJson(s.shownTargets())));
      return Future.succeededFuture(out);
    });
    Responses.json(ctx, 200, result, a -> a);
  }

  private void get(RoutingContext ctx) {
    String id = ctx.pathParam("eventID");
    Responses.json(ctx, 200, views.of(Authenticator.principal(ctx)).compose(view -> {
      if (view == null) {
        return events.get(id).compose(e -> events.totals(id).map(t -> forOperator(e, t)));
      }
      return Future.succeededFuture(cache.get(id, view).map(s -> s.event().toJson(s.shownTargets()))
          .orElseThrow(() -> EventService.notFound(id)));
    }), o -> o);
  }

  private void create(RoutingContext ctx) {
    var draft = EventRequests.read(JsonBodies.object(ctx), Instant.now());
    Responses.json(ctx, 201, events.create(Authenticator.actor(ctx), draft), e -> {
      ctx.response().putHeader("Location", BASE + "/events/" + e.id());
      return forOperator(e, null);
    });
  }

  private void update(RoutingContext ctx) {
    var draft = EventRequests.read(JsonBodies.object(ctx), Instant.now());
    Responses.json(ctx, 200, events.update(Authenticator.actor(ctx), ctx.pathParam("eventID"), draft), e -> forOperator(e, null));
  }

  private void cancel(RoutingContext ctx) {
    Responses.json(ctx, 200, events.cancel(Authenticator.actor(ctx), ctx.pathParam("eventID")), e -> forOperator(e, null));
  }

  /** The 3.1 event plus what an operator needs: status, window, target, reward, totals. */
  static JsonObject forOperator(Event e, EventService.Totals totals) {
    JsonObject ext = new JsonObject()
        .put("status", e.status(Instant.now()).name().toLowerCase(java.util.Locale.ROOT))
        .put("startsAt", e.startsAt() == null ? null : e.startsAt().toString())
        .put("endsAt", e.endsAt() == null ? null : e.endsAt().toString())
        .put("historical", e.historical())
        .put("modificationNumber", e.modificationNumber())
        .put("targetReductionKw", number(e.targetReductionKw()))
        .put("rewardPerKw", e.rewardPerKw() == null ? null : e.rewardPerKw().setScale(7).toPlainString())
        .put("reductionAchievedKw", number(e.achievedReductionKw()));
    if (e.cancelledAt() != null) {
      ext.put("cancelledAt", e.cancelledAt().toInstant().toString());
    }
    if (totals != null) {
      ext.put("totals", totals.toJson());
    }
    return e.toJson().put("loadshift", ext);
  }

  private static Number number(BigDecimal d) {
    return d == null ? null : d.stripTrailingZeros().scale() <= 0 ? (Number) d.longValue() : (Number) d.doubleValue();
  }
}
