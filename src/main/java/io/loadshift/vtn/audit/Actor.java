package io.loadshift.vtn.audit;

/** Who caused a change: a client (with its role) or the VTN itself, and the request it came in. */
public record Actor(String id, String role, String requestId) {
  public static final Actor SYSTEM = new Actor("vtn", "system", null);
}
