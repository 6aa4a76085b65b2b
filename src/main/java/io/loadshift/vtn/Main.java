package io.loadshift.vtn;

import io.loadshift.vtn.platform.config.Config;
import io.loadshift.vtn.platform.config.ConfigException;
import io.loadshift.vtn.platform.log.Logging;
import io.loadshift.vtn.platform.log.VtnLogManager;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/** Start-up: configuration, migrations, services, HTTP verticles; graceful stop on SIGTERM. */
public final class Main {
  static {
    System.setProperty("java.util.logging.manager", VtnLogManager.class.getName());
    System.setProperty("vertx.disableDnsResolver", "true");
  }

  private Main() {}

  public static void main(String[] args) {
    long t0 = System.nanoTime();
    Config config;
    try {
      config = Config.fromEnvironment();
    } catch (ConfigException e) {
      System.err.println("loadshift-vtn: invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    Logging.configure(config.logLevel());
    Logger log = Logger.getLogger(Main.class.getName());

    VtnApp app;
    try {
      app = VtnApp.start(config);
    } catch (ConfigException e) {
      System.err.println("loadshift-vtn: invalid configuration: " + e.getMessage());
      VtnLogManager.release();
      System.exit(2);
      return;
    } catch (Exception e) {
      System.err.println("loadshift-vtn: start-up failed: " + rootMessage(e) + " (database " + config.db() + ")");
      VtnLogManager.release();
      System.exit(1);
      return;
    }
    app.firstAdmin().ifPresent(System.out::println);
    log.info(String.format("ready in %d ms: %s on port %d (%d HTTP instances), public URL %s",
        (System.nanoTime() - t0) / 1_000_000, config.tls().isPresent() ? "HTTPS" : "HTTP", app.port(),
        config.httpInstances(), config.publicUrl()));

    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("stopping: no new connections, finishing requests in flight");
      try {
        app.stop().get(config.shutdownTimeout().toSeconds() + 5, TimeUnit.SECONDS);
        log.info("stopped");
      } catch (Exception e) {
        log.warning("shutdown did not finish cleanly: " + rootMessage(e));
      } finally {
        VtnLogManager.release();
      }
    }, "vtn-shutdown"));
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m.replaceAll("\\s+", " "));
  }
}
