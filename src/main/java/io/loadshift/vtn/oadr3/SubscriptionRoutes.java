package io.loadshift.vtn.oadr3;

import static io.loadshift.vtn.auth.Scopes.READ_ALL;
import static io.loadshift.vtn.auth.Scopes.READ_VEN_OBJECTS;
import static io.loadshift.vtn.auth.Scopes.WRITE_SUBSCRIPTIONS;
import static io.loadshift.vtn.oadr3.VenRoutes.BASE;

import io.loadshift.vtn.auth.Authenticator;
import io.loadshift.vtn.auth.Principal;
import io.loadshift.vtn.platform.http.JsonBodies;
import io.loadshift.vtn.platform.http.MediaTypes;
import io.loadshift.vtn.platform.http.Problem;
import io.loadshift.vtn.platform.http.QueryParams;
import io.loadshift.vtn.platform.http.Responses;
import io.loadshift.vtn.platform.http.RouteModule;
import io.loadshift.vtn.subscription.Subscription;
import io.loadshift.vtn.subscription.SubscriptionRequests;
import io.loadshift.vtn.subscription.SubscriptionService;
import io.loadshift.vtn.subscription.WebhookWorker;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * OpenADR 3.1 {@code /subscriptions} and {@code /notifiers}, plus Loadshift's delivery view:
 * {@code GET /webhooks/deliveries} (pending, delivered and dead deliveries of the caller's
 * subscriptions; all for business logic) and {@code POST /webhooks/deliveries/{id}/retry}.
 */
public final class SubscriptionRoutes implements RouteModule {
  private static final JsonObject NOTIFIERS = new JsonObject().put("WEBHOOK", true);

  private final Authenticator auth;
  private final SubscriptionService subscriptions;
  private final WebhookWorker webhooks;

  public SubscriptionRoutes(Authenticator auth, SubscriptionService subscriptions, WebhookWorker webhooks) {
    this.auth = auth;
    this.subscriptions = subscriptions;
    this.webhooks = webhooks;
  }

  @Override
  public void mount(Router router) {
    router.route(BASE + "/subscriptions").handler(auth.bearer());
    router.route(BASE + "/subscriptions/*").handler(auth.bearer());
    router.get(BASE + "/subscriptions").handler(Authenticator.anyScope(READ_ALL, READ_VEN_OBJECTS)).handler(this::search);
    router.post(BASE + "/subscriptions").handler(Authenticator.anyScope(WRITE_SUBSCRIPTIONS)).handler(MediaTypes.json())
        .handler(this::create);
    router.get(BASE + "/subscriptions/:subscriptionID").handler(Authenticator.anyScope(READ_ALL, READ_VEN_OBJECTS))
        .handler(this::get);
    router.put(BASE + "/subscriptions/:subscriptionID").handler(Authenticator.anyScope(WRITE_SUBSCRIPTIONS))
        .handler(MediaTypes.json()).handler(this::update);
    router.delete(BASE + "/subscriptions/:subscriptionID").handler(Authenticator.anyScope(WRITE_SUBSCRIPTIONS))
        .handler(this::delete);
    router.get(BASE + "/notifiers").handler(auth.bearer()).handler(ctx -> JsonBodies.send(ctx, 200, NOTIFIERS));

    router.route("/webhooks/*").handler(auth.bearer());
    router.get("/webhooks/deliveries").handler(Authenticator.anyScope(READ_ALL, READ_VEN_OBJECTS)).handler(this::deliveries);
    router.post("/webhooks/deliveries/:deliveryID/retry").handler(Authenticator.anyScope(WRITE_SUBSCRIPTIONS))
        .handler(this::retry);
  }

  /** Business logic manages every subscription; anyone else only its own. */
  private static String owner(Principal p) {
    return p.operator() ? null : p.clientId();
  }

  private void search(RoutingContext ctx) {
    Principal p = Authenticator.principal(ctx);
    List<String> objects = ctx.queryParam("objects").isEmpty() ? null : ctx.queryParam("objects");
    if (objects != null && !SubscriptionRequests.OBJECT_TYPES.containsAll(objects)) {
      throw Problem.validation("Query parameter 'objects' takes " + SubscriptionRequests.OBJECT_TYPES + ".");
    }
    Responses.json(ctx, 200, subscriptions.search(owner(p), QueryParams.optional(ctx, "programID", 128),
        QueryParams.optional(ctx, "clientName", 128), objects, QueryParams.integer(ctx, "skip", 0, 0, Integer.MAX_VALUE),
        QueryParams.integer(ctx, "limit", 50, 0, 50)), l -> Oadr3Json.list(l, Subscription::toJson));
  }

  private void create(RoutingContext ctx) {
    var draft = SubscriptionRequests.read(JsonBodies.object(ctx), subscriptions.policy());
    Responses.json(ctx, 201, subscriptions.create(Authenticator.actor(ctx), draft), s -> {
      ctx.response().putHeader("Location", BASE + "/subscriptions/" + s.id());
      return s.toJson();
    });
  }

  private void get(RoutingContext ctx) {
    Principal p = Authenticator.principal(ctx);
    Responses.json(ctx, 200, subscriptions.get(owner(p), ctx.pathParam("subscriptionID")), Subscription::toJson);
  }

  private void update(RoutingContext ctx) {
    Principal p = Authenticator.principal(ctx);
    var draft = SubscriptionRequests.read(JsonBodies.object(ctx), subscriptions.policy());
    Responses.json(ctx, 200, subscriptions.update(Authenticator.actor(ctx), owner(p), ctx.pathParam("subscriptionID"), draft),
        Subscription::toJson);
  }

  private void delete(RoutingContext ctx) {
    Principal p = Authenticator.principal(ctx);
    Responses.json(ctx, 200, subscriptions.delete(Authenticator.actor(ctx), owner(p), ctx.pathParam("subscriptionID")),
        Subscription::toJson);
  }

  private void deliveries(RoutingContext ctx) {
    Principal p = Authenticator.principal(ctx);
    String status = QueryParams.optional(ctx, "status", 16);
    if (status != null && !List.of("PENDING", "DELIVERED", "DEAD").contains(status)) {
      throw Problem.validation("Query parameter 'status' is PENDING, DELIVERED or DEAD.");
    }
    Responses.json(ctx, 200, webhooks.list(owner(p), QueryParams.optional(ctx, "subscriptionID", 128), status,
        QueryParams.optionalLong(ctx, "before"), QueryParams.integer(ctx, "limit", 100, 1, 1000)), JsonArray::new);
  }

  private void retry(RoutingContext ctx) {
    Principal p = Authenticator.principal(ctx);
    long id;
    try {
      id = Long.parseLong(ctx.pathParam("deliveryID"));
    } catch (NumberFormatException e) {
      throw Problem.notFound("No delivery '" + ctx.pathParam("deliveryID") + "'.");
    }
    Responses.json(ctx, 202, webhooks.retry(id, owner(p)).map(ok -> {
      if (!ok) {
        throw Problem.notFound("No dead delivery " + id + " of yours.");
      }
      return new JsonObject().put("id", id).put("status", "PENDING");
    }), o -> o);
  }
}
