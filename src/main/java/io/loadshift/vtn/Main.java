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
    if (args.length > 0 && args[0].equals("demo")) {
      System.exit(new picocli.CommandLine(new DemoCommand()).execute(java.util.Arrays.copyOfRange(args, 1, args.length)));
    }
    if (args.length > 0 && args[0].equals("simulate")) {
      Logging.configure(java.util.logging.Level.WARNING);
      int status = new picocli.CommandLine(new io.loadshift.vtn.sim.SimulateCommand())
          .execute(java.util.Arrays.copyOfRange(args, 1, args.length));
      VtnLogManager.release();
      System.exit(status);
    }
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

  /** {@code demo}: the whole loop on the local defaults, with simulated sites; see {@link io.loadshift.vtn.sim.Demo}. */
  @picocli.CommandLine.Command(name = "demo", mixinStandardHelpOptions = true,
      description = "Runs the whole demand-response loop on a fresh local database with simulated sites, then exits.")
  static final class DemoCommand implements java.util.concurrent.Callable<Integer> {
    @picocli.CommandLine.Option(names = "--sites", defaultValue = "200", description = "simulated sites (default 200)")
    int sites;

    @picocli.CommandLine.Option(names = "--compliance", defaultValue = "0.85",
        description = "share of sites that follow their setpoints (default 0.85)")
    double compliance;

    @picocli.CommandLine.Option(names = "--seed", defaultValue = "2026", description = "fleet seed (default 2026)")
    long seed;

    @picocli.CommandLine.Option(names = "--no-progress", description = "no progress bars")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
      if (sites < 1 || sites > 5000 || compliance < 0 || compliance > 1) {
        System.err.println("loadshift-vtn demo: --sites must be 1..5000 and --compliance 0..1");
        return 2;
      }
      Logging.configure(java.util.logging.Level.WARNING);
      String db = System.getenv().getOrDefault("VTN_DB_URI", Config.DEFAULT_DB_URI);
      try {
        return new io.loadshift.vtn.sim.Demo(new io.loadshift.vtn.sim.Demo.Options(sites, compliance, seed, db, !noProgress,
            System.out))
            .run();
      } catch (Exception e) {
        System.err.println("loadshift-vtn demo: failed: " + rootMessage(e));
        return 1;
      } finally {
        VtnLogManager.release();
      }
    }
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
