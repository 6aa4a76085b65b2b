package io.loadshift.vtn.der;

import java.time.OffsetDateTime;
import java.util.List;

/** A resource as stored: identity, ownership, targets, DER attributes and current status. */
public record Resource(String id, String venId, String resourceName, String clientId, String owner,
                       List<String> targets, DerSpec spec, DerStatus status, OffsetDateTime statusSince,
                       OffsetDateTime createdAt, OffsetDateTime modifiedAt) {}
