package io.loadshift.vtn.auth;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;

/** A client of the VTN as the admin API shows it (never with its secret or hash). */
public record Client(String clientId, String name, Role role, boolean enabled, int tokenGeneration,
                     OffsetDateTime createdAt, String createdBy, OffsetDateTime updatedAt) {
  public JsonObject toJson() {
    return new JsonObject()
        .put("clientId", clientId)
        .put("name", name)
        .put("role", role.wire())
        .put("enabled", enabled)
        .put("createdAt", createdAt.toInstant().toString())
        .put("createdBy", createdBy)
        .put("updatedAt", updatedAt.toInstant().toString());
  }
}
