package io.loadshift.vtn.der;

import java.time.OffsetDateTime;

/** One interval of a resource's status history; {@code until} is null for the current one. */
public record StatusChange(DerStatus status, OffsetDateTime since, OffsetDateTime until, String changedBy, String reason) {}
