package io.loadshift.vtn.oadr20b;

/**
 * The response codes this VTN puts in eiResponse / oadrResponse. 200, 400, 403 and 500 follow
 * HTTP; 450-469 are the OpenADR 2.0b application-layer codes (the profile specification's list,
 * as OpenLEADR's {@code STATUS_CODES} also names them).
 */
public enum ResponseCode {
  OK(200, "OK"),
  /** Not well-formed XML, a DOCTYPE (DTDs and entities are refused), or not schema-valid 2.0b. */
  BAD_REQUEST(400, "Bad Request"),
  /**
   * Authenticated, but not as a VEN (a bearer token of another kind of client); or, with signature
   * verification on, a message whose XML signature or ReplayProtect is missing or does not check.
   */
  FORBIDDEN(403, "Forbidden"),
  OUT_OF_SEQUENCE(450, "Out of sequence"),
  NOT_ALLOWED(451, "Not allowed"),
  /** An ID (venID, registrationID, eventID) that is unknown, or not the caller's. */
  INVALID_ID(452, "Invalid ID"),
  NOT_RECOGNIZED(453, "Not recognized"),
  /** Values that make no sense together (a push registration without an address, ...). */
  INVALID_DATA(454, "Invalid data"),
  /** A message the endpoint does not serve (an oadrPoll sent to EiEvent, ...). */
  COMPLIANCE_ERROR(459, "Compliance error"),
  SIGNAL_NOT_SUPPORTED(460, "Signal not supported"),
  REPORT_NOT_SUPPORTED(461, "Report not supported"),
  TARGET_MISMATCH(462, "Target mismatch"),
  /** No credentials, credentials of no provisioned VEN, or a VEN that is not registered. */
  NOT_REGISTERED_OR_AUTHORIZED(463, "Not registered or authorized"),
  DEPLOYMENT_ERROR(469, "Deployment error"),
  /** The VTN failed (not the VEN's doing); answered with HTTP 500 as well. */
  INTERNAL_ERROR(500, "Internal error");

  private final int code;
  private final String text;

  ResponseCode(int code, String text) {
    this.code = code;
    this.text = text;
  }

  public int code() {
    return code;
  }

  public String text() {
    return text;
  }

  public String wire() {
    return Integer.toString(code);
  }
}
