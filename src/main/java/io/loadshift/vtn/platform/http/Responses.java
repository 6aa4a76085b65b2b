package io.loadshift.vtn.platform.http;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/** Sends a service's future result as JSON, or hands its failure to the problem handler. */
public final class Responses {
  private Responses() {}

  public static <T> void json(RoutingContext ctx, int status, Future<T> result, Function<T, Object> toJson) {
    result.onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      Object body;
      try {
        body = toJson.apply(ar.result());
      } catch (RuntimeException e) {
        ctx.fail(e);
        return;
      }
      JsonBodies.send(ctx, status, body);
    });
  }
}
