package io.loadshift.vtn.oadr20b;

/**
 * A 2.0b message the VTN will not act on: answered with the message's usual response type (or an
 * oadrResponse) carrying {@link #code()} and {@link #getMessage()} as the responseDescription.
 * Nothing it asked for is stored.
 */
public final class OadrRefusal extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ResponseCode code;

  public OadrRefusal(ResponseCode code, String description) {
    super(description, null, false, false);
    this.code = code;
  }

  public ResponseCode code() {
    return code;
  }

  public static OadrRefusal invalidId(String description) {
    return new OadrRefusal(ResponseCode.INVALID_ID, description);
  }

  public static OadrRefusal notAuthorized(String description) {
    return new OadrRefusal(ResponseCode.NOT_REGISTERED_OR_AUTHORIZED, description);
  }

  public static OadrRefusal invalidData(String description) {
    return new OadrRefusal(ResponseCode.INVALID_DATA, description);
  }
}
