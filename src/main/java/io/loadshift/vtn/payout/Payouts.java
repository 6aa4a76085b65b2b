package io.loadshift.vtn.payout;

import io.loadshift.vtn.audit.AuditService;
import io.loadshift.vtn.platform.config.ConfigException;
import io.loadshift.vtn.platform.config.StellarConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * The payout engine as the VTN runs it: the Stellar network (a Horizon URL, or the local ledger
 * for development), the distribution account, and the worker that pays.
 */
public final class Payouts {
  private static final Logger LOG = Logger.getLogger(Payouts.class.getName());
  private static final String QUEUE = "SELECT status, count(*), coalesce(sum(amount), 0) FROM payouts GROUP BY status";

  private final Pool pool;
  private final StellarConfig config;
  private final HorizonStellar stellar;
  private final WorkerExecutor blocking;
  private final PayoutWorker worker;
  private final String horizonUrl;
  private final io.loadshift.vtn.ledger.LocalHorizon localLedger;
  private final String devAsset;

  private Payouts(Pool pool, StellarConfig config, HorizonStellar stellar, WorkerExecutor blocking, PayoutWorker worker,
                  String horizonUrl, io.loadshift.vtn.ledger.LocalHorizon localLedger, String devAsset) {
    this.pool = pool;
    this.config = config;
    this.stellar = stellar;
    this.blocking = blocking;
    this.worker = worker;
    this.horizonUrl = horizonUrl;
    this.localLedger = localLedger;
    this.devAsset = devAsset;
  }

  /** Connects to the network (starting the local ledger first in local mode); blocking, not on an event loop. */
  public static Payouts start(Vertx vertx, Pool pool, AuditService audit, StellarConfig config, String holder,
                              MeterRegistry registry) throws Exception {
    String url;
    io.loadshift.vtn.ledger.LocalHorizon local = null;
    String devAsset = null;
    char[] seed;
    if (config.local()) {
      LocalLedgerSetup.Started started = LocalLedgerSetup.start(vertx, config);
      url = started.url();
      local = started.ledger();
      seed = started.seed();
      devAsset = started.devAsset();
    } else {
      url = config.horizonUrl().get();
      seed = config.secret().get().reveal();
    }
    HorizonStellar stellar;
    try {
      stellar = new HorizonStellar(url, config.networkPassphrase(), seed);
    } catch (RuntimeException e) {
      throw new ConfigException("VTN_STELLAR_SECRET", "is not a valid Stellar secret seed (its checksum does not match)");
    } finally {
      Arrays.fill(seed, '\0');
    }
    WorkerExecutor blocking = vertx.createSharedWorkerExecutor("vtn-stellar", 2);
    PayoutWorker worker = new PayoutWorker(vertx, pool, stellar, blocking, audit, new PayoutWorker.Settings(holder,
        Duration.ofSeconds(60), config.txTimeout(), config.baseFeeStroops(), config.maxFeeStroops(), 100,
        config.waitBackoff(), 20_000_000L), PayoutWorker.Crashpoints.NONE);
    Counter submitted = Counter.builder("vtn_payout_transactions_submitted_total")
        .description("Payout transactions sent to the Stellar network (resubmissions included)").register(registry);
    Counter paid = Counter.builder("vtn_payouts_paid_total").description("Payouts recorded as PAID").register(registry);
    Counter failed = Counter.builder("vtn_payouts_failed_total").description("Payouts the ledger refused (FAILED)")
        .register(registry);
    worker.counting(new PayoutWorker.Counters() {
      @Override
      public void submitted() {
        submitted.increment();
      }

      @Override
      public void paid(int payouts) {
        paid.increment(payouts);
      }

      @Override
      public void failed(int payouts) {
        failed.increment(payouts);
      }
    });
    LOG.info("payouts from " + stellar.sourceAccount() + " on \"" + config.networkPassphrase() + "\" via " + url
        + (config.worker() ? "" : " (worker disabled on this instance)"));
    return new Payouts(pool, config, stellar, blocking, worker, url, local, devAsset);
  }

  public PayoutWorker worker() {
    return worker;
  }

  public boolean workerEnabled() {
    return config.worker();
  }

  /** The network, the distribution account's balances, and the queue by status. */
  public Future<JsonObject> describe() {
    Future<JsonObject> account = blocking.executeBlocking(() -> {
      JsonObject o = new JsonObject().put("id", stellar.sourceAccount());
      try {
        stellar.account(stellar.sourceAccount()).ifPresentOrElse(a -> {
          JsonObject balances = new JsonObject();
          new TreeMap<>(a.balances()).forEach((k, v) -> balances.put(k, RewardRules.units(v).toPlainString()));
          o.put("exists", true).put("sequence", Long.toString(a.sequence())).put("balances", balances);
        }, () -> o.put("exists", false));
      } catch (Stellar.LedgerUnavailable e) {
        o.put("error", e.getMessage());
      }
      return o;
    }, false);
    Future<JsonObject> queue = pool.query(QUEUE).execute().map(rows -> {
      Map<String, JsonObject> by = new TreeMap<>();
      rows.forEach(r -> by.put(r.getString(0), new JsonObject().put("count", r.getLong(1))
          .put("amount", r.getBigDecimal(2).setScale(7).toPlainString())));
      return new JsonObject(new java.util.LinkedHashMap<>(by));
    });
    return Future.all(account, queue).map(x -> new JsonObject()
        .put("configured", true)
        .put("horizonUrl", horizonUrl)
        .put("local", config.local())
        .put("networkPassphrase", config.networkPassphrase())
        .put("defaultAsset", config.defaultAsset())
        .put("developmentAsset", devAsset)
        .put("workerEnabled", config.worker())
        .put("distributionAccount", account.result())
        .put("payouts", queue.result()));
  }

  /** Closes the SDK's client and stops the local ledger (never blocks: may run on an event loop). */
  public Future<Void> close() {
    stellar.close();
    return localLedger == null ? Future.succeededFuture() : localLedger.close().otherwise(e -> {
      LOG.warning("local ledger did not close: " + e.getMessage());
      return null;
    });
  }
}
