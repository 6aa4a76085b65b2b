package io.loadshift.vtn.oadr20b;

import io.loadshift.vtn.audit.AuditService;
import io.loadshift.vtn.auth.Authenticator;
import io.loadshift.vtn.auth.TokenService;
import io.loadshift.vtn.event.EventCache;
import io.loadshift.vtn.party.VenService;
import io.loadshift.vtn.platform.config.Config;
import io.loadshift.vtn.platform.db.Database;
import io.loadshift.vtn.platform.db.PgListener;
import io.loadshift.vtn.platform.http.RouteModule;
import io.loadshift.vtn.telemetry.TelemetryService;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.sqlclient.Pool;

/**
 * The OpenADR 2.0b adapter, wired: its own small PostgreSQL pool, the registered VENs in memory
 * (kept fresh on channels {@code vtn_oadr20b} and {@code vtn_cache}), and the routes. Build it
 * before the listener starts; mount {@link #routes} once tokens exist.
 */
public final class Oadr20b {
  private static final int POLL_BODIES = 262_144;
  /** Most ReplayProtect nonces remembered at once when signatures are verified. */
  private static final int NONCES = 200_000;

  private final Pool pool;
  private final OadrXml xml;
  private final Sessions sessions;
  private final SentStates sentStates;
  private final Oadr20bService service;
  private final WorkerExecutor workers;
  private final PushWorker push;
  private final PollBodies pollBodies = new PollBodies(POLL_BODIES);
  private final Signatures signatures;

  public Oadr20b(Vertx vertx, Config config, PgListener listener, EventCache events, VenService vens, AuditService audit,
                 TelemetryService telemetry, MeterRegistry registry) {
    this.pool = Database.pool(vertx, config.db(), Math.max(2, config.dbPoolSize() / 4), "oadr20b");
    this.xml = config.bodyLimitBytes() == OadrXml.DEFAULT_MAX_BYTES ? OadrXml.shared()
        : new OadrXml((int) Math.min(config.bodyLimitBytes(), Integer.MAX_VALUE - 8), true);
    Oadr20bStore store = new Oadr20bStore(pool);
    this.sessions = new Sessions(store);
    this.sentStates = new SentStates(store);
    sessions.start(vertx);
    sentStates.start(vertx);
    Messages messages = new Messages(config.oadr20b().vtnId(), config.oadr20b().pollFrequency());
    EventSets eventSets = new EventSets(events, config.oadr20b(), config.publicUrl().toString(), messages);
    this.service = new Oadr20bService(store, sessions, eventSets, sentStates, messages,
        new Messages.NothingPending(xml, messages), vens, audit, config.oadr20b().openRegistration(),
        new Reports(store, telemetry), registry);
    this.workers = vertx.createSharedWorkerExecutor("vtn-oadr20b-xml", Math.max(1, Runtime.getRuntime().availableProcessors()));
    Gauge.builder("vtn_oadr20b_registered_vens", sessions, Sessions::size)
        .description("VENs registered through OpenADR 2.0b, held in memory").register(registry);
    listener.listen("vtn_oadr20b", sessions::onMessage, sessions::resync);
    this.signatures = config.oadr20b().verifySignatures()
        ? new Signatures(config.oadr20b().signatureWindow(), NONCES, java.time.Clock.systemUTC()) : null;
    this.push = new PushWorker(vertx, store, service, xml, 1000);
    push.start();
  }

  /** A {@code vtn_cache} payload (a client's VENs or resources changed). */
  public void onCacheMessage(String payload) {
    sessions.onCacheMessage(payload);
  }

  public RouteModule routes(TokenService tokens, Authenticator auth) {
    return new Oadr20bRoutes(xml, service, tokens, auth, workers, pollBodies, signatures);
  }

  /** Writes what is pending and closes the pool. */
  public Future<Void> stop() {
    return push.stop().transform(ar -> sentStates.flush()).transform(ar -> pool.close()).transform(ar -> {
      workers.close();
      return Future.succeededFuture();
    });
  }
}
