package io.loadshift.vtn.testing;

import io.loadshift.vtn.VtnApp;
import io.loadshift.vtn.platform.config.Config;
import io.loadshift.vtn.platform.config.DbUri;
import io.loadshift.vtn.platform.http.RouteModule;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A whole VTN on a random port over its own database, with a real HTTP client pointed at it.
 * Tests drive it through HTTP only, as a user would.
 */
public final class TestVtn implements AutoCloseable {
  static {
    io.loadshift.vtn.platform.log.Logging.configure(java.util.logging.Level.WARNING);
  }

  public static final String ADMIN_ID = "test-admin";
  public static final String ADMIN_SECRET = "test-admin-secret-0123456789";

  public final DbUri db;
  public final VtnApp app;
  public final WebClient http;
  private final Vertx clientVertx;
  private final boolean ownsDb;

  private TestVtn(DbUri db, VtnApp app, Vertx clientVertx, WebClient http, boolean ownsDb) {
    this.db = db;
    this.app = app;
    this.clientVertx = clientVertx;
    this.http = http;
    this.ownsDb = ownsDb;
  }

  public static TestVtn start() {
    return start(Map.of());
  }

  public static TestVtn start(Map<String, String> env) {
    return start(TestDatabase.create(), env, List.of(), true);
  }

  /** Another VTN on an existing database (a second instance, or the same one after a restart). */
  public static TestVtn startOn(DbUri db, Map<String, String> env) {
    return start(db, env, List.of(), false);
  }

  public static TestVtn start(DbUri db, Map<String, String> env, List<RouteModule> extra, boolean ownsDb) {
    return start(db, env, extra, ownsDb, java.net.InetAddress::getAllByName);
  }

  /** With a stand-in for DNS: what webhook callback host names resolve to. */
  public static TestVtn start(Map<String, String> env, io.loadshift.vtn.subscription.CallbackPolicy.Resolver dns) {
    return start(TestDatabase.create(), env, List.of(), true, dns);
  }

  private static TestVtn start(DbUri db, Map<String, String> env, List<RouteModule> extra, boolean ownsDb,
                               io.loadshift.vtn.subscription.CallbackPolicy.Resolver dns) {
    Map<String, String> vars = new HashMap<>(baseEnv(db));
    vars.putAll(env);
    try {
      VtnApp app = VtnApp.start(Config.from(vars), extra, dns);
      Vertx clientVertx = Vertx.vertx();
      WebClient http = WebClient.create(clientVertx, new WebClientOptions()
          .setDefaultHost("localhost").setDefaultPort(app.port()));
      return new TestVtn(db, app, clientVertx, http, ownsDb);
    } catch (Exception e) {
      throw new IllegalStateException("VTN did not start: " + e.getMessage(), e);
    }
  }

  public static Map<String, String> baseEnv(DbUri db) {
    Map<String, String> vars = new HashMap<>();
    vars.put("VTN_HTTP_PORT", "0");
    vars.put("VTN_HTTP_INSTANCES", "2");
    vars.put("VTN_HTTP_HOST", "127.0.0.1");
    vars.put("VTN_DB_URI", "postgresql://" + db.user() + ":" + db.password() + "@" + db.host() + ":" + db.port() + "/" + db.database());
    vars.put("VTN_DB_POOL_SIZE", "4");
    vars.put("VTN_ADMIN_CLIENT_ID", ADMIN_ID);
    vars.put("VTN_ADMIN_CLIENT_SECRET", ADMIN_SECRET);
    vars.put("VTN_PASSWORD_HASH_ITERATIONS", "10000");
    vars.put("VTN_SHUTDOWN_TIMEOUT_SECONDS", "2");
    return vars;
  }

  public int port() {
    return app.port();
  }

  /** Requests a token with form-encoded client credentials; the raw response. */
  public Future<HttpResponse<Buffer>> tokenResponse(String clientId, String secret) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap()
        .add("grant_type", "client_credentials").add("client_id", clientId).add("client_secret", secret);
    return http.post("/openadr3/3.1.0/auth/token").sendForm(form);
  }

  public Future<String> token(String clientId, String secret) {
    return tokenResponse(clientId, secret).map(r -> {
      if (r.statusCode() != 200) {
        throw new AssertionError("token for " + clientId + ": " + r.statusCode() + " " + r.bodyAsString());
      }
      return r.bodyAsJsonObject().getString("access_token");
    });
  }

  public Future<String> adminToken() {
    return token(ADMIN_ID, ADMIN_SECRET);
  }

  /** Creates a client through the admin API; the 201 body (clientId, clientSecret, ...). */
  public Future<JsonObject> createClient(String adminToken, String role, String name) {
    return http.post("/admin/clients").bearerTokenAuthentication(adminToken)
        .sendJsonObject(new JsonObject().put("role", role).put("name", name))
        .map(r -> {
          if (r.statusCode() != 201) {
            throw new AssertionError("create client: " + r.statusCode() + " " + r.bodyAsString());
          }
          return r.bodyAsJsonObject();
        });
  }

  /** A request with an optional bearer token and JSON body, waited for (tests read top to bottom). */
  public HttpResponse<Buffer> call(io.vertx.core.http.HttpMethod method, String uri, String token, Object body) {
    var req = http.request(method, uri);
    if (token != null) {
      req.bearerTokenAuthentication(token);
    }
    Future<HttpResponse<Buffer>> f = body == null ? req.send()
        : body instanceof JsonObject o ? req.sendJsonObject(o)
        : body instanceof io.vertx.core.json.JsonArray a ? req.sendJson(a)
        : req.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body.toString()));
    return await(f);
  }

  /** A new client of the role and a token for it: {clientId, clientSecret, token}. */
  public JsonObject clientWithToken(String role, String name) {
    JsonObject c = await(adminToken().compose(t -> createClient(t, role, name)));
    return c.put("token", await(token(c.getString("clientId"), c.getString("clientSecret"))));
  }

  public static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stops the VTN (and drops its database when this instance created it). */
  @Override
  public void close() {
    try {
      app.stop().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      http.close();
      clientVertx.close();
      if (ownsDb) {
        TestDatabase.drop(db);
      }
    }
  }
}
