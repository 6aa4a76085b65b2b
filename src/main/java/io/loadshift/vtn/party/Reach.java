package io.loadshift.vtn.party;

import io.loadshift.vtn.auth.Principal;

/**
 * Which VENs and resources a caller may see: a utility or admin everything; an aggregator what it
 * registered; a VEN the objects bearing its own client id. Anything outside its reach is, to the
 * caller, not there (404, or absent from lists).
 */
public record Reach(String clientId, String owner) {
  public static final Reach ALL = new Reach(null, null);

  public static Reach of(Principal p) {
    switch (p.role()) {
      case ADMIN:
      case UTILITY:
        return ALL;
      case AGGREGATOR:
        return new Reach(null, p.clientId());
      case VEN:
      default:
        return new Reach(p.clientId(), null);
    }
  }

  public boolean everything() {
    return clientId == null && owner == null;
  }

  /** True for an object with this client id and registering owner. */
  public boolean covers(String objectClientId, String objectOwner) {
    return (clientId == null || clientId.equals(objectClientId)) && (owner == null || owner.equals(objectOwner));
  }
}
