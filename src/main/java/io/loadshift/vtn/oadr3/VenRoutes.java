package io.loadshift.vtn.oadr3;

import static io.loadshift.vtn.auth.Scopes.READ_ALL;
import static io.loadshift.vtn.auth.Scopes.READ_VEN_OBJECTS;
import static io.loadshift.vtn.auth.Scopes.WRITE_VENS;

import io.loadshift.vtn.auth.Authenticator;
import io.loadshift.vtn.auth.Principal;
import io.loadshift.vtn.auth.Role;
import io.loadshift.vtn.party.Reach;
import io.loadshift.vtn.party.VenDraft;
import io.loadshift.vtn.party.VenService;
import io.loadshift.vtn.platform.http.JsonBodies;
import io.loadshift.vtn.platform.http.JsonFields;
import io.loadshift.vtn.platform.http.MediaTypes;
import io.loadshift.vtn.platform.http.Problem;
import io.loadshift.vtn.platform.http.QueryParams;
import io.loadshift.vtn.platform.http.Responses;
import io.loadshift.vtn.platform.http.RouteModule;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;

/**
 * OpenADR 3.1 {@code /vens}: a VEN registers itself with VEN_VEN_REQUEST (its clientID comes from
 * its token); a utility or aggregator registers one with BL_VEN_REQUEST for a given clientID.
 */
public final class VenRoutes implements RouteModule {
  static final String BASE = "/openadr3/3.1.0";
  static final String VEN_REQUEST = "VEN_VEN_REQUEST";
  static final String BL_REQUEST = "BL_VEN_REQUEST";
  private static final Set<String> FIELDS = Set.of("objectType", "venName", "clientID", "targets", "attributes",
      "id", "createdDateTime", "modificationDateTime");

  private final Authenticator auth;
  private final VenService vens;

  public VenRoutes(Authenticator auth, VenService vens) {
    this.auth = auth;
    this.vens = vens;
  }

  @Override
  public void mount(Router router) {
    router.route(BASE + "/vens").handler(auth.bearer());
    router.route(BASE + "/vens/*").handler(auth.bearer());
    router.get(BASE + "/vens").handler(Authenticator.anyScope(READ_ALL, READ_VEN_OBJECTS)).handler(this::search);
    router.post(BASE + "/vens").handler(Authenticator.anyScope(WRITE_VENS)).handler(MediaTypes.json()).handler(this::create);
    router.get(BASE + "/vens/:venID").handler(Authenticator.anyScope(READ_ALL, READ_VEN_OBJECTS)).handler(this::get);
    router.put(BASE + "/vens/:venID").handler(Authenticator.anyScope(WRITE_VENS)).handler(MediaTypes.json()).handler(this::update);
    router.delete(BASE + "/vens/:venID").handler(Authenticator.anyScope(WRITE_VENS)).handler(this::delete);
  }

  private void search(RoutingContext ctx) {
    Principal p = Authenticator.principal(ctx);
    String venName = QueryParams.optional(ctx, "venName", 128);
    List<String> targets = targets(ctx);
    int skip = QueryParams.integer(ctx, "skip", 0, 0, Integer.MAX_VALUE);
    int limit = QueryParams.integer(ctx, "limit", 50, 0, 50);
    Responses.json(ctx, 200, vens.search(venName, targets, Reach.of(p), skip, limit), l -> Oadr3Json.list(l, Oadr3Json::ven));
  }

  private void create(RoutingContext ctx) {
    Principal p = Authenticator.principal(ctx);
    Request r = read(ctx, p);
    String clientId = r.self() ? p.clientId() : r.draft().clientId();
    Responses.json(ctx, 201, vens.create(Authenticator.actor(ctx), r.draft(), clientId), v -> {
      ctx.response().putHeader("Location", BASE + "/vens/" + v.id());
      return Oadr3Json.ven(v);
    });
  }

  private void get(RoutingContext ctx) {
    Reach reach = Reach.of(Authenticator.principal(ctx));
    Responses.json(ctx, 200, vens.get(ctx.pathParam("venID"), reach), Oadr3Json::ven);
  }

  private void update(RoutingContext ctx) {
    Principal p = Authenticator.principal(ctx);
    Request r = read(ctx, p);
    Responses.json(ctx, 200, vens.update(Authenticator.actor(ctx), Reach.of(p), ctx.pathParam("venID"), r.draft(),
        r.self() ? null : r.draft().clientId()), Oadr3Json::ven);
  }

  private void delete(RoutingContext ctx) {
    Principal p = Authenticator.principal(ctx);
    Responses.json(ctx, 200, vens.delete(Authenticator.actor(ctx), Reach.of(p), ctx.pathParam("venID")), Oadr3Json::ven);
  }

  private record Request(VenDraft draft, boolean self) {}

  /** Reads a venRequest, holding each kind of caller to its own request kind. */
  private static Request read(RoutingContext ctx, Principal p) {
    JsonObject body = JsonBodies.object(ctx);
    JsonFields.rejectUnknown(body, FIELDS);
    String objectType = JsonFields.requiredString(body, "objectType", 64);
    boolean venRole = p.role() == Role.VEN;
    if (!objectType.equals(VEN_REQUEST) && !objectType.equals(BL_REQUEST)) {
      throw Problem.validation("'objectType' must be " + VEN_REQUEST + " or " + BL_REQUEST + ".");
    }
    if (venRole && objectType.equals(BL_REQUEST)) {
      throw Problem.forbidden("A VEN registers itself with " + VEN_REQUEST + "; " + BL_REQUEST + " is for business logic.");
    }
    if (!venRole && objectType.equals(VEN_REQUEST)) {
      throw Problem.forbidden(VEN_REQUEST + " is for a VEN registering itself; use " + BL_REQUEST + " with the VEN's clientID.");
    }
    String venName = JsonFields.requiredString(body, "venName", 128);
    String clientId = venRole ? null : JsonFields.requiredString(body, "clientID", 128);
    if (venRole && body.getValue("clientID") != null) {
      throw Problem.validation("A VEN does not send clientID; it is taken from its token.");
    }
    List<String> targets = JsonFields.stringList(body, "targets", 100, 128);
    boolean mayTarget = p.operator();
    if (targets != null && !targets.isEmpty() && !mayTarget) {
      throw Problem.forbidden("Only a utility may set targets.");
    }
    return new Request(new VenDraft(venName, clientId, mayTarget ? targets : null,
        JsonFields.valuesMaps(body, "attributes", 100, 16)), venRole);
  }

  static List<String> targets(RoutingContext ctx) {
    List<String> t = ctx.queryParam("targets");
    if (t == null || t.isEmpty()) {
      return null;
    }
    for (String s : t) {
      if (s.isEmpty() || s.length() > 128) {
        throw Problem.validation("Query parameter 'targets' entries must be 1 to 128 characters.");
      }
    }
    return t;
  }
}
