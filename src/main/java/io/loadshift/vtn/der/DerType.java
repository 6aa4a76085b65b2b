package io.loadshift.vtn.der;

import java.util.Optional;

/** Kinds of resources: generation and storage, then controllable demand. */
public enum DerType {
  SOLAR, WIND, BATTERY, HYDRO, GEOTHERMAL, FUEL_CELL, LOAD, EV_CHARGER, HEAT_PUMP;

  /** Resources that hold energy, whose dispatch is bounded by energy capacity and state of charge. */
  public boolean storage() {
    return this == BATTERY || this == EV_CHARGER;
  }

  public static Optional<DerType> parse(String s) {
    for (DerType t : values()) {
      if (t.name().equals(s)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
