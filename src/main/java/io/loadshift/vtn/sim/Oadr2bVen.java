package io.loadshift.vtn.sim;

import io.loadshift.vtn.oadr20b.OadrXml;
import io.loadshift.vtn.oadr20b.xml.ei.EiEventSignalType;
import io.loadshift.vtn.oadr20b.xml.ei.EiEventType;
import io.loadshift.vtn.oadr20b.xml.ei.EiResponseType;
import io.loadshift.vtn.oadr20b.xml.ei.IntervalType;
import io.loadshift.vtn.oadr20b.xml.ei.PayloadFloatType;
import io.loadshift.vtn.oadr20b.xml.ei.SignalPayloadType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrDistributeEventType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrPayload;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrReportRequestType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrSignedObject;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A VEN speaking OpenADR 2.0b (simple HTTP, pull) to a VTN. It authenticates with its VEN
 * client's bearer token (the client credentials of {@link Oadr3Ven}, whose VEN record and
 * resources it shares), registers, exchanges METADATA reports (its meter's energy, 1-minute
 * sampling allowed), polls for its events, opts in or out, reads its LOAD_DISPATCH setpoints and
 * reports its meter's usage per minute with oadrUpdateReport. Every call is asynchronous.
 */
public final class Oadr2bVen {
  static final String BASE = "/OpenADR2/Simple/2.0b/";
  private static final String NS = "xmlns:oadr=\"http://openadr.org/oadr-2.0b/2012/07\" "
      + "xmlns:ei=\"http://docs.oasis-open.org/ns/energyinterop/201110\" "
      + "xmlns:pyld=\"http://docs.oasis-open.org/ns/energyinterop/201110/payloads\" "
      + "xmlns:xcal=\"urn:ietf:params:xml:ns:icalendar-2.0\" "
      + "xmlns:strm=\"urn:ietf:params:xml:ns:icalendar-2.0:stream\" "
      + "xmlns:power=\"http://docs.oasis-open.org/ns/emix/2011/06/power\" "
      + "xmlns:scale=\"http://docs.oasis-open.org/ns/emix/2011/06/siscale\"";
  private static final int POLLS = 120;
  private static final long POLL_MS = 250;

  private final Vertx vertx;
  private final WebClient http;
  private final Oadr3Ven auth;
  private final String venName;
  private final String meter;
  private final String specifier;
  private final String energyRid;
  private String venId;
  private String reportRequestId;
  private final Map<String, Long> answered = new HashMap<>();
  private final Map<String, Long> answering = new HashMap<>();
  private String answeringRequestId;
  private Throwable answerFailure;
  private int opts;
  private long lastPollNanos;
  private List<String> requestedRids = List.of();
  private int requests;

  /** {@code auth} holds the VEN client's credentials; {@code meter} is the resource it meters. */
  public Oadr2bVen(Vertx vertx, WebClient http, Oadr3Ven auth, String venName, String meter) {
    this.vertx = vertx;
    this.http = http;
    this.auth = auth;
    this.venName = venName;
    this.meter = meter;
    this.specifier = "TU-" + venName;
    this.energyRid = meter + "-energy";
  }

  public String venId() {
    return venId;
  }

