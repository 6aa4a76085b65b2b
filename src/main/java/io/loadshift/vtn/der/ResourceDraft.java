package io.loadshift.vtn.der;

import io.vertx.core.json.JsonArray;
import java.util.List;

/**
 * What a caller asks a resource to be: name, VEN, targets (null: not set by this caller), the
 * raw attributes (valuesMap entries, structurally checked) and, for business-logic callers, the
 * clientID they claim (it must be the VEN's).
 */
public record ResourceDraft(String resourceName, String venId, String clientId, List<String> targets,
                            JsonArray attributes) {}
