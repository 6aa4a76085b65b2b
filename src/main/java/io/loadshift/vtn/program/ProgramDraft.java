package io.loadshift.vtn.program;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** A validated program request: name, targets, attributes, rules read from them, other 3.1 fields. */
public record ProgramDraft(String programName, List<String> targets, JsonArray attributes, ProgramRules rules,
                           JsonObject body) {}
