package io.loadshift.vtn;

import io.loadshift.vtn.admin.AdminRoutes;
import io.loadshift.vtn.audit.AuditService;
import io.loadshift.vtn.auth.Authenticator;
import io.loadshift.vtn.auth.ClientService;
import io.loadshift.vtn.auth.PasswordHasher;
import io.loadshift.vtn.auth.SigningKey;
import io.loadshift.vtn.auth.SigningKeyStore;
import io.loadshift.vtn.auth.TokenRevocations;
import io.loadshift.vtn.auth.TokenRoutes;
import io.loadshift.vtn.auth.TokenService;
import io.loadshift.vtn.der.CapacityLimits;
import io.loadshift.vtn.der.FleetRoutes;
import io.loadshift.vtn.der.FleetService;
import io.loadshift.vtn.der.ResourceService;
import io.loadshift.vtn.event.EventCache;
import io.loadshift.vtn.event.EventService;
import io.loadshift.vtn.oadr20b.Oadr20b;
import io.loadshift.vtn.oadr3.EventRoutes;
import io.loadshift.vtn.oadr3.ProgramRoutes;
import io.loadshift.vtn.oadr3.ReportRoutes;
import io.loadshift.vtn.oadr3.ResourceRoutes;
import io.loadshift.vtn.oadr3.SubscriptionRoutes;
import io.loadshift.vtn.oadr3.VenRoutes;
import io.loadshift.vtn.optimization.DispatchJobs;
import io.loadshift.vtn.optimization.DispatchService;
import io.loadshift.vtn.optimization.EmergencyService;
import io.loadshift.vtn.optimization.OptimizationRoutes;
import io.loadshift.vtn.party.VenService;
import io.loadshift.vtn.payout.PayoutRoutes;
import io.loadshift.vtn.payout.PayoutService;
import io.loadshift.vtn.payout.Payouts;
import io.loadshift.vtn.party.VenViews;
import io.loadshift.vtn.platform.config.Config;
import io.loadshift.vtn.platform.config.ConfigException;
import io.loadshift.vtn.platform.db.Database;
import io.loadshift.vtn.platform.db.PgListener;
import io.loadshift.vtn.platform.health.HealthRoutes;
import io.loadshift.vtn.platform.http.HttpVerticle;
import io.loadshift.vtn.platform.http.RouteModule;
import io.loadshift.vtn.platform.metrics.Metrics;
import io.loadshift.vtn.platform.outbox.Outbox;
import io.loadshift.vtn.program.ProgramService;
import io.loadshift.vtn.subscription.CallbackPolicy;
import io.loadshift.vtn.subscription.SubscriptionService;
import io.loadshift.vtn.subscription.WebhookWorker;
import io.loadshift.vtn.telemetry.MeterDataRoutes;
import io.loadshift.vtn.telemetry.ReportService;
import io.loadshift.vtn.telemetry.TelemetryService;
import io.loadshift.vtn.verification.SettlementRoutes;
import io.loadshift.vtn.verification.VerificationService;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A running VTN: migrations applied, services wired, HTTP verticles listening. {@link #start}
 * blocks the calling thread (never an event loop) until the VTN is ready or has failed.
 */
public final class VtnApp {
  private final Vertx vertx;
  private final Pool pool;
  private final PgListener listener;
  private final List<HttpVerticle> verticles;
  private final Optional<String> firstAdmin;
  private final Optional<Payouts> payouts;
  private final Oadr20b oadr20b;

  private VtnApp(Vertx vertx, Pool pool, PgListener listener, List<HttpVerticle> verticles,
                 Optional<String> firstAdmin, Optional<Payouts> payouts, Oadr20b oadr20b) {
    this.vertx = vertx;
    this.pool = pool;
    this.listener = listener;
    this.verticles = verticles;
    this.firstAdmin = firstAdmin;
    this.payouts = payouts;
    this.oadr20b = oadr20b;
  }

  public static VtnApp start(Config config) throws Exception {
    return start(config, List.of());
  }

  /** Starts with extra route modules mounted after the VTN's own (for embedding and tests). */
  public static VtnApp start(Config config, List<RouteModule> extraModules) throws Exception {
    return start(config, extraModules, java.net.InetAddress::getAllByName);
  }

  /** ... and with the host name resolver webhook callbacks are checked with (tests stand in for DNS). */
  public static VtnApp start(Config config, List<RouteModule> extraModules, CallbackPolicy.Resolver resolver)
      throws Exception {
    Database.migrate(config.db());

    Metrics metrics = new Metrics();
    Vertx vertx = Vertx.builder()
        .with(metrics.apply(new VertxOptions().setPreferNativeTransport(false)))
        .withMetrics(metrics.factory())
        .build();
    try {
      Pool pool = Database.pool(vertx, config.db(), config.dbPoolSize());
      Gauge.builder("vtn_db_pool_connections", pool, Pool::size)
          .description("Open connections in the PostgreSQL pool").register(metrics.registry());
      Gauge.builder("vtn_db_pool_max_connections", config::dbPoolSize)
          .description("Configured size of the PostgreSQL pool").register(metrics.registry());
      WorkerExecutor hashing = vertx.createSharedWorkerExecutor("vtn-secret-hashing",
          Math.max(1, Runtime.getRuntime().availableProcessors()));
      AuditService audit = new AuditService();
      ClientService clients = new ClientService(pool, new PasswordHasher(config.passwordHashIterations()), hashing, audit);
      PgListener listener = new PgListener(vertx, config.db());
      TokenRevocations revocations = new TokenRevocations(pool, listener);
      Outbox outbox = new Outbox();
      VenService vens = new VenService(pool, audit, outbox);
      ResourceService resources = new ResourceService(vertx, pool, vens, audit, outbox, capacityLimits(config));
      ProgramService programs = new ProgramService(pool, audit, outbox);
      TelemetryService telemetry = new TelemetryService(audit);
      EventService events = new EventService(pool, programs, audit, outbox);
      VenViews views = new VenViews(pool);
      EventCache eventCache = new EventCache(events, Duration.ofDays(config.eventRetentionDays()));
      WebClient webhookHttp = WebClient.create(vertx, new WebClientOptions().setFollowRedirects(false)
          .setConnectTimeout((int) Math.min(config.webhookTimeoutMs(), 10_000)).setUserAgent("loadshift-vtn")
          .setKeepAlive(true), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(16));
      CallbackPolicy callbacks = new CallbackPolicy(config.webhookHttpsOnly(), config.webhookAllowPrivate(), resolver);
      SubscriptionService subscriptions = new SubscriptionService(vertx, pool, audit, outbox, callbacks, webhookHttp,
          config.webhookVerifyEcho());
      WebhookWorker webhooks = new WebhookWorker(vertx, pool, views, webhookHttp, new WebhookWorker.Settings(
          config.webhookBatch(), config.webhookTimeoutMs(), config.webhookMaxAttempts(), config.webhookRetryBaseMs(),
          config.webhookRetryMaxMs()), callbacks);
      listener.listen("vtn_notifications", m -> webhooks.kickDispatch(), () -> {
        webhooks.kickDispatch();
        return Future.succeededFuture();
      });
      listener.listen("vtn_deliveries", m -> webhooks.kickSend(), () -> {
        webhooks.kickSend();
        return Future.succeededFuture();
      });
      Optional<Payouts> payouts = config.stellar().isEmpty() ? Optional.empty()
          : Optional.of(Payouts.start(vertx, pool, audit, config.stellar().get(), instanceName(),
              metrics.registry()));
      Optional<Payouts> sending = payouts.filter(Payouts::workerEnabled);
      listener.listen("vtn_payouts", m -> sending.ifPresent(p -> p.worker().kick()), () -> {
        sending.ifPresent(p -> p.worker().kick());
        return Future.succeededFuture();
      });
      // Plans are solved on their own thread: a large one takes seconds of CPU.
      WorkerExecutor planning = vertx.createSharedWorkerExecutor("vtn-planner", 1, 10, TimeUnit.MINUTES);
      DispatchService dispatch = new DispatchService(pool, events, resources, audit, planning);
      DispatchJobs dispatchJobs = new DispatchJobs(vertx, pool, events, dispatch, resources, audit);
      Oadr20b oadr20b = new Oadr20b(vertx, config, listener, eventCache, vens, audit, telemetry, metrics.registry());
      listener.listen("vtn_cache", message -> {
        views.onMessage(message);
        eventCache.onMessage(message);
        oadr20b.onCacheMessage(message);
        dispatchJobs.kick();
      }, () -> Future.all(views.resync(), eventCache.resync()).mapEmpty());

      Future<SigningKey> key = config.jwtKeyFile().isPresent()
          ? vertx.executeBlocking(() -> SigningKey.fromFile(config.jwtKeyFile().get()))
          : SigningKeyStore.loadOrCreate(vertx, pool);
      Future<Optional<String>> admin = clients.bootstrapAdmin(config.adminClientId(), config.adminClientSecret());
      await(Future.all(key, admin, listener.start()));

      TokenService tokens = new TokenService(vertx, key.result(), config.publicUrl().toString(),
          config.tokenTtl(), revocations);
      Authenticator auth = new Authenticator(tokens);
      List<RouteModule> modules = new java.util.ArrayList<>(List.of(
          new HealthRoutes(pool),
          metrics,
          new TokenRoutes(clients, tokens, config.publicUrl().toString()),
          new AdminRoutes(auth, clients, audit, pool),
          new VenRoutes(auth, vens),
          new ResourceRoutes(auth, resources),
          new FleetRoutes(auth, resources, new FleetService(pool), config.maxBulkItems()),
          new ProgramRoutes(auth, programs, views),
          new EventRoutes(auth, events, eventCache, views),
          new SubscriptionRoutes(auth, subscriptions, webhooks),
          new MeterDataRoutes(auth, pool, telemetry, config.meterDataMaxBytes()),
          new ReportRoutes(auth, new ReportService(pool, telemetry, audit, outbox)),
          new SettlementRoutes(auth, new VerificationService(pool, events, programs, audit,
              new VerificationService.Settings(config.timeZone(), config.baselineLookbackDays(),
                  config.baselineAdjustmentCap(), config.baselineInflationThreshold(), config.completenessThreshold(),
                  config.holidays(), config.meterTolerance()))),
          new OptimizationRoutes(auth, pool, dispatch, new EmergencyService(pool, programs, events, resources, audit)),
          new PayoutRoutes(auth, new PayoutService(pool, events, programs, audit,
              config.stellar().map(c -> c.defaultAsset()).orElse("native")),
              () -> payouts.map(Payouts::describe).orElse(Future.succeededFuture(new io.vertx.core.json.JsonObject()
                  .put("configured", false)
                  .put("detail", "Payouts are recorded but not sent: VTN_STELLAR_HORIZON_URL is not set.")))),
          oadr20b.routes(tokens, auth)));
      modules.addAll(extraModules);

      await(vertx.deployVerticle(new VerticleBase() {
        @Override
        public Future<?> start() {
          webhooks.start();
          dispatchJobs.start();
          sending.ifPresent(p -> p.worker().start());
          return Future.succeededFuture();
        }

        @Override
        public Future<?> stop() {
          webhooks.stop();
          dispatchJobs.stop();
          return sending.map(p -> p.worker().stop()).orElse(Future.succeededFuture());
        }
      }));

      List<HttpVerticle> verticles = new CopyOnWriteArrayList<>();
      await(vertx.deployVerticle(() -> {
        HttpVerticle v = new HttpVerticle(config, modules);
        verticles.add(v);
        return v;
      }, new DeploymentOptions().setInstances(config.httpInstances())));
      return new VtnApp(vertx, pool, listener, verticles, admin.result(), payouts, oadr20b);
    } catch (Exception e) {
      vertx.close();
      throw e;
    }
  }

  /** Names this process for leases: host and pid. */
  private static String instanceName() {
    return java.lang.management.ManagementFactory.getRuntimeMXBean().getName();
  }

  private static CapacityLimits capacityLimits(Config config) {
    try {
      return CapacityLimits.parse(config.derCapacityLimits());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("VTN_DER_CAPACITY_LIMITS_KW", e.getMessage());
    }
  }

  /** The port the HTTP server listens on (useful when configured with port 0). */
  public int port() {
    return verticles.get(0).actualPort();
  }

  public Vertx vertx() {
    return vertx;
  }

  public Pool pool() {
    return pool;
  }

  /** The generated first admin's credentials, to be printed once; empty when none was generated. */
  public Optional<String> firstAdmin() {
    return firstAdmin;
  }

  /**
   * Stops accepting, lets in-flight requests finish, then closes the database connections and
   * Vert.x. Completes outside Vert.x, whose event loops are gone by then.
   */
  public CompletableFuture<Void> stop() {
    CompletableFuture<Void> drained = new CompletableFuture<>();
    Future.all(vertx.deploymentIDs().stream().map(vertx::undeploy).toList())
        .transform(ar -> payouts.map(Payouts::close).orElse(Future.succeededFuture()))
        .transform(ar -> oadr20b.stop())
        .transform(ar -> listener.stop())
        .transform(ar -> pool.close())
        .onComplete(ar -> drained.complete(null));
    return drained.thenCompose(v -> vertx.close().toCompletionStage()).toCompletableFuture();
  }

  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception ex) {
        throw ex;
      }
      throw e;
    }
  }
}
