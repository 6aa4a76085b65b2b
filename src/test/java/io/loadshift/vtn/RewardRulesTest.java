package io.loadshift.vtn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadshift.vtn.payout.RewardRules;
import io.loadshift.vtn.payout.RewardRules.Claim;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RewardRulesTest {
  private static BigDecimal d(String s) {
    return new BigDecimal(s);
  }

  @Test
  void rewardIsReductionTimesRateInWholeStroops() {
    // 12.345 kW x 0.1234567 per kW = 1.5240729615 units = 15240729.615 stroops, rounded down.
    RewardRules.Result r = RewardRules.compute(List.of(new Claim("a", d("12.345"))), d("0.1234567"), null, null, null);
    assertEquals(Map.of("a", 15_240_729L), r.stroops());
    assertEquals(15_240_729L, r.total());
    assertFalse(r.capped());
    assertFalse(r.scaled());
  }

  @Test
  void belowTheMinimumOrWithoutReductionNothingIsOwed() {
    RewardRules.Result r = RewardRules.compute(List.of(new Claim("a", d("0.9")), new Claim("b", d("1.0")),
        new Claim("c", d("0")), new Claim("d", d("-3"))), d("2"), d("1.0"), null, null);
    assertEquals(Map.of("b", 20_000_000L), r.stroops());
  }

  @Test
  void theParticipantCapLimitsEachReward() {
    RewardRules.Result r = RewardRules.compute(List.of(new Claim("a", d("100")), new Claim("b", d("10"))), d("1"), null,
        d("25"), null);
    assertEquals(Map.of("a", 250_000_000L, "b", 100_000_000L), r.stroops());
    assertTrue(r.capped());
  }

  @Test
  void anEventCapScalesEveryoneAlikeAndIsNeverExceeded() {
    // 30 + 60 + 10 = 100 owed, 50 left: each gets half. 1/3 shares round down to the stroop.
    RewardRules.Result half = RewardRules.compute(List.of(new Claim("a", d("30")), new Claim("b", d("60")),
        new Claim("c", d("10"))), d("1"), null, null, d("50"));
    assertEquals(Map.of("a", 150_000_000L, "b", 300_000_000L, "c", 50_000_000L), half.stroops());
    assertTrue(half.scaled());
    RewardRules.Result thirds = RewardRules.compute(List.of(new Claim("a", d("1")), new Claim("b", d("1")),
        new Claim("c", d("1"))), d("1"), null, null, d("1"));
    assertEquals(Map.of("a", 3_333_333L, "b", 3_333_333L, "c", 3_333_333L), thirds.stroops());
    assertTrue(thirds.total() <= 10_000_000L);
    RewardRules.Result spent = RewardRules.compute(List.of(new Claim("a", d("5"))), d("1"), null, null, d("-2"));
    assertTrue(spent.stroops().isEmpty());
  }

  @Test
  void theOrderOfClaimsDoesNotChangeTheAmounts() {
    List<Claim> claims = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      claims.add(new Claim("ven-" + i, d(i + ".37")));
    }
    RewardRules.Result a = RewardRules.compute(claims, d("0.75"), d("2"), d("30"), d("500"));
    Collections.shuffle(claims, new java.util.Random(7));
    RewardRules.Result b = RewardRules.compute(claims, d("0.75"), d("2"), d("30"), d("500"));
    assertEquals(a.stroops(), b.stroops());
    assertTrue(a.total() <= 5_000_000_000L);
  }
}
