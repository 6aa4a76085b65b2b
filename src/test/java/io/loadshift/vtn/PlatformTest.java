package io.loadshift.vtn;

import static io.loadshift.vtn.testing.ProblemAssert.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadshift.vtn.testing.TestDatabase;
import io.loadshift.vtn.testing.TestVtn;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What every client sees whatever it calls: problems, limits, request ids, health and metrics. */
@ExtendWith(VertxExtension.class)
class PlatformTest {
  static TestVtn vtn;
  static String admin;

  @BeforeAll
  static void start() throws Exception {
    vtn = TestVtn.start(Map.of("VTN_BODY_LIMIT_BYTES", "4096"));
    admin = vtn.adminToken().toCompletionStage().toCompletableFuture().get();
  }

  @AfterAll
  static void stop() {
    vtn.close();
  }

  @Test
  void malformedJsonIsA400ProblemAndStoresNothing(VertxTestContext ctx) {
    vtn.http.post("/admin/clients").bearerTokenAuthentication(admin)
        .putHeader("Content-Type", "application/json").putHeader("X-Request-ID", "trace-me-42")
        .sendBuffer(Buffer.buffer("{\"role\": \"ven\", \"name\": "))
        .compose(r -> {
          JsonObject p = assertProblem(r, 400, "malformed-json");
          assertEquals("trace-me-42", p.getString("requestId"));
          assertTrue(p.getString("detail").contains("not valid JSON"));
          return vtn.http.get("/admin/clients").bearerTokenAuthentication(admin).send();
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(1, r.bodyAsJsonArray().size(), "only the admin exists");
          ctx.completeNow();
        })));
  }

  @Test
  void invalidFieldsAreA400ProblemThatNamesThem(VertxTestContext ctx) {
    vtn.http.post("/admin/clients").bearerTokenAuthentication(admin)
        .sendJsonObject(new JsonObject().put("role", "emperor").put("name", "x"))
        .compose(r -> {
          assertTrue(assertProblem(r, 400, "validation-failed").getString("detail").contains("role"));
          return vtn.http.post("/admin/clients").bearerTokenAuthentication(admin)
              .sendJsonObject(new JsonObject().put("role", "ven").put("name", "x").put("secret", "mine"));
        })
        .compose(r -> {
          assertTrue(assertProblem(r, 400, "validation-failed").getString("detail").contains("secret"));
          return vtn.http.post("/admin/clients").bearerTokenAuthentication(admin)
              .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("[1,2]"));
        })
        .compose(r -> {
          assertTrue(assertProblem(r, 400, "validation-failed").getString("detail").contains("JSON object"));
          return vtn.http.post("/admin/clients").bearerTokenAuthentication(admin).sendBuffer(Buffer.buffer("{}"));
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertProblem(r, 415, "unsupported-media-type");
          ctx.completeNow();
        })));
  }

  @Test
  void unknownRouteIsA404Problem(VertxTestContext ctx) {
    vtn.http.get("/no/such/thing").send().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertProblem(r, 404, "not-found");
      ctx.completeNow();
    })));
  }

  @Test
  void wrongMethodIsA405Problem(VertxTestContext ctx) {
    vtn.http.delete("/health/live").send().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertProblem(r, 405, "method-not-allowed");
      ctx.completeNow();
    })));
  }

  @Test
  void oversizedBodyIsA413Problem(VertxTestContext ctx) {
    String big = "{\"name\":\"" + "x".repeat(5000) + "\",\"role\":\"ven\"}";
    vtn.http.post("/admin/clients").bearerTokenAuthentication(admin)
        .putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(big))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertProblem(r, 413, "payload-too-large");
          ctx.completeNow();
        })));
  }

  @Test
  void oversizedChunkedBodyIsA413Problem(io.vertx.core.Vertx vertx, VertxTestContext ctx) {
    // No Content-Length: the limit must hold while the body streams in.
    HttpClient client = vertx.createHttpClient();
    client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("localhost").setPort(vtn.port())
            .setURI("/admin/clients").putHeader("Authorization", "Bearer " + admin)
            .putHeader("Content-Type", "application/json"))
        .compose(req -> {
          req.setChunked(true);
          for (int i = 0; i < 10; i++) {
            req.write(Buffer.buffer("x".repeat(1000)));
          }
          return req.end().compose(v -> req.response());
        })
        .compose(resp -> resp.body().map(b -> {
          assertEquals(413, resp.statusCode());
          assertTrue(resp.getHeader("Content-Type").startsWith("application/problem+json"));
          return b;
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void wrongContentTypeIsA415Problem(VertxTestContext ctx) {
    vtn.http.post("/admin/clients").bearerTokenAuthentication(admin)
        .putHeader("Content-Type", "text/plain")
        .sendBuffer(Buffer.buffer("{\"role\":\"ven\",\"name\":\"x\"}"))
        .compose(r -> {
          assertProblem(r, 415, "unsupported-media-type");
          return vtn.http.post("/openadr3/3.1.0/auth/token").sendJsonObject(new JsonObject()
              .put("grant_type", "client_credentials"));
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertProblem(r, 415, "unsupported-media-type");
          ctx.completeNow();
        })));
  }

  @Test
  void everyResponseCarriesARequestId(VertxTestContext ctx) {
    vtn.http.get("/health/live").send()
        .compose(r -> {
          assertEquals(200, r.statusCode());
          assertEquals(new JsonObject().put("status", "UP"), r.bodyAsJsonObject());
          assertTrue(r.getHeader("X-Request-ID").matches("[0-9a-f]{32}"));
          return vtn.http.get("/health/live").putHeader("X-Request-ID", "bad id with spaces").send();
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertTrue(r.getHeader("X-Request-ID").matches("[0-9a-f]{32}"), "an unsafe id is replaced");
          ctx.completeNow();
        })));
  }

  @Test
  void metricsCoverHttpPoolAndJvm(VertxTestContext ctx) {
    vtn.http.get("/health/ready").send()
        .compose(r -> vtn.http.get("/metrics").send())
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(200, r.statusCode());
          assertTrue(r.getHeader("Content-Type").startsWith("text/plain"));
          String text = r.bodyAsString();
          assertTrue(text.contains("vertx_http_server_requests_total{"), "HTTP server meters");
          assertTrue(text.contains("route=\"/health/ready\""), "requests labelled by route");
          assertTrue(text.contains("vertx_sql_processing_time_seconds_count"), "SQL client meters");
          assertTrue(text.contains("vtn_db_pool_connections "), "pool size gauge");
          assertTrue(text.contains("jvm_memory_used_bytes"), "JVM meters");
          ctx.completeNow();
        })));
  }

  @Test
  void auditLogIsAppendOnly() {
    TestDatabase.execIn(vtn.db, "INSERT INTO audit_log (actor, action, object_type, object_id) VALUES ('t', 'x', 'y', 'z')");
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> TestDatabase.execIn(vtn.db, "UPDATE audit_log SET actor = 'someone else'"));
    assertTrue(e.getMessage().contains("append-only"), e.getMessage());
    assertTrue(org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> TestDatabase.execIn(vtn.db, "DELETE FROM audit_log")).getMessage().contains("append-only"));
  }

}
