package io.loadshift.vtn.audit;

/** Filters for reading the audit log, newest first; {@code beforeId} pages backwards. */
public record AuditQuery(String objectType, String objectId, String actor, Long beforeId, int limit) {}
