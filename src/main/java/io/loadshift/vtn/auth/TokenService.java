package io.loadshift.vtn.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Issues and verifies the VTN's signed access tokens (JWT, RS256). A token whose signature was
 * checked once is remembered until it expires, so the RSA check is not paid on every request;
 * expiry and revocation are still checked on every use.
 */
public final class TokenService {
  private static final int MAX_REMEMBERED = 20_000;

  private record Verified(Principal principal, long expiresAt, int generation) {}

  private final Map<String, Verified> verified = new ConcurrentHashMap<>();
  private final JWTAuth jwt;
  private final String issuer;
  private final Duration ttl;
  private final TokenRevocations revocations;

  public TokenService(Vertx vertx, SigningKey key, String issuer, Duration ttl, TokenRevocations revocations) {
    this.issuer = issuer;
    this.ttl = ttl;
    this.revocations = revocations;
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(SigningKey.ALGORITHM).setId(key.kid()).setBuffer(key.privatePem()))
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(SigningKey.ALGORITHM).setId(key.kid()).setBuffer(key.publicPem()))
        .setJWTOptions(new JWTOptions().setIssuer(issuer)));
  }

  /** An issued token, in the shape of an OAuth2 token response. */
  public record Issued(String accessToken, long expiresIn, Set<String> scopes) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("access_token", accessToken)
          .put("token_type", "Bearer")
          .put("expires_in", expiresIn)
          .put("scope", String.join(" ", scopes));
    }
  }

  public Issued issue(Client client, Set<String> scopes) {
    JsonObject claims = new JsonObject()
        .put("sub", client.clientId())
        .put("client_id", client.clientId())
        .put("role", client.role().wire())
        .put("scope", String.join(" ", scopes))
        .put("gen", client.tokenGeneration());
    String token = jwt.generateToken(claims, new JWTOptions()
        .setAlgorithm(SigningKey.ALGORITHM)
        .setIssuer(issuer)
        .setExpiresInSeconds((int) ttl.toSeconds()));
    return new Issued(token, ttl.toSeconds(), scopes);
  }

  /** Verifies signature, issuer, expiry and revocation; fails with {@link InvalidToken}. */
  public Future<Principal> verify(String token) {
    Verified known = verified.get(token);
    if (known != null) {
      if (System.currentTimeMillis() / 1000 >= known.expiresAt()) {
        verified.remove(token);
        return Future.failedFuture(new InvalidToken("the token is invalid or expired"));
      }
      if (revocations.isRevoked(known.principal().clientId(), known.generation())) {
        return Future.failedFuture(new InvalidToken("the token's client is disabled or its tokens were revoked"));
      }
      return Future.succeededFuture(known.principal());
    }
    return check(token).onSuccess(v -> {
      if (verified.size() >= MAX_REMEMBERED) {
        verified.clear();
      }
      verified.put(token, v);
    }).map(Verified::principal);
  }

  private Future<Verified> check(String token) {
    return jwt.authenticate(new TokenCredentials(token)).transform(ar -> {
      if (ar.failed()) {
        return Future.failedFuture(new InvalidToken("the token is invalid or expired"));
      }
      JsonObject p = ar.result().attributes().getJsonObject("accessToken");
      if (p == null) {
        return Future.failedFuture(new InvalidToken("the token carries no claims"));
      }
      Object sub = p.getValue("sub");
      Object role = p.getValue("role");
      Object scope = p.getValue("scope");
      Object gen = p.getValue("gen");
      if (!(sub instanceof String clientId) || !(role instanceof String r) || !(scope instanceof String s)
          || !(gen instanceof Number g) || !(p.getValue("exp") instanceof Number exp)) {
        return Future.failedFuture(new InvalidToken("the token lacks the VTN's claims"));
      }
      var parsedRole = Role.fromWire(r);
      if (parsedRole.isEmpty()) {
        return Future.failedFuture(new InvalidToken("the token names an unknown role"));
      }
      if (revocations.isRevoked(clientId, g.intValue())) {
        return Future.failedFuture(new InvalidToken("the token's client is disabled or its tokens were revoked"));
      }
      Set<String> scopes = new LinkedHashSet<>(Arrays.asList(s.split(" ")));
      scopes.retainAll(parsedRole.get().scopes());
      return Future.succeededFuture(new Verified(new Principal(clientId, parsedRole.get(), Set.copyOf(scopes)),
          exp.longValue(), g.intValue()));
    });
  }

  public static final class InvalidToken extends RuntimeException {
    public InvalidToken(String message) {
      super(message, null, false, false);
    }
  }
}