  /**
   * oadrCreatePartyRegistration (pull); answers the VTN's oadrRegisterReport from the first poll
   * with oadrRegisteredReport; registers its METADATA and acknowledges the VTN's report request.
   */
  public Future<Void> register() {
    String body = payload("<oadr:oadrCreatePartyRegistration ei:schemaVersion=\"2.0b\"><pyld:requestID>" + nextId("reg")
        + "</pyld:requestID><oadr:oadrProfileName>2.0b</oadr:oadrProfileName><oadr:oadrTransportName>simpleHttp"
        + "</oadr:oadrTransportName><oadr:oadrReportOnly>false</oadr:oadrReportOnly><oadr:oadrXmlSignature>false"
        + "</oadr:oadrXmlSignature><oadr:oadrVenName>" + venName + "</oadr:oadrVenName><oadr:oadrHttpPullModel>true"
        + "</oadr:oadrHttpPullModel></oadr:oadrCreatePartyRegistration>");
    return post("EiRegisterParty", body).compose(m -> {
      var created = m.getOadrCreatedPartyRegistration();
      if (created == null) {
        return Future.failedFuture(new IllegalStateException("no oadrCreatedPartyRegistration for " + venName));
      }
      check(created.getEiResponse(), "register " + venName);
      venId = created.getVenID();
      return awaitVtnMetadata(POLLS);
    }).compose(x -> post("EiReport", registerReportBody())).compose(m -> {
      var registered = m.getOadrRegisteredReport();
      if (registered == null) {
        return Future.failedFuture(new IllegalStateException("no oadrRegisteredReport for " + venName));
      }
      check(registered.getEiResponse(), "register report of " + venName);
      if (registered.getOadrReportRequest().isEmpty()) {
        return Future.failedFuture(new IllegalStateException("the VTN requested no report of " + venName));
      }
      OadrReportRequestType request = registered.getOadrReportRequest().get(0);
      reportRequestId = request.getReportRequestID();
      requestedRids = request.getReportSpecifier().getSpecifierPayload().stream().map(p -> p.getRID()).toList();
      if (!requestedRids.contains(energyRid)) {
        return Future.failedFuture(new IllegalStateException("the VTN did not request " + energyRid + ": " + requestedRids));
      }
      return post("EiReport", payload("<oadr:oadrCreatedReport ei:schemaVersion=\"2.0b\"><ei:eiResponse>"
          + "<ei:responseCode>200</ei:responseCode><ei:responseDescription>OK</ei:responseDescription><pyld:requestID>"
          + nextId("cr") + "</pyld:requestID></ei:eiResponse><oadr:oadrPendingReports><ei:reportRequestID>"
          + reportRequestId + "</ei:reportRequestID></oadr:oadrPendingReports><ei:venID>" + venId
          + "</ei:venID></oadr:oadrCreatedReport>"));
    }).mapEmpty();
  }

  /** Polls until the VTN's oadrRegisterReport comes, and answers it. */
  private Future<Void> awaitVtnMetadata(int left) {
    return poll().compose(m -> {
      if (m.getOadrRegisterReport() != null) {
        return registeredReport(m.getOadrRegisterReport().getRequestID());
      }
      if (left <= 1) {
        return Future.failedFuture(new IllegalStateException("no oadrRegisterReport from the VTN for " + venName));
      }
      return later().compose(x -> awaitVtnMetadata(left - 1));
    });
  }

  /** oadrRegisteredReport for the VTN's own METADATA report. */
  private Future<Void> registeredReport(String requestId) {
    return post("EiReport", payload("<oadr:oadrRegisteredReport ei:schemaVersion=\"2.0b\"><ei:eiResponse>"
        + "<ei:responseCode>200</ei:responseCode><ei:responseDescription>OK</ei:responseDescription>"
        + "<pyld:requestID>" + requestId + "</pyld:requestID></ei:eiResponse>"
        + "<ei:venID>" + venId + "</ei:venID></oadr:oadrRegisteredReport>"))
        .map(r -> {
          check(r.getOadrResponse() == null ? null : r.getOadrResponse().getEiResponse(),
              "registered report of " + venName);
          return null;
        });
  }

