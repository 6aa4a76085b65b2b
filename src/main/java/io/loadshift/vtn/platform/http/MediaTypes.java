package io.loadshift.vtn.platform.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * Route guards for request bodies: a missing or different Content-Type is a 415 problem, before
 * any parsing. (Vert.x's {@code consumes} lets requests without a Content-Type through.)
 */
public final class MediaTypes {
  private MediaTypes() {}

  /** {@code application/json}, or any {@code application/*+json}, with optional parameters. */
  public static Handler<RoutingContext> json() {
    return ctx -> {
      String type = essence(ctx.request().getHeader("Content-Type"));
      if (type != null && (type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json")))) {
        ctx.next();
      } else {
        Problems.send(ctx, unsupported(type, "application/json"));
      }
    };
  }

  public static Handler<RoutingContext> exactly(String mediaType) {
    return ctx -> {
      String type = essence(ctx.request().getHeader("Content-Type"));
      if (mediaType.equals(type)) {
        ctx.next();
      } else {
        Problems.send(ctx, unsupported(type, mediaType));
      }
    };
  }

  private static String essence(String header) {
    if (header == null) {
      return null;
    }
    int semi = header.indexOf(';');
    return (semi < 0 ? header : header.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }

  private static Problem unsupported(String got, String wanted) {
    return Problems.forStatus(415, "This resource takes Content-Type " + wanted + "; the request "
        + (got == null ? "had none" : "had " + got) + ".");
  }
}
