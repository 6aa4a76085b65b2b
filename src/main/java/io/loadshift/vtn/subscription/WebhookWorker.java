package io.loadshift.vtn.subscription;

import io.loadshift.vtn.event.EventService;
import io.loadshift.vtn.party.VenViews;
import io.loadshift.vtn.platform.jobs.Serial;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.net.InetAddress;
import java.net.URI;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;

/**
 * Delivers notifications to webhook subscribers, at least once, in order per subscription.
 *
 * <p>The dispatcher turns new rows of {@code notifications} into {@code webhook_deliveries} for
 * every subscription that wants them and may see them (one dispatcher at a time across instances,
 * so the order of deliveries is the order of notifications). The sender leases the oldest pending
 * delivery of each subscription, POSTs it with a timeout, and records the outcome: delivered, or
 * retried after an exponential backoff with jitter, or dead after the last attempt (visible and
 * retryable through the API). Leases run out, so a crashed instance's deliveries are taken over.
 */
public final class WebhookWorker {
  private static final Logger LOG = Logger.getLogger(WebhookWorker.class.getName());
  private static final int DISPATCH_BATCH = 1000;

  /** Delivery settings. */
  public record Settings(int batch, long timeoutMs, int maxAttempts, long retryBaseMs, long retryMaxMs) {}

  private final Vertx vertx;
  private final Pool pool;
  private final VenViews views;
  private final WebClient http;
  private final Settings settings;
  private final CallbackPolicy policy;
  /** Checked callback addresses by host name; event-loop confined. */
  private final Map<String, Pin> pins = new HashMap<>();
  private static final long PIN_MILLIS = 5_000;
  private Context context;
  private final Serial dispatcher;
  private final Serial sender;
  private long retryTimer = -1;
  private volatile boolean stopped;

  public WebhookWorker(Vertx vertx, Pool pool, VenViews views, WebClient http, Settings settings,
                       CallbackPolicy policy) {
    this.policy = policy;
    this.dispatcher = new Serial(() -> dispatchBatch().map(n -> n >= DISPATCH_BATCH), () -> stopped,
        e -> LOG.warning("webhook dispatch failed: " + e.getMessage()));
    this.sender = new Serial(this::sendStep, () -> stopped, e -> LOG.warning("webhook sending failed: " + e.getMessage()));
    this.vertx = vertx;
    this.pool = pool;
    this.views = views;
    this.http = http;
    this.settings = settings;
  }

  /** Binds the worker to the calling context and starts polling once a second as a safety net. */
  public void start() {
    context = vertx.getOrCreateContext();
    vertx.setPeriodic(1000, id -> {
      if (stopped) {
        vertx.cancelTimer(id);
        return;
      }
      dispatch();
      send();
    });
    dispatch();
    send();
  }

  public void stop() {
    stopped = true;
  }

  /** New notifications were announced (from any thread). */
  public void kickDispatch() {
    if (context != null) {
      context.runOnContext(v -> dispatch());
    }
  }

  /** New deliveries were announced (from any thread). */
  public void kickSend() {
    if (context != null) {
      context.runOnContext(v -> send());
    }
  }

  // ---- fan-out -------------------------------------------------------------------------------

  private void dispatch() {
    dispatcher.run();
  }

  private record Subscriber(Subscription subscription, String role, VenViews.View view) {}

  private Future<Integer> dispatchBatch() {
    return pool.withTransaction(tx -> tx.query(Deliveries.DISPATCH_LOCK).execute().compose(lock -> {
      if (!lock.iterator().next().getBoolean(0)) {
        return Future.succeededFuture(0); // another instance is dispatching
      }
      return tx.preparedQuery(Deliveries.CLAIM_NOTIFICATIONS).execute(Tuple.of(DISPATCH_BATCH)).compose(notes -> {
        if (notes.size() == 0) {
          return Future.succeededFuture(0);
        }
        return tx.query(SubscriptionRepository.ALL_WITH_ROLES).execute()
            .compose(this::subscribers)
            .compose(subs -> {
              Rows rows = new Rows();
              List<Long> ids = new ArrayList<>();
              for (Row n : notes) {
                ids.add(n.getLong(0));
                for (Subscriber s : subs) {
                  match(n, s, rows);
                }
              }
              Future<?> insert = rows.size() == 0 ? Future.succeededFuture()
                  : tx.preparedQuery(Deliveries.INSERT).execute(rows.tuple());
              return insert.compose(v -> tx.preparedQuery(Deliveries.MARK_DISPATCHED)
                  .execute(Tuple.of(ids.toArray(Long[]::new)))).map(v -> notes.size());
            });
      });
    }));
  }

