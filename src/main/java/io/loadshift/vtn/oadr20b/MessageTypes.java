package io.loadshift.vtn.oadr20b;

import io.loadshift.vtn.oadr20b.xml.oadr.OadrPayload;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrSignedObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Which message an oadrSignedObject holds, the IDs it carries, and how a refusal of it is shaped. */
final class MessageTypes {
  static final Set<String> REPORT = Set.of("oadrRegisterReport", "oadrRegisteredReport", "oadrCreateReport",
      "oadrCreatedReport", "oadrUpdateReport", "oadrUpdatedReport", "oadrCancelReport", "oadrCanceledReport");
  static final Set<String> OPT = Set.of("oadrCreateOpt", "oadrCreatedOpt", "oadrCancelOpt", "oadrCanceledOpt");
  private static final Map<String, String> ENDPOINT = Map.ofEntries(
      Map.entry("oadrQueryRegistration", "EiRegisterParty"), Map.entry("oadrCreatePartyRegistration", "EiRegisterParty"),
      Map.entry("oadrCancelPartyRegistration", "EiRegisterParty"),
      Map.entry("oadrCanceledPartyRegistration", "EiRegisterParty"),
      Map.entry("oadrRequestEvent", "EiEvent"), Map.entry("oadrCreatedEvent", "EiEvent"),
      Map.entry("oadrPoll", "OadrPoll"));

  private MessageTypes() {}

  /** Each message of an oadrSignedObject: its element name, and the venID it carries (or null). */
  private record Kind(String name, Function<OadrSignedObject, Object> message, Function<OadrSignedObject, String> venId) {}

  private static final List<Kind> KINDS = List.of(
      new Kind("oadrPoll", OadrSignedObject::getOadrPoll, m -> m.getOadrPoll().getVenID()),
      new Kind("oadrResponse", OadrSignedObject::getOadrResponse, m -> m.getOadrResponse().getVenID()),
      new Kind("oadrQueryRegistration", OadrSignedObject::getOadrQueryRegistration, m -> null),
      new Kind("oadrCreatePartyRegistration", OadrSignedObject::getOadrCreatePartyRegistration,
          m -> m.getOadrCreatePartyRegistration().getVenID()),
      new Kind("oadrCreatedPartyRegistration", OadrSignedObject::getOadrCreatedPartyRegistration,
          m -> m.getOadrCreatedPartyRegistration().getVenID()),
      new Kind("oadrCancelPartyRegistration", OadrSignedObject::getOadrCancelPartyRegistration,
          m -> m.getOadrCancelPartyRegistration().getVenID()),
      new Kind("oadrCanceledPartyRegistration", OadrSignedObject::getOadrCanceledPartyRegistration,
          m -> m.getOadrCanceledPartyRegistration().getVenID()),
      new Kind("oadrRequestReregistration", OadrSignedObject::getOadrRequestReregistration,
          m -> m.getOadrRequestReregistration().getVenID()),
      new Kind("oadrRequestEvent", OadrSignedObject::getOadrRequestEvent,
          m -> m.getOadrRequestEvent().getEiRequestEvent().getVenID()),
      new Kind("oadrDistributeEvent", OadrSignedObject::getOadrDistributeEvent, m -> null),
      new Kind("oadrCreatedEvent", OadrSignedObject::getOadrCreatedEvent,
          m -> m.getOadrCreatedEvent().getEiCreatedEvent().getVenID()),
      new Kind("oadrRegisterReport", OadrSignedObject::getOadrRegisterReport, m -> m.getOadrRegisterReport().getVenID()),
      new Kind("oadrRegisteredReport", OadrSignedObject::getOadrRegisteredReport,
          m -> m.getOadrRegisteredReport().getVenID()),
      new Kind("oadrCreateReport", OadrSignedObject::getOadrCreateReport, m -> m.getOadrCreateReport().getVenID()),
      new Kind("oadrCreatedReport", OadrSignedObject::getOadrCreatedReport, m -> m.getOadrCreatedReport().getVenID()),
      new Kind("oadrUpdateReport", OadrSignedObject::getOadrUpdateReport, m -> m.getOadrUpdateReport().getVenID()),
      new Kind("oadrUpdatedReport", OadrSignedObject::getOadrUpdatedReport, m -> m.getOadrUpdatedReport().getVenID()),
      new Kind("oadrCancelReport", OadrSignedObject::getOadrCancelReport, m -> m.getOadrCancelReport().getVenID()),
      new Kind("oadrCanceledReport", OadrSignedObject::getOadrCanceledReport, m -> m.getOadrCanceledReport().getVenID()),
      new Kind("oadrCreateOpt", OadrSignedObject::getOadrCreateOpt, m -> m.getOadrCreateOpt().getVenID()),
      new Kind("oadrCreatedOpt", OadrSignedObject::getOadrCreatedOpt, m -> null),
      new Kind("oadrCancelOpt", OadrSignedObject::getOadrCancelOpt, m -> m.getOadrCancelOpt().getVenID()),
      new Kind("oadrCanceledOpt", OadrSignedObject::getOadrCanceledOpt, m -> null));

