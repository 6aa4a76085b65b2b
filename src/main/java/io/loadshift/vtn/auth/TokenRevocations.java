package io.loadshift.vtn.auth;

import io.loadshift.vtn.platform.db.Database;
import io.loadshift.vtn.platform.config.DbUri;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Which tokens no longer count, held in memory so checking a token never needs a query. Only
 * clients that are disabled, or were disabled once (token generation above zero), have an entry.
 * PostgreSQL LISTEN/NOTIFY keeps the map fresh across VTN instances; after a lost connection the
 * subscriber reconnects and the whole map is reloaded, so no change is missed for long.
 */
public final class TokenRevocations {
  private static final Logger LOG = Logger.getLogger(TokenRevocations.class.getName());
  static final String CHANNEL = "vtn_client_changed";

  private record State(boolean enabled, int generation) {}

  private final Map<String, State> revoked = new ConcurrentHashMap<>();
  private final Vertx vertx;
  private final Pool pool;
  private final DbUri db;
  private final ClientRepository repository = new ClientRepository();
  private PgSubscriber subscriber;
  private volatile boolean stopping;

  public TokenRevocations(Vertx vertx, Pool pool, DbUri db) {
    this.vertx = vertx;
    this.pool = pool;
    this.db = db;
  }

  /** True when a token of this client with this generation must be refused. */
  public boolean isRevoked(String clientId, int tokenGeneration) {
    State s = revoked.get(clientId);
    if (s == null) {
      return tokenGeneration != 0;
    }
    return !s.enabled || s.generation != tokenGeneration;
  }

  public Future<Void> start() {
    subscriber = PgSubscriber.subscriber(vertx, Database.connectOptions(db))
        .reconnectPolicy(attempt -> Math.min(10_000L, 200L * (1L << Math.min(attempt, 6))));
    subscriber.closeHandler(v -> {
      if (!stopping) {
        LOG.warning("lost the LISTEN connection for " + CHANNEL + "; reconnecting");
      }
    });
    subscriber.channel(CHANNEL)
        .handler(this::onNotification)
        .subscribeHandler(v -> reload().onFailure(e -> LOG.warning("reloading revoked clients failed: " + e.getMessage())));
    return subscriber.connect().compose(v -> reload());
  }

  public Future<Void> stop() {
    stopping = true;
    return subscriber == null ? Future.succeededFuture() : subscriber.close();
  }

  private Future<Void> reload() {
    return repository.revocations(pool).map(rows -> {
      Map<String, State> fresh = new ConcurrentHashMap<>();
      for (Row r : rows) {
        fresh.put(r.getString(0), new State(r.getBoolean(1), r.getInteger(2)));
      }
      revoked.keySet().retainAll(fresh.keySet());
      revoked.putAll(fresh);
      return null;
    });
  }

  private void onNotification(String payload) {
    try {
      JsonObject o = new JsonObject(payload);
      String id = o.getString("clientId");
      boolean enabled = o.getBoolean("enabled");
      int generation = o.getInteger("tokenGeneration");
      if (enabled && generation == 0) {
        revoked.remove(id);
      } else {
        revoked.put(id, new State(enabled, generation));
      }
    } catch (RuntimeException e) {
      LOG.warning("ignoring malformed " + CHANNEL + " notification: " + payload);
    }
  }
}
