package io.loadshift.vtn.subscription;

import io.loadshift.vtn.platform.http.JsonFields;
import io.loadshift.vtn.platform.http.Problem;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Reads OpenADR 3.1 subscription requests. */
public final class SubscriptionRequests {
  public static final Set<String> OBJECT_TYPES = Set.of("PROGRAM", "EVENT", "REPORT", "SUBSCRIPTION", "VEN", "RESOURCE");
  public static final Set<String> OPERATIONS = Set.of("READ", "CREATE", "UPDATE", "DELETE");
  private static final Set<String> FIELDS = Set.of("clientName", "programID", "objectOperations", "targets",
      "id", "createdDateTime", "modificationDateTime", "objectType", "clientID");
  private static final Set<String> OP_FIELDS = Set.of("objects", "operations", "callbackUrl", "bearerToken");

  /** A validated subscription request. */
  public record Draft(String clientName, String programId, JsonArray objectOperations, List<String> targets) {}

  private SubscriptionRequests() {}

  public static Draft read(JsonObject in, CallbackPolicy policy) {
    JsonFields.rejectUnknown(in, FIELDS);
    String clientName = JsonFields.requiredString(in, "clientName", 128);
    String programId = JsonFields.optionalString(in, "programID", 128);
    List<String> errors = new ArrayList<>();
    List<String> targets = JsonFields.targets(in, errors);
    if (!errors.isEmpty()) {
      throw Problem.validation(errors.get(0) + ".");
    }
    if (!(in.getValue("objectOperations") instanceof JsonArray ops) || ops.isEmpty() || ops.size() > 20) {
      throw Problem.validation("'objectOperations' is required: 1 to 20 entries of {objects, operations, callbackUrl}.");
    }
    JsonArray clean = new JsonArray();
    for (int i = 0; i < ops.size(); i++) {
      String where = "objectOperations[" + i + "]";
      if (!(ops.getValue(i) instanceof JsonObject op)) {
        throw Problem.validation(where + " must be an object.");
      }
      JsonFields.rejectUnknown(op, OP_FIELDS);
      List<String> objects = enumList(op, "objects", OBJECT_TYPES, where);
      List<String> operations = enumList(op, "operations", OPERATIONS, where);
      String url = JsonFields.requiredString(op, "callbackUrl", 8000);
      policy.parse(url);
      String bearer = JsonFields.optionalString(op, "bearerToken", 4096);
      clean.add(new JsonObject().put("objects", new JsonArray(objects)).put("operations", new JsonArray(operations))
          .put("callbackUrl", url).put("bearerToken", bearer));
    }
    return new Draft(clientName, programId, clean, targets);
  }

  private static List<String> enumList(JsonObject op, String field, Set<String> allowed, String where) {
    List<String> values = JsonFields.stringList(op, field, 10, 32);
    if (values == null || values.isEmpty()) {
      throw Problem.validation(where + "." + field + " is required: some of " + allowed + ".");
    }
    for (String v : values) {
      if (!allowed.contains(v)) {
        throw Problem.validation(where + "." + field + " has '" + v + "'; allowed: " + allowed + ".");
      }
    }
    return values;
  }
}
