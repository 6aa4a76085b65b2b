package io.loadshift.vtn.subscription;

import io.loadshift.vtn.audit.Actor;
import io.loadshift.vtn.audit.AuditEntry;
import io.loadshift.vtn.audit.AuditService;
import io.loadshift.vtn.platform.db.Ids;
import io.loadshift.vtn.platform.db.SqlErrors;
import io.loadshift.vtn.platform.http.Problem;
import io.loadshift.vtn.platform.outbox.Outbox;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Subscriptions: every client may subscribe (its clientID comes from its token) and sees only its
 * own; business logic sees all. Each callback URL is checked before anything is stored: its form,
 * where it resolves (no internal addresses unless allowed), and, as OpenADR 3.1 asks, that it
 * answers {@code GET callbackUrl?echo=<random>} with the random value.
 */
public final class SubscriptionService {
  static {
    SqlErrors.explain("subscriptions_program_id_fkey", "programID is not a program.");
  }

  private final Vertx vertx;
  private final Pool pool;
  private final AuditService audit;
  private final Outbox outbox;
  private final CallbackPolicy policy;
  private final WebClient http;
  private final boolean verifyEcho;
  private final SubscriptionRepository repository = new SubscriptionRepository();
  private final SecureRandom random = new SecureRandom();

  public SubscriptionService(Vertx vertx, Pool pool, AuditService audit, Outbox outbox, CallbackPolicy policy,
                             WebClient http, boolean verifyEcho) {
    this.vertx = vertx;
    this.pool = pool;
    this.audit = audit;
    this.outbox = outbox;
    this.policy = policy;
    this.http = http;
    this.verifyEcho = verifyEcho;
  }

  public CallbackPolicy policy() {
    return policy;
  }

  public Future<Subscription> create(Actor actor, SubscriptionRequests.Draft draft) {
    String id = Ids.newId();
    return checkCallbacks(draft).compose(v -> pool.withTransaction(tx -> repository.insert(tx, id, actor.id(), draft)
        .compose(s -> record(tx, actor, "subscription.created", "CREATE", null, s).map(s))));
  }

  public Future<Subscription> update(Actor actor, String owner, String id, SubscriptionRequests.Draft draft) {
    return checkCallbacks(draft).compose(v -> pool.withTransaction(tx -> repository.find(tx, id, owner).compose(found -> {
      Subscription before = found.orElseThrow(() -> notFound(id));
      return repository.update(tx, id, draft).compose(after -> record(tx, actor, "subscription.updated", "UPDATE", before, after)
          .map(after));
    })));
  }

  public Future<Subscription> delete(Actor actor, String owner, String id) {
    return pool.withTransaction(tx -> repository.find(tx, id, owner).compose(found -> {
      Subscription before = found.orElseThrow(() -> notFound(id));
      return repository.delete(tx, id).compose(v -> record(tx, actor, "subscription.deleted", "DELETE", before, null)).map(before);
    }));
  }

  /** {@code owner} null: any subscription (business logic); else only that client's. */
  public Future<Subscription> get(String owner, String id) {
    return repository.find(pool, id, owner).map(f -> f.orElseThrow(() -> notFound(id)));
  }

  public Future<List<Subscription>> search(String owner, String programId, String clientName, List<String> objects,
                                           int skip, int limit) {
    return repository.search(pool, owner, programId, clientName, objects, skip, limit);
  }

  private Future<Void> checkCallbacks(SubscriptionRequests.Draft draft) {
    List<String> urls = draft.objectOperations().stream().map(o -> ((JsonObject) o).getString("callbackUrl")).distinct().toList();
    Future<Void> checks = vertx.executeBlocking(() -> {
      urls.forEach(policy::check);
      return null;
    }, false);
    if (!verifyEcho) {
      return checks;
    }
    return checks.compose(v -> Future.all(urls.stream().map(this::echo).toList())).mapEmpty();
  }

  /** OpenADR 3.1: the callback must answer GET ?echo=<value> with 200 and the value. */
  private Future<Void> echo(String url) {
    String challenge = HexFormat.of().formatHex(random.generateSeed(8));
    return http.getAbs(url).addQueryParam("echo", challenge).timeout(TimeUnit.SECONDS.toMillis(5)).send()
        .transform(ar -> {
          if (ar.failed()) {
            return Future.failedFuture(Problem.validation("callbackUrl " + url + " did not answer the echo check: "
                + ar.cause().getMessage() + "."));
          }
          if (ar.result().statusCode() != 200 || ar.result().bodyAsString() == null
              || !ar.result().bodyAsString().contains(challenge)) {
            return Future.failedFuture(Problem.validation("callbackUrl " + url + " must answer GET ?echo=<value> with 200 "
                + "and the value; it answered " + ar.result().statusCode() + "."));
          }
          return Future.succeededFuture();
        });
  }

  private Future<Void> record(SqlClient tx, Actor actor, String action, String op, Subscription before, Subscription after) {
    Subscription subject = after != null ? after : before;
    return audit.record(tx, AuditEntry.of(actor, action, "subscription", subject.id(),
            before == null ? null : redacted(before), after == null ? null : redacted(after)))
        .compose(v -> outbox.enqueue(tx, new Outbox.Notification("subscription_" + op.toLowerCase(java.util.Locale.ROOT),
            "SUBSCRIPTION", op, subject.id(), null, redacted(subject))));
  }

  /** Bearer tokens for callbacks are secrets of the subscriber: never in audit rows or notifications. */
  private static JsonObject redacted(Subscription s) {
    JsonObject o = s.toJson();
    o.getJsonArray("objectOperations").forEach(x -> {
      JsonObject op = (JsonObject) x;
      if (op.getValue("bearerToken") != null) {
        op.put("bearerToken", "***");
      }
    });
    return o;
  }

  static Problem notFound(String id) {
    return Problem.notFound("No subscription '" + id + "'.");
  }
}
