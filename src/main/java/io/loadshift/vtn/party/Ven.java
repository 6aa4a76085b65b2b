package io.loadshift.vtn.party;

import io.vertx.core.json.JsonArray;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * A VEN object: its name, the OAuth client that is the VEN, who registered it, the targets a
 * utility put it in, and its attributes (the consumer's payout account among them).
 */
public record Ven(String id, String venName, String clientId, String registeredBy, List<String> targets,
                  JsonArray attributes, String stellarAccount, OffsetDateTime createdAt, OffsetDateTime modifiedAt) {}
