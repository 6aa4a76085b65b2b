package io.loadshift.vtn.oadr3;

import static io.loadshift.vtn.auth.Scopes.READ_ALL;
import static io.loadshift.vtn.auth.Scopes.READ_VEN_OBJECTS;
import static io.loadshift.vtn.auth.Scopes.WRITE_VENS;
import static io.loadshift.vtn.oadr3.VenRoutes.BASE;

import io.loadshift.vtn.auth.Authenticator;
import io.loadshift.vtn.auth.Principal;
import io.loadshift.vtn.auth.Role;
import io.loadshift.vtn.der.DerStatus;
import io.loadshift.vtn.der.DerType;
import io.loadshift.vtn.der.Resource;
import io.loadshift.vtn.der.ResourceDraft;
import io.loadshift.vtn.der.ResourceQuery;
import io.loadshift.vtn.der.ResourceRequests;
import io.loadshift.vtn.der.ResourceService;
import io.loadshift.vtn.party.Reach;
import io.loadshift.vtn.platform.http.JsonBodies;
import io.loadshift.vtn.platform.http.MediaTypes;
import io.loadshift.vtn.platform.http.Problem;
import io.loadshift.vtn.platform.http.QueryParams;
import io.loadshift.vtn.platform.http.Responses;
import io.loadshift.vtn.platform.http.RouteModule;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;

/**
 * OpenADR 3.1 {@code /resources}, and the per-VEN form {@code /vens/{venID}/resources} that 3.0
 * clients use. Besides the spec's filters, listing takes {@code derType}, {@code status},
 * {@code zone} and {@code feeder}.
 */
public final class ResourceRoutes implements RouteModule {
  private final Authenticator auth;
  private final ResourceService resources;

  public ResourceRoutes(Authenticator auth, ResourceService resources) {
    this.auth = auth;
    this.resources = resources;
  }

  @Override
  public void mount(Router router) {
    router.route(BASE + "/resources").handler(auth.bearer());
    router.route(BASE + "/resources/*").handler(auth.bearer());
    router.get(BASE + "/resources").handler(Authenticator.anyScope(READ_ALL, READ_VEN_OBJECTS)).handler(ctx -> search(ctx, null));
    router.post(BASE + "/resources").handler(Authenticator.anyScope(WRITE_VENS)).handler(MediaTypes.json())
        .handler(ctx -> create(ctx, null));
    router.get(BASE + "/resources/:resourceID").handler(Authenticator.anyScope(READ_ALL, READ_VEN_OBJECTS))
        .handler(ctx -> get(ctx, null));
    router.put(BASE + "/resources/:resourceID").handler(Authenticator.anyScope(WRITE_VENS)).handler(MediaTypes.json())
        .handler(ctx -> update(ctx, null));
    router.delete(BASE + "/resources/:resourceID").handler(Authenticator.anyScope(WRITE_VENS)).handler(ctx -> delete(ctx, null));

    String perVen = BASE + "/vens/:venID/resources";
    router.get(perVen).handler(Authenticator.anyScope(READ_ALL, READ_VEN_OBJECTS)).handler(ctx -> search(ctx, ctx.pathParam("venID")));
    router.post(perVen).handler(Authenticator.anyScope(WRITE_VENS)).handler(MediaTypes.json())
        .handler(ctx -> create(ctx, ctx.pathParam("venID")));
    router.get(perVen + "/:resourceID").handler(Authenticator.anyScope(READ_ALL, READ_VEN_OBJECTS))
        .handler(ctx -> get(ctx, ctx.pathParam("venID")));
    router.put(perVen + "/:resourceID").handler(Authenticator.anyScope(WRITE_VENS)).handler(MediaTypes.json())
        .handler(ctx -> update(ctx, ctx.pathParam("venID")));
    router.delete(perVen + "/:resourceID").handler(Authenticator.anyScope(WRITE_VENS))
        .handler(ctx -> delete(ctx, ctx.pathParam("venID")));
  }

