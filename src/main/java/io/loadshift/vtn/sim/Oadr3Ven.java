package io.loadshift.vtn.sim;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A VEN speaking OpenADR 3.1 to a VTN: gets its token with its client credentials, registers
 * itself and its resources, reads events, subscribes to them, and reports metered usage. Every
 * call is asynchronous, so one process can run thousands of VENs on a few threads.
 */
public final class Oadr3Ven {
  static final String BASE = "/openadr3/3.1.0";

  private final WebClient http;
  private String clientId;
  private String clientSecret;
  private String token;
  private Instant tokenExpires = Instant.EPOCH;
  private String venId;
  private String registrar;

  /** {@code http} has the VTN's host and port as defaults. */
  public Oadr3Ven(WebClient http, String clientId, String clientSecret) {
    this.http = http;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
  }

  /** Sets the client credentials (a VEN client made after this object); the next call fetches a token with them. */
  public void credentials(String clientId, String clientSecret) {
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.token = null;
  }

  public String venId() {
    return venId;
  }

  /** Takes over a VEN record found by other means (one re-pointed to this client). */
  void venId(String id) {
    this.venId = id;
  }

  public String clientId() {
    return clientId;
  }

  /** A token from /auth/token, fetched again a minute before it expires. */
  public Future<String> token() {
    if (token != null && Instant.now().isBefore(tokenExpires.minusSeconds(60))) {
      return Future.succeededFuture(token);
    }
    return http.post(BASE + "/auth/token").sendForm(MultiMap.caseInsensitiveMultiMap()
            .add("grant_type", "client_credentials").add("client_id", clientId).add("client_secret", clientSecret))
        .map(r -> {
          JsonObject body = expect(r, 200, "token");
          token = body.getString("access_token");
          tokenExpires = Instant.now().plusSeconds(body.getLong("expires_in", 3600L));
          return token;
        });
  }

  /**
   * Registers the VEN, or finds it when it exists already: itself (VEN_VEN_REQUEST) when
   * {@code registrar} is null, else by that aggregator's or utility's token (BL_VEN_REQUEST with
   * this VEN's clientID), which then owns the VEN and its resources.
   */
  public Future<String> register(String venName, JsonArray attributes, String registrar) {
    this.registrar = registrar;
    JsonObject body = new JsonObject().put("venName", venName).put("attributes", attributes);
    if (registrar == null) {
      body.put("objectType", "VEN_VEN_REQUEST");
    } else {
      body.put("objectType", "BL_VEN_REQUEST").put("clientID", clientId);
    }
    return writer().compose(t -> http.post(BASE + "/vens").bearerTokenAuthentication(t).sendJsonObject(body)
        .compose(r -> {
          if (r.statusCode() == 409) {
            return http.get(BASE + "/vens").addQueryParam("venName", venName).bearerTokenAuthentication(t).send()
                .map(found -> {
                  JsonArray list = expectArray(found, "find VEN");
                  if (list.isEmpty() || !clientId.equals(list.getJsonObject(0).getString("clientID"))) {
                    // It exists, but not for this client: made by another (lost) client of the same site.
                    throw new Refused("register VEN " + venName + " (it belongs to another client)", 409, r.bodyAsString());
                  }
                  return list.getJsonObject(0).getString("id");
                });
          }
          return Future.succeededFuture(expect(r, 201, "register VEN").getString("id"));
        }))
        .map(id -> venId = id);
  }

  /** Registers the VEN itself (VEN_VEN_REQUEST), or finds it when it exists already. */
  public Future<String> register(String venName, JsonArray attributes) {
    return register(venName, attributes, null);
  }

  /** Registers one of the VEN's resources with its DER attributes (as the VEN was registered); returns its id. */
  public Future<String> addResource(String resourceName, JsonArray attributes) {
    return writer().compose(t -> http.post(BASE + "/resources").bearerTokenAuthentication(t)
        .sendJsonObject(new JsonObject().put("objectType", registrar == null ? "VEN_RESOURCE_REQUEST" : "BL_RESOURCE_REQUEST")
            .put("resourceName", resourceName).put("venID", venId).put("attributes", attributes))
        .map(r -> expect(r, 201, "register resource " + resourceName).getString("id")));
  }

  /** The token that registers: the registrar's, else the VEN's own. */
  private Future<String> writer() {
    return registrar == null ? token() : Future.succeededFuture(registrar);
  }

  /** The VEN's resources: name to id. */
  public Future<Map<String, String>> resources() {
    return token().compose(t -> http.get(BASE + "/vens/" + venId + "/resources").addQueryParam("limit", "50")
        .bearerTokenAuthentication(t).send().map(r -> {
          Map<String, String> out = new HashMap<>();
          expectArray(r, "read resources").forEach(o -> out.put(((JsonObject) o).getString("resourceName"),
              ((JsonObject) o).getString("id")));
          return out;
        }));
  }

