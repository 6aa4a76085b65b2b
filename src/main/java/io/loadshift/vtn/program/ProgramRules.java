package io.loadshift.vtn.program;

import io.loadshift.vtn.party.StellarAccount;
import io.loadshift.vtn.platform.http.ValuesMaps;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A program's settlement rules, carried as 3.1 program {@code attributes}:
 * {@code BASELINE_METHOD} (CAISO_10_OF_10, HIGH_5_OF_10, SAME_DAY, METER_BEFORE_AFTER, EXTERNAL),
 * {@code REWARD_PER_KW} (asset units per kW of verified average reduction), {@code REWARD_ASSET}
 * ({@code native} or {@code CODE:ISSUER}), {@code MIN_REDUCTION_KW} (below it nothing is paid),
 * {@code MAX_REWARD_PER_PARTICIPANT} and {@code MAX_REWARD_PER_EVENT} (caps per VEN per event and
 * per event in total) and {@code REWARD_BUDGET} (all payouts of the program together). Any may be
 * absent; other attributes are kept as sent.
 */
public record ProgramRules(String baselineMethod, BigDecimal rewardPerKw, String rewardAsset, BigDecimal minReductionKw,
                           BigDecimal maxRewardPerParticipant, BigDecimal maxRewardPerEvent, BigDecimal rewardBudget) {
  public static final Set<String> BASELINE_METHODS =
      Set.of("CAISO_10_OF_10", "HIGH_5_OF_10", "SAME_DAY", "METER_BEFORE_AFTER", "EXTERNAL");
  private static final Pattern ASSET_CODE = Pattern.compile("[A-Za-z0-9]{1,12}");
  private static final BigDecimal MAX_AMOUNT = new BigDecimal("100000000000");

  /** Reads the rules; each problem is added to {@code errors}. */
  public static ProgramRules read(JsonArray attributes, List<String> errors) {
    String baseline = null;
    BigDecimal reward = null;
    String asset = null;
    BigDecimal min = null;
    BigDecimal perParticipant = null;
    BigDecimal perEvent = null;
    BigDecimal budget = null;
    Set<String> seen = new HashSet<>();
    for (Object o : attributes) {
      JsonObject a = (JsonObject) o;
      String t = a.getString("type");
      JsonArray v = a.getJsonArray("values");
      switch (t) {
        case "BASELINE_METHOD":
        case "REWARD_PER_KW":
        case "REWARD_ASSET":
        case "MIN_REDUCTION_KW":
        case "MAX_REWARD_PER_PARTICIPANT":
        case "MAX_REWARD_PER_EVENT":
        case "REWARD_BUDGET":
          if (!seen.add(t)) {
            errors.add(t + " appears more than once");
            continue;
          }
          break;
        default:
          continue;
      }
      switch (t) {
        case "BASELINE_METHOD":
          baseline = ValuesMaps.oneString(t, v, errors);
          if (baseline != null && !BASELINE_METHODS.contains(baseline)) {
            errors.add("unknown BASELINE_METHOD '" + baseline + "'; one of " + BASELINE_METHODS);
          }
          break;
        case "REWARD_PER_KW":
          reward = ValuesMaps.amount(t, v, MAX_AMOUNT, errors);
          break;
        case "REWARD_ASSET":
          asset = ValuesMaps.oneString(t, v, errors);
          if (asset != null && assetProblem(asset) != null) {
            errors.add("REWARD_ASSET " + assetProblem(asset));
          }
          break;
        case "MIN_REDUCTION_KW":
          min = ValuesMaps.amount(t, v, MAX_AMOUNT, errors);
          break;
        case "MAX_REWARD_PER_PARTICIPANT":
          perParticipant = ValuesMaps.amount(t, v, MAX_AMOUNT, errors);
          break;
        case "MAX_REWARD_PER_EVENT":
          perEvent = ValuesMaps.amount(t, v, MAX_AMOUNT, errors);
          break;
        default:
          budget = ValuesMaps.amount(t, v, MAX_AMOUNT, errors);
          break;
      }
    }
    return new ProgramRules(baseline, reward, asset, min, perParticipant, perEvent, budget);
  }

  /** Null for {@code native} or a well-formed {@code CODE:ISSUER}; else why not. */
  public static String assetProblem(String asset) {
    if ("native".equals(asset)) {
      return null;
    }
    int colon = asset.indexOf(':');
    if (colon < 0) {
      return "must be 'native' or CODE:ISSUER";
    }
    if (!ASSET_CODE.matcher(asset.substring(0, colon)).matches()) {
      return "code must be 1-12 letters or digits";
    }
    String issuer = StellarAccount.problem(asset.substring(colon + 1));
    return issuer == null ? null : "issuer is not a valid Stellar account id: " + issuer;
  }
}
