package io.loadshift.vtn.auth;

import io.loadshift.vtn.platform.http.Problem;
import io.loadshift.vtn.platform.http.Problems;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;

/** Route handlers that demand a valid bearer token, and a scope, before a request goes further. */
public final class Authenticator {
  private static final String KEY = "principal";
  private static final String CHALLENGE = "Bearer realm=\"loadshift-vtn\"";

  private final TokenService tokens;

  public Authenticator(TokenService tokens) {
    this.tokens = tokens;
  }

  /** Accepts a request only with a valid, unrevoked bearer token; otherwise answers 401. */
  public Handler<RoutingContext> bearer() {
    return ctx -> {
      String header = ctx.request().getHeader("Authorization");
      if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        ctx.response().putHeader("WWW-Authenticate", CHALLENGE);
        Problems.send(ctx, unauthorized("This resource needs an 'Authorization: Bearer <token>' header; "
            + "get a token from /openadr3/3.1.0/auth/token."));
        return;
      }
      tokens.verify(header.substring(7).trim()).onComplete(ar -> {
        if (ar.succeeded()) {
          ctx.put(KEY, ar.result());
          ctx.next();
        } else {
          ctx.response().putHeader("WWW-Authenticate", CHALLENGE + ", error=\"invalid_token\"");
          Problems.send(ctx, unauthorized(ar.cause() instanceof TokenService.InvalidToken
              ? "Bearer token refused: " + ar.cause().getMessage() + "." : "Bearer token refused."));
        }
      });
    };
  }

  /** Lets the request through when its principal holds at least one of the scopes; 403 otherwise. */
  public static Handler<RoutingContext> anyScope(String... scopes) {
    return ctx -> {
      Principal p = principal(ctx);
      for (String s : scopes) {
        if (p.has(s)) {
          ctx.next();
          return;
        }
      }
      Problems.send(ctx, new Problem(403, "insufficient-scope", "Insufficient scope",
          "This operation needs one of the scopes " + Arrays.toString(scopes) + "; a " + p.role().wire()
              + " client does not hold them."));
    };
  }

  public static Principal principal(RoutingContext ctx) {
    Principal p = ctx.get(KEY);
    if (p == null) {
      throw new IllegalStateException("route is missing the bearer() handler");
    }
    return p;
  }

  /** The caller as the audit log records it: client, role and request id. */
  public static io.loadshift.vtn.audit.Actor actor(RoutingContext ctx) {
    return principal(ctx).actor(io.loadshift.vtn.platform.http.RequestIds.of(ctx));
  }

  private static Problem unauthorized(String detail) {
    return new Problem(401, "unauthorized", "Unauthorized", detail);
  }
}
