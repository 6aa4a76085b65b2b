package io.loadshift.vtn.platform.http;

import io.vertx.ext.web.RoutingContext;

/** Query parameters read strictly: a malformed value is a 400, never silently a default. */
public final class QueryParams {
  private QueryParams() {}

  public static int integer(RoutingContext ctx, String name, int fallback, int min, int max) {
    String raw = ctx.request().getParam(name);
    if (raw == null || raw.isEmpty()) {
      return fallback;
    }
    try {
      int v = Integer.parseInt(raw);
      if (v < min || v > max) {
        throw Problem.validation("Query parameter '" + name + "' must be between " + min + " and " + max + ".");
      }
      return v;
    } catch (NumberFormatException e) {
      throw Problem.validation("Query parameter '" + name + "' must be an integer.");
    }
  }

  public static Long optionalLong(RoutingContext ctx, String name) {
    String raw = ctx.request().getParam(name);
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(raw);
    } catch (NumberFormatException e) {
      throw Problem.validation("Query parameter '" + name + "' must be an integer.");
    }
  }

  public static Boolean optionalBoolean(RoutingContext ctx, String name) {
    String raw = ctx.request().getParam(name);
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    if (raw.equals("true") || raw.equals("false")) {
      return Boolean.valueOf(raw);
    }
    throw Problem.validation("Query parameter '" + name + "' must be true or false.");
  }

  public static String optional(RoutingContext ctx, String name, int maxLength) {
    String raw = ctx.request().getParam(name);
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    if (raw.length() > maxLength) {
      throw Problem.validation("Query parameter '" + name + "' is longer than " + maxLength + " characters.");
    }
    return raw;
  }
}
