package io.loadshift.vtn.oadr20b;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Delivers to push VENs (oadrHttpPullModel false): queued messages are leased from
 * {@code oadr20b_queue} (one VEN's in order, across instances by lease) and POSTed to the VEN's
 * transport address, {@code <address>/OpenADR2/Simple/2.0b/<endpoint>}; a message not taken (no
 * 2xx) is retried with exponential backoff. A push VEN's changed event set is POSTed to its
 * EiEvent as oadrDistributeEvent and counts as sent once taken; failures are retried likewise.
 */
final class PushWorker {
  private static final Logger LOG = Logger.getLogger(PushWorker.class.getName());
  static final String BASE = "/OpenADR2/Simple/2.0b/";
  private static final Duration LEASE = Duration.ofSeconds(60);
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(10);

  private static final String LEASE_NEXT = "WITH next AS (SELECT q.id FROM oadr20b_queue q "
      + "JOIN oadr20b_registrations g ON g.ven_id = q.ven_id AND NOT g.http_pull "
      + "WHERE q.delivered_at IS NULL AND q.next_attempt_at <= now() AND (q.lease_until IS NULL OR q.lease_until < now()) "
      + "AND NOT EXISTS (SELECT 1 FROM oadr20b_queue e WHERE e.ven_id = q.ven_id AND e.delivered_at IS NULL AND e.id < q.id) "
      + "ORDER BY q.id LIMIT 20 FOR UPDATE OF q SKIP LOCKED) "
      + "UPDATE oadr20b_queue q SET lease_until = now() + make_interval(secs => $1), attempts = q.attempts + 1 "
      + "FROM next, oadr20b_registrations g WHERE q.id = next.id AND g.ven_id = q.ven_id "
      + "RETURNING q.id, q.ven_id, q.message_type, q.payload, q.attempts, g.transport_address";
  private static final String DELIVERED = "UPDATE oadr20b_queue SET delivered_at = now(), lease_until = NULL, "
      + "last_error = NULL WHERE id = $1";
  private static final String FAILED = "UPDATE oadr20b_queue SET lease_until = NULL, last_error = $2, "
      + "next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1";

  private static final Map<String, String> ENDPOINTS = Map.of("oadrRequestReregistration", "EiRegisterParty",
      "oadrCancelPartyRegistration", "EiRegisterParty", "oadrRegisterReport", "EiReport", "oadrCreateReport", "EiReport",
      "oadrDistributeEvent", "EiEvent");

  private final Vertx vertx;
  private final Oadr20bStore store;
  private final Oadr20bService service;
  private final OadrXml xml;
  private final HttpClient http;
  private final long periodMs;
  /** Push VENs whose event set is being posted, and when each may be tried again after a failure. */
  private final Set<String> posting = ConcurrentHashMap.newKeySet();
  private final Map<String, long[]> eventRetry = new ConcurrentHashMap<>();
  private long timer = -1;
  private boolean running;

  PushWorker(Vertx vertx, Oadr20bStore store, Oadr20bService service, OadrXml xml, long periodMs) {
    this.vertx = vertx;
    this.store = store;
    this.service = service;
    this.xml = xml;
    this.periodMs = periodMs;
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5000).setIdleTimeout(30));
  }

  void start() {
    timer = vertx.setPeriodic(periodMs, id -> tick());
  }

  Future<Void> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return http.close();
  }

  /** The delay before attempt {@code attempts + 1}: 2, 4, 8 ... seconds, at most 10 minutes. */
  static Duration backoff(int attempts) {
    long s = 1L << Math.min(20, Math.max(1, attempts));
    return Duration.ofSeconds(Math.min(s, MAX_BACKOFF.getSeconds()));
  }

  private void tick() {
    if (running) {
      return;
    }
    // Without push VENs (the usual case) this costs no query.
    if (!pushEvents()) {
      return;
    }
    running = true;
    store.pool().preparedQuery(LEASE_NEXT).execute(Tuple.of((double) LEASE.getSeconds()))
        .compose(rows -> {
          Future<Void> all = Future.succeededFuture();
          for (Row r : rows) {
            all = all.compose(v -> deliver(r.getLong("id"), r.getString("ven_id"), r.getString("message_type"),
                r.getValue("payload") instanceof JsonObject o ? o : new JsonObject(), r.getInteger("attempts"),
                r.getString("transport_address")));
          }
          return all;
        })
        .onFailure(e -> LOG.log(Level.WARNING, "2.0b push: leasing queued messages failed", e))
        .onComplete(ar -> running = false);
  }

  private Future<Void> deliver(long id, String venId, String type, JsonObject payload, int attempts, String address) {
    String endpoint = ENDPOINTS.getOrDefault(type, "EiRegisterParty");
    byte[] bytes;
    try {
      bytes = xml.write(service.queued(venId, new Oadr20bStore.Claimed(id, type, payload, false)));
    } catch (RuntimeException e) {
      return failed(id, attempts, "not written: " + e.getMessage());
    }
    return post(address, endpoint, bytes).transform(ar -> ar.succeeded()
        ? store.pool().preparedQuery(DELIVERED).execute(Tuple.of(id)).<Void>mapEmpty()
        : failed(id, attempts, ar.cause().getMessage()));
  }

  private Future<Void> failed(long id, int attempts, String error) {
    String e = error == null ? "failed" : error.length() > 500 ? error.substring(0, 500) : error;
    return store.pool().preparedQuery(FAILED).execute(Tuple.of(id, e, (double) backoff(attempts).getSeconds()))
        .mapEmpty();
  }

  /** POSTs a message to the VEN; succeeds on a 2xx answer. */
  Future<Void> post(String address, String endpoint, byte[] body) {
    String base = address.endsWith("/") ? address.substring(0, address.length() - 1) : address;
    String url = base.endsWith("/OpenADR2/Simple/2.0b") ? base + "/" + endpoint : base + BASE + endpoint;
    return http.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url).setTimeout(15_000)
            .putHeader("Content-Type", "application/xml"))
        .compose(req -> req.send(Buffer.buffer(body)))
        .compose(resp -> resp.body().compose(b -> resp.statusCode() / 100 == 2 ? Future.<Void>succeededFuture()
            : Future.failedFuture("HTTP " + resp.statusCode() + " from " + url)));
  }

  /** Posts the changed event sets of push VENs; whether there is any push VEN. */
  private boolean pushEvents() {
    long now = System.currentTimeMillis();
    boolean any = false;
    for (Session s : service.sessions().all()) {
      Session.Registration reg = s.registration;
      if (reg == null || reg.httpPull() || reg.transportAddress() == null) {
        continue;
      }
      any = true;
      if (posting.contains(s.venId)) {
        continue;
      }
      long[] retry = eventRetry.get(s.venId);
      if (retry != null && retry[0] > now) {
        continue;
      }
      Oadr20bService.Reply r;
      try {
        r = service.changedEvents(s);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "2.0b push: events of " + s.venId, e);
        continue;
      }
      if (r == null) {
        continue;
      }
      posting.add(s.venId);
      vertx.executeBlocking(() -> xml.write(r.payload()), false)
          .compose(bytes -> post(reg.transportAddress(), "EiEvent", bytes))
          .onComplete(ar -> {
            posting.remove(s.venId);
            if (ar.succeeded()) {
              eventRetry.remove(s.venId);
              r.sent().run();
            } else {
              long[] state = eventRetry.computeIfAbsent(s.venId, k -> new long[2]);
              state[1]++;
              state[0] = System.currentTimeMillis() + backoff((int) state[1]).toMillis();
            }
          });
    }
    return any;
  }
}
