package io.loadshift.vtn.testing;

import io.loadshift.vtn.oadr20b.OadrXml;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrPayload;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrSignedObject;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A 2.0b VEN for tests: writes the XML a VEN sends (in the styles real VENs use: prefixed, or
 * with the oadr namespace as default as OpenLEADR writes it), posts it to the simple-HTTP
 * endpoints with its bearer token (or over a TLS client that carries its certificate), and reads
 * the answers with the VTN's own schema-checking reader.
 */
public final class Oadr20bTestVen {
  public static final String BASE = "/OpenADR2/Simple/2.0b/";
  private static final String NS = "xmlns:oadr=\"http://openadr.org/oadr-2.0b/2012/07\" "
      + "xmlns:ei=\"http://docs.oasis-open.org/ns/energyinterop/201110\" "
      + "xmlns:pyld=\"http://docs.oasis-open.org/ns/energyinterop/201110/payloads\"";

  /** Every XML answer any test VEN received, for the cross-check with the official schema. */
  private static final java.util.Queue<String> ANSWERS = new java.util.concurrent.ConcurrentLinkedQueue<>();

  private final WebClient http;
  private final String token;
  public final String venName;
  public String venId;
  public String registrationId;

  public Oadr20bTestVen(WebClient http, String token, String venName) {
    this.http = http;
    this.token = token;
    this.venName = venName;
  }

  public String token() {
    return token;
  }

  /** One answer: HTTP status, raw body and, when it is XML, the message read back. */
  public record Answer(int status, String body, OadrPayload payload) {
    public OadrSignedObject message() {
      if (payload == null) {
        throw new AssertionError("not a 2.0b answer (HTTP " + status + "): " + body);
      }
      return payload.getOadrSignedObject();
    }

    /** The answer's response code, wherever its eiResponse is. */
    public String code() {
      OadrSignedObject m = message();
      if (m.getOadrResponse() != null) {
        return m.getOadrResponse().getEiResponse().getResponseCode();
      }
      if (m.getOadrCreatedPartyRegistration() != null) {
        return m.getOadrCreatedPartyRegistration().getEiResponse().getResponseCode();
      }
      if (m.getOadrCanceledPartyRegistration() != null) {
        return m.getOadrCanceledPartyRegistration().getEiResponse().getResponseCode();
      }
      if (m.getOadrCreatedOpt() != null) {
        return m.getOadrCreatedOpt().getEiResponse().getResponseCode();
      }
      if (m.getOadrRegisteredReport() != null) {
        return m.getOadrRegisteredReport().getEiResponse().getResponseCode();
      }
      if (m.getOadrUpdatedReport() != null) {
        return m.getOadrUpdatedReport().getEiResponse().getResponseCode();
      }
      if (m.getOadrCanceledReport() != null) {
        return m.getOadrCanceledReport().getEiResponse().getResponseCode();
      }
      if (m.getOadrCanceledOpt() != null) {
        return m.getOadrCanceledOpt().getEiResponse().getResponseCode();
      }
      if (m.getOadrDistributeEvent() != null && m.getOadrDistributeEvent().getEiResponse() != null) {
        return m.getOadrDistributeEvent().getEiResponse().getResponseCode();
      }
      throw new AssertionError("no eiResponse in " + body);
    }

    public String description() {
      OadrSignedObject m = message();
      if (m.getOadrResponse() != null) {
        return m.getOadrResponse().getEiResponse().getResponseDescription();
      }
      if (m.getOadrCreatedPartyRegistration() != null) {
        return m.getOadrCreatedPartyRegistration().getEiResponse().getResponseDescription();
      }
      if (m.getOadrCanceledPartyRegistration() != null) {
        return m.getOadrCanceledPartyRegistration().getEiResponse().getResponseDescription();
      }
      if (m.getOadrCreatedOpt() != null) {
        return m.getOadrCreatedOpt().getEiResponse().getResponseDescription();
      }
      if (m.getOadrRegisteredReport() != null) {
        return m.getOadrRegisteredReport().getEiResponse().getResponseDescription();
      }
      if (m.getOadrUpdatedReport() != null) {
        return m.getOadrUpdatedReport().getEiResponse().getResponseDescription();
      }
      if (m.getOadrCanceledReport() != null) {
        return m.getOadrCanceledReport().getEiResponse().getResponseDescription();
      }
      if (m.getOadrCanceledOpt() != null) {
        return m.getOadrCanceledOpt().getEiResponse().getResponseDescription();
      }
      return m.getOadrDistributeEvent().getEiResponse().getResponseDescription();
    }
  }

  public Answer post(String endpoint, String xml) {
    return post(endpoint, xml, "application/xml");
  }

  public Answer post(String endpoint, String xml, String contentType) {
    return post(endpoint, xml.getBytes(StandardCharsets.UTF_8), contentType);
  }

