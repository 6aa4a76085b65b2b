package io.loadshift.vtn.oadr20b;

import io.loadshift.vtn.oadr20b.xml.ei.EiResponseType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrCanceledOptType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrCanceledPartyRegistrationType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrCreatedOptType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrCreatedPartyRegistrationType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrDistributeEventType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrPayload;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrProfileType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrProfiles;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrRegisterReportType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrRequestReregistrationType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrResponseType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrSignedObject;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrTransportType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrTransports;
import io.loadshift.vtn.oadr20b.xml.xcal.DurationPropType;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.function.Consumer;
import javax.xml.datatype.DatatypeConfigurationException;
import javax.xml.datatype.DatatypeFactory;
import javax.xml.datatype.XMLGregorianCalendar;

/** Builds the messages the VTN sends; every one is schema-checked when {@link OadrXml} writes it. */
final class Messages {
  static final String SCHEMA_VERSION = "2.0b";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final DatatypeFactory DATATYPES;

  static {
    try {
      DATATYPES = DatatypeFactory.newInstance();
    } catch (DatatypeConfigurationException e) {
      throw new IllegalStateException(e);
    }
  }

  private final String vtnId;
  private final Duration pollFrequency;

  Messages(String vtnId, Duration pollFrequency) {
    this.vtnId = vtnId;
    this.pollFrequency = pollFrequency;
  }

  String vtnId() {
    return vtnId;
  }

  static OadrPayload wrap(Consumer<OadrSignedObject> fill) {
    OadrSignedObject signed = new OadrSignedObject();
    fill.accept(signed);
    OadrPayload payload = new OadrPayload();
    payload.setOadrSignedObject(signed);
    return payload;
  }

  static EiResponseType eiResponse(ResponseCode code, String description, String requestId) {
    EiResponseType r = new EiResponseType();
    r.setResponseCode(code.wire());
    r.setResponseDescription(description == null ? code.text() : description);
    r.setRequestID(requestId == null ? "" : requestId);
    return r;
  }

  OadrPayload response(ResponseCode code, String description, String requestId, String venId) {
    OadrResponseType r = new OadrResponseType();
    r.setSchemaVersion(SCHEMA_VERSION);
    r.setEiResponse(eiResponse(code, description, requestId));
    r.setVenID(venId);
    return wrap(s -> s.setOadrResponse(r));
  }

  /**
   * The answer to oadrQueryRegistration and oadrCreatePartyRegistration: the VTN's profiles and
   * poll interval, and the registration when there is one.
   */
  OadrPayload createdPartyRegistration(ResponseCode code, String description, String requestId, String registrationId,
                                       String venId) {
    OadrCreatedPartyRegistrationType r = new OadrCreatedPartyRegistrationType();
    r.setSchemaVersion(SCHEMA_VERSION);
    r.setEiResponse(eiResponse(code, description, requestId));
    r.setRegistrationID(registrationId);
    r.setVenID(venId);
    r.setVtnID(vtnId);
    OadrTransports.OadrTransport http = new OadrTransports.OadrTransport();
    http.setOadrTransportName(OadrTransportType.SIMPLE_HTTP);
    OadrTransports transports = new OadrTransports();
    transports.getOadrTransport().add(http);
    OadrProfiles.OadrProfile b = new OadrProfiles.OadrProfile();
    b.setOadrProfileName(OadrProfileType.V2_0B);
    b.setOadrTransports(transports);
    OadrProfiles profiles = new OadrProfiles();
    profiles.getOadrProfile().add(b);
    r.setOadrProfiles(profiles);
    r.setOadrRequestedOadrPollFreq(duration(pollFrequency));
    return wrap(s -> s.setOadrCreatedPartyRegistration(r));
  }

  OadrPayload canceledPartyRegistration(ResponseCode code, String description, String requestId, String registrationId,
                                        String venId) {
    OadrCanceledPartyRegistrationType r = new OadrCanceledPartyRegistrationType();
    r.setSchemaVersion(SCHEMA_VERSION);
    r.setEiResponse(eiResponse(code, description, requestId));
    r.setRegistrationID(registrationId);
    r.setVenID(venId);
    return wrap(s -> s.setOadrCanceledPartyRegistration(r));
  }

  /** An oadrDistributeEvent without events that answers an oadrRequestEvent with a refusal. */
  OadrPayload distributeRefusal(ResponseCode code, String description, String requestId) {
    OadrDistributeEventType d = new OadrDistributeEventType();
    d.setSchemaVersion(SCHEMA_VERSION);
    d.setEiResponse(eiResponse(code, description, requestId));
    d.setRequestID(newRequestId());
    d.setVtnID(vtnId);
    return wrap(s -> s.setOadrDistributeEvent(d));
  }

