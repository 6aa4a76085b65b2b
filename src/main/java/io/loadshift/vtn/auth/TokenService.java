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
import java.util.Set;

/** Issues and verifies the VTN's signed access tokens (JWT, RS256). */
public final class TokenService {
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
          || !(gen instanceof Number g) || !(p.getValue("exp") instanceof Number)) {
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
      return Future.succeededFuture(new Principal(clientId, parsedRole.get(), Set.copyOf(scopes)));
    });
  }

  public static final class InvalidToken extends RuntimeException {
    public InvalidToken(String message) {
      super(message, null, false, false);
    }
  }
}