  /** Replaces one of the VEN's resources' attributes (a battery's new state of charge, say). */
  public Future<Void> updateResource(String resourceId, String resourceName, JsonArray attributes) {
    return token().compose(t -> http.put(BASE + "/resources/" + resourceId).bearerTokenAuthentication(t)
        .sendJsonObject(new JsonObject().put("objectType", "VEN_RESOURCE_REQUEST").put("resourceName", resourceName)
            .put("venID", venId).put("attributes", attributes))
        .map(r -> {
          expect(r, 200, "update resource " + resourceName);
          return null;
        }));
  }

  /** The events the VTN shows this VEN that have not ended, every page of them. */
  public Future<List<JsonObject>> events() {
    return token().compose(t -> page(t, 0, new ArrayList<>()));
  }

  private Future<List<JsonObject>> page(String t, int skip, List<JsonObject> out) {
    return http.get(BASE + "/events").addQueryParam("active", "true").addQueryParam("skip", Integer.toString(skip))
        .addQueryParam("limit", "50").bearerTokenAuthentication(t).send().compose(r -> {
          JsonArray page = expectArray(r, "read events");
          page.forEach(o -> out.add((JsonObject) o));
          return page.size() < 50 || skip > 10_000 ? Future.succeededFuture(out) : page(t, skip + 50, out);
        });
  }

  /**
   * Subscribes to event operations at a callback URL, replacing this client's earlier
   * subscriptions (a VEN that restarts gets a new address); the VTN sends {@code bearerToken}
   * with each notification so the receiver can tell it from anyone else's POST.
   */
  public Future<String> subscribe(String callbackUrl, String bearerToken) {
    return token().compose(t -> http.get(BASE + "/subscriptions").addQueryParam("limit", "50").bearerTokenAuthentication(t)
        .send().compose(r -> {
          List<Future<?>> gone = new ArrayList<>();
          for (Object o : expectArray(r, "read subscriptions")) {
            gone.add(http.delete(BASE + "/subscriptions/" + ((JsonObject) o).getString("id")).bearerTokenAuthentication(t)
                .send().map(d -> expect(d, 200, "remove an old subscription")));
          }
          return Future.all(gone);
        })
        .compose(x -> http.post(BASE + "/subscriptions").bearerTokenAuthentication(t)
            .sendJsonObject(new JsonObject().put("clientName", clientId).put("objectOperations", new JsonArray()
                .add(new JsonObject().put("objects", new JsonArray().add("EVENT"))
                    .put("operations", new JsonArray().add("CREATE").add("UPDATE").add("DELETE"))
                    .put("callbackUrl", callbackUrl).put("bearerToken", bearerToken)))))
        .map(r -> expect(r, 201, "subscribe").getString("id")));
  }

  /** Removes one of this client's subscriptions. */
  public Future<Void> unsubscribe(String subscriptionId) {
    return token().compose(t -> http.delete(BASE + "/subscriptions/" + subscriptionId).bearerTokenAuthentication(t).send()
        .map(r -> {
          expect(r, 200, "remove subscription");
          return null;
        }));
  }

  /**
   * Reports USAGE (kWh per interval) of one resource for an event: intervals back to back from
   * {@code start}, each {@code interval} long.
   */
  public Future<String> reportUsage(String eventId, String resourceName, Instant start, Duration interval,
                                    double[] kwh) {
    JsonArray intervals = new JsonArray();
    for (int i = 0; i < kwh.length; i++) {
      intervals.add(new JsonObject().put("id", i).put("payloads", new JsonArray()
          .add(new JsonObject().put("type", "USAGE").put("values", new JsonArray().add(kwh[i])))));
    }
    JsonObject report = new JsonObject().put("eventID", eventId).put("clientName", clientId)
        .put("reportName", "usage").put("resources", new JsonArray().add(new JsonObject()
            .put("resourceName", resourceName)
            .put("intervalPeriod", new JsonObject().put("start", start.toString()).put("duration", interval.toString()))
            .put("intervals", intervals)));
    return token().compose(t -> http.post(BASE + "/reports").bearerTokenAuthentication(t).sendJsonObject(report)
        .map(r -> expect(r, 201, "report").getString("id")));
  }

  static JsonObject expect(HttpResponse<Buffer> r, int status, String what) {
    if (r.statusCode() != status) {
      throw new Refused(what, r.statusCode(), r.bodyAsString());
    }
    return r.bodyAsJsonObject();
  }

  static JsonArray expectArray(HttpResponse<Buffer> r, String what) {
    if (r.statusCode() != 200) {
      throw new Refused(what, r.statusCode(), r.bodyAsString());
    }
    return r.bodyAsJsonArray();
  }

  /** The VTN answered with another status than the call expects. */
  public static final class Refused extends IllegalStateException {
    private final int status;

    Refused(String what, int status, String body) {
      super(what + ": HTTP " + status + " " + (body == null ? "" : body.length() > 500 ? body.substring(0, 500) : body));
      this.status = status;
    }

    public int status() {
      return status;
    }
  }
}
