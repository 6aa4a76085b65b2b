package io.loadshift.vtn.platform.http;

import io.vertx.core.json.JsonObject;

/**
 * An RFC 7807 problem raised by any layer. {@code type} is a stable slug, published as
 * {@code https://loadshift.io/problems/<slug>}; clients branch on it, humans read title and detail.
 */
public final class Problem extends RuntimeException {
  public static final String TYPE_BASE = "https://loadshift.io/problems/";

  private final int status;
  private final String slug;
  private final String title;
  private final JsonObject extensions;

  public Problem(int status, String slug, String title, String detail) {
    this(status, slug, title, detail, null);
  }

  public Problem(int status, String slug, String title, String detail, JsonObject extensions) {
    super(detail, null, false, false);
    this.status = status;
    this.slug = slug;
    this.title = title;
    this.extensions = extensions;
  }

  public int status() {
    return status;
  }

  public String slug() {
    return slug;
  }

  public String title() {
    return title;
  }

  public String detail() {
    return getMessage();
  }

  public JsonObject extensions() {
    return extensions;
  }

  public static Problem badRequest(String detail) {
    return new Problem(400, "bad-request", "Bad request", detail);
  }

  public static Problem validation(String detail) {
    return new Problem(400, "validation-failed", "Request failed validation", detail);
  }

  public static Problem notFound(String detail) {
    return new Problem(404, "not-found", "Not found", detail);
  }

  public static Problem conflict(String detail) {
    return new Problem(409, "conflict", "Conflict", detail);
  }

  public static Problem unprocessable(String detail) {
    return new Problem(422, "unprocessable", "Unprocessable request", detail);
  }

  public static Problem forbidden(String detail) {
    return new Problem(403, "forbidden", "Forbidden", detail);
  }
}
