package io.loadshift.vtn.program;

import io.loadshift.vtn.platform.http.JsonFields;
import io.loadshift.vtn.platform.http.Problem;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads OpenADR 3.1 program requests. The 3.0 fields that 3.1 moved into attributes
 * (programLongName, retailerName, ...) are still accepted and kept as sent, for older tools.
 */
public final class ProgramRequests {
  private static final Set<String> BODY_FIELDS = Set.of("intervalPeriod", "programDescriptions", "payloadDescriptors",
      "programLongName", "retailerName", "retailerLongName", "programType", "country", "principalSubdivision",
      "timeZoneOffset", "bindingEvents", "localPrice");
  private static final Set<String> OWN_FIELDS = Set.of("programName", "targets", "attributes");
  private static final Set<String> ECHOED = Set.of("id", "createdDateTime", "modificationDateTime", "objectType");

  private ProgramRequests() {}

  public static ProgramDraft read(JsonObject in) {
    List<String> errors = new ArrayList<>();
    JsonObject body = new JsonObject();
    for (String k : in.fieldNames()) {
      if (BODY_FIELDS.contains(k)) {
        if (in.getValue(k) != null) {
          body.put(k, in.getValue(k));
        }
      } else if (!OWN_FIELDS.contains(k) && !ECHOED.contains(k)) {
        errors.add("unknown field '" + k + "'");
      }
    }
    String name = null;
    try {
      name = JsonFields.requiredString(in, "programName", 128);
    } catch (Problem p) {
      errors.add(p.detail());
    }
    List<String> targets = JsonFields.targets(in, errors);
    JsonArray attributes = new JsonArray();
    try {
      attributes = JsonFields.valuesMaps(in, "attributes", 100, 100);
    } catch (Problem p) {
      errors.add(p.detail());
    }
    if (body.getValue("programDescriptions") instanceof JsonArray d) {
      for (Object o : d) {
        if (!(o instanceof JsonObject u) || !(u.getValue("URL") instanceof String url) || url.length() < 2 || url.length() > 8000) {
          errors.add("programDescriptions entries are {\"URL\": \"...\"}");
          break;
        }
      }
    } else if (body.getValue("programDescriptions") != null) {
      errors.add("'programDescriptions' must be an array");
    }
    for (String k : List.of("intervalPeriod")) {
      if (body.getValue(k) != null && !(body.getValue(k) instanceof JsonObject)) {
        errors.add("'" + k + "' must be an object");
      }
    }
    if (body.getValue("payloadDescriptors") != null && !(body.getValue("payloadDescriptors") instanceof JsonArray)) {
      errors.add("'payloadDescriptors' must be an array");
    }
    ProgramRules rules = ProgramRules.read(attributes, errors);
    if (!errors.isEmpty()) {
      throw new Problem(400, "invalid-program", "Invalid program", String.join("; ", errors) + ".",
          new JsonObject().put("errors", new JsonArray(errors)));
    }
    return new ProgramDraft(name, targets, attributes, rules, body);
  }
}
