package io.loadshift.vtn.verification;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;

/** A VEN's part in an event as verification decided it (the seed's ParticipationRecord). */
public record Participation(String eventId, String venId, String venName, String status, String baselineMethod,
                            BigDecimal baselineKw, BigDecimal actualKw, BigDecimal reductionKw, BigDecimal reductionKwh,
                            Double meterStartKwh, Double meterEndKwh, Double completeness, List<String> reasons,
                            BigDecimal reward, String evidenceDigest, JsonObject evidence, String zone,
                            OffsetDateTime verifiedAt) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("eventID", eventId)
        .put("venID", venId)
        .put("venName", venName)
        .put("status", status)
        .put("baselineMethod", baselineMethod)
        .put("baselineKw", number(baselineKw))
        .put("actualKw", number(actualKw))
        .put("reductionKw", number(reductionKw))
        .put("reductionKwh", number(reductionKwh))
        .put("meterReadingStart", meterStartKwh)
        .put("meterReadingEnd", meterEndKwh)
        .put("completeness", completeness)
        .put("reasons", new JsonArray(reasons))
        .put("reward", reward == null ? null : reward.setScale(7).toPlainString())
        .put("evidenceDigest", evidenceDigest)
        .put("evidence", evidence)
        .put("zone", zone)
        .put("verifiedAt", verifiedAt == null ? null : verifiedAt.toInstant().toString());
  }

  private static Double number(BigDecimal d) {
    return d == null ? null : d.doubleValue();
  }
}
