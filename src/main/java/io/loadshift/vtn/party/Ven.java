package io.loadshift.vtn.party;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * A VEN object: its name, the OAuth client that is the VEN, who registered it, the targets a
 * utility put it in, and its attributes (the consumer's payout account among them).
 */
public record Ven(String id, String venName, String clientId, String registeredBy, List<String> targets,
                  JsonArray attributes, String stellarAccount, OffsetDateTime createdAt, OffsetDateTime modifiedAt) {

  /** The OpenADR 3.1 {@code ven} object (also what notifications and the audit log carry). */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("createdDateTime", createdAt == null ? null : createdAt.toInstant().toString())
        .put("modificationDateTime", modifiedAt == null ? null : modifiedAt.toInstant().toString())
        .put("objectType", "VEN")
        .put("venName", venName)
        .put("clientID", clientId)
        .put("targets", new JsonArray(targets))
        .put("attributes", attributes);
  }
}
