package io.loadshift.vtn.event;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * A demand-response event: the validated 3.1 fields ({@code body}) and what the VTN derived from
 * them: its window (an open end is null), the aggregate reduction target (largest
 * TARGET_REDUCTION_KW over its intervals), a reward override, whether it was recorded after the
 * fact (historical, never dispatched), and its cancellation.
 */
public record Event(String id, String programId, List<String> targets, Integer priority, JsonObject body,
                    Instant startsAt, Instant endsAt, BigDecimal targetReductionKw, BigDecimal rewardPerKw,
                    boolean historical, OffsetDateTime cancelledAt, int modificationNumber,
                    BigDecimal achievedReductionKw, OffsetDateTime createdAt, OffsetDateTime modifiedAt) {

  public enum Status { SCHEDULED, ACTIVE, COMPLETED, CANCELLED }

  public Status status(Instant now) {
    if (cancelledAt != null) {
      return Status.CANCELLED;
    }
    if (startsAt != null && now.isBefore(startsAt)) {
      return Status.SCHEDULED;
    }
    if (endsAt == null || now.isBefore(endsAt)) {
      return Status.ACTIVE;
    }
    return Status.COMPLETED;
  }

  /** The 3.1 {@code event} object with the targets given (all, or a reader's share). */
  public JsonObject toJson(List<String> shownTargets) {
    JsonObject o = new JsonObject()
        .put("id", id)
        .put("createdDateTime", createdAt == null ? null : createdAt.toInstant().toString())
        .put("modificationDateTime", modifiedAt == null ? null : modifiedAt.toInstant().toString())
        .put("objectType", "EVENT");
    body.forEach(e -> o.put(e.getKey(), e.getValue()));
    return o.put("targets", new JsonArray(shownTargets));
  }

  public JsonObject toJson() {
    return toJson(targets);
  }
}
