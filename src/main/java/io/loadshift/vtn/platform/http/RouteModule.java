package io.loadshift.vtn.platform.http;

import io.vertx.ext.web.Router;

/** A capability's or adapter's HTTP surface, mounted on each HTTP verticle's router. */
public interface RouteModule {
  void mount(Router router);
}