  public Answer post(String endpoint, byte[] body, String contentType) {
    var req = http.post(BASE + endpoint);
    if (contentType != null) {
      req.putHeader("Content-Type", contentType);
    }
    if (token != null) {
      req.bearerTokenAuthentication(token);
    }
    HttpResponse<Buffer> r = TestVtn.await(req.sendBuffer(Buffer.buffer(body)));
    String text = r.bodyAsString() == null ? "" : r.bodyAsString();
    OadrPayload payload = null;
    String type = r.getHeader("Content-Type");
    if (type != null && type.startsWith("application/xml") && !text.isEmpty()) {
      payload = OadrXml.shared().parse(text.getBytes(StandardCharsets.UTF_8));
      ANSWERS.add(text);
    }
    return new Answer(r.statusCode(), text, payload);
  }

  /**
   * Validates every answer received so far against the official OpenADR 2.0b schema, which a VEN
   * such as OpenLEADR checks every reply against (silently ignoring those that fail). Runs only
   * where the official schema files were put in /tmp/oadr-official (they are not part of this
   * repository); returns how many answers were checked, or -1 when the files are not there.
   */
  public static int checkAnswersAgainstOfficialSchema() throws Exception {
    java.nio.file.Path official = java.nio.file.Paths.get("/tmp/oadr-official/oadr_20b.xsd");
    if (!java.nio.file.Files.isRegularFile(official)) {
      return -1;
    }
    javax.xml.validation.Schema schema = javax.xml.validation.SchemaFactory.newDefaultInstance().newSchema(official.toFile());
    List<String> failures = new java.util.ArrayList<>();
    int n = 0;
    for (String answer; (answer = ANSWERS.poll()) != null; n++) {
      try {
        schema.newValidator().validate(new javax.xml.transform.stream.StreamSource(new java.io.StringReader(answer)));
      } catch (org.xml.sax.SAXException e) {
        failures.add(e.getMessage() + " in " + answer);
      }
    }
    if (!failures.isEmpty()) {
      throw new AssertionError(failures.size() + " of " + n + " answers fail the official schema; first: " + failures.get(0));
    }
    System.out.println("official 2.0b schema: all " + n + " answers valid");
    return n;
  }

  // --- what a VEN sends --------------------------------------------------------------------------

  public Answer query() {
    return post("EiRegisterParty", payload("<oadr:oadrQueryRegistration ei:schemaVersion=\"2.0b\">"
        + "<pyld:requestID>q-" + System.nanoTime() + "</pyld:requestID></oadr:oadrQueryRegistration>"));
  }

  /** Registers for pulling; on success keeps the venID and registrationID. */
  public Answer register() {
    return register(null, true, null, false);
  }

  public Answer register(String asVenId, boolean pull, String address, boolean withRegistrationId) {
    Answer a = post("EiRegisterParty", createPartyRegistration(venName, asVenId, withRegistrationId ? registrationId : null,
        pull, address));
    var created = a.payload() == null ? null : a.message().getOadrCreatedPartyRegistration();
    if (created != null && "200".equals(created.getEiResponse().getResponseCode())) {
      venId = created.getVenID();
      registrationId = created.getRegistrationID();
      if (pull) {
        exchangeReports();
      }
    }
    return a;
  }

  /** The VTN's METADATA (oadrRegisterReport) of the last registration, as its next poll delivered it. */
  public io.loadshift.vtn.oadr20b.xml.oadr.OadrRegisterReportType vtnReports;

  /**
   * What a VEN does after registering: its next poll delivers the VTN's oadrRegisterReport, which
   * it answers with oadrRegisteredReport.
   */
  private void exchangeReports() {
    Answer p = poll();
    vtnReports = p.payload() == null ? null : p.message().getOadrRegisterReport();
    if (vtnReports == null) {
      throw new AssertionError("the first poll after registering should bring the VTN's oadrRegisterReport: " + p.body());
    }
    Answer r = post("EiReport", payload("<oadr:oadrRegisteredReport ei:schemaVersion=\"2.0b\"><ei:eiResponse>"
        + "<ei:responseCode>200</ei:responseCode><ei:responseDescription>OK</ei:responseDescription>"
        + "<pyld:requestID>" + vtnReports.getRequestID() + "</pyld:requestID></ei:eiResponse><ei:venID>" + venId
        + "</ei:venID></oadr:oadrRegisteredReport>"));
    if (!"200".equals(r.code())) {
      throw new AssertionError("oadrRegisteredReport not acknowledged: " + r.body());
    }
  }

  /** As OpenLEADR writes it: the oadr namespace as default, ei and pyld prefixed. */
  public static String createPartyRegistration(String venName, String venId, String registrationId, boolean pull,
                                               String address) {
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        + "<oadrPayload xmlns=\"http://openadr.org/oadr-2.0b/2012/07\">\n"
        + "  <oadrSignedObject>\n"
        + "    <oadrCreatePartyRegistration xmlns:ei=\"http://docs.oasis-open.org/ns/energyinterop/201110\" "
        + "ei:schemaVersion=\"2.0b\">\n"
        + "      <requestID xmlns=\"http://docs.oasis-open.org/ns/energyinterop/201110/payloads\">reg-" + System.nanoTime()
        + "</requestID>\n"
        + (registrationId == null ? "" : "      <ei:registrationID>" + registrationId + "</ei:registrationID>\n")
        + (venId == null ? "" : "      <ei:venID>" + venId + "</ei:venID>\n")
        + "      <oadrProfileName>2.0b</oadrProfileName>\n"
        + "      <oadrTransportName>simpleHttp</oadrTransportName>\n"
        + (address == null ? "" : "      <oadrTransportAddress>" + address + "</oadrTransportAddress>\n")
        + "      <oadrReportOnly>false</oadrReportOnly>\n"
        + "      <oadrXmlSignature>false</oadrXmlSignature>\n"
        + "      <oadrVenName>" + venName + "</oadrVenName>\n"
        + "      <oadrHttpPullModel>" + pull + "</oadrHttpPullModel>\n"
        + "    </oadrCreatePartyRegistration>\n"
        + "  </oadrSignedObject>\n"
        + "</oadrPayload>\n";
  }

