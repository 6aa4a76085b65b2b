package io.loadshift.vtn.admin;

import io.loadshift.vtn.audit.AuditQuery;
import io.loadshift.vtn.audit.AuditService;
import io.loadshift.vtn.auth.Authenticator;
import io.loadshift.vtn.auth.Client;
import io.loadshift.vtn.auth.ClientService;
import io.loadshift.vtn.auth.Role;
import io.loadshift.vtn.auth.Scopes;
import io.loadshift.vtn.platform.http.JsonBodies;
import io.loadshift.vtn.platform.http.JsonFields;
import io.loadshift.vtn.platform.http.MediaTypes;
import io.loadshift.vtn.platform.http.Problem;
import io.loadshift.vtn.platform.http.QueryParams;
import io.loadshift.vtn.platform.http.Responses;
import io.loadshift.vtn.platform.http.RouteModule;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.Set;

/** The operator's API: clients and their roles, and the audit log. Admin scope only. */
public final class AdminRoutes implements RouteModule {
  private static final Set<String> CLIENT_FIELDS = Set.of("role", "name");
  private static final Set<String> PATCH_FIELDS = Set.of("enabled");

  private final Authenticator auth;
  private final ClientService clients;
  private final AuditService audit;
  private final Pool pool;

  public AdminRoutes(Authenticator auth, ClientService clients, AuditService audit, Pool pool) {
    this.auth = auth;
    this.clients = clients;
    this.audit = audit;
    this.pool = pool;
  }

  @Override
  public void mount(Router router) {
    router.route("/admin/*").handler(auth.bearer()).handler(Authenticator.anyScope(Scopes.ADMIN));
    router.post("/admin/clients").handler(MediaTypes.json()).handler(this::create);
    router.get("/admin/clients").handler(this::list);
    router.get("/admin/clients/:clientId").handler(this::get);
    router.patch("/admin/clients/:clientId").handler(MediaTypes.json()).handler(this::patch);
    router.get("/admin/audit").handler(this::auditLog);
  }

  private void create(RoutingContext ctx) {
    JsonObject body = JsonBodies.object(ctx);
    JsonFields.rejectUnknown(body, CLIENT_FIELDS);
    Object roleValue = body.getValue("role");
    Role role = roleValue instanceof String s ? Role.fromWire(s).orElse(null) : null;
    if (role == null) {
      throw Problem.validation("'role' must be one of admin, utility, aggregator, ven.");
    }
    String name = JsonFields.requiredString(body, "name", 200).trim();
    if (name.isEmpty()) {
      throw Problem.validation("'name' must not be blank.");
    }
    Responses.json(ctx, 201, clients.create(Authenticator.actor(ctx), role, name), created -> {
      ctx.response().putHeader("Location", "/admin/clients/" + created.client().clientId());
      return created.toJson();
    });
  }

  private void list(RoutingContext ctx) {
    String roleParam = QueryParams.optional(ctx, "role", 32);
    Role role = null;
    if (roleParam != null) {
      role = Role.fromWire(roleParam).orElseThrow(() ->
          Problem.validation("Query parameter 'role' must be one of admin, utility, aggregator, ven."));
    }
    int skip = QueryParams.integer(ctx, "skip", 0, 0, Integer.MAX_VALUE);
    int limit = QueryParams.integer(ctx, "limit", 50, 1, 500);
    Responses.json(ctx, 200, clients.list(role, skip, limit), AdminRoutes::clientsJson);
  }

  private void get(RoutingContext ctx) {
    Responses.json(ctx, 200, clients.get(ctx.pathParam("clientId")), Client::toJson);
  }

  private void patch(RoutingContext ctx) {
    JsonObject body = JsonBodies.object(ctx);
    JsonFields.rejectUnknown(body, PATCH_FIELDS);
    if (!(body.getValue("enabled") instanceof Boolean enabled)) {
      throw Problem.validation("'enabled' must be true or false.");
    }
    Responses.json(ctx, 200, clients.setEnabled(Authenticator.actor(ctx), ctx.pathParam("clientId"), enabled), Client::toJson);
  }

  private void auditLog(RoutingContext ctx) {
    AuditQuery q = new AuditQuery(
        QueryParams.optional(ctx, "objectType", 64),
        QueryParams.optional(ctx, "objectId", 200),
        QueryParams.optional(ctx, "actor", 128),
        QueryParams.optionalLong(ctx, "before"),
        QueryParams.integer(ctx, "limit", 100, 1, 1000));
    Responses.json(ctx, 200, audit.find(pool, q), entries -> {
      JsonArray out = new JsonArray();
      entries.forEach(e -> out.add(e.toJson()));
      return out;
    });
  }

  private static JsonArray clientsJson(List<Client> list) {
    JsonArray out = new JsonArray();
    list.forEach(c -> out.add(c.toJson()));
    return out;
  }
}
