package io.loadshift.vtn.payout;

import static io.loadshift.vtn.auth.Scopes.READ_ALL;
import static io.loadshift.vtn.auth.Scopes.READ_VEN_OBJECTS;
import static io.loadshift.vtn.auth.Scopes.WRITE_EVENTS;

import io.loadshift.vtn.auth.Authenticator;
import io.loadshift.vtn.auth.Principal;
import io.loadshift.vtn.auth.Role;
import io.loadshift.vtn.platform.http.Problem;
import io.loadshift.vtn.platform.http.QueryParams;
import io.loadshift.vtn.platform.http.Responses;
import io.loadshift.vtn.platform.http.RouteModule;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Payouts of verified rewards: {@code POST /settlement/events/{eventID}/payouts} (utilities; the
 * seed's distribute_rewards), the payouts of an event, one payout, retrying a failed one, and the
 * distribution account's state at {@code GET /settlement/ledger}.
 */
public final class PayoutRoutes implements RouteModule {
  private static final Set<String> STATUSES = Set.of("PENDING", "SUBMITTED", "PAID", "FAILED");
  private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private final Authenticator auth;
  private final PayoutService payouts;
  private final Supplier<Future<JsonObject>> ledger;

  /** {@code ledger} describes the network and distribution account (it may ask the network). */
  public PayoutRoutes(Authenticator auth, PayoutService payouts, Supplier<Future<JsonObject>> ledger) {
    this.auth = auth;
    this.payouts = payouts;
    this.ledger = ledger;
  }

  @Override
  public void mount(Router router) {
    router.post("/settlement/events/:eventID/payouts").handler(auth.bearer())
        .handler(Authenticator.anyScope(WRITE_EVENTS)).handler(this::distribute);
    router.get("/settlement/events/:eventID/payouts").handler(auth.bearer())
        .handler(Authenticator.anyScope(READ_ALL, READ_VEN_OBJECTS)).handler(this::list);
    router.get("/settlement/payouts/:payoutID").handler(auth.bearer())
        .handler(Authenticator.anyScope(READ_ALL, READ_VEN_OBJECTS)).handler(this::get);
    router.post("/settlement/payouts/:payoutID/retry").handler(auth.bearer())
        .handler(Authenticator.anyScope(WRITE_EVENTS)).handler(this::retry);
    router.get("/settlement/ledger").handler(auth.bearer()).handler(Authenticator.anyScope(WRITE_EVENTS))
        .handler(ctx -> Responses.json(ctx, 200, ledger.get(), l -> l));
  }

  private void distribute(RoutingContext ctx) {
    Responses.json(ctx, 200, payouts.distribute(Authenticator.actor(ctx), ctx.pathParam("eventID")),
        PayoutService.Distribution::toJson);
  }

  private void list(RoutingContext ctx) {
    Principal p = Authenticator.principal(ctx);
    String status = QueryParams.optional(ctx, "status", 16);
    if (status != null && !STATUSES.contains(status)) {
      throw Problem.validation("Query parameter 'status' must be one of " + STATUSES + ".");
    }
    Responses.json(ctx, 200, payouts.list(ctx.pathParam("eventID"), status, venClient(p), owner(p),
        QueryParams.optional(ctx, "venName", 128), QueryParams.integer(ctx, "skip", 0, 0, Integer.MAX_VALUE),
        QueryParams.integer(ctx, "limit", 100, 1, 1000)), l -> {
          JsonArray out = new JsonArray();
          l.forEach(x -> out.add(x.toJson()));
          return out;
        });
  }

  private void get(RoutingContext ctx) {
    Principal p = Authenticator.principal(ctx);
    String id = payoutId(ctx);
    Responses.json(ctx, 200, payouts.get(id, venClient(p), owner(p)).map(o -> o.orElseThrow(() ->
        Problem.notFound("No payout " + id + "."))), Payout::toJson);
  }

  private void retry(RoutingContext ctx) {
    Responses.json(ctx, 200, payouts.retry(Authenticator.actor(ctx), payoutId(ctx)), Payout::toJson);
  }

  private static String payoutId(RoutingContext ctx) {
    String id = ctx.pathParam("payoutID");
    if (!UUID.matcher(id).matches()) {
      throw Problem.notFound("No payout " + id + ".");
    }
    return id;
  }

  private static String venClient(Principal p) {
    return p.role() == Role.VEN ? p.clientId() : null;
  }

  private static String owner(Principal p) {
    return p.role() == Role.AGGREGATOR ? p.clientId() : null;
  }
}
