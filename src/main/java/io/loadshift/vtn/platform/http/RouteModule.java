package io.loadshift.vtn.platform.http;

import io.vertx.ext.web.Router;

/** A capability's or adapter's HTTP surface, mounted on each HTTP verticle's router. */
public interface RouteModule {
  void mount(Router router);

  /** Exact paths whose requests may carry bodies up to the bulk limit instead of the normal one. */
  default java.util.Set<String> largeBodyPaths() {
    return java.util.Set.of();
  }

  /** Exact paths whose handlers read the request stream themselves (no buffering body handler). */
  default java.util.Set<String> streamingPaths() {
    return java.util.Set.of();
  }
}