  /**
   * One oadrPoll and what its answer asks for: an oadrDistributeEvent is returned as the VEN's
   * current events ({@link Call}s, setpoints from LOAD_DISPATCH signals), and each event that asks
   * for a response and has not completed is answered once per modification with oadrCreatedEvent
   * (optIn when {@code comply}, else optOut); oadrRequestReregistration registers again; oadrRegisterReport is
   * acknowledged. The future holds null when the answer carried no events.
   */
  public Future<List<Call>> pollEvents(boolean comply) {
    return poll().compose(m -> {
      if (m.getOadrRequestReregistration() != null) {
        return register().compose(x -> answerPending(comply)).map(x -> (List<Call>) null);
      }
      if (m.getOadrRegisterReport() != null) {
        return registeredReport(m.getOadrRegisterReport().getRequestID()).compose(x -> answerPending(comply))
            .map(x -> (List<Call>) null);
      }
      OadrDistributeEventType d = m.getOadrDistributeEvent();
      if (d == null) {
        return answerPending(comply).map(x -> (List<Call>) null);
      }
      List<Call> calls = new ArrayList<>();
      for (OadrDistributeEventType.OadrEvent oe : d.getOadrEvent()) {
        EiEventType e = oe.getEiEvent();
        Call c = call(e);
        if (c != null) {
          calls.add(c);
        }
        String id = e.getEventDescriptor().getEventID();
        long modification = e.getEventDescriptor().getModificationNumber();
        // A completed event has nothing left to opt into: not answered (a restarted VEN would
        // otherwise answer every event of the last hour again).
        boolean completed = e.getEventDescriptor().getEventStatus() != null
            && "completed".equals(e.getEventDescriptor().getEventStatus().value());
        boolean required = !completed
            && (oe.getOadrResponseRequired() == null || "always".equals(oe.getOadrResponseRequired().value()));
        Long before = answered.get(id);
        if (required && (before == null || before != modification)) {
          answering.put(id, modification);
          answeringRequestId = d.getRequestID();
        }
      }
      // The events count whatever becomes of the answer (a failed one is sent again later).
      return answerPending(comply).transform(ar -> {
        if (ar.failed()) {
          answerFailure = ar.cause();
        }
        return Future.succeededFuture(calls);
      });
    });
  }

  /** Why the last answer to events did not get through (once), or null. */
  public Throwable takeAnswerFailure() {
    Throwable t = answerFailure;
    answerFailure = null;
    return t;
  }