  OadrPayload createdOpt(ResponseCode code, String description, String requestId, String optId) {
    OadrCreatedOptType r = new OadrCreatedOptType();
    r.setSchemaVersion(SCHEMA_VERSION);
    r.setEiResponse(eiResponse(code, description, requestId));
    r.setOptID(optId == null ? "" : optId);
    return wrap(s -> s.setOadrCreatedOpt(r));
  }

  OadrPayload canceledOpt(ResponseCode code, String description, String requestId, String optId) {
    OadrCanceledOptType r = new OadrCanceledOptType();
    r.setSchemaVersion(SCHEMA_VERSION);
    r.setEiResponse(eiResponse(code, description, requestId));
    r.setOptID(optId == null ? "" : optId);
    return wrap(s -> s.setOadrCanceledOpt(r));
  }

  /**
   * The VTN's METADATA: it offers no reports of its own, so the oadrRegisterReport lists none
   * (the profile allows an empty one); the VEN answers oadrRegisteredReport.
   */
  OadrPayload registerReport(String venId) {
    OadrRegisterReportType r = new OadrRegisterReportType();
    r.setSchemaVersion(SCHEMA_VERSION);
    r.setRequestID(newRequestId());
    r.setVenID(venId);
    return wrap(s -> s.setOadrRegisterReport(r));
  }

  OadrPayload requestReregistration(String venId) {
    OadrRequestReregistrationType r = new OadrRequestReregistrationType();
    r.setSchemaVersion(SCHEMA_VERSION);
    r.setVenID(venId);
    return wrap(s -> s.setOadrRequestReregistration(r));
  }

  /** A fresh requestID for a message the VTN starts: 20 hex digits. */
  static String newRequestId() {
    byte[] b = new byte[10];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** A UTC date-time as 2.0b writes it (Z, milliseconds when there are any). */
  static XMLGregorianCalendar dateTime(Instant t) {
    return DATATYPES.newXMLGregorianCalendar(t.truncatedTo(ChronoUnit.MILLIS).toString());
  }

  static DurationPropType duration(Duration d) {
    DurationPropType p = new DurationPropType();
    p.setDuration(iso(d));
    return p;
  }

  /** A duration as RFC 5545 writes it (whole seconds; PT0S for none). */
  static String iso(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s == 0) {
      return "PT0S";
    }
    long days = s / 86_400;
    long hours = s % 86_400 / 3600;
    long minutes = s % 3600 / 60;
    long seconds = s % 60;
    StringBuilder out = new StringBuilder("P");
    if (days > 0) {
      out.append(days).append('D');
    }
    if (hours + minutes + seconds > 0) {
      out.append('T');
      if (hours > 0) {
        out.append(hours).append('H');
      }
      if (minutes > 0) {
        out.append(minutes).append('M');
      }
      if (seconds > 0) {
        out.append(seconds).append('S');
      }
    }
    return out.toString();
  }

  /**
   * The oadrResponse a poll with nothing new gets, as bytes around the venID: written (and
   * schema-checked) once through {@link OadrXml}, then filled in per VEN without JAXB.
   */
  static final class NothingPending {
    private static final String MARK = "VEN-ID-PLACEHOLDER-2b7e";
    private final byte[] head;
    private final byte[] tail;

    NothingPending(OadrXml xml, Messages messages) {
      String text = new String(xml.write(messages.response(ResponseCode.OK, "OK", "", MARK)), StandardCharsets.UTF_8);
      int at = text.indexOf(MARK);
      if (at < 0 || text.indexOf(MARK, at + 1) >= 0) {
        throw new IllegalStateException("the oadrResponse template has no single venID slot");
      }
      head = text.substring(0, at).getBytes(StandardCharsets.UTF_8);
      tail = text.substring(at + MARK.length()).getBytes(StandardCharsets.UTF_8);
    }

    byte[] forVen(String venId) {
      byte[] id = escape(venId).getBytes(StandardCharsets.UTF_8);
      byte[] out = new byte[head.length + id.length + tail.length];
      System.arraycopy(head, 0, out, 0, head.length);
      System.arraycopy(id, 0, out, head.length, id.length);
      System.arraycopy(tail, 0, out, head.length + id.length, tail.length);
      return out;
    }

    private static String escape(String s) {
      StringBuilder out = null;
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        String r = switch (c) {
          case '&' -> "&amp;";
          case '<' -> "&lt;";
          case '>' -> "&gt;";
          default -> null;
        };
        if (r != null && out == null) {
          out = new StringBuilder(s.length() + 16).append(s, 0, i);
        }
        if (out != null) {
          if (r != null) {
            out.append(r);
          } else {
            out.append(c);
          }
        }
      }
      return out == null ? s : out.toString();
    }
  }
}
