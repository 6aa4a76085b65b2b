package io.loadshift.vtn.der;

import io.vertx.core.json.JsonArray;
import java.math.BigDecimal;

/**
 * What a resource's attributes say about it, validated: every field may be null when not given
 * (a plain metered load has no DER fields). {@code status} is the status asked for, if any;
 * {@code extra} holds attributes the VTN does not interpret, kept as sent.
 */
public record DerSpec(
    DerType derType,
    BigDecimal capacityKw,
    BigDecimal energyCapacityKwh,
    BigDecimal stateOfCharge,
    Double latitude,
    Double longitude,
    String zone,
    String feeder,
    BigDecimal bidPricePerKw,
    DerStatus status,
    JsonArray extra) {}
