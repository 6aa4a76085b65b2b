package io.loadshift.vtn.platform.config;

/** Whether HTTPS asks VENs for a client certificate. */
public enum ClientAuthMode {
  /** No client certificate is asked for. */
  NONE,
  /** Asked for, not required: bearer-token clients without one still connect. */
  REQUEST,
  /** Required: the TLS handshake fails without a certificate signed by the client CA. */
  REQUIRED
}
