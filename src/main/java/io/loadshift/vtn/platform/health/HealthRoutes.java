package io.loadshift.vtn.platform.health;

import io.loadshift.vtn.platform.http.JsonBodies;
import io.loadshift.vtn.platform.http.Problem;
import io.loadshift.vtn.platform.http.Problems;
import io.loadshift.vtn.platform.http.RouteModule;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;

/**
 * Liveness (the process answers) and readiness (it can reach PostgreSQL, within two seconds).
 * Readiness fails with 503 while the database is out of reach and recovers by itself.
 */
public final class HealthRoutes implements RouteModule {
  private static final Buffer LIVE = new JsonObject().put("status", "UP").toBuffer();

  private final Pool pool;

  public HealthRoutes(Pool pool) {
    this.pool = pool;
  }

  @Override
  public void mount(Router router) {
    router.get("/health/live").handler(ctx ->
        ctx.response().putHeader("Content-Type", "application/json").end(LIVE));
    router.get("/health/ready").handler(this::ready);
  }

  private void ready(RoutingContext ctx) {
    pool.query("SELECT 1").execute().timeout(2, TimeUnit.SECONDS).onComplete(ar -> {
      if (ar.succeeded()) {
        JsonBodies.send(ctx, 200, new JsonObject().put("status", "UP")
            .put("checks", new JsonObject().put("database", "UP")));
      } else {
        Problems.send(ctx, new Problem(503, "not-ready", "Not ready",
            "PostgreSQL is out of reach: " + ar.cause().getMessage(),
            new JsonObject().put("checks", new JsonObject().put("database", "DOWN"))));
      }
    });
  }
}
