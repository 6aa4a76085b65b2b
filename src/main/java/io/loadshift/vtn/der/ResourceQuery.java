package io.loadshift.vtn.der;

import java.util.List;

/** Filters for listing resources; null fields do not filter. {@code targets} matches any of them. */
public record ResourceQuery(String venId, String resourceName, List<String> targets, DerType derType,
                            DerStatus status, String zone, String feeder, String owner) {}
