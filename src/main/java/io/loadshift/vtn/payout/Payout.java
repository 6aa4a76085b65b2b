package io.loadshift.vtn.payout;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.math.BigDecimal;
import java.time.OffsetDateTime;

/**
 * A reward owed to a VEN for one event, and where paying it stands: PENDING (queued, or waiting
 * with a {@code reason}), SUBMITTED (in a signed transaction sent to the ledger), PAID (in ledger
 * {@code ledger} by transaction {@code txHash}) or FAILED (the ledger refused this payment, with
 * the reason; it can be retried once the cause is fixed).
 */
public record Payout(String id, String eventId, String venId, String venName, String programId, BigDecimal reductionKw,
                     BigDecimal rewardPerKw, BigDecimal amount, String asset, String destination, String evidenceDigest,
                     String status, String reason, int attempts, String batchId, String txHash, Long ledger,
                     OffsetDateTime createdAt, OffsetDateTime updatedAt, OffsetDateTime paidAt, String memoHash) {

  static Payout from(Row r) {
    Object batch = r.getValue("batch_id");
    return new Payout(r.getUUID("id").toString(), r.getString("event_id"), r.getString("ven_id"), r.getString("ven_name"),
        r.getString("program_id"), r.getBigDecimal("reduction_kw"), r.getBigDecimal("reward_per_kw"),
        r.getBigDecimal("amount"), r.getString("asset"), r.getString("destination"), r.getString("evidence_digest"),
        r.getString("status"), r.getString("reason"), r.getInteger("attempts"), batch == null ? null : batch.toString(),
        r.getString("tx_hash"), r.getLong("ledger"), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("updated_at"),
        r.getOffsetDateTime("paid_at"), r.getString("memo_hash"));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("eventID", eventId)
        .put("venID", venId)
        .put("venName", venName)
        .put("programID", programId)
        .put("participation", eventId + "/" + venId)
        .put("reductionKw", reductionKw.doubleValue())
        .put("rewardPerKw", rewardPerKw.toPlainString())
        .put("amount", amount.setScale(7).toPlainString())
        .put("asset", asset)
        .put("destination", destination)
        .put("evidenceDigest", evidenceDigest)
        .put("status", status)
        .put("reason", reason)
        .put("attempts", attempts)
        .put("batchID", batchId)
        .put("memoHash", memoHash)
        .put("txHash", txHash)
        .put("ledger", ledger)
        .put("createdDateTime", createdAt == null ? null : createdAt.toInstant().toString())
        .put("modificationDateTime", updatedAt == null ? null : updatedAt.toInstant().toString())
        .put("paidDateTime", paidAt == null ? null : paidAt.toInstant().toString());
  }
}
