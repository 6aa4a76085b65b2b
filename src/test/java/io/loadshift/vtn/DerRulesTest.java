package io.loadshift.vtn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadshift.vtn.der.CapacityLimits;
import io.loadshift.vtn.der.DerStatus;
import io.loadshift.vtn.der.DerType;
import io.loadshift.vtn.party.StellarAccount;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pure rules: account checksums, capacity limits, the status table. */
class DerRulesTest {

  @Test
  void stellarAccountIdsAreCheckedToTheLastBit() {
    // A published account id (Stellar documentation), and one with a single character changed.
    String known = "GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7";
    assertNull(StellarAccount.problem(known));
    assertTrue(StellarAccount.problem("GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN6").contains("checksum"));
    assertTrue(StellarAccount.problem("SAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7").contains("starts with G"));
    assertTrue(StellarAccount.problem("GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN").contains("56"));
    assertTrue(StellarAccount.problem("GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCW18").contains("A-Z"));
    byte[] key = new byte[32];
    key[0] = 42;
    assertNull(StellarAccount.problem(StellarAccount.encode(key)));
  }

  @Test
  void capacityLimitsHaveDefaultsAndOverrides() {
    CapacityLimits d = CapacityLimits.defaults();
    assertTrue(d.of(DerType.EV_CHARGER).contains(new BigDecimal("350")));
    assertTrue(!d.of(DerType.EV_CHARGER).contains(new BigDecimal("5000")));
    CapacityLimits o = CapacityLimits.parse("EV_CHARGER=1..350, SOLAR=0.5..20");
    assertTrue(!o.of(DerType.EV_CHARGER).contains(new BigDecimal("400")));
    assertTrue(o.of(DerType.SOLAR).contains(new BigDecimal("20")));
    assertEquals(d.of(DerType.WIND), o.of(DerType.WIND));
    assertThrows(IllegalArgumentException.class, () -> CapacityLimits.parse("COAL=1..2"));
    assertThrows(IllegalArgumentException.class, () -> CapacityLimits.parse("SOLAR=5..1"));
    assertThrows(IllegalArgumentException.class, () -> CapacityLimits.parse("SOLAR=abc"));
  }

  @Test
  void theStatusTableKeepsDispatchAndEmergencyWithOperators() {
    assertEquals(List.of(DerStatus.OFFLINE, DerStatus.MAINTENANCE), DerStatus.ONLINE.allowedNext(false));
    assertEquals(List.of(DerStatus.OFFLINE, DerStatus.MAINTENANCE, DerStatus.OPTIMIZED, DerStatus.EMERGENCY),
        DerStatus.ONLINE.allowedNext(true));
    assertTrue(!DerStatus.OFFLINE.allowedNext(true).contains(DerStatus.OPTIMIZED), "no jump from OFFLINE to OPTIMIZED");
    assertEquals(List.of(DerStatus.OFFLINE), DerStatus.EMERGENCY.allowedNext(false), "only an operator ends an emergency");
    assertTrue(DerStatus.EMERGENCY.allowedNext(true).contains(DerStatus.ONLINE));
    for (DerStatus s : DerStatus.values()) {
      assertTrue(!s.allowedNext(true).contains(s), s + " does not move to itself");
    }
  }
}
