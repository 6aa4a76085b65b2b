package io.loadshift.vtn;

import static io.loadshift.vtn.testing.ProblemAssert.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadshift.vtn.auth.SigningKey;
import io.loadshift.vtn.testing.TestVtn;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Row;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Clients, tokens and scopes, as OAuth2 clients and the operator see them. */
@ExtendWith(VertxExtension.class)
class AuthTest {
  static final String TOKEN = "/openadr3/3.1.0/auth/token";
  static TestVtn vtn;
  static String admin;

  @BeforeAll
  static void start() throws Exception {
    vtn = TestVtn.start();
    admin = vtn.adminToken().toCompletionStage().toCompletableFuture().get();
  }

  @AfterAll
  static void stop() {
    vtn.close();
  }

  @Test
  void theRightSecretGetsATokenWithTheRolesScopes(VertxTestContext ctx) {
    vtn.createClient(admin, "ven", "Building 7 controller")
        .compose(c -> vtn.tokenResponse(c.getString("clientId"), c.getString("clientSecret")))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(200, r.statusCode(), r.bodyAsString());
          assertEquals("no-store", r.getHeader("Cache-Control"));
          JsonObject t = r.bodyAsJsonObject();
          assertEquals("Bearer", t.getString("token_type"));
          assertEquals(3600, t.getInteger("expires_in"));
          assertEquals(Set.of("read_targets", "read_ven_objects", "write_vens", "write_reports", "write_subscriptions"),
              Set.of(t.getString("scope").split(" ")));
          assertEquals(3, t.getString("access_token").split("\\.").length, "a JWS compact token");
          ctx.completeNow();
        })));
  }

  @Test
  void theAuthServerInfoPointsAtTheTokenEndpoint(VertxTestContext ctx) {
    vtn.http.get("/openadr3/3.1.0/auth/server").send().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(200, r.statusCode());
      assertEquals("http://localhost:8080" + TOKEN, r.bodyAsJsonObject().getString("tokenURL"));
      ctx.completeNow();
    })));
  }

  @Test
  void httpBasicCredentialsWorkAndScopesCanBeNarrowed(VertxTestContext ctx) {
    vtn.createClient(admin, "utility", "Grid Co")
        .compose(c -> vtn.http.post(TOKEN)
            .putHeader("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                (c.getString("clientId") + ":" + c.getString("clientSecret")).getBytes(StandardCharsets.UTF_8)))
            .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials").add("scope", "read_all write_events")))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(200, r.statusCode(), r.bodyAsString());
          assertEquals(Set.of("read_all", "write_events"), Set.of(r.bodyAsJsonObject().getString("scope").split(" ")));
          ctx.completeNow();
        })));
  }

  @Test
  void wrongSecretUnknownClientAndBadRequestsAreRefused(VertxTestContext ctx) {
    vtn.tokenResponse(TestVtn.ADMIN_ID, "not-the-secret-at-all")
        .compose(r -> {
          assertEquals("invalid_client", assertProblem(r, 401, "oauth-invalid-client").getString("error"));
          assertNotNull(r.getHeader("WWW-Authenticate"));
          assertNull(r.bodyAsJsonObject().getString("access_token"));
          return vtn.tokenResponse("nobody-at-all", "whatever-secret");
        })
        .compose(r -> {
          assertProblem(r, 401, "oauth-invalid-client");
          return vtn.http.post(TOKEN).sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "password")
              .add("client_id", TestVtn.ADMIN_ID).add("client_secret", TestVtn.ADMIN_SECRET));
        })
        .compose(r -> {
          assertEquals("unsupported_grant_type", assertProblem(r, 400, "oauth-unsupported-grant-type").getString("error"));
          return vtn.http.post(TOKEN).sendForm(MultiMap.caseInsensitiveMultiMap().add("client_id", TestVtn.ADMIN_ID));
        })
        .compose(r -> {
          assertEquals("invalid_request", assertProblem(r, 400, "oauth-invalid-request").getString("error"));
          return vtn.createClient(admin, "ven", "greedy VEN");
        })
        .compose(c -> vtn.http.post(TOKEN).sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials")
            .add("client_id", c.getString("clientId")).add("client_secret", c.getString("clientSecret"))
            .add("scope", "read_targets write_events")))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JsonObject p = assertProblem(r, 400, "oauth-invalid-scope");
          assertEquals("invalid_scope", p.getString("error"));
          assertTrue(p.getString("error_description").contains("write_events"));
          ctx.completeNow();
        })));
  }

  @Test
  void missingForgedAndExpiredTokensAre401(VertxTestContext ctx) {
    SigningKey stranger = SigningKey.generate();
    String forged = sign(stranger, claims(TestVtn.ADMIN_ID, "admin", "admin read_all", now() + 600));
    String noneAlg = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(claims(TestVtn.ADMIN_ID, "admin", "admin", now() + 600).encode()) + ".";
    serverKey()
        .compose(key -> {
          String expired = sign(key, claims(TestVtn.ADMIN_ID, "admin", "admin read_all", now() - 10));
          String valid = sign(key, claims(TestVtn.ADMIN_ID, "admin", "admin read_all", now() + 600));
          return get("/admin/clients", null)
              .compose(r -> {
                assertProblem(r, 401, "unauthorized");
                assertTrue(r.getHeader("WWW-Authenticate").startsWith("Bearer"));
                return get("/admin/clients", forged);
              })
              .compose(r -> {
                assertProblem(r, 401, "unauthorized");
                assertTrue(r.getHeader("WWW-Authenticate").contains("invalid_token"));
                return get("/admin/clients", noneAlg);
              })
              .compose(r -> {
                assertProblem(r, 401, "unauthorized");
                return get("/admin/clients", "garbage.garbage.garbage");
              })
              .compose(r -> {
                assertProblem(r, 401, "unauthorized");
                return get("/admin/clients", expired);
              })
              .compose(r -> {
                assertProblem(r, 401, "unauthorized");
                return get("/admin/clients", valid);
              });
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(200, r.statusCode(), "the same claims signed by the server's key are accepted");
          ctx.completeNow();
        })));
  }

  @Test
  void aTokenThatWorkedStopsWorkingWhenItExpires(VertxTestContext ctx) {
    serverKey()
        .compose(key -> {
          String shortLived = sign(key, claims(TestVtn.ADMIN_ID, "admin", "admin", now() + 2));
          return get("/admin/clients", shortLived)
              .compose(r -> {
                assertEquals(200, r.statusCode(), "accepted (and remembered) while valid");
                return vtn.app.vertx().timer(3, TimeUnit.SECONDS);
              })
              .compose(v -> get("/admin/clients", shortLived));
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertProblem(r, 401, "unauthorized");
          ctx.completeNow();
        })));
  }

  @Test
  void aRoleWithoutTheScopeIs403(VertxTestContext ctx) {
    vtn.createClient(admin, "utility", "not an admin")
        .compose(c -> vtn.token(c.getString("clientId"), c.getString("clientSecret")))
        .compose(t -> get("/admin/clients", t))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertTrue(assertProblem(r, 403, "insufficient-scope").getString("detail").contains("admin"));
          ctx.completeNow();
        })));
  }

  @Test
  void aDisabledClientsTokensStopWorkingAndStayDeadAfterReenabling(VertxTestContext ctx) {
    JsonObject[] client = new JsonObject[1];
    String[] oldToken = new String[1];
    vtn.createClient(admin, "admin", "second operator")
        .compose(c -> {
          client[0] = c;
          return vtn.token(c.getString("clientId"), c.getString("clientSecret"));
        })
        .compose(t -> {
          oldToken[0] = t;
          return get("/admin/clients", t);
        })
        .compose(r -> {
          assertEquals(200, r.statusCode());
          return setEnabled(client[0].getString("clientId"), false);
        })
        .compose(r -> {
          assertEquals(200, r.statusCode(), r.bodyAsString());
          assertEquals(false, r.bodyAsJsonObject().getBoolean("enabled"));
          return eventually(() -> get("/admin/clients", oldToken[0]), 401);
        })
        .compose(r -> vtn.tokenResponse(client[0].getString("clientId"), client[0].getString("clientSecret")))
        .compose(r -> {
          assertProblem(r, 401, "oauth-invalid-client");
          return setEnabled(client[0].getString("clientId"), true);
        })
        .compose(r -> vtn.token(client[0].getString("clientId"), client[0].getString("clientSecret")))
        .compose(fresh -> get("/admin/clients", fresh))
        .compose(r -> {
          assertEquals(200, r.statusCode(), "a new token works once re-enabled");
          return get("/admin/clients", oldToken[0]);
        })
        .compose(r -> {
          assertProblem(r, 401, "unauthorized");
          return get("/admin/audit?objectId=" + client[0].getString("clientId"), admin);
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JsonArray audit = r.bodyAsJsonArray();
          assertEquals(3, audit.size(), audit::encode);
          assertEquals("client.enabled", audit.getJsonObject(0).getString("action"));
          assertEquals("client.disabled", audit.getJsonObject(1).getString("action"));
          assertEquals("client.created", audit.getJsonObject(2).getString("action"));
          assertEquals(TestVtn.ADMIN_ID, audit.getJsonObject(1).getString("actor"));
          assertEquals(true, audit.getJsonObject(1).getJsonObject("before").getBoolean("enabled"));
          assertEquals(false, audit.getJsonObject(1).getJsonObject("after").getBoolean("enabled"));
          assertNull(audit.getJsonObject(2).getJsonObject("after").getString("clientSecret"), "secrets never reach the audit log");
          ctx.completeNow();
        })));
  }

  @Test
  void theLastEnabledAdminCannotBeDisabled(VertxTestContext ctx) {
    // Other tests may add admins; disable every other one first so this one is the last.
    get("/admin/clients?role=admin&limit=500", admin)
        .compose(r -> {
          Future<Void> chain = Future.succeededFuture();
          for (Object o : r.bodyAsJsonArray()) {
            String id = ((JsonObject) o).getString("clientId");
            if (!id.equals(TestVtn.ADMIN_ID)) {
              chain = chain.compose(v -> setEnabled(id, false).mapEmpty());
            }
          }
          return chain;
        })
        .compose(v -> setEnabled(TestVtn.ADMIN_ID, false))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertProblem(r, 409, "conflict");
          ctx.completeNow();
        })));
  }

  @Test
  void secretsAreStoredOnlyAsSaltedSlowHashes(VertxTestContext ctx) {
    vtn.createClient(admin, "aggregator", "Fleet Inc")
        .compose(c -> vtn.app.pool().preparedQuery("SELECT secret_hash FROM clients WHERE client_id = $1")
            .execute(io.vertx.sqlclient.Tuple.of(c.getString("clientId")))
            .map(rows -> Map.entry(c.getString("clientSecret"), rows.iterator().next().getString(0))))
        .onComplete(ctx.succeeding(e -> ctx.verify(() -> {
          String hash = e.getValue();
          assertTrue(hash.startsWith("pbkdf2-sha256$10000$"), hash);
          assertTrue(!hash.contains(e.getKey()));
          ctx.completeNow();
        })));
  }

  // --- helpers ---

  static Future<HttpResponse<Buffer>> get(String uri, String token) {
    var req = vtn.http.get(uri);
    if (token != null) {
      req.bearerTokenAuthentication(token);
    }
    return req.send();
  }

  static Future<HttpResponse<Buffer>> setEnabled(String clientId, boolean enabled) {
    return vtn.http.patch("/admin/clients/" + clientId).bearerTokenAuthentication(admin)
        .sendJsonObject(new JsonObject().put("enabled", enabled));
  }

  /** Repeats a request until it answers the status (revocation travels by NOTIFY), for up to 3 s. */
  static Future<HttpResponse<Buffer>> eventually(Supplier<Future<HttpResponse<Buffer>>> call, int status) {
    return eventually(call, status, System.nanoTime() + TimeUnit.SECONDS.toNanos(3));
  }

  private static Future<HttpResponse<Buffer>> eventually(Supplier<Future<HttpResponse<Buffer>>> call, int status, long deadline) {
    return call.get().compose(r -> {
      if (r.statusCode() == status || System.nanoTime() > deadline) {
        assertEquals(status, r.statusCode(), r.bodyAsString());
        return Future.succeededFuture(r);
      }
      Vertx v = Vertx.currentContext().owner();
      return v.timer(20).compose(x -> eventually(call, status, deadline));
    });
  }

  static Future<SigningKey> serverKey() {
    return vtn.app.pool().query("SELECT kid, private_key_pem, public_key_pem FROM signing_keys").execute()
        .map(rows -> {
          Row r = rows.iterator().next();
          return new SigningKey(r.getString(0), r.getString(1), r.getString(2));
        });
  }

  static JsonObject claims(String sub, String role, String scope, long exp) {
    return new JsonObject().put("sub", sub).put("client_id", sub).put("role", role).put("scope", scope)
        .put("gen", 0).put("iss", "http://localhost:8080").put("iat", now() - 60).put("exp", exp);
  }

  static String sign(SigningKey key, JsonObject claims) {
    JWTAuth jwt = JWTAuth.create(vtn.app.vertx(), new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256").setBuffer(key.privatePem())));
    return jwt.generateToken(claims, new JWTOptions().setAlgorithm("RS256").setNoTimestamp(true));
  }

  static long now() {
    return System.currentTimeMillis() / 1000;
  }

  static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
