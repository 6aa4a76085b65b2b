package io.loadshift.vtn.oadr3;

import static io.loadshift.vtn.auth.Scopes.READ_ALL;
import static io.loadshift.vtn.auth.Scopes.READ_TARGETS;
import static io.loadshift.vtn.auth.Scopes.WRITE_PROGRAMS;
import static io.loadshift.vtn.oadr3.VenRoutes.BASE;

import io.loadshift.vtn.auth.Authenticator;
import io.loadshift.vtn.party.VenViews;
import io.loadshift.vtn.platform.http.JsonBodies;
import io.loadshift.vtn.platform.http.MediaTypes;
import io.loadshift.vtn.platform.http.QueryParams;
import io.loadshift.vtn.platform.http.Responses;
import io.loadshift.vtn.platform.http.RouteModule;
import io.loadshift.vtn.program.Program;
import io.loadshift.vtn.program.ProgramRequests;
import io.loadshift.vtn.program.ProgramService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** OpenADR 3.1 {@code /programs}: utilities write, every client reads what targets it. */
public final class ProgramRoutes implements RouteModule {
  private final Authenticator auth;
  private final ProgramService programs;
  private final VenViews views;

  public ProgramRoutes(Authenticator auth, ProgramService programs, VenViews views) {
    this.auth = auth;
    this.programs = programs;
    this.views = views;
  }

  @Override
  public void mount(Router router) {
    router.route(BASE + "/programs").handler(auth.bearer());
    router.route(BASE + "/programs/*").handler(auth.bearer());
    router.get(BASE + "/programs").handler(Authenticator.anyScope(READ_ALL, READ_TARGETS)).handler(this::search);
    router.post(BASE + "/programs").handler(Authenticator.anyScope(WRITE_PROGRAMS)).handler(MediaTypes.json())
        .handler(this::create);
    router.get(BASE + "/programs/:programID").handler(Authenticator.anyScope(READ_ALL, READ_TARGETS)).handler(this::get);
    router.put(BASE + "/programs/:programID").handler(Authenticator.anyScope(WRITE_PROGRAMS)).handler(MediaTypes.json())
        .handler(this::update);
    router.delete(BASE + "/programs/:programID").handler(Authenticator.anyScope(WRITE_PROGRAMS)).handler(this::delete);
  }

  private void search(RoutingContext ctx) {
    var queryTargets = VenRoutes.targets(ctx);
    int skip = QueryParams.integer(ctx, "skip", 0, 0, Integer.MAX_VALUE);
    int limit = QueryParams.integer(ctx, "limit", 50, 0, 50);
    Responses.json(ctx, 200, views.of(Authenticator.principal(ctx)).compose(view ->
        programs.search(view, queryTargets, skip, limit).map(list -> {
          JsonArray out = new JsonArray();
          list.forEach(p -> out.add(shown(p, view)));
          return out;
        })), a -> a);
  }

  private void create(RoutingContext ctx) {
    var draft = ProgramRequests.read(JsonBodies.object(ctx));
    Responses.json(ctx, 201, programs.create(Authenticator.actor(ctx), draft), p -> {
      ctx.response().putHeader("Location", BASE + "/programs/" + p.id());
      return p.toJson();
    });
  }

  private void get(RoutingContext ctx) {
    String id = ctx.pathParam("programID");
    Responses.json(ctx, 200, views.of(Authenticator.principal(ctx))
        .compose(view -> programs.get(id, view).map(p -> shown(p, view))), o -> o);
  }

  private void update(RoutingContext ctx) {
    var draft = ProgramRequests.read(JsonBodies.object(ctx));
    Responses.json(ctx, 200, programs.update(Authenticator.actor(ctx), ctx.pathParam("programID"), draft), Program::toJson);
  }

  private void delete(RoutingContext ctx) {
    Responses.json(ctx, 200, programs.delete(Authenticator.actor(ctx), ctx.pathParam("programID")), Program::toJson);
  }

  private static JsonObject shown(Program p, VenViews.View view) {
    return view == null ? p.toJson() : p.toJson(view.shown(p.targets()));
  }
}
