package io.loadshift.vtn.der;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.List;

/** A resource as stored: identity, ownership, targets, DER attributes and current status. */
public record Resource(String id, String venId, String resourceName, String clientId, String owner,
                       List<String> targets, DerSpec spec, DerStatus status, OffsetDateTime statusSince,
                       OffsetDateTime createdAt, OffsetDateTime modifiedAt) {

  /** The OpenADR 3.1 {@code resource} object (also what notifications and the audit log carry). */
  public JsonObject toJson() {
    return json(id, resourceName, venId, clientId, targets, spec, status, createdAt, modifiedAt);
  }

  static JsonObject json(String id, String resourceName, String venId, String clientId, List<String> targets,
                         DerSpec spec, DerStatus status, OffsetDateTime createdAt, OffsetDateTime modifiedAt) {
    return new JsonObject()
        .put("id", id)
        .put("createdDateTime", createdAt == null ? null : createdAt.toInstant().toString())
        .put("modificationDateTime", modifiedAt == null ? null : modifiedAt.toInstant().toString())
        .put("objectType", "RESOURCE")
        .put("resourceName", resourceName)
        .put("venID", venId)
        .put("clientID", clientId)
        .put("targets", new JsonArray(targets == null ? List.of() : targets))
        .put("attributes", DerAttributes.write(spec, status));
  }
}
