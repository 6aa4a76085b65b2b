package io.loadshift.vtn.oadr20b;

import static io.loadshift.vtn.auth.Scopes.READ_ALL;
import static io.loadshift.vtn.auth.Scopes.WRITE_VENS;

import io.loadshift.vtn.auth.Authenticator;
import io.loadshift.vtn.auth.Principal;
import io.loadshift.vtn.auth.TokenService;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrPayload;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrSignedObject;
import io.loadshift.vtn.platform.http.ClientCertificate;
import io.loadshift.vtn.platform.http.Problem;
import io.loadshift.vtn.platform.http.Problems;
import io.loadshift.vtn.platform.http.RequestIds;
import io.loadshift.vtn.platform.http.Responses;
import io.loadshift.vtn.platform.http.RouteModule;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.security.PublicKey;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * OpenADR 2.0b over simple HTTP: {@code POST /OpenADR2/Simple/2.0b/{EiRegisterParty, EiEvent,
 * EiReport, EiOpt, OadrPoll}} with {@code application/xml} (or {@code text/xml}) bodies. Each
 * message is read with {@link OadrXml} (hardened, schema-validated; bodies over 32 KiB on a worker
 * thread), its sender taken from the TLS client certificate or the bearer token, and answered
 * with HTTP 200 and the 2.0b reply, refusals included (the response code says why); only the HTTP
 * layer's own refusals (413, 415) and the VTN's failures (500) are other statuses.
 *
 * <p>Operators also get {@code GET /oadr20b/vens/{venID}} (a VEN's 2.0b state) and
 * {@code POST /oadr20b/vens/{venID}/reregistration} (queues an oadrRequestReregistration).
 */
public final class Oadr20bRoutes implements RouteModule {
  static final String BASE = "/OpenADR2/Simple/2.0b/";
  private static final Logger LOG = Logger.getLogger(Oadr20bRoutes.class.getName());
  /** Bodies larger than this are parsed off the event loop. */
  private static final int LOOP_PARSE_LIMIT = 32 * 1024;
  /** An oadrDistributeEvent with more events than this is written off the event loop. */
  private static final int LOOP_WRITE_EVENTS = 16;

  /** The simple-HTTP endpoints, each serving its own messages. */
  enum Endpoint { EiRegisterParty, EiEvent, EiReport, EiOpt, OadrPoll }

  private final OadrXml xml;
  private final Oadr20bService service;
  private final TokenService tokens;
  private final Authenticator auth;
  private final WorkerExecutor workers;
  private final PollBodies pollBodies;
  /** Null when signatures are not verified. */
  private final Signatures signatures;

  Oadr20bRoutes(OadrXml xml, Oadr20bService service, TokenService tokens, Authenticator auth, WorkerExecutor workers,
                PollBodies pollBodies, Signatures signatures) {
    this.signatures = signatures;
    this.xml = xml;
    this.service = service;
    this.tokens = tokens;
    this.auth = auth;
    this.workers = workers;
    this.pollBodies = pollBodies;
  }

  @Override
  public void mount(Router router) {
    for (Endpoint e : Endpoint.values()) {
      router.post(BASE + e.name()).handler(ctx -> handle(ctx, e));
    }
    router.route("/oadr20b/vens/*").handler(auth.bearer());
    router.get("/oadr20b/vens/:venID").handler(Authenticator.anyScope(READ_ALL)).handler(this::describe);
    router.post("/oadr20b/vens/:venID/reregistration").handler(Authenticator.anyScope(WRITE_VENS))
        .handler(this::reregister);
  }

  // ---------------------------------------------------------------------------------------------
  // The 2.0b endpoints

  private void handle(RoutingContext ctx, Endpoint endpoint) {
    String type = essence(ctx.request().getHeader("Content-Type"));
    if (!"application/xml".equals(type) && !"text/xml".equals(type)) {
      Problems.send(ctx, Problems.forStatus(415, "OpenADR 2.0b messages are sent as application/xml; the request "
          + (type == null ? "had no Content-Type" : "had " + type) + "."));
      return;
    }
    Buffer body = ctx.body().buffer();
    byte[] bytes = body == null ? new byte[0] : body.getBytes();
    Future<Caller> caller;
    try {
      caller = caller(ctx);
    } catch (RuntimeException e) {
      caller = Future.failedFuture(e);
    }
    caller.onComplete(ar -> {
      if (ar.failed()) {
        answer(ctx, Future.failedFuture(ar.cause()), null, null);
        return;
      }
      if (signatures != null && ar.result().fingerprint() != null) {
        // Checked on the bytes received, before anything is read from them or acted on.
        PublicKey key = ClientCertificate.publicKey(ctx);
        Future<Void> checked = key == null
            ? Future.failedFuture(new OadrRefusal(ResponseCode.FORBIDDEN, "Signature refused: no client certificate key."))
            : workers.executeBlocking(() -> {
              signatures.verify(bytes, key);
              return null;
            }, false);
        checked.onComplete(v -> {
          if (v.failed()) {
            answer(ctx, Future.failedFuture(v.cause()), null, null);
            return;
          }
          read(bytes).onComplete(parsed -> {
            if (parsed.failed()) {
              answer(ctx, Future.failedFuture(parsed.cause()), null, null);
              return;
            }
            dispatch(ctx, endpoint, ar.result(), parsed.result(), bytes);
          });
        });
        return;
      }
      String venId = endpoint == Endpoint.OadrPoll ? pollBodies.venOf(bytes) : null;
      if (venId != null) {
        // The very bytes of a poll read (and validated) before: no need to read them again.
        answer(ctx, call(() -> service.poll(ar.result(), venId)), "oadrPoll", venId);
        return;
      }
      read(bytes).onComplete(parsed -> {
        if (parsed.failed()) {
          answer(ctx, Future.failedFuture(parsed.cause()), null, null);
          return;
        }
        dispatch(ctx, endpoint, ar.result(), parsed.result(), bytes);
      });
    });
  }

  private Future<Caller> caller(RoutingContext ctx) {
    ClientCertificate cert = ClientCertificate.of(ctx);
    if (cert != null) {
      return Future.succeededFuture(new Caller(cert.oadrFingerprint(), null));
    }
    String header = ctx.request().getHeader("Authorization");
    if (header == null) {
      return Future.succeededFuture(Caller.ANONYMOUS);
    }
    if (header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Future.failedFuture(OadrRefusal.notAuthorized("The Authorization header must be 'Bearer <token>'."));
    }
    return tokens.verify(header.substring(7).trim())
        .<Caller>map(p -> new Caller(null, p))
        .recover(e -> Future.failedFuture(OadrRefusal.notAuthorized(e instanceof TokenService.InvalidToken
            ? "Bearer token refused: " + e.getMessage() + "." : "Bearer token refused.")));
  }

  private Future<OadrPayload> read(byte[] bytes) {
    if (bytes.length <= LOOP_PARSE_LIMIT) {
      try {
        return Future.succeededFuture(xml.parse(bytes));
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }
    return workers.executeBlocking(() -> xml.parse(bytes), false);
  }

  private void dispatch(RoutingContext ctx, Endpoint endpoint, Caller caller, OadrPayload payload, byte[] bytes) {
    OadrSignedObject m = payload.getOadrSignedObject();
    String type = MessageTypes.of(m);
    String venId = MessageTypes.venId(m);
    String requestId = RequestIds.of(ctx);
    Future<Oadr20bService.Reply> reply = call(() -> switch (endpoint) {
      case OadrPoll -> {
        if (m.getOadrPoll() == null) {
          yield wrongEndpoint(type, endpoint);
        }
        if (payload.getSignature() == null) {
          pollBodies.remember(bytes, m.getOadrPoll().getVenID());
        }
        yield service.poll(caller, m.getOadrPoll().getVenID());
      }
      case EiRegisterParty -> {
        if (m.getOadrQueryRegistration() != null) {
          yield service.queryRegistration(caller, m.getOadrQueryRegistration().getRequestID());
        }
        if (m.getOadrCreatePartyRegistration() != null) {
          yield service.createRegistration(caller, m.getOadrCreatePartyRegistration(), requestId);
        }
        if (m.getOadrCancelPartyRegistration() != null) {
          yield service.cancelRegistration(caller, m.getOadrCancelPartyRegistration(), requestId);
        }
        if (m.getOadrCanceledPartyRegistration() != null) {
          yield service.acknowledged(caller, venId, m.getOadrCanceledPartyRegistration().getEiResponse().getRequestID());
        }
        if (m.getOadrResponse() != null) {
          yield service.acknowledged(caller, venId, m.getOadrResponse().getEiResponse().getRequestID());
        }
        yield wrongEndpoint(type, endpoint);
      }
      case EiEvent -> {
        if (m.getOadrRequestEvent() != null) {
          yield service.requestEvent(caller, m.getOadrRequestEvent());
        }
        if (m.getOadrCreatedEvent() != null) {
          yield service.createdEvent(caller, m.getOadrCreatedEvent(), requestId);
        }
        if (m.getOadrResponse() != null) {
          yield service.acknowledged(caller, venId, m.getOadrResponse().getEiResponse().getRequestID());
        }
        yield wrongEndpoint(type, endpoint);
      }
      case EiReport -> {
        if (m.getOadrRegisterReport() != null) {
          yield service.registerReport(caller, m.getOadrRegisterReport());
        }
        if (m.getOadrUpdateReport() != null) {
          yield service.updateReport(caller, m.getOadrUpdateReport(), requestId);
        }
        if (m.getOadrCancelReport() != null) {
          yield service.cancelReport(caller, m.getOadrCancelReport());
        }
        if (m.getOadrCreatedReport() != null) {
          yield service.acknowledged(caller, venId, m.getOadrCreatedReport().getEiResponse().getRequestID());
        }
        if (m.getOadrRegisteredReport() != null) {
          yield service.acknowledged(caller, venId, m.getOadrRegisteredReport().getEiResponse().getRequestID());
        }
        if (m.getOadrCanceledReport() != null) {
          yield service.acknowledged(caller, venId, m.getOadrCanceledReport().getEiResponse().getRequestID());
        }
        if (m.getOadrResponse() != null) {
          yield service.acknowledged(caller, venId, m.getOadrResponse().getEiResponse().getRequestID());
        }
        yield MessageTypes.REPORT.contains(type)
            ? Future.failedFuture(new OadrRefusal(ResponseCode.REPORT_NOT_SUPPORTED,
                type + " is not a message a VEN sends this VTN; it was not acted on."))
            : wrongEndpoint(type, endpoint);
      }
      case EiOpt -> {
        if (m.getOadrCreateOpt() != null) {
          yield service.createOpt(caller, m.getOadrCreateOpt(), requestId);
        }
        if (m.getOadrCancelOpt() != null) {
          yield service.cancelOpt(caller, m.getOadrCancelOpt(), requestId);
        }
        if (m.getOadrResponse() != null) {
          yield service.acknowledged(caller, venId, m.getOadrResponse().getEiResponse().getRequestID());
        }
        yield MessageTypes.OPT.contains(type)
            ? Future.failedFuture(new OadrRefusal(ResponseCode.COMPLIANCE_ERROR,
                type + " answers a message this VTN does not send; it was not acted on."))
            : wrongEndpoint(type, endpoint);
      }
    });
    answer(ctx, reply, type, venId, MessageTypes.requestId(m));
  }

  private static Future<Oadr20bService.Reply> wrongEndpoint(String type, Endpoint endpoint) {
    return Future.failedFuture(new OadrRefusal(ResponseCode.COMPLIANCE_ERROR,
        type + " is not a message of " + endpoint.name() + MessageTypes.rightEndpoint(type) + "."));
  }

  private static Future<Oadr20bService.Reply> call(java.util.function.Supplier<Future<Oadr20bService.Reply>> work) {
    try {
      return work.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private void answer(RoutingContext ctx, Future<Oadr20bService.Reply> reply, String type, String venId) {
    answer(ctx, reply, type, venId, "");
  }

  /** Writes the reply, or the refusal in the shape the message expects (its request echoed). */
  private void answer(RoutingContext ctx, Future<Oadr20bService.Reply> reply, String type, String venId, String requestId) {
    reply.onComplete(ar -> {
      Oadr20bService.Reply r;
      int status = 200;
      if (ar.succeeded()) {
        r = ar.result();
      } else {
        ResponseCode code;
        String description;
        Throwable e = ar.cause();
        if (e instanceof OadrRefusal refusal) {
          code = refusal.code();
          description = refusal.getMessage();
        } else if (e instanceof OadrXmlException bad) {
          if (bad.kind() == OadrXmlException.Kind.TOO_LARGE) {
            Problems.send(ctx, Problems.forStatus(413, bad.getMessage()));
            return;
          }
          code = ResponseCode.BAD_REQUEST;
          description = bad.getMessage();
        } else if (e instanceof Problem p && p.status() < 500) {
          code = ResponseCode.INVALID_DATA;
          description = p.detail();
        } else {
          LOG.log(Level.SEVERE, "2.0b " + type + " failed (request " + RequestIds.of(ctx) + ")", e);
          code = ResponseCode.INTERNAL_ERROR;
          description = "The VTN failed to handle the message (request " + RequestIds.of(ctx) + ").";
          status = 500;
        }
        r = Oadr20bService.Reply.of(MessageTypes.refusal(service.messages(), type, code, description, requestId, venId));
      }
      write(ctx, status, r);
    });
  }

  private void write(RoutingContext ctx, int status, Oadr20bService.Reply r) {
    Future<byte[]> bytes;
    if (r.bytes() != null) {
      bytes = Future.succeededFuture(r.bytes());
    } else if (large(r.payload())) {
      bytes = workers.executeBlocking(() -> xml.write(r.payload()), false);
    } else {
      try {
        bytes = Future.succeededFuture(xml.write(r.payload()));
      } catch (RuntimeException e) {
        bytes = Future.failedFuture(e);
      }
    }
    bytes.onComplete(ar -> {
      if (ar.failed()) {
        // A message of ours that does not validate: the VTN's fault, never sent half-right.
        LOG.log(Level.SEVERE, "could not write a 2.0b answer (request " + RequestIds.of(ctx) + ")", ar.cause());
        if (r.unsent() != null) {
          r.unsent().run();
        }
        ctx.response().setStatusCode(500).putHeader("Content-Type", "application/xml")
            .end(Buffer.buffer(xml.write(service.messages().response(ResponseCode.INTERNAL_ERROR,
                "The VTN could not write its answer (request " + RequestIds.of(ctx) + ").", "", null))));
        return;
      }
      ctx.response().setStatusCode(status).putHeader("Content-Type", "application/xml")
          .end(Buffer.buffer(ar.result())).onComplete(done -> {
            Runnable after = done.succeeded() ? r.sent() : r.unsent();
            if (after != null) {
              after.run();
            }
          });
    });
  }

  private static boolean large(OadrPayload p) {
    return p.getOadrSignedObject() != null && p.getOadrSignedObject().getOadrDistributeEvent() != null
        && p.getOadrSignedObject().getOadrDistributeEvent().getOadrEvent().size() > LOOP_WRITE_EVENTS;
  }

  private static String essence(String header) {
    if (header == null) {
      return null;
    }
    int semi = header.indexOf(';');
    return (semi < 0 ? header : header.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }

  // ---------------------------------------------------------------------------------------------
  // Operators

  private void describe(RoutingContext ctx) {
    if (!operator(ctx)) {
      return;
    }
    Responses.json(ctx, 200, service.describe(ctx.pathParam("venID")), o -> o);
  }

  private void reregister(RoutingContext ctx) {
    if (!operator(ctx)) {
      return;
    }
    String venId = ctx.pathParam("venID");
    Responses.json(ctx, 202, service.requestReregistration(Authenticator.actor(ctx), venId),
        id -> new JsonObject().put("venID", venId).put("queueID", id).put("messageType", "oadrRequestReregistration"));
  }

  private static boolean operator(RoutingContext ctx) {
    Principal p = Authenticator.principal(ctx);
    if (!p.operator()) {
      Problems.send(ctx, Problem.forbidden("Only utilities and admins manage 2.0b registrations."));
      return false;
    }
    return true;
  }
}