  private Future<List<Subscriber>> subscribers(RowSet<Row> rows) {
    List<Future<Subscriber>> out = new ArrayList<>();
    for (Row r : rows) {
      String role = r.getString(8);
      if (role == null || !r.getBoolean(9)) {
        continue; // the subscriber's client is gone or disabled
      }
      Subscription s = SubscriptionRepository.toSubscription(r);
      Future<VenViews.View> view = switch (role) {
        case "ven" -> views.ofVenClient(s.clientId());
        case "aggregator" -> views.ofOwner(s.clientId());
        default -> Future.succeededFuture(null);
      };
      out.add(view.map(v -> new Subscriber(s, role, v)));
    }
    return Future.all(out).map(v -> out.stream().map(Future::result).toList());
  }

  /** Adds a delivery per wanted callback when the subscriber wants and may see the notification. */
  private static void match(Row n, Subscriber sub, Rows rows) {
    String event = n.getString(1);
    String objectType = n.getString(2);
    String operation = n.getString(3);
    JsonObject object = (JsonObject) n.getValue(6);
    Subscription s = sub.subscription();
    List<JsonObject> callbacks = s.callbacksFor(objectType, operation);
    if (callbacks.isEmpty()) {
      return;
    }
    if (s.programId() != null) {
      String programId = "PROGRAM".equals(objectType) ? object.getString("id")
          : "EVENT".equals(objectType) ? object.getString("programID") : null;
      if (!s.programId().equals(programId)) {
        return;
      }
    }
    List<String> targets = targets(object);
    if (!s.targets().isEmpty() && !targets.isEmpty() && targets.stream().noneMatch(s.targets()::contains)) {
      return;
    }
    JsonObject shown = object;
    VenViews.View view = sub.view();
    if (view != null) {
      switch (objectType) {
        case "EVENT":
        case "PROGRAM":
          if (event.startsWith(EventService.HISTORICAL_PREFIX) || !view.sees(targets)) {
            return;
          }
          shown = object.copy().put("targets", new JsonArray(view.shown(targets)));
          break;
        case "VEN":
        case "RESOURCE":
          // An aggregator owns what it registered; the owner was recorded with the notification,
          // so this still holds once the VEN is gone.
          boolean own = "ven".equals(sub.role()) ? s.clientId().equals(object.getString("clientID"))
              : s.clientId().equals(n.getString(7));
          if (!own) {
            return;
          }
          break;
        default:
          if (!s.clientId().equals(object.getString("clientID"))) {
            return;
          }
      }
    }
    String body = new JsonObject().put("objectType", objectType).put("operation", operation).put("object", shown).encode();
    for (JsonObject cb : callbacks) {
      rows.add(s.id(), n.getLong(0), cb.getString("callbackUrl"), cb.getString("bearerToken"), body);
    }
  }

  private static List<String> targets(JsonObject object) {
    JsonArray t = object.getJsonArray("targets");
    if (t == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>(t.size());
    t.forEach(x -> out.add((String) x));
    return out;
  }

  /** Deliveries to insert, column by column. */
  private static final class Rows {
    final List<String> subscriptions = new ArrayList<>();
    final List<Long> notifications = new ArrayList<>();
    final List<String> urls = new ArrayList<>();
    final List<String> tokens = new ArrayList<>();
    final List<String> bodies = new ArrayList<>();

    void add(String subscription, long notification, String url, String token, String body) {
      subscriptions.add(subscription);
      notifications.add(notification);
      urls.add(url);
      tokens.add(token);
      bodies.add(body);
    }

    int size() {
      return subscriptions.size();
    }

    Tuple tuple() {
      return Tuple.from(new Object[] {subscriptions.toArray(String[]::new), notifications.toArray(Long[]::new),
          urls.toArray(String[]::new), tokens.toArray(String[]::new), bodies.toArray(String[]::new)});
    }
  }

  // ---- sending -------------------------------------------------------------------------------

  private void send() {
    sender.run();
  }

  /** One send step; when nothing was due, wakes up for the earliest retry. */
  private Future<Boolean> sendStep() {
    return sendBatch().map(n -> {
      if (n == 0) {
        scheduleNextRetry();
      }
      return n > 0;
    });
  }

  private Future<Integer> sendBatch() {
    double leaseSeconds = settings.timeoutMs() / 1000.0 + 30;
    return pool.preparedQuery(Deliveries.LEASE).execute(Tuple.of(settings.batch(), leaseSeconds)).compose(rows -> {
      List<Deliveries.Leased> leased = Deliveries.leased(rows);
      if (leased.isEmpty()) {
        return Future.succeededFuture(0);
      }
      List<Future<String>> attempts = new ArrayList<>(leased.size());
      for (Deliveries.Leased d : leased) {
        attempts.add(post(d));
      }
      return Future.join(attempts).transform(ignored -> {
        List<Long> ok = new ArrayList<>();
        List<Long> failed = new ArrayList<>();
        List<Long> delays = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < leased.size(); i++) {
          Future<String> f = attempts.get(i);
          Deliveries.Leased d = leased.get(i);
          if (f.succeeded()) {
            ok.add(d.id());
          } else {
            failed.add(d.id());
            delays.add(backoff(d.attempts()));
            String why = f.cause().getMessage();
            errors.add(why == null ? f.cause().getClass().getSimpleName() : why.length() > 500 ? why.substring(0, 500) : why);
          }
        }
        Future<?> a = ok.isEmpty() ? Future.succeededFuture()
            : pool.preparedQuery(Deliveries.DELIVERED).execute(Tuple.of(ok.toArray(Long[]::new)));
        Future<?> b = failed.isEmpty() ? Future.succeededFuture()
            : pool.preparedQuery(Deliveries.FAILED).execute(Tuple.of(failed.toArray(Long[]::new), delays.toArray(Long[]::new),
                errors.toArray(String[]::new), settings.maxAttempts()));
        return Future.all(a, b).map(v -> leased.size());
      });
    });
  }