  /**
   * oadrCreatedEvent for the events still to be answered; they count as answered only once the
   * VTN has replied, so an answer lost on the way is sent again after the next poll.
   */
  private Future<Void> answerPending(boolean comply) {
    if (answering.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<String, Long> sending = new HashMap<>(answering);
    StringBuilder responses = new StringBuilder();
    sending.forEach((id, modification) -> responses.append("<ei:eventResponse><ei:responseCode>200</ei:responseCode>")
        .append("<ei:responseDescription>OK</ei:responseDescription><pyld:requestID>").append(answeringRequestId)
        .append("</pyld:requestID><ei:qualifiedEventID><ei:eventID>").append(id).append("</ei:eventID>")
        .append("<ei:modificationNumber>").append(modification).append("</ei:modificationNumber></ei:qualifiedEventID>")
        .append("<ei:optType>").append(comply ? "optIn" : "optOut").append("</ei:optType></ei:eventResponse>"));
    return post("EiEvent", payload("<oadr:oadrCreatedEvent ei:schemaVersion=\"2.0b\"><pyld:eiCreatedEvent>"
        + "<ei:eiResponse><ei:responseCode>200</ei:responseCode><ei:responseDescription>OK"
        + "</ei:responseDescription><pyld:requestID>" + answeringRequestId + "</pyld:requestID></ei:eiResponse>"
        + "<ei:eventResponses>" + responses + "</ei:eventResponses><ei:venID>" + venId
        + "</ei:venID></pyld:eiCreatedEvent></oadr:oadrCreatedEvent>"))
        .map(r -> {
          // Taken or refused, the VTN has answered: nothing to send again (a refusal is an error).
          sending.forEach((id, modification) -> {
            answered.put(id, modification);
            answering.remove(id, modification);
          });
          check(r.getOadrResponse() == null ? null : r.getOadrResponse().getEiResponse(), "oadrCreatedEvent of " + venName);
          opts += 1;
          return null;
        });
  }

  /** oadrCreatedEvent answers this VEN has sent. */
  public int opts() {
    return opts;
  }

  /** An oadrEvent's window and LOAD_DISPATCH setpoints; null when its window cannot be read. */
  static Call call(EiEventType e) {
    try {
      var period = e.getEiActivePeriod().getProperties();
      long start = period.getDtstart().getDateTime().toGregorianCalendar().toInstant().getEpochSecond();
      long total = Duration.parse(period.getDuration().getDuration()).getSeconds();
      boolean cancelled = e.getEventDescriptor().getEventStatus() != null
          && "cancelled".equals(e.getEventDescriptor().getEventStatus().value());
      long[] bounds = null;
      double[] kw = null;
      for (EiEventSignalType s : e.getEiEventSignals().getEiEventSignal()) {
        List<IntervalType> iv = s.getIntervals().getInterval();
        boolean dispatch = "LOAD_DISPATCH".equals(s.getSignalName());
        if (bounds != null && !dispatch) {
          continue;
        }
        bounds = new long[iv.size() + 1];
        bounds[0] = start;
        double[] values = new double[iv.size()];
        for (int k = 0; k < iv.size(); k++) {
          bounds[k + 1] = bounds[k] + Duration.parse(iv.get(k).getDuration().getDuration()).getSeconds();
          values[k] = value(iv.get(k));
        }
        if (dispatch) {
          kw = values;
          break;
        }
      }
      if (bounds == null || bounds.length < 2) {
        bounds = new long[] {start, start + total};
      }
      return new Call(e.getEventDescriptor().getEventID(), e.getEventDescriptor().getModificationNumber(), bounds, kw,
          cancelled);
    } catch (RuntimeException unreadable) {
      return null; // e.g. an open-ended event (duration PT0S is fine, P9999Y is not): not acted on
    }
  }

  /**
   * oadrUpdateReport of the meter's energy (kWh per interval), intervals back to back from
   * {@code start}, each {@code interval} long, for the report the VTN requested.
   */
  public Future<Void> reportUsage(Instant start, Duration interval, double[] kwh) {
    StringBuilder body = new StringBuilder();
    for (int k = 0; k < kwh.length; k++) {
      body.append("<ei:interval><xcal:dtstart><xcal:date-time>").append(start.plus(interval.multipliedBy(k)))
          .append("</xcal:date-time></xcal:dtstart><xcal:duration><xcal:duration>").append(interval)
          .append("</xcal:duration></xcal:duration><oadr:oadrReportPayload><ei:rID>").append(energyRid)
          .append("</ei:rID><ei:payloadFloat><ei:value>").append(kwh[k]).append("</ei:value></ei:payloadFloat>")
          .append("<oadr:oadrDataQuality>Quality Good - Non Specific</oadr:oadrDataQuality></oadr:oadrReportPayload>")
          .append("</ei:interval>");
    }
    String requestId = nextId("up");
    return post("EiReport", payload("<oadr:oadrUpdateReport ei:schemaVersion=\"2.0b\"><pyld:requestID>" + requestId
        + "</pyld:requestID><oadr:oadrReport><xcal:dtstart><xcal:date-time>" + start + "</xcal:date-time></xcal:dtstart>"
        + "<xcal:duration><xcal:duration>" + interval.multipliedBy(kwh.length) + "</xcal:duration></xcal:duration>"
        + "<strm:intervals>" + body + "</strm:intervals><ei:eiReportID>RP-" + requestId + "</ei:eiReportID>"
        + "<ei:reportRequestID>" + reportRequestId + "</ei:reportRequestID><ei:reportSpecifierID>" + specifier
        + "</ei:reportSpecifierID><ei:reportName>TELEMETRY_USAGE</ei:reportName><ei:createdDateTime>"
        + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "</ei:createdDateTime></oadr:oadrReport><ei:venID>" + venId
        + "</ei:venID></oadr:oadrUpdateReport>")).map(m -> {
          if (m.getOadrUpdatedReport() == null) {
            throw new IllegalStateException("no oadrUpdatedReport for " + venName);
          }
          check(m.getOadrUpdatedReport().getEiResponse(), "update report of " + venName);
          return null;
        });
  }

  private String registerReportBody() {
    return payload("<oadr:oadrRegisterReport ei:schemaVersion=\"2.0b\"><pyld:requestID>" + nextId("rr")
        + "</pyld:requestID><oadr:oadrReport><xcal:duration><xcal:duration>PT2H</xcal:duration></xcal:duration>"
        + "<oadr:oadrReportDescription><ei:rID>" + energyRid + "</ei:rID><ei:reportDataSource><ei:resourceID>" + meter
        + "</ei:resourceID></ei:reportDataSource><ei:reportType>usage</ei:reportType><power:energyReal>"
        + "<power:itemDescription>RealEnergy</power:itemDescription><power:itemUnits>Wh</power:itemUnits>"
        + "<scale:siScaleCode>k</scale:siScaleCode></power:energyReal><ei:readingType>Direct Read</ei:readingType>"
        + "<oadr:oadrSamplingRate><oadr:oadrMinPeriod>PT1M</oadr:oadrMinPeriod><oadr:oadrMaxPeriod>PT1H"
        + "</oadr:oadrMaxPeriod><oadr:oadrOnChange>false</oadr:oadrOnChange></oadr:oadrSamplingRate>"
        + "</oadr:oadrReportDescription><ei:reportRequestID>0</ei:reportRequestID><ei:reportSpecifierID>" + specifier
        + "</ei:reportSpecifierID><ei:reportName>METADATA_TELEMETRY_USAGE</ei:reportName><ei:createdDateTime>"
        + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "</ei:createdDateTime></oadr:oadrReport><ei:venID>" + venId
        + "</ei:venID></oadr:oadrRegisterReport>");
  }

  /** How long the last oadrPoll took, request to answer (without what the answer led to). */
  public long lastPollNanos() {
    return lastPollNanos;
  }

  private Future<OadrSignedObject> poll() {
    long sent = System.nanoTime();
    return post("OadrPoll", payload("<oadr:oadrPoll ei:schemaVersion=\"2.0b\"><ei:venID>" + venId
        + "</ei:venID></oadr:oadrPoll>")).onSuccess(m -> lastPollNanos = System.nanoTime() - sent);
  }

  /** Posts one message with the VEN's bearer token and reads the answer with the VTN's schema-checking reader. */
  private Future<OadrSignedObject> post(String endpoint, String xml) {
    return auth.token().compose(t -> http.post(BASE + endpoint).putHeader("Content-Type", "application/xml")
        .bearerTokenAuthentication(t).sendBuffer(Buffer.buffer(xml)).map(r -> {
          String type = r.getHeader("Content-Type");
          if (r.statusCode() != 200 || type == null || !type.startsWith("application/xml")) {
            throw new IllegalStateException(endpoint + " for " + venName + ": HTTP " + r.statusCode() + " "
                + r.bodyAsString());
          }
          OadrPayload p = OadrXml.shared().parse(r.bodyAsString().getBytes(StandardCharsets.UTF_8));
          return p.getOadrSignedObject();
        }));
  }

  private Future<Void> later() {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(POLL_MS, id -> p.complete());
    return p.future();
  }

  private void check(EiResponseType r, String what) {
    if (r == null || !"200".equals(r.getResponseCode())) {
      throw new IllegalStateException(what + ": " + (r == null ? "no eiResponse"
          : r.getResponseCode() + " " + r.getResponseDescription()));
    }
  }

  private String nextId(String prefix) {
    return prefix + "-" + venName + "-" + (++requests);
  }

  private static double value(IntervalType i) {
    SignalPayloadType p = (SignalPayloadType) i.getStreamPayloadBase().get(0).getValue();
    return ((PayloadFloatType) p.getPayloadBase().getValue()).getValue();
  }

  private static String payload(String message) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<oadr:oadrPayload " + NS + "><oadr:oadrSignedObject>" + message
        + "</oadr:oadrSignedObject></oadr:oadrPayload>";
  }
}
