package io.loadshift.vtn.platform.db;

import io.loadshift.vtn.platform.config.DbUri;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * One LISTEN connection per VTN process, shared by everything that keeps memory fresh from
 * PostgreSQL notifications. It reconnects by itself; after every (re)subscription each channel's
 * resync runs, so whatever was announced while the connection was down is not missed.
 */
public final class PgListener {
  private static final Logger LOG = Logger.getLogger(PgListener.class.getName());

  private record Channel(String name, Handler<String> onMessage, Supplier<Future<Void>> resync) {}

  private final PgSubscriber subscriber;
  private final List<Channel> channels = new ArrayList<>();
  private volatile boolean stopping;
  private volatile boolean started;

  public PgListener(Vertx vertx, DbUri db) {
    subscriber = PgSubscriber.subscriber(vertx, Database.connectOptions(db))
        .reconnectPolicy(attempt -> Math.min(10_000L, 200L * (1L << Math.min(attempt, 6))));
    subscriber.closeHandler(v -> {
      if (!stopping) {
        LOG.warning("lost the LISTEN connection; reconnecting");
      }
    });
  }

  /**
   * Registers a channel before {@link #start()}: {@code onMessage} gets each payload,
   * {@code resync} reloads whatever the channel keeps fresh (at start and after reconnecting).
   */
  public PgListener listen(String channel, Handler<String> onMessage, Supplier<Future<Void>> resync) {
    if (started) {
      throw new IllegalStateException("register channels before start()");
    }
    channels.add(new Channel(channel, onMessage, resync));
    return this;
  }

  public Future<Void> start() {
    started = true;
    for (Channel c : channels) {
      // The first subscription is covered by the resync below; later ones follow a reconnect.
      java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
      subscriber.channel(c.name()).handler(c.onMessage()).subscribeHandler(v -> {
        if (!first.getAndSet(false)) {
          c.resync().get().onFailure(e -> LOG.warning("resync of " + c.name() + " failed: " + e.getMessage()));
        }
      });
    }
    return subscriber.connect().compose(v -> Future.all(channels.stream().map(c -> c.resync().get()).toList())).mapEmpty();
  }

  public Future<Void> stop() {
    stopping = true;
    return subscriber.close();
  }
}
