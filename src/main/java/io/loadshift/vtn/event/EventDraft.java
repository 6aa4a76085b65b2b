package io.loadshift.vtn.event;

import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** A validated event request and what follows from it. */
public record EventDraft(String programId, List<String> targets, Integer priority, JsonObject body, Instant startsAt,
                         Instant endsAt, BigDecimal targetReductionKw, BigDecimal rewardPerKw) {}