  private Future<String> post(Deliveries.Leased d) {
    URI uri;
    try {
      uri = URI.create(d.url());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture("not a URL: " + d.url());
    }
    return pin(uri.getHost()).compose(address -> send(d, uri, address));
  }

  /** The checked address of a callback host, looked up again after a few seconds. */
  private Future<InetAddress> pin(String host) {
    Pin p = pins.get(host);
    long now = System.currentTimeMillis();
    if (p != null && p.until() > now) {
      return p.address() != null ? Future.succeededFuture(p.address()) : Future.failedFuture(p.error());
    }
    return vertx.executeBlocking(() -> policy.deliveryAddress(host), false).transform(ar -> {
      if (pins.size() > 10_000) {
        pins.clear();
      }
      if (ar.succeeded()) {
        pins.put(host, new Pin(ar.result(), null, now + PIN_MILLIS));
        return Future.succeededFuture(ar.result());
      }
      String error = ar.cause().getClass().getSimpleName() + ": " + ar.cause().getMessage();
      pins.put(host, new Pin(null, error, now + PIN_MILLIS));
      return Future.failedFuture(error);
    });
  }

  private record Pin(InetAddress address, String error, long until) {}

  private Future<String> send(Deliveries.Leased d, URI uri, InetAddress address) {
    int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(d.url())
        .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()));
    HttpRequest<Buffer> req = http.request(HttpMethod.POST, options).timeout(settings.timeoutMs())
        .putHeader("Content-Type", "application/json");
    if (d.bearerToken() != null) {
      req.bearerTokenAuthentication(d.bearerToken());
    }
    Promise<String> done = Promise.promise();
    req.sendBuffer(d.body().toBuffer()).onComplete(ar -> {
      if (ar.failed()) {
        done.fail(ar.cause().getClass().getSimpleName() + ": " + ar.cause().getMessage());
      } else if (ar.result().statusCode() / 100 != 2) {
        done.fail("HTTP " + ar.result().statusCode());
      } else {
        done.complete("HTTP " + ar.result().statusCode());
      }
    });
    return done.future();
  }

  /** Exponential backoff from the base, capped, with jitter over the upper half. */
  private long backoff(int attempts) {
    long exp = settings.retryBaseMs() << Math.min(Math.max(attempts - 1, 0), 20);
    long cap = Math.min(exp, settings.retryMaxMs());
    return cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
  }

  /** Wakes the sender when the earliest retry falls due (sooner than the periodic poll). */
  private void scheduleNextRetry() {
    pool.query(Deliveries.NEXT_DUE).execute().onSuccess(rows -> {
      OffsetDateTime due = rows.iterator().next().getOffsetDateTime(0);
      if (due == null || stopped) {
        return;
      }
      long wait = Math.max(10, due.toInstant().toEpochMilli() - System.currentTimeMillis());
      if (wait < 1000) {
        if (retryTimer >= 0) {
          vertx.cancelTimer(retryTimer);
        }
        retryTimer = vertx.setTimer(wait, t -> {
          retryTimer = -1;
          send();
        });
      }
    });
  }

  /** Dead and pending deliveries, for subscribers and operators. {@code owner} null: all. */
  public Future<List<JsonObject>> list(String owner, String subscriptionId, String status, Long before, int limit) {
    return Deliveries.list(pool, owner, subscriptionId, status, before, limit);
  }

  /** Puts a dead delivery back in the queue; false when there is no such dead delivery of the owner's. */
  public Future<Boolean> retry(long id, String owner) {
    return pool.preparedQuery(Deliveries.RETRY).execute(Tuple.of(id, owner)).map(rows -> rows.size() > 0)
        .onSuccess(ok -> {
          if (ok) {
            kickSend();
          }
        });
  }
}