  private void search(RoutingContext ctx, String pathVenId) {
    Principal p = Authenticator.principal(ctx);
    String venId = pathVenId != null ? pathVenId : QueryParams.optional(ctx, "venID", 128);
    ResourceQuery q = query(ctx, venId);
    int skip = QueryParams.integer(ctx, "skip", 0, 0, Integer.MAX_VALUE);
    int limit = QueryParams.integer(ctx, "limit", 50, 0, 50);
    Responses.json(ctx, 200, resources.search(q, Reach.of(p), skip, limit), l -> Oadr3Json.list(l, Oadr3Json::resource));
  }

  /** The listing filters shared with the fleet API. */
  public static ResourceQuery query(RoutingContext ctx, String venId) {
    String type = QueryParams.optional(ctx, "derType", 32);
    String status = QueryParams.optional(ctx, "status", 32);
    return new ResourceQuery(venId, QueryParams.optional(ctx, "resourceName", 128), VenRoutes.targets(ctx),
        type == null ? null : DerType.parse(type).orElseThrow(() ->
            Problem.validation("Query parameter 'derType' must be one of " + Arrays.toString(DerType.values()) + ".")),
        status == null ? null : DerStatus.parse(status).orElseThrow(() ->
            Problem.validation("Query parameter 'status' must be one of " + Arrays.toString(DerStatus.values()) + ".")),
        QueryParams.optional(ctx, "zone", 64), QueryParams.optional(ctx, "feeder", 64), null);
  }

  private void create(RoutingContext ctx, String pathVenId) {
    Principal p = Authenticator.principal(ctx);
    ResourceDraft draft = read(ctx, p, pathVenId);
    Responses.json(ctx, 201, resources.create(Authenticator.actor(ctx), Reach.of(p), draft), r -> {
      ctx.response().putHeader("Location", BASE + "/resources/" + r.id());
      return Oadr3Json.resource(r);
    });
  }

  private void get(RoutingContext ctx, String pathVenId) {
    Reach reach = Reach.of(Authenticator.principal(ctx));
    Responses.json(ctx, 200, within(resources.get(ctx.pathParam("resourceID"), reach), pathVenId), Oadr3Json::resource);
  }

  private void update(RoutingContext ctx, String pathVenId) {
    Principal p = Authenticator.principal(ctx);
    ResourceDraft draft = read(ctx, p, pathVenId);
    Reach reach = Reach.of(p);
    String id = ctx.pathParam("resourceID");
    Future<Resource> checked = pathVenId == null ? Future.succeededFuture() : within(resources.get(id, reach), pathVenId);
    Responses.json(ctx, 200, checked.compose(v -> resources.update(Authenticator.actor(ctx), reach, id, draft)), Oadr3Json::resource);
  }

  private void delete(RoutingContext ctx, String pathVenId) {
    Principal p = Authenticator.principal(ctx);
    Reach reach = Reach.of(p);
    String id = ctx.pathParam("resourceID");
    Future<Resource> checked = pathVenId == null ? Future.succeededFuture() : within(resources.get(id, reach), pathVenId);
    Responses.json(ctx, 200, checked.compose(v -> resources.delete(Authenticator.actor(ctx), reach, id)), Oadr3Json::resource);
  }

  /** Under /vens/{venID}/resources, a resource of another VEN is not there. */
  private static Future<Resource> within(Future<Resource> found, String venId) {
    if (venId == null) {
      return found;
    }
    return found.map(r -> {
      if (!r.venId().equals(venId)) {
        throw Problem.notFound("No resource '" + r.id() + "' under VEN '" + venId + "'.");
      }
      return r;
    });
  }

  private static ResourceDraft read(RoutingContext ctx, Principal p, String pathVenId) {
    return ResourceRequests.read(JsonBodies.object(ctx), p.role() == Role.VEN,
        p.operator(), pathVenId, true);
  }
}
