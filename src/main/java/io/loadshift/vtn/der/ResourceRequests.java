package io.loadshift.vtn.der;

import io.loadshift.vtn.platform.http.JsonFields;
import io.loadshift.vtn.platform.http.Problem;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;

/**
 * Reads OpenADR 3.1 resource requests ({@code BL_RESOURCE_REQUEST} from business logic,
 * {@code VEN_RESOURCE_REQUEST} from a VEN) into drafts. Only utilities and admins may set targets.
 */
public final class ResourceRequests {
  public static final String BL = "BL_RESOURCE_REQUEST";
  public static final String VEN = "VEN_RESOURCE_REQUEST";
  private static final Set<String> FIELDS = Set.of("objectType", "resourceName", "venID", "clientID", "targets",
      "attributes", "id", "createdDateTime", "modificationDateTime");

  private ResourceRequests() {}

  /**
   * @param venRole the caller is a VEN (must send VEN_RESOURCE_REQUEST) rather than business logic
   * @param mayTarget the caller may set targets
   * @param pathVenId the VEN id from the path, if any (the body's must agree)
   * @param requireObjectType false for bulk items, where objectType may be left out
   */
  public static ResourceDraft read(JsonObject body, boolean venRole, boolean mayTarget, String pathVenId,
                                   boolean requireObjectType) {
    JsonFields.rejectUnknown(body, FIELDS);
    String objectType = JsonFields.optionalString(body, "objectType", 64);
    String expected = venRole ? VEN : BL;
    if (objectType == null && requireObjectType) {
      throw Problem.validation("'objectType' is required: " + expected + ".");
    }
    if (objectType != null && !objectType.equals(expected)) {
      if (objectType.equals(BL) || objectType.equals(VEN)) {
        throw Problem.forbidden("A " + (venRole ? "VEN" : "business-logic client") + " sends " + expected
            + ", not " + objectType + ".");
      }
      throw Problem.validation("'objectType' must be " + expected + ".");
    }
    String name = JsonFields.requiredString(body, "resourceName", 128);
    String venId = JsonFields.optionalString(body, "venID", 128);
    if (pathVenId != null) {
      if (venId != null && !venId.equals(pathVenId)) {
        throw Problem.validation("'venID' in the body differs from the VEN in the path.");
      }
      venId = pathVenId;
    } else if (venId == null) {
      throw Problem.validation("'venID' is required.");
    }
    String clientId = JsonFields.optionalString(body, "clientID", 128);
    if (venRole && clientId != null) {
      throw Problem.validation("A VEN does not send clientID; it is taken from its token.");
    }
    List<String> targets = JsonFields.stringList(body, "targets", 100, 128);
    if (targets != null && !targets.isEmpty() && !mayTarget) {
      throw Problem.forbidden("Only a utility may set targets.");
    }
    if (!mayTarget) {
      targets = null;
    }
    return new ResourceDraft(name, venId, clientId, targets, JsonFields.valuesMaps(body, "attributes", 100, 16));
  }
}
