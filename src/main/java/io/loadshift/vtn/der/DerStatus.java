package io.loadshift.vtn.der;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The status life cycle of a resource. Owners (the VEN, its aggregator) move between ONLINE,
 * OFFLINE and MAINTENANCE; only an operator (utility, admin, or the VTN's own optimizer) dispatches
 * (OPTIMIZED), declares an EMERGENCY or ends one.
 *
 * <pre>
 * from \ to     ONLINE   OFFLINE  MAINTENANCE  OPTIMIZED  EMERGENCY
 * ONLINE          -       owner     owner       operator   operator
 * OFFLINE       owner       -       owner          no         no
 * MAINTENANCE   owner     owner       -            no         no
 * OPTIMIZED     owner     owner      no            -       operator
 * EMERGENCY    operator   owner      no            no          -
 * </pre>
 * Operators may make every move an owner may. An OFFLINE resource must come ONLINE before it can
 * be dispatched; a resource under dispatch or emergency cannot go straight into maintenance.
 */
public enum DerStatus {
  ONLINE, OFFLINE, MAINTENANCE, OPTIMIZED, EMERGENCY;

  /** Statuses in which a resource can deliver what it is asked for. */
  public static final Set<DerStatus> AVAILABLE = EnumSet.of(ONLINE, OPTIMIZED, EMERGENCY);
  /** Statuses a new resource may start in. */
  public static final Set<DerStatus> INITIAL = EnumSet.of(ONLINE, OFFLINE, MAINTENANCE);

  public List<DerStatus> allowedNext(boolean operator) {
    EnumSet<DerStatus> owner;
    EnumSet<DerStatus> operatorOnly;
    switch (this) {
      case ONLINE:
        owner = EnumSet.of(OFFLINE, MAINTENANCE);
        operatorOnly = EnumSet.of(OPTIMIZED, EMERGENCY);
        break;
      case OFFLINE:
        owner = EnumSet.of(ONLINE, MAINTENANCE);
        operatorOnly = EnumSet.noneOf(DerStatus.class);
        break;
      case MAINTENANCE:
        owner = EnumSet.of(ONLINE, OFFLINE);
        operatorOnly = EnumSet.noneOf(DerStatus.class);
        break;
      case OPTIMIZED:
        owner = EnumSet.of(ONLINE, OFFLINE);
        operatorOnly = EnumSet.of(EMERGENCY);
        break;
      case EMERGENCY:
      default:
        owner = EnumSet.of(OFFLINE);
        operatorOnly = EnumSet.of(ONLINE);
        break;
    }
    if (operator) {
      owner.addAll(operatorOnly);
    }
    return List.copyOf(owner);
  }

  public static Optional<DerStatus> parse(String s) {
    for (DerStatus t : values()) {
      if (t.name().equals(s)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
