package io.loadshift.vtn.verification;

import static io.loadshift.vtn.auth.Scopes.READ_ALL;
import static io.loadshift.vtn.auth.Scopes.READ_VEN_OBJECTS;
import static io.loadshift.vtn.auth.Scopes.WRITE_EVENTS;

import io.loadshift.vtn.auth.Authenticator;
import io.loadshift.vtn.auth.Principal;
import io.loadshift.vtn.auth.Role;
import io.loadshift.vtn.platform.http.JsonBodies;
import io.loadshift.vtn.platform.http.JsonFields;
import io.loadshift.vtn.platform.http.MediaTypes;
import io.loadshift.vtn.platform.http.Problem;
import io.loadshift.vtn.platform.http.QueryParams;
import io.loadshift.vtn.platform.http.Responses;
import io.loadshift.vtn.platform.http.RouteModule;
import io.loadshift.vtn.platform.http.ValuesMaps;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Settlement: verification of an event's participants, the EXTERNAL baselines a utility submits,
 * and participation records (an event's, for operators and aggregators; a VEN's history, for the
 * VEN itself and operators).
 */
public final class SettlementRoutes implements RouteModule {
  private static final Set<String> SUBMISSION_FIELDS = Set.of("venID", "baselineKw", "actualKw", "meterReadingStart",
      "meterReadingEnd");

  private final Authenticator auth;
  private final VerificationService verification;

  public SettlementRoutes(Authenticator auth, VerificationService verification) {
    this.auth = auth;
    this.verification = verification;
  }

  @Override
  public void mount(Router router) {
    router.route("/settlement/*").handler(auth.bearer());
    router.post("/settlement/events/:eventID/verify").handler(Authenticator.anyScope(WRITE_EVENTS)).handler(this::verify);
    router.post("/settlement/events/:eventID/external").handler(Authenticator.anyScope(WRITE_EVENTS))
        .handler(MediaTypes.json()).handler(this::external);
    router.get("/settlement/events/:eventID/participations").handler(Authenticator.anyScope(READ_ALL, READ_VEN_OBJECTS))
        .handler(this::eventParticipations);
    router.get("/settlement/participations").handler(Authenticator.anyScope(READ_ALL, READ_VEN_OBJECTS))
        .handler(this::history);
  }

  private void verify(RoutingContext ctx) {
    Responses.json(ctx, 200, verification.verify(Authenticator.actor(ctx), ctx.pathParam("eventID")), s -> s);
  }

  /** Body: {"submissions": [{"venID", "baselineKw", "actualKw", "meterReadingStart"?, "meterReadingEnd"?}]}. */
  private void external(RoutingContext ctx) {
    JsonObject body = JsonBodies.object(ctx);
    if (!(body.getValue("submissions") instanceof JsonArray items) || items.isEmpty() || items.size() > 100_000) {
      throw Problem.validation("'submissions' must be an array of 1 to 100000 {venID, baselineKw, actualKw} objects.");
    }
    List<VerificationService.Submission> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      if (!(items.getValue(i) instanceof JsonObject o)) {
        throw Problem.validation("submissions[" + i + "] must be an object.");
      }
      JsonFields.rejectUnknown(o, SUBMISSION_FIELDS);
      String ven = JsonFields.requiredString(o, "venID", 128);
      BigDecimal baseline = ValuesMaps.decimal(o.getValue("baselineKw"));
      BigDecimal actual = ValuesMaps.decimal(o.getValue("actualKw"));
      if (baseline == null || actual == null || baseline.signum() < 0 || actual.signum() < 0) {
        throw Problem.validation("submissions[" + i + "] needs baselineKw and actualKw, numbers >= 0.");
      }
      out.add(new VerificationService.Submission(ven, baseline, actual, meter(o, "meterReadingStart", i),
          meter(o, "meterReadingEnd", i)));
    }
    Responses.json(ctx, 200, verification.submit(Authenticator.actor(ctx), ctx.pathParam("eventID"), out),
        n -> new JsonObject().put("stored", n));
  }

  private static Double meter(JsonObject o, String field, int i) {
    Object v = o.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Number n) || n.doubleValue() < 0) {
      throw Problem.validation("submissions[" + i + "]." + field + " must be a number >= 0.");
    }
    return n.doubleValue();
  }

  private void eventParticipations(RoutingContext ctx) {
    Principal p = Authenticator.principal(ctx);
    list(ctx, p, ctx.pathParam("eventID"), QueryParams.optional(ctx, "venName", 128));
  }

  private void history(RoutingContext ctx) {
    Principal p = Authenticator.principal(ctx);
    String venName = QueryParams.optional(ctx, "venName", 128);
    if (venName == null && p.role() != Role.VEN) {
      throw Problem.validation("Query parameter 'venName' is required.");
    }
    list(ctx, p, null, venName);
  }

  private void list(RoutingContext ctx, Principal p, String eventId, String venName) {
    String status = QueryParams.optional(ctx, "status", 16);
    String client = p.role() == Role.VEN ? p.clientId() : null;
    String owner = p.role() == Role.AGGREGATOR ? p.clientId() : null;
    Responses.json(ctx, 200, verification.list(eventId, venName, status, client, owner,
        QueryParams.integer(ctx, "skip", 0, 0, Integer.MAX_VALUE), QueryParams.integer(ctx, "limit", 100, 1, 1000)), l -> {
          JsonArray out = new JsonArray();
          l.forEach(x -> out.add(x.toJson()));
          return out;
        });
  }
}
