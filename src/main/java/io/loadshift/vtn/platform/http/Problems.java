package io.loadshift.vtn.platform.http;

import io.loadshift.vtn.platform.db.SqlErrors;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Writes RFC 7807 responses, and turns every failure a route can have into one. */
public final class Problems {
  public static final String CONTENT_TYPE = "application/problem+json";
  private static final Logger LOG = Logger.getLogger(Problems.class.getName());

  private Problems() {}

  public static void send(RoutingContext ctx, Problem p) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    String requestId = RequestIds.of(ctx);
    JsonObject body = new JsonObject()
        .put("type", Problem.TYPE_BASE + p.slug())
        .put("title", p.title())
        .put("status", p.status());
    if (p.detail() != null) {
      body.put("detail", p.detail());
    }
    body.put("instance", "urn:loadshift:request:" + requestId).put("requestId", requestId);
    if (p.extensions() != null) {
      // Extension members never replace the standard ones.
      p.extensions().forEach(e -> body.getMap().putIfAbsent(e.getKey(), e.getValue()));
    }
    ctx.response()
        .setStatusCode(p.status())
        .putHeader("Content-Type", CONTENT_TYPE)
        .end(body.toBuffer());
  }

  /** The router's failure handler: known problems as they are, anything else as a logged 500. */
  public static void onFailure(RoutingContext ctx) {
    send(ctx, toProblem(ctx, ctx.failure(), ctx.statusCode()));
  }

  static Problem toProblem(RoutingContext ctx, Throwable failure, int status) {
    if (failure instanceof Problem p) {
      return p;
    }
    if (failure instanceof DecodeException) {
      return malformedJson(failure.getMessage());
    }
    if (failure instanceof HttpException he) {
      return forStatus(he.getStatusCode(), he.getPayload());
    }
    Problem sql = failure == null ? null : SqlErrors.toProblem(failure);
    if (sql != null) {
      return sql;
    }
    if (failure == null && status >= 400 && status < 500) {
      return forStatus(status, null);
    }
    LOG.log(Level.SEVERE, "req=" + RequestIds.of(ctx) + " " + ctx.request().method() + " "
        + ctx.request().path() + " failed", failure);
    return new Problem(500, "internal-error", "Internal server error",
        "The server failed to handle this request; quote the request id when reporting it.");
  }

  public static Problem malformedJson(String why) {
    return new Problem(400, "malformed-json", "Malformed JSON", "The request body is not valid JSON"
        + (why == null ? "" : ": " + why.replaceAll("\\s+", " ")));
  }

  /** Problems for the statuses the router itself produces. */
  public static Problem forStatus(int status, String detail) {
    switch (status) {
      case 400:
        return Problem.badRequest(detail == null ? "The request could not be understood." : detail);
      case 401:
        return new Problem(401, "unauthorized", "Unauthorized", detail == null ? "A valid bearer token is required." : detail);
      case 403:
        return Problem.forbidden(detail == null ? "Not allowed." : detail);
      case 404:
        return Problem.notFound(detail == null ? "No such resource." : detail);
      case 405:
        return new Problem(405, "method-not-allowed", "Method not allowed", "This resource does not support that method.");
      case 406:
        return new Problem(406, "not-acceptable", "Not acceptable", "This resource cannot answer in the media type asked for.");
      case 413:
        return new Problem(413, "payload-too-large", "Payload too large", "The request body is larger than this server accepts.");
      case 415:
        return new Problem(415, "unsupported-media-type", "Unsupported media type",
            detail == null ? "This resource does not accept that Content-Type." : detail);
      default:
        return new Problem(status, "http-" + status, "HTTP " + status, detail);
    }
  }
}
