package io.loadshift.vtn.program;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * A demand-response program: its 3.1 fields ({@code body}: intervalPeriod, programDescriptions,
 * payloadDescriptors and any 3.0-era fields sent), targets, attributes, and the settlement rules
 * read from them.
 */
public record Program(String id, String programName, List<String> targets, JsonArray attributes, JsonObject body,
                      ProgramRules rules, OffsetDateTime createdAt, OffsetDateTime modifiedAt) {

  /** The 3.1 {@code program} object with the targets given (all of them, or a reader's share). */
  public JsonObject toJson(List<String> shownTargets) {
    JsonObject o = new JsonObject()
        .put("id", id)
        .put("createdDateTime", createdAt == null ? null : createdAt.toInstant().toString())
        .put("modificationDateTime", modifiedAt == null ? null : modifiedAt.toInstant().toString())
        .put("objectType", "PROGRAM")
        .put("programName", programName);
    body.forEach(e -> o.put(e.getKey(), e.getValue()));
    return o.put("attributes", attributes).put("targets", new JsonArray(shownTargets));
  }

  public JsonObject toJson() {
    return toJson(targets);
  }
}
