package io.loadshift.vtn.platform.http;

import io.loadshift.vtn.platform.config.ClientAuthMode;
import io.loadshift.vtn.platform.config.Config;
import io.loadshift.vtn.platform.config.TlsConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP server instance (deployed once per core): the shared platform handlers, then every
 * module's routes, then problem+json for whatever did not match. Stops gracefully: no new
 * connections, in-flight requests finish within the shutdown timeout.
 */
public final class HttpVerticle extends VerticleBase {
  private final Config config;
  private final List<RouteModule> modules;
  private HttpServer server;

  public HttpVerticle(Config config, List<RouteModule> modules) {
    this.config = config;
    this.modules = modules;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(new RequestIds(config.accessLog()));
    BodyHandler normal = BodyHandler.create(false).setBodyLimit(config.bodyLimitBytes());
    BodyHandler large = BodyHandler.create(false).setBodyLimit(config.bulkBodyLimitBytes());
    Set<String> largePaths = new HashSet<>();
    Set<String> streamingPaths = new HashSet<>();
    modules.forEach(m -> {
      largePaths.addAll(m.largeBodyPaths());
      streamingPaths.addAll(m.streamingPaths());
    });
    router.route().handler(ctx -> {
      String path = ctx.request().path();
      if (streamingPaths.contains(path)) {
        // Hold the body until the route's handler reads it (authentication may take a while).
        ctx.request().pause();
        ctx.next();
      } else {
        (largePaths.contains(path) ? large : normal).handle(ctx);
      }
    });
    modules.forEach(m -> m.mount(router));
    router.route().failureHandler(Problems::onFailure);
    for (int status : new int[] {400, 404, 405, 406, 413, 415}) {
      router.errorHandler(status, ctx -> Problems.send(ctx, Problems.forStatus(status, null)));
    }
    router.errorHandler(500, Problems::onFailure);

    server = vertx.createHttpServer(serverOptions());
    return server.requestHandler(router).listen();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture()
        : server.shutdown(config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  public int actualPort() {
    return server.actualPort();
  }

  private HttpServerOptions serverOptions() {
    HttpServerOptions o = new HttpServerOptions()
        .setHost(config.httpHost())
        .setPort(config.httpPort())
        .setTcpNoDelay(true)
        .setIdleTimeout(config.httpIdleTimeoutSeconds())
        .setMaxFormAttributeSize(8192)
        .setMaxHeaderSize(16 * 1024);
    if (config.tls().isPresent()) {
      TlsConfig tls = config.tls().get();
      o.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(tls.certFile().toString())
          .setKeyPath(tls.keyFile().toString()));
      tls.clientCaFile().ifPresent(ca -> o.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
      o.setClientAuth(tls.clientAuth() == ClientAuthMode.REQUIRED ? ClientAuth.REQUIRED
          : tls.clientAuth() == ClientAuthMode.REQUEST ? ClientAuth.REQUEST : ClientAuth.NONE);
    }
    return o;
  }
}
