package io.loadshift.vtn.auth;

import io.loadshift.vtn.platform.http.JsonBodies;
import io.loadshift.vtn.platform.http.MediaTypes;
import io.loadshift.vtn.platform.http.Problem;
import io.loadshift.vtn.platform.http.Problems;
import io.loadshift.vtn.platform.http.RouteModule;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The OAuth2 client-credentials token endpoint of OpenADR 3.1 ({@code POST /auth/token}): form
 * fields or HTTP Basic, answering RFC 6749 token responses; errors are problem+json that also carry
 * the RFC 6749 {@code error} and {@code error_description} members.
 */
public final class TokenRoutes implements RouteModule {
  public static final String PATH = "/openadr3/3.1.0/auth/token";

  private final ClientService clients;
  private final TokenService tokens;
  private final JsonObject serverInfo;

  public TokenRoutes(ClientService clients, TokenService tokens, String publicUrl) {
    this.clients = clients;
    this.tokens = tokens;
    this.serverInfo = new JsonObject().put("tokenURL", publicUrl.replaceAll("/+$", "") + PATH);
  }

  @Override
  public void mount(Router router) {
    // OpenADR 3.1 getAuthServerInfo: where clients get tokens.
    router.get("/openadr3/3.1.0/auth/server").handler(ctx -> JsonBodies.send(ctx, 200, serverInfo));
    router.post(PATH).handler(MediaTypes.exactly("application/x-www-form-urlencoded")).handler(this::token);
  }

  private void token(RoutingContext ctx) {
    MultiMap form = ctx.request().formAttributes();
    ctx.response().putHeader("Cache-Control", "no-store").putHeader("Pragma", "no-cache");
    String grant = form.get("grant_type");
    if (grant == null) {
      Problems.send(ctx, oauth(400, "invalid_request", "grant_type is required"));
      return;
    }
    if (!"client_credentials".equals(grant)) {
      Problems.send(ctx, oauth(400, "unsupported_grant_type", "only grant_type=client_credentials is supported"));
      return;
    }
    String id = form.get("client_id");
    String secret = form.get("client_secret");
    String basic = ctx.request().getHeader("Authorization");
    boolean usedBasic = basic != null && basic.regionMatches(true, 0, "Basic ", 0, 6);
    if (usedBasic) {
      if (id != null && secret != null) {
        Problems.send(ctx, oauth(400, "invalid_request", "send client credentials either in the form or by HTTP Basic, not both"));
        return;
      }
      String[] pair = decodeBasic(basic.substring(6).trim());
      if (pair == null) {
        Problems.send(ctx, oauth(400, "invalid_request", "malformed HTTP Basic credentials"));
        return;
      }
      id = pair[0];
      secret = pair[1];
    }
    if (id == null || secret == null) {
      Problems.send(ctx, oauth(400, "invalid_request", "client_id and client_secret are required"));
      return;
    }
    String requested = form.get("scope");
    clients.authenticate(id, secret).onComplete(ar -> {
      if (ar.failed()) {
        if (ar.cause() instanceof ClientService.InvalidClient) {
          ctx.response().putHeader("WWW-Authenticate", "Basic realm=\"loadshift-vtn\"");
          Problems.send(ctx, oauth(401, "invalid_client", "unknown client, wrong secret or disabled client"));
        } else {
          ctx.fail(ar.cause());
        }
        return;
      }
      Client client = ar.result();
      Set<String> granted = new LinkedHashSet<>(client.role().scopes());
      if (requested != null && !requested.isBlank()) {
        Set<String> asked = new LinkedHashSet<>(Set.of(requested.trim().split("\\s+")));
        if (!granted.containsAll(asked)) {
          asked.removeAll(granted);
          Problems.send(ctx, oauth(400, "invalid_scope", "a " + client.role().wire() + " client may not have " + asked));
          return;
        }
        granted = asked;
      }
      JsonBodies.send(ctx, 200, tokens.issue(client, granted).toJson());
    });
  }

  private static String[] decodeBasic(String b64) {
    try {
      String raw = new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
      int colon = raw.indexOf(':');
      if (colon < 0) {
        return null;
      }
      // RFC 6749 2.3.1: both parts are form-urlencoded before Basic encoding.
      return new String[] {URLDecoder.decode(raw.substring(0, colon), StandardCharsets.UTF_8),
          URLDecoder.decode(raw.substring(colon + 1), StandardCharsets.UTF_8)};
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Problem oauth(int status, String error, String description) {
    return new Problem(status, "oauth-" + error.replace('_', '-'), status == 401 ? "Client authentication failed"
        : "Token request refused", description,
        new JsonObject().put("error", error).put("error_description", description));
  }
}
