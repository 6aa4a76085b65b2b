package io.loadshift.vtn.auth;

import static io.loadshift.vtn.auth.Scopes.*;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a client is, and therefore which scopes its tokens may carry. Scopes gate endpoints;
 * which objects a client may see is decided by each capability from the role and client id.
 */
public enum Role {
  /** Runs the VTN: manages clients, reads the audit log, and may do anything a utility may. */
  ADMIN(Set.of(Scopes.ADMIN, READ_ALL, READ_BL, WRITE_PROGRAMS, WRITE_EVENTS, WRITE_SUBSCRIPTIONS, WRITE_VENS)),
  /** A grid operator: OpenADR business logic, reads everything, writes programs and events. */
  UTILITY(Set.of(READ_ALL, READ_BL, WRITE_PROGRAMS, WRITE_EVENTS, WRITE_SUBSCRIPTIONS, WRITE_VENS)),
  /** Owns VENs and DER fleets; reads and writes only what it registered. */
  AGGREGATOR(Set.of(READ_VEN_OBJECTS, READ_TARGETS, WRITE_VENS, WRITE_REPORTS, WRITE_SUBSCRIPTIONS)),
  /** A Virtual End Node: reads what targets it, writes its own VEN object, resources and reports. */
  VEN(Set.of(READ_TARGETS, READ_VEN_OBJECTS, WRITE_VENS, WRITE_REPORTS, WRITE_SUBSCRIPTIONS));

  private final Set<String> scopes;

  Role(Set<String> scopes) {
    this.scopes = scopes;
  }

  public Set<String> scopes() {
    return scopes;
  }

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> fromWire(String s) {
    if (s == null) {
      return Optional.empty();
    }
    for (Role r : values()) {
      if (r.wire().equals(s)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
