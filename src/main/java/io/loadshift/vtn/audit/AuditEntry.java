package io.loadshift.vtn.audit;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;

/**
 * One audit row: who did what to which object, with summaries of the object before and after.
 * {@code id} and {@code occurredAt} are null until stored.
 */
public record AuditEntry(
    Long id,
    OffsetDateTime occurredAt,
    String actor,
    String actorRole,
    String action,
    String objectType,
    String objectId,
    JsonObject before,
    JsonObject after,
    String requestId) {

  public static AuditEntry of(Actor actor, String action, String objectType, String objectId,
                              JsonObject before, JsonObject after) {
    return new AuditEntry(null, null, actor.id(), actor.role(), action, objectType, objectId,
        before, after, actor.requestId());
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("occurredAt", occurredAt == null ? null : occurredAt.toInstant().toString())
        .put("actor", actor)
        .put("actorRole", actorRole)
        .put("action", action)
        .put("objectType", objectType)
        .put("objectId", objectId)
        .put("before", before)
        .put("after", after)
        .put("requestId", requestId);
  }
}
