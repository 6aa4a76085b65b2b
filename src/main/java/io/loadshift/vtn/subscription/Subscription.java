package io.loadshift.vtn.subscription;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.List;

/** A 3.1 subscription: which object operations its client wants, and where to send them. */
public record Subscription(String id, String clientId, String clientName, String programId, JsonArray objectOperations,
                           List<String> targets, OffsetDateTime createdAt, OffsetDateTime modifiedAt) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("createdDateTime", createdAt == null ? null : createdAt.toInstant().toString())
        .put("modificationDateTime", modifiedAt == null ? null : modifiedAt.toInstant().toString())
        .put("objectType", "SUBSCRIPTION")
        .put("clientID", clientId)
        .put("clientName", clientName)
        .put("programID", programId)
        .put("objectOperations", objectOperations)
        .put("targets", new JsonArray(targets));
  }

  /** The callback URLs wanting this object type and operation (each once). */
  public List<JsonObject> callbacksFor(String objectType, String operation) {
    List<JsonObject> out = new java.util.ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Object o : objectOperations) {
      JsonObject op = (JsonObject) o;
      if (op.getJsonArray("objects").contains(objectType) && op.getJsonArray("operations").contains(operation)
          && seen.add(op.getString("callbackUrl"))) {
        out.add(op);
      }
    }
    return out;
  }
}
