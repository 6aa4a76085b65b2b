package io.loadshift.vtn.oadr3;

import static io.loadshift.vtn.auth.Scopes.READ_ALL;
import static io.loadshift.vtn.auth.Scopes.READ_VEN_OBJECTS;
import static io.loadshift.vtn.auth.Scopes.WRITE_REPORTS;
import static io.loadshift.vtn.oadr3.VenRoutes.BASE;

import io.loadshift.vtn.auth.Authenticator;
import io.loadshift.vtn.auth.Principal;
import io.loadshift.vtn.platform.http.JsonBodies;
import io.loadshift.vtn.platform.http.MediaTypes;
import io.loadshift.vtn.platform.http.QueryParams;
import io.loadshift.vtn.platform.http.Responses;
import io.loadshift.vtn.platform.http.RouteModule;
import io.loadshift.vtn.telemetry.ReportRequests;
import io.loadshift.vtn.telemetry.ReportService;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** OpenADR 3.1 {@code /reports}: VENs write (their readings go to the telemetry store), operators read all. */
public final class ReportRoutes implements RouteModule {
  private final Authenticator auth;
  private final ReportService reports;

  public ReportRoutes(Authenticator auth, ReportService reports) {
    this.auth = auth;
    this.reports = reports;
  }

  @Override
  public void mount(Router router) {
    router.route(BASE + "/reports").handler(auth.bearer());
    router.route(BASE + "/reports/*").handler(auth.bearer());
    router.get(BASE + "/reports").handler(Authenticator.anyScope(READ_ALL, READ_VEN_OBJECTS)).handler(this::search);
    router.post(BASE + "/reports").handler(Authenticator.anyScope(WRITE_REPORTS)).handler(MediaTypes.json()).handler(this::create);
    router.get(BASE + "/reports/:reportID").handler(Authenticator.anyScope(READ_ALL, READ_VEN_OBJECTS)).handler(this::get);
    router.put(BASE + "/reports/:reportID").handler(Authenticator.anyScope(WRITE_REPORTS)).handler(MediaTypes.json())
        .handler(this::update);
    router.delete(BASE + "/reports/:reportID").handler(Authenticator.anyScope(WRITE_REPORTS)).handler(this::delete);
  }

  private void search(RoutingContext ctx) {
    Principal p = Authenticator.principal(ctx);
    Responses.json(ctx, 200, reports.search(p, QueryParams.optional(ctx, "eventID", 128),
        QueryParams.optional(ctx, "clientName", 128), QueryParams.optional(ctx, "programID", 128),
        QueryParams.integer(ctx, "skip", 0, 0, Integer.MAX_VALUE), QueryParams.integer(ctx, "limit", 50, 0, 50)),
        l -> Oadr3Json.list(l, ReportService.Report::toJson));
  }

  private void create(RoutingContext ctx) {
    var draft = ReportRequests.read(JsonBodies.object(ctx));
    Responses.json(ctx, 201, reports.create(Authenticator.principal(ctx), Authenticator.actor(ctx), draft), r -> {
      ctx.response().putHeader("Location", BASE + "/reports/" + r.id());
      return r.toJson();
    });
  }

  private void get(RoutingContext ctx) {
    Responses.json(ctx, 200, reports.get(Authenticator.principal(ctx), ctx.pathParam("reportID")), ReportService.Report::toJson);
  }

  private void update(RoutingContext ctx) {
    var draft = ReportRequests.read(JsonBodies.object(ctx));
    Responses.json(ctx, 200, reports.update(Authenticator.principal(ctx), Authenticator.actor(ctx), ctx.pathParam("reportID"),
        draft), ReportService.Report::toJson);
  }

  private void delete(RoutingContext ctx) {
    Responses.json(ctx, 200, reports.delete(Authenticator.principal(ctx), Authenticator.actor(ctx), ctx.pathParam("reportID")),
        ReportService.Report::toJson);
  }
}
