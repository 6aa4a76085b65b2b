package io.loadshift.vtn.oadr20b;

import io.loadshift.vtn.platform.jobs.Serial;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Every registered 2.0b VEN's {@link Session}, in memory on each VTN instance, kept fresh by
 * PostgreSQL notifications: {@code vtn_oadr20b} (registrations, event sets sent, the queue; see
 * V9__oadr20b.sql) and {@code vtn_cache} (a client's VENs or resources changed). A poll reads only
 * this. Registrations and VEN records are reloaded in batches; sent digests and queue marks are
 * applied as announced, without a query.
 */
final class Sessions {
  private static final Logger LOG = Logger.getLogger(Sessions.class.getName());
  private static final int RELOAD_BATCH = 1000;

  private final Oadr20bStore store;
  private final Map<String, Session> byVen = new ConcurrentHashMap<>();
  /** VEN ids waiting to be reloaded. */
  private final Set<String> stale = ConcurrentHashMap.newKeySet();
  private Context context;
  private Serial reloader;

  Sessions(Oadr20bStore store) {
    this.store = store;
  }

  /** Runs reloads on this context (once, before the listener starts). */
  void start(Vertx vertx) {
    context = vertx.getOrCreateContext();
    reloader = new Serial(this::reloadStep, () -> false,
        e -> LOG.warning("could not reload 2.0b registrations: " + e.getMessage()));
  }

  Session get(String venId) {
    return byVen.get(venId);
  }

  int size() {
    return byVen.size();
  }

  Collection<Session> all() {
    return byVen.values();
  }

  /** Loads every registration (at start, and after the LISTEN connection came back). */
  Future<Void> resync() {
    return store.allSessions().map(rows -> {
      Set<String> present = ConcurrentHashMap.newKeySet();
      for (Oadr20bStore.SessionRow row : rows) {
        present.add(row.venId());
        apply(row);
      }
      byVen.keySet().removeIf(id -> !present.contains(id));
      return null;
    });
  }

  /** Reloads these VENs now (after a change this instance made), before it answers. */
  Future<Void> reload(List<String> venIds) {
    return store.sessions(venIds).map(rows -> {
      Set<String> found = new java.util.HashSet<>();
      for (Oadr20bStore.SessionRow row : rows) {
        found.add(row.venId());
        apply(row);
      }
      for (String id : venIds) {
        if (!found.contains(id)) {
          byVen.remove(id);
        }
      }
      return null;
    });
  }

  private void apply(Oadr20bStore.SessionRow row) {
    long stored = row.digest() == null ? EventSets.EMPTY : row.digest();
    byVen.compute(row.venId(), (id, old) -> {
      if (old == null || !old.registration.registrationId().equals(row.registration().registrationId())
          || !java.util.Objects.equals(old.registration.registeredAt(), row.registration().registeredAt())) {
        // A new registration (or a re-registration) starts from what PostgreSQL holds: nothing sent.
        Session s = new Session(id, row.ven(), row.registration(), stored);
        if (old != null) {
          s.queued = old.queued;
          s.queueMark = old.queueMark;
        }
        markQueued(s, row.queued());
        return s;
      }
      // The same registration: what this instance sent since the query stays.
      old.ven = row.ven();
      old.registration = row.registration();
      markQueued(old, row.queued());
      return old;
    });
  }

  private static void markQueued(Session s, Long newest) {
    if (newest != null) {
      s.queueMark = Math.max(s.queueMark, newest);
      s.queued = true;
    }
  }

  // --- notifications -----------------------------------------------------------------------------

  /** A {@code vtn_oadr20b} payload. */
  void onMessage(String payload) {
    if (payload.startsWith("reg:")) {
      stale.add(payload.substring(4));
      kick();
    } else if (payload.startsWith("sent:")) {
      // <venID>=<digest>@<registered_at in epoch microseconds>: applied only to a session of that
      // registration, so what an older registration was sent never passes for the new one's.
      for (String entry : payload.substring(5).split(",")) {
        int eq = entry.lastIndexOf('=');
        int at = entry.lastIndexOf('@');
        Session s = eq < 0 ? null : byVen.get(entry.substring(0, eq));
        if (s != null) {
          try {
            long digest = Long.parseLong(entry.substring(eq + 1, at > eq ? at : entry.length()));
            java.time.Instant registered = s.registration.registeredAt();
            if (at > eq && registered != null && Long.parseLong(entry.substring(at + 1))
                != registered.getEpochSecond() * 1_000_000L + registered.getNano() / 1000) {
              continue;
            }
            s.sentDigest = digest;
          } catch (NumberFormatException ignored) {
            // not ours
          }
        }
      }
    } else if (payload.startsWith("queue:") || payload.startsWith("done:")) {
      boolean done = payload.startsWith("done:");
      String rest = payload.substring(done ? 5 : 6);
      int colon = rest.lastIndexOf(':');
      if (colon < 0) {
        return;
      }
      Session s = byVen.get(rest.substring(0, colon));
      long id;
      try {
        id = Long.parseLong(rest.substring(colon + 1));
      } catch (NumberFormatException e) {
        return;
      }
      if (s == null) {
        return;
      }
      if (done) {
        if (id >= s.queueMark) {
          s.queued = false;
        }
      } else {
        s.queueMark = Math.max(s.queueMark, id);
        s.queued = true;
      }
    }
  }

  /** A {@code vtn_cache} payload: a client's VENs or resources changed; reload its registered VENs. */
  void onCacheMessage(String payload) {
    if (!payload.startsWith("client:")) {
      return;
    }
    String clientId = payload.substring(7);
    boolean any = false;
    for (Session s : byVen.values()) {
      if (clientId.equals(s.ven.clientId())) {
        stale.add(s.venId);
        any = true;
      }
    }
    if (any) {
      kick();
    }
  }

  private void kick() {
    if (context == null) {
      return;
    }
    context.runOnContext(v -> reloader.run());
  }

  private Future<Boolean> reloadStep() {
    if (stale.isEmpty()) {
      return Future.succeededFuture(false);
    }
    List<String> batch = new ArrayList<>(Math.min(stale.size(), RELOAD_BATCH));
    for (String id : stale) {
      if (batch.size() >= RELOAD_BATCH) {
        break;
      }
      batch.add(id);
    }
    batch.forEach(stale::remove);
    return reload(batch).map(v -> !stale.isEmpty());
  }
}
