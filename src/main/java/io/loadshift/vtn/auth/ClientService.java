package io.loadshift.vtn.auth;

import io.loadshift.vtn.audit.Actor;
import io.loadshift.vtn.audit.AuditEntry;
import io.loadshift.vtn.audit.AuditService;
import io.loadshift.vtn.platform.http.Problem;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Clients of the VTN: creation with a one-time secret, listing, disabling, credential checks. */
public final class ClientService {
  public static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._~-]{3,128}");
  private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

  private final Pool pool;
  private final PasswordHasher hasher;
  private final WorkerExecutor hashing;
  private final AuditService audit;
  private final ClientRepository repository = new ClientRepository();
  private final SecureRandom random = new SecureRandom();

  public ClientService(Pool pool, PasswordHasher hasher, WorkerExecutor hashing, AuditService audit) {
    this.pool = pool;
    this.hasher = hasher;
    this.hashing = hashing;
    this.audit = audit;
  }

  /** A client just created, with the only copy of its secret the VTN will ever show. */
  public record Created(Client client, String secret) {
    public JsonObject toJson() {
      return client.toJson().put("clientSecret", secret);
    }
  }

  public Future<Created> create(Actor actor, Role role, String name) {
    String id = role.wire() + "-" + randomBase32(20);
    String secret = randomSecret();
    return hashing.executeBlocking(() -> hasher.hash(secret), false)
        .compose(hash -> pool.withTransaction(tx -> repository.insert(tx, id, name, role, hash, actor.id())
            .compose(c -> audit.record(tx, AuditEntry.of(actor, "client.created", "client", id, null, c.toJson()))
                .map(v -> new Created(c, secret)))));
  }

  public Future<List<Client>> list(Role role, int offset, int limit) {
    return repository.list(pool, role, offset, limit);
  }

  public Future<Client> get(String id) {
    return repository.find(pool, id).map(c -> c.orElseThrow(() -> notFound(id)));
  }

  public Future<Client> setEnabled(Actor actor, String id, boolean enabled) {
    return pool.withTransaction(tx -> repository.findForUpdate(tx, id).compose(found -> {
      Client before = found.orElseThrow(() -> notFound(id));
      if (before.enabled() == enabled) {
        return Future.succeededFuture(before);
      }
      Future<Void> guard = Future.succeededFuture();
      if (!enabled && before.role() == Role.ADMIN) {
        guard = repository.countEnabledAdmins(tx).compose(n -> n <= 1
            ? Future.failedFuture(Problem.conflict("This is the last enabled admin client; create another admin first."))
            : Future.succeededFuture());
      }
      return guard.compose(v -> repository.setEnabled(tx, id, enabled))
          .compose(after -> audit.record(tx, AuditEntry.of(actor, enabled ? "client.enabled" : "client.disabled",
                  "client", id, new JsonObject().put("enabled", before.enabled()),
                  new JsonObject().put("enabled", after.enabled())))
              .map(v -> after));
    }));
  }

  /**
   * Checks a client id and secret. Fails with {@link InvalidClient} for an unknown id, a wrong
   * secret or a disabled client alike, after the same amount of hashing work.
   */
  public Future<Client> authenticate(String id, String secret) {
    if (id == null || secret == null || !CLIENT_ID.matcher(id).matches() || secret.length() > 512) {
      return hashing.executeBlocking(() -> {
        hasher.verifyNothing(secret == null ? "" : secret);
        return null;
      }, false).compose(v -> Future.failedFuture(new InvalidClient()));
    }
    return repository.findWithHash(pool, id).compose(found -> hashing.executeBlocking(() -> {
      if (found.isEmpty()) {
        hasher.verifyNothing(secret);
        return false;
      }
      return hasher.verify(secret, found.get().secretHash());
    }, false).compose(ok -> ok && found.get().client().enabled()
        ? Future.succeededFuture(found.get().client())
        : Future.failedFuture(new InvalidClient())));
  }

  /**
   * Makes sure an admin exists. With a configured id and secret, that client is created, or its
   * secret brought in line with configuration. Without, a first admin is generated when none is
   * enabled; the returned line (its credentials) must be shown to the operator once.
   */
  public Future<Optional<String>> bootstrapAdmin(Optional<String> configuredId, Optional<String> configuredSecret) {
    Actor system = Actor.SYSTEM;
    if (configuredId.isPresent()) {
      String id = configuredId.get();
      String secret = configuredSecret.orElseThrow();
      return repository.findWithHash(pool, id).compose(found -> {
        if (found.isPresent()) {
          if (found.get().client().role() != Role.ADMIN) {
            return Future.failedFuture(new IllegalStateException("VTN_ADMIN_CLIENT_ID names client '" + id
                + "', which exists with role " + found.get().client().role().wire() + ", not admin"));
          }
          return hashing.executeBlocking(() -> hasher.verify(secret, found.get().secretHash()) ? null : hasher.hash(secret), false)
              .compose(newHash -> newHash == null ? Future.succeededFuture(Optional.<String>empty())
                  : pool.withTransaction(tx -> repository.setHash(tx, id, newHash)
                      .compose(v -> audit.record(tx, AuditEntry.of(system, "client.secret_set_from_config", "client", id, null, null))))
                      .map(v -> Optional.<String>empty()));
        }
        return hashing.executeBlocking(() -> hasher.hash(secret), false)
            .compose(hash -> pool.withTransaction(tx -> repository.insert(tx, id, "administrator", Role.ADMIN, hash, system.id())
                .compose(c -> audit.record(tx, AuditEntry.of(system, "client.created", "client", id, null, c.toJson())))))
            .map(v -> Optional.<String>empty());
      });
    }
    return pool.withTransaction(tx -> tx.query("SELECT pg_advisory_xact_lock(hashtext('vtn.bootstrap_admin'))").execute()
        .compose(v -> repository.countEnabledAdmins(tx))
        .compose(n -> {
          if (n > 0) {
            return Future.succeededFuture(Optional.<String>empty());
          }
          String id = "admin-" + randomBase32(12);
          String secret = randomSecret();
          return hashing.executeBlocking(() -> hasher.hash(secret), false)
              .compose(hash -> repository.insert(tx, id, "administrator", Role.ADMIN, hash, system.id()))
              .compose(c -> audit.record(tx, AuditEntry.of(system, "client.created", "client", id, null, c.toJson())))
              .map(v -> Optional.of("First admin client created (the secret is shown only now): client_id=" + id
                  + " client_secret=" + secret));
        }));
  }

  private static Problem notFound(String id) {
    return Problem.notFound("No client '" + id + "'.");
  }

  private String randomSecret() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private String randomBase32(int n) {
    char[] out = new char[n];
    for (int i = 0; i < n; i++) {
      out[i] = BASE32[random.nextInt(32)];
    }
    return new String(out);
  }

  /** The OAuth2 {@code invalid_client} outcome: the caller learns nothing more than "no". */
  public static final class InvalidClient extends RuntimeException {
    public InvalidClient() {
      super("client authentication failed", null, false, false);
    }
  }
}
