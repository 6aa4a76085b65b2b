package io.loadshift.vtn.party;

import io.vertx.core.json.JsonArray;
import java.util.List;

/**
 * What a caller asks a VEN to be. {@code clientId} is null for a VEN registering itself (it is
 * taken from its token); {@code targets} is null when the caller may not or did not set them.
 */
public record VenDraft(String venName, String clientId, List<String> targets, JsonArray attributes) {}