  public Answer poll() {
    return poll(venId);
  }

  public Answer poll(String asVenId) {
    return post("OadrPoll", pollBody(asVenId));
  }

  public static String pollBody(String venId) {
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        + "<oadrPayload xmlns=\"http://openadr.org/oadr-2.0b/2012/07\">\n"
        + "  <oadrSignedObject>\n"
        + "    <oadrPoll xmlns:ei=\"http://docs.oasis-open.org/ns/energyinterop/201110\" ei:schemaVersion=\"2.0b\">\n"
        + "      <ei:venID>" + venId + "</ei:venID>\n"
        + "    </oadrPoll>\n"
        + "  </oadrSignedObject>\n"
        + "</oadrPayload>\n";
  }

  public Answer requestEvent(String requestId) {
    return requestEventAs(venId, requestId);
  }

  public Answer requestEventAs(String asVenId, String requestId) {
    return post("EiEvent", payload("<oadr:oadrRequestEvent ei:schemaVersion=\"2.0b\"><pyld:eiRequestEvent>"
        + "<pyld:requestID>" + requestId + "</pyld:requestID><ei:venID>" + asVenId + "</ei:venID>"
        + "</pyld:eiRequestEvent></oadr:oadrRequestEvent>"));
  }

  /** An eventResponse: event, modification number, optIn or optOut. */
  public record Opt(String eventId, long modificationNumber, String opt) {}

  public Answer createdEvent(String requestId, List<Opt> opts) {
    return post("EiEvent", createdEventBody(venId, requestId, opts));
  }

  public static String createdEventBody(String venId, String requestId, List<Opt> opts) {
    StringBuilder responses = new StringBuilder();
    for (Opt o : opts) {
      responses.append("<ei:eventResponse><ei:responseCode>200</ei:responseCode>")
          .append("<ei:responseDescription>OK</ei:responseDescription>")
          .append("<pyld:requestID>").append(requestId).append("</pyld:requestID>")
          .append("<ei:qualifiedEventID><ei:eventID>").append(o.eventId()).append("</ei:eventID>")
          .append("<ei:modificationNumber>").append(o.modificationNumber()).append("</ei:modificationNumber>")
          .append("</ei:qualifiedEventID><ei:optType>").append(o.opt()).append("</ei:optType></ei:eventResponse>");
    }
    return payload("<oadr:oadrCreatedEvent ei:schemaVersion=\"2.0b\"><pyld:eiCreatedEvent><ei:eiResponse>"
        + "<ei:responseCode>200</ei:responseCode><ei:responseDescription>OK</ei:responseDescription>"
        + "<pyld:requestID>" + requestId + "</pyld:requestID></ei:eiResponse>"
        + "<ei:eventResponses>" + responses + "</ei:eventResponses>"
        + "<ei:venID>" + venId + "</ei:venID></pyld:eiCreatedEvent></oadr:oadrCreatedEvent>");
  }

  public Answer cancel(String registration) {
    return cancelAs(venId, registration);
  }

  public Answer cancelAs(String asVenId, String registration) {
    return post("EiRegisterParty", payload("<oadr:oadrCancelPartyRegistration ei:schemaVersion=\"2.0b\">"
        + "<pyld:requestID>c-" + System.nanoTime() + "</pyld:requestID><ei:registrationID>" + registration
        + "</ei:registrationID><ei:venID>" + asVenId + "</ei:venID></oadr:oadrCancelPartyRegistration>"));
  }

  /** An acknowledgement (what a VEN sends after oadrRequestReregistration). */
  public Answer acknowledge(String endpoint, String requestId) {
    return post(endpoint, payload("<oadr:oadrResponse ei:schemaVersion=\"2.0b\"><ei:eiResponse>"
        + "<ei:responseCode>200</ei:responseCode><ei:responseDescription>OK</ei:responseDescription>"
        + "<pyld:requestID>" + requestId + "</pyld:requestID></ei:eiResponse><ei:venID>" + venId
        + "</ei:venID></oadr:oadrResponse>"));
  }

  /** Any message, in the prefixed style. */
  public static String payload(String message) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<oadr:oadrPayload " + NS + "><oadr:oadrSignedObject>" + message
        + "</oadr:oadrSignedObject></oadr:oadrPayload>";
  }
}
