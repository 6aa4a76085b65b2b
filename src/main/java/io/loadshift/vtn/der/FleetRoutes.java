package io.loadshift.vtn.der;

import static io.loadshift.vtn.auth.Scopes.READ_ALL;
import static io.loadshift.vtn.auth.Scopes.READ_VEN_OBJECTS;
import static io.loadshift.vtn.auth.Scopes.WRITE_VENS;

import io.loadshift.vtn.auth.Authenticator;
import io.loadshift.vtn.auth.Principal;
import io.loadshift.vtn.auth.Role;
import io.loadshift.vtn.party.Reach;
import io.loadshift.vtn.platform.http.JsonBodies;
import io.loadshift.vtn.platform.http.JsonFields;
import io.loadshift.vtn.platform.http.MediaTypes;
import io.loadshift.vtn.platform.http.Problem;
import io.loadshift.vtn.platform.http.Problems;
import io.loadshift.vtn.platform.http.QueryParams;
import io.loadshift.vtn.platform.http.Responses;
import io.loadshift.vtn.platform.http.RouteModule;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The fleet API for grid operators and aggregators (Loadshift's own, beside OpenADR): figures,
 * a filtered DER list, one DER with its status history, status changes, and bulk registration.
 */
public final class FleetRoutes implements RouteModule {
  public static final String BULK_PATH = "/fleet/ders/bulk";
  private static final Set<String> STATUS_FIELDS = Set.of("status", "reason");

  private final Authenticator auth;
  private final ResourceService resources;
  private final FleetService fleet;
  private final int maxBulkItems;

  public FleetRoutes(Authenticator auth, ResourceService resources, FleetService fleet, int maxBulkItems) {
    this.auth = auth;
    this.resources = resources;
    this.fleet = fleet;
    this.maxBulkItems = maxBulkItems;
  }

  @Override
  public Set<String> largeBodyPaths() {
    return Set.of(BULK_PATH);
  }

  @Override
  public void mount(Router router) {
    router.route("/fleet/*").handler(auth.bearer());
    router.get("/fleet/stats").handler(Authenticator.anyScope(READ_ALL, READ_VEN_OBJECTS)).handler(this::stats);
    router.post(BULK_PATH).handler(Authenticator.anyScope(WRITE_VENS)).handler(MediaTypes.json()).handler(this::bulk);
    router.get("/fleet/ders").handler(Authenticator.anyScope(READ_ALL, READ_VEN_OBJECTS)).handler(this::list);
    router.get("/fleet/ders/:resourceID").handler(Authenticator.anyScope(READ_ALL, READ_VEN_OBJECTS)).handler(this::one);
    router.put("/fleet/ders/:resourceID/status").handler(Authenticator.anyScope(WRITE_VENS)).handler(MediaTypes.json())
        .handler(this::status);
  }

  private void stats(RoutingContext ctx) {
    Principal p = Authenticator.principal(ctx);
    if (p.role() == Role.VEN) {
      throw Problem.forbidden("Fleet figures are for utilities and aggregators.");
    }
    int days = QueryParams.integer(ctx, "days", 7, 1, 366);
    Responses.json(ctx, 200, fleet.stats(Reach.of(p), Duration.ofDays(days)), s -> s);
  }

  private void list(RoutingContext ctx) {
    Principal p = Authenticator.principal(ctx);
    ResourceQuery base = io.loadshift.vtn.oadr3.ResourceRoutes.query(ctx, QueryParams.optional(ctx, "venID", 128));
    ResourceQuery q = new ResourceQuery(base.venId(), base.resourceName(), base.targets(), base.derType(), base.status(),
        base.zone(), base.feeder(), QueryParams.optional(ctx, "owner", 128));
    int skip = QueryParams.integer(ctx, "skip", 0, 0, Integer.MAX_VALUE);
    int limit = QueryParams.integer(ctx, "limit", 100, 0, 1000);
    Responses.json(ctx, 200, resources.search(q, Reach.of(p), skip, limit), l -> {
      JsonArray out = new JsonArray();
      l.forEach(r -> out.add(der(r)));
      return out;
    });
  }

  private void one(RoutingContext ctx) {
    Principal p = Authenticator.principal(ctx);
    String id = ctx.pathParam("resourceID");
    Responses.json(ctx, 200, resources.get(id, Reach.of(p))
        .compose(r -> resources.history(id, 500).map(h -> {
          JsonArray history = new JsonArray();
          h.forEach(c -> history.add(new JsonObject().put("status", c.status().name())
              .put("since", c.since().toInstant().toString())
              .put("until", c.until() == null ? null : c.until().toInstant().toString())
              .put("changedBy", c.changedBy()).put("reason", c.reason())));
          return der(r).put("history", history);
        })), d -> d);
  }

  private void status(RoutingContext ctx) {
    Principal p = Authenticator.principal(ctx);
    JsonObject body = JsonBodies.object(ctx);
    JsonFields.rejectUnknown(body, STATUS_FIELDS);
    String s = JsonFields.requiredString(body, "status", 32);
    DerStatus status = DerStatus.parse(s).orElseThrow(() ->
        Problem.validation("'status' must be one of " + Arrays.toString(DerStatus.values()) + "."));
    String reason = JsonFields.optionalString(body, "reason", 500);
    Responses.json(ctx, 200, resources.setStatus(Authenticator.actor(ctx), Reach.of(p), ctx.pathParam("resourceID"),
        status, reason), FleetRoutes::der);
  }

  /**
   * Body: {@code {"resources": [resource request, ...]}} or the bare array. Items are OpenADR 3.1
   * resource requests; objectType may be left out.
   */
  private void bulk(RoutingContext ctx) {
    Principal p = Authenticator.principal(ctx);
    // Parsing and checking tens of megabytes of JSON would stall the event loop: do it on a worker.
    Future<List<ResourceDraft>> drafts = ctx.vertx().executeBlocking(() -> readBulk(ctx.body().buffer(), p), false);
    Responses.json(ctx, 201, drafts.compose(d -> resources.createMany(Authenticator.actor(ctx), Reach.of(p), d)
        .map(result -> {
          JsonArray created = new JsonArray();
          for (int i = 0; i < result.ids().size(); i++) {
            created.add(new JsonObject().put("id", result.ids().get(i)).put("resourceName", d.get(i).resourceName())
                .put("venID", d.get(i).venId()));
          }
          return new JsonObject().put("created", result.ids().size()).put("resources", created);
        })), r -> r);
  }

  private List<ResourceDraft> readBulk(Buffer body, Principal p) {
    Object parsed;
    try {
      parsed = body == null ? null : Json.decodeValue(body);
    } catch (DecodeException e) {
      throw Problems.malformedJson(e.getMessage());
    }
    JsonArray items = parsed instanceof JsonArray a ? a
        : parsed instanceof JsonObject o && o.getValue("resources") instanceof JsonArray a2 ? a2 : null;
    if (items == null) {
      throw Problem.validation("The body must be {\"resources\": [...]} or an array of resource requests.");
    }
    if (items.isEmpty() || items.size() > maxBulkItems) {
      throw Problem.validation("A bulk registration has 1 to " + maxBulkItems + " resources, not " + items.size() + ".");
    }
    boolean venRole = p.role() == Role.VEN;
    boolean mayTarget = p.operator();
    List<ResourceDraft> drafts = new ArrayList<>(items.size());
    JsonArray errors = new JsonArray();
    int errorCount = 0;
    for (int i = 0; i < items.size(); i++) {
      Object item = items.getValue(i);
      try {
        if (!(item instanceof JsonObject o)) {
          throw Problem.validation("an item must be a JSON object");
        }
        drafts.add(ResourceRequests.read(o, venRole, mayTarget, null, false));
      } catch (Problem e) {
        errorCount++;
        if (errors.size() < ResourceService.MAX_LISTED_ERRORS) {
          errors.add(new JsonObject().put("index", i)
              .put("resourceName", item instanceof JsonObject o ? o.getValue("resourceName") : null)
              .put("detail", e.detail()));
        }
      }
    }
    if (errorCount > 0) {
      throw new Problem(422, "bulk-rejected", "Bulk registration refused",
          errorCount + " problems in " + items.size() + " items; nothing was stored.",
          new JsonObject().put("errorCount", errorCount).put("errors", errors));
    }
    return drafts;
  }

  /** The fleet view of a resource: DER fields by name, money as exact decimal strings. */
  static JsonObject der(Resource r) {
    DerSpec s = r.spec();
    return new JsonObject()
        .put("id", r.id())
        .put("resourceName", r.resourceName())
        .put("venID", r.venId())
        .put("clientID", r.clientId())
        .put("owner", r.owner())
        .put("derType", s.derType() == null ? null : s.derType().name())
        .put("capacityKw", s.capacityKw() == null ? null : DerAttributes.number(s.capacityKw()))
        .put("energyCapacityKwh", s.energyCapacityKwh() == null ? null : DerAttributes.number(s.energyCapacityKwh()))
        .put("stateOfCharge", s.stateOfCharge() == null ? null : DerAttributes.number(s.stateOfCharge()))
        .put("location", s.latitude() == null ? null
            : new JsonObject().put("latitude", s.latitude()).put("longitude", s.longitude()))
        .put("zone", s.zone())
        .put("feeder", s.feeder())
        .put("bidPricePerKw", s.bidPricePerKw() == null ? null : s.bidPricePerKw().setScale(7).toPlainString())
        .put("status", r.status().name())
        .put("statusSince", r.statusSince() == null ? null : r.statusSince().toInstant().toString())
        .put("targets", new JsonArray(r.targets()))
        .put("createdDateTime", r.createdAt() == null ? null : r.createdAt().toInstant().toString())
        .put("modificationDateTime", r.modifiedAt() == null ? null : r.modifiedAt().toInstant().toString());
  }
}
