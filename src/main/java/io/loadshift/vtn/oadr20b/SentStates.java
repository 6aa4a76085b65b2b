package io.loadshift.vtn.oadr20b;

import io.loadshift.vtn.platform.jobs.Serial;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Persists the event set each VEN was last sent, in batches (one statement for up to 5,000 VENs,
 * written at most {@value #DELAY_MS} ms after the send), so a restart neither loses what VENs were
 * told nor tells them again, and other instances learn it from the announcement. What a crash
 * catches unwritten is sent once more after the restart, which VENs take as a repeat.
 */
final class SentStates {
  private static final Logger LOG = Logger.getLogger(SentStates.class.getName());
  static final long DELAY_MS = 50;
  private static final int BATCH = 5000;

  private final Oadr20bStore store;
  /** What was sent to a VEN, and the registration (its registered_at) it was sent under. */
  record Sent(long digest, java.time.Instant registeredAt) {}

  private final Map<String, Sent> pending = new ConcurrentHashMap<>();
  private Vertx vertx;
  private Context context;
  private Serial writer;
  private volatile boolean scheduled;

  SentStates(Oadr20bStore store) {
    this.store = store;
  }

  void start(Vertx vertx) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.writer = new Serial(this::step, () -> false, e -> {
      LOG.warning("could not record sent 2.0b events (retrying in 1 s): " + e.getMessage());
      vertx.setTimer(1000, t -> writer.run());
    });
  }

  /**
   * The VEN was just sent the event set with this digest under the registration made at
   * {@code registeredAt}; written only while that registration stands (a VEN that registers
   * again meanwhile starts from nothing sent).
   */
  void record(String venId, long digest, java.time.Instant registeredAt) {
    pending.put(venId, new Sent(digest, registeredAt));
    if (!scheduled && vertx != null) {
      scheduled = true;
      context.runOnContext(v -> vertx.setTimer(DELAY_MS, t -> {
        scheduled = false;
        writer.run();
      }));
    }
  }

  /** Writes whatever is pending (at shutdown). */
  Future<Void> flush() {
    if (context == null || pending.isEmpty()) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> step().onComplete(ar -> done.complete()));
    return done.future();
  }

  private Future<Boolean> step() {
    if (pending.isEmpty()) {
      return Future.succeededFuture(false);
    }
    Map<String, Sent> batch = new HashMap<>();
    for (Map.Entry<String, Sent> e : pending.entrySet()) {
      if (batch.size() >= BATCH) {
        break;
      }
      batch.put(e.getKey(), e.getValue());
    }
    // Only what was not replaced meanwhile: a newer digest waits for the next batch.
    batch.forEach(pending::remove);
    return store.saveSent(batch).recover(e -> {
      batch.forEach(pending::putIfAbsent);
      return Future.failedFuture(e);
    }).map(v -> !pending.isEmpty());
  }
}
