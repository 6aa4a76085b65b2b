package io.loadshift.vtn.payout;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewards in integer stroops (10^-7 of an asset unit), never floating point:
 * <ol>
 *   <li>each participant earns its verified average reduction (kW) times the rate per kW, rounded
 *       down to a stroop; below the program's minimum reduction, nothing;</li>
 *   <li>no participant earns more than the per-participant cap;</li>
 *   <li>when the sum exceeds what the event cap and the program budget leave, every reward is
 *       scaled by the same factor (rounded down, so the sum never exceeds the limit).</li>
 * </ol>
 * The same inputs always give the same amounts, whatever their order.
 */
public final class RewardRules {
  static final BigDecimal STROOPS_PER_UNIT = BigDecimal.TEN.pow(7);

  private RewardRules() {}

  /** A verified participant's average reduction over the event. */
  public record Claim(String venId, BigDecimal reductionKw) {}

  /** Amounts by VEN (zero amounts left out), and whether the event cap or budget scaled them. */
  public record Result(Map<String, Long> stroops, boolean capped, boolean scaled, long total) {}

  /**
   * @param ratePerKw             asset units per kW of average reduction
   * @param minReductionKw        nullable; smaller reductions earn nothing
   * @param perParticipantCap     nullable, in asset units
   * @param remaining             nullable, in asset units: what the event cap and program budget
   *                              still allow for these claims together
   */
  public static Result compute(List<Claim> claims, BigDecimal ratePerKw, BigDecimal minReductionKw,
                               BigDecimal perParticipantCap, BigDecimal remaining) {
    Map<String, Long> raw = new LinkedHashMap<>();
    boolean capped = false;
    long cap = perParticipantCap == null ? Long.MAX_VALUE : toStroops(perParticipantCap);
    List<Claim> ordered = claims.stream().sorted(java.util.Comparator.comparing(Claim::venId)).toList();
    BigInteger sum = BigInteger.ZERO;
    for (Claim c : ordered) {
      if (c.reductionKw() == null || c.reductionKw().signum() <= 0
          || (minReductionKw != null && c.reductionKw().compareTo(minReductionKw) < 0)) {
        continue;
      }
      long amount = toStroops(c.reductionKw().multiply(ratePerKw));
      if (amount > cap) {
        amount = cap;
        capped = true;
      }
      if (amount > 0) {
        raw.put(c.venId(), amount);
        sum = sum.add(BigInteger.valueOf(amount));
      }
    }
    long limit = remaining == null ? Long.MAX_VALUE : Math.max(0, toStroops(remaining));
    if (sum.compareTo(BigInteger.valueOf(limit)) <= 0) {
      return new Result(raw, capped, false, sum.longValueExact());
    }
    Map<String, Long> scaled = new LinkedHashMap<>();
    long total = 0;
    for (Map.Entry<String, Long> e : raw.entrySet()) {
      long s = BigInteger.valueOf(e.getValue()).multiply(BigInteger.valueOf(limit)).divide(sum).longValueExact();
      if (s > 0) {
        scaled.put(e.getKey(), s);
        total += s;
      }
    }
    return new Result(scaled, capped, true, total);
  }

  /** Units to stroops, rounded down; amounts beyond what a Stellar payment can carry are clamped. */
  static long toStroops(BigDecimal units) {
    BigDecimal s = units.multiply(STROOPS_PER_UNIT).setScale(0, RoundingMode.DOWN);
    return s.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0 ? Long.MAX_VALUE : s.longValueExact();
  }

  public static BigDecimal units(long stroops) {
    return BigDecimal.valueOf(stroops, 7);
  }
}
