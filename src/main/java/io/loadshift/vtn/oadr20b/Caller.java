package io.loadshift.vtn.oadr20b;

import io.loadshift.vtn.auth.Principal;

/**
 * Who sent a 2.0b message, as the transport proved it: a TLS client certificate (its 2.0b
 * fingerprint), a bearer token, or nothing (then only open registration lets the message's own
 * venID or venName speak for it).
 */
record Caller(String fingerprint, Principal principal) {
  static final Caller ANONYMOUS = new Caller(null, null);

  boolean anonymous() {
    return fingerprint == null && principal == null;
  }

  /** Who the audit log names for what this caller does. */
  String actorId(String venId) {
    return principal != null ? principal.clientId() : "oadr20b-ven:" + venId;
  }
}
