package io.loadshift.vtn.auth;

import io.loadshift.vtn.audit.Actor;
import java.util.Set;

/** The authenticated caller of a request, as read from a verified bearer token. */
public record Principal(String clientId, Role role, Set<String> scopes) {
  /** Utilities and admins: OpenADR business logic, which reads everything and sets targets. */
  public boolean operator() {
    return role == Role.ADMIN || role == Role.UTILITY;
  }

  public boolean has(String scope) {
    return scopes.contains(scope);
  }

  public Actor actor(String requestId) {
    return new Actor(clientId, role.wire(), requestId);
  }
}
