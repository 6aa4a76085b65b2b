package io.loadshift.vtn.auth;

import io.loadshift.vtn.platform.db.PgListener;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Which tokens no longer count, held in memory so checking a token never needs a query. Only
 * clients that are disabled, or were disabled once (token generation above zero), have an entry.
 * PostgreSQL LISTEN/NOTIFY keeps the map fresh across VTN instances; after a lost connection the
 * listener reconnects and the whole map is reloaded, so no change is missed for long.
 */
public final class TokenRevocations {
  private static final Logger LOG = Logger.getLogger(TokenRevocations.class.getName());
  static final String CHANNEL = "vtn_client_changed";

  private record State(boolean enabled, int generation) {}

  private final Map<String, State> revoked = new ConcurrentHashMap<>();
  private final Pool pool;
  private final ClientRepository repository = new ClientRepository();

  public TokenRevocations(Pool pool, PgListener listener) {
    this.pool = pool;
    listener.listen(CHANNEL, this::onNotification, this::reload);
  }

  /** True when a token of this client with this generation must be refused. */
  public boolean isRevoked(String clientId, int tokenGeneration) {
    State s = revoked.get(clientId);
    if (s == null) {
      return tokenGeneration != 0;
    }
    return !s.enabled || s.generation != tokenGeneration;
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