  private static Kind kind(OadrSignedObject m) {
    if (m != null) {
      for (Kind k : KINDS) {
        if (k.message().apply(m) != null) {
          return k;
        }
      }
    }
    return null;
  }

  /** The element name of the message in the signed object. */
  static String of(OadrSignedObject m) {
    Kind k = kind(m);
    return k == null ? "oadrPayload" : k.name();
  }

  /** The venID the message names, or null. */
  static String venId(OadrSignedObject m) {
    Kind k = kind(m);
    return k == null ? null : k.venId().apply(m);
  }

  /** The requestID a reply to the message echoes, or "". */
  static String requestId(OadrSignedObject m) {
    String id = null;
    if (m == null) {
      id = null;
    } else if (m.getOadrQueryRegistration() != null) {
      id = m.getOadrQueryRegistration().getRequestID();
    } else if (m.getOadrCreatePartyRegistration() != null) {
      id = m.getOadrCreatePartyRegistration().getRequestID();
    } else if (m.getOadrCancelPartyRegistration() != null) {
      id = m.getOadrCancelPartyRegistration().getRequestID();
    } else if (m.getOadrRequestEvent() != null) {
      id = m.getOadrRequestEvent().getEiRequestEvent().getRequestID();
    } else if (m.getOadrCreatedEvent() != null && m.getOadrCreatedEvent().getEiCreatedEvent().getEiResponse() != null) {
      id = m.getOadrCreatedEvent().getEiCreatedEvent().getEiResponse().getRequestID();
    } else if (m.getOadrResponse() != null) {
      id = m.getOadrResponse().getEiResponse().getRequestID();
    } else if (m.getOadrRegisterReport() != null) {
      id = m.getOadrRegisterReport().getRequestID();
    } else if (m.getOadrUpdateReport() != null) {
      id = m.getOadrUpdateReport().getRequestID();
    } else if (m.getOadrCreateReport() != null) {
      id = m.getOadrCreateReport().getRequestID();
    } else if (m.getOadrCancelReport() != null) {
      id = m.getOadrCancelReport().getRequestID();
    } else if (m.getOadrCreateOpt() != null) {
      id = m.getOadrCreateOpt().getRequestID();
    } else if (m.getOadrCancelOpt() != null) {
      id = m.getOadrCancelOpt().getRequestID();
    }
    return id == null ? "" : id;
  }

  /** " (send it to EiEvent)" when the message belongs to another endpoint, else "". */
  static String rightEndpoint(String type) {
    String right = ENDPOINT.get(type);
    if (right == null && REPORT.contains(type)) {
      right = "EiReport";
    } else if (right == null && OPT.contains(type)) {
      right = "EiOpt";
    }
    return right == null ? "" : " (send it to " + right + ")";
  }

  /** A refusal in the shape the message expects: its own reply type where 2.0b has one, else oadrResponse. */
  static OadrPayload refusal(Messages messages, String type, ResponseCode code, String description, String requestId,
                             String venId) {
    if ("oadrCreatePartyRegistration".equals(type) || "oadrQueryRegistration".equals(type)) {
      return messages.createdPartyRegistration(code, description, requestId, null, venId);
    }
    if ("oadrCancelPartyRegistration".equals(type)) {
      return messages.canceledPartyRegistration(code, description, requestId, null, venId);
    }
    if ("oadrRequestEvent".equals(type)) {
      return messages.distributeRefusal(code, description, requestId);
    }
    return messages.response(code, description, requestId, venId);
  }
}
