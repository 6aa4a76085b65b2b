package io.loadshift.vtn.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;

/** Checks that a response is the RFC 7807 problem a client should get. */
public final class ProblemAssert {
  private ProblemAssert() {}

  public static JsonObject assertProblem(HttpResponse<Buffer> r, int status, String slug) {
    assertEquals(status, r.statusCode(), () -> "status; body: " + r.bodyAsString());
    String ct = r.getHeader("Content-Type");
    assertNotNull(ct, "Content-Type");
    assertTrue(ct.startsWith("application/problem+json"), "Content-Type was " + ct);
    JsonObject body = r.bodyAsJsonObject();
    assertEquals("https://loadshift.io/problems/" + slug, body.getString("type"), body::encode);
    assertEquals(status, body.getInteger("status"));
    assertNotNull(body.getString("title"));
    String requestId = r.getHeader("X-Request-ID");
    assertNotNull(requestId, "X-Request-ID header");
    assertEquals(requestId, body.getString("requestId"));
    return body;
  }
}
