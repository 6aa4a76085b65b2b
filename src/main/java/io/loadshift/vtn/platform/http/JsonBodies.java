package io.loadshift.vtn.platform.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/** Reads request bodies as JSON, turning anything else into a 400 problem. */
public final class JsonBodies {
  private JsonBodies() {}

  public static JsonObject object(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      throw Problems.malformedJson("the body is empty");
    }
    Object parsed;
    try {
      parsed = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw Problems.malformedJson(e.getMessage());
    }
    if (parsed instanceof JsonObject o) {
      return o;
    }
    if (parsed instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) m;
      return new JsonObject(map);
    }
    throw Problem.validation("The request body must be a JSON object.");
  }

  public static void send(RoutingContext ctx, int status, Object body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(io.vertx.core.json.Json.encodeToBuffer(body));
  }
}
