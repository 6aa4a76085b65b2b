package io.loadshift.vtn.ledger;

import io.loadshift.vtn.ledger.LedgerState.Account;
import io.loadshift.vtn.ledger.LedgerState.TrustLine;
import io.loadshift.vtn.ledger.LedgerState.TxRecord;
import io.loadshift.vtn.ledger.TxResults.Codes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * Response bodies in Horizon's shapes (field names and string-encoded numbers as Horizon sends
 * them), so that the Stellar SDK's Gson deserialization reads them as it reads Horizon's.
 */
final class HorizonJson {
  static final String HORIZON_VERSION = "loadshift-local-ledger-1.0";
  static final String CORE_VERSION = "loadshift-local-ledger (stellar-core protocol 21 rules, classic subset)";
  static final String ERRORS = "https://stellar.org/horizon-errors/";

  private HorizonJson() {}

  static String time(long epochSeconds) {
    return Instant.ofEpochSecond(epochSeconds).toString();
  }

  private static JsonObject link(String href) {
    return new JsonObject().put("href", href);
  }

  private static JsonObject templated(String href) {
    return new JsonObject().put("href", href).put("templated", true);
  }

  /**
   * {@code now} (epoch seconds) stands for the empty ledgers a real network keeps closing every few
   * seconds: the reported close time never lags the clock the next transaction is judged by, so a
   * client deciding that a transaction's time bounds have passed sees the same time the ledger does.
   */
  static JsonObject root(LedgerState s, String base, long now) {
    JsonObject links = new JsonObject()
        .put("account", templated(base + "/accounts/{account_id}"))
        .put("accounts", templated(base + "/accounts{?signer,sponsor,asset,liquidity_pool,cursor,limit,order}"))
        .put("friendbot", templated(base + "/friendbot{?addr}"))
        .put("self", link(base + "/"))
        .put("transaction", templated(base + "/transactions/{hash}"))
        .put("transactions", templated(base + "/transactions{?cursor,limit,order}"));
    long ledger = s.ledger();
    return new JsonObject()
        .put("_links", links)
        .put("horizon_version", HORIZON_VERSION)
        .put("core_version", CORE_VERSION)
        .put("ingest_latest_ledger", ledger)
        .put("history_latest_ledger", ledger)
        .put("history_latest_ledger_closed_at", time(Math.max(s.closeTime(), now)))
        .put("history_elder_ledger", 1)
        .put("core_latest_ledger", ledger)
        .put("network_passphrase", s.networkPassphrase())
        .put("current_protocol_version", LedgerState.PROTOCOL_VERSION)
        .put("supported_protocol_version", LedgerState.PROTOCOL_VERSION)
        .put("core_supported_protocol_version", LedgerState.PROTOCOL_VERSION);
  }

  static JsonObject account(LedgerState s, Account a, String base) {
    JsonArray balances = new JsonArray();
    for (TrustLine tl : a.lines.values()) {
      balances.add(new JsonObject()
          .put("balance", LedgerState.amount(tl.balance))
          .put("limit", LedgerState.amount(tl.limit))
          .put("buying_liabilities", "0.0000000")
          .put("selling_liabilities", "0.0000000")
          .put("last_modified_ledger", tl.lastModified)
          .put("is_authorized", true)
          .put("is_authorized_to_maintain_liabilities", true)
          .put("is_clawback_enabled", false)
          .put("asset_type", tl.asset.type())
          .put("asset_code", tl.asset.code())
          .put("asset_issuer", tl.asset.issuer()));
    }
    balances.add(new JsonObject()
        .put("balance", LedgerState.amount(a.balance))
        .put("buying_liabilities", "0.0000000")
        .put("selling_liabilities", "0.0000000")
        .put("asset_type", "native"));
    String self = base + "/accounts/" + a.id;
    JsonObject links = new JsonObject()
        .put("self", link(self))
        .put("transactions", templated(self + "/transactions{?cursor,limit,order}"))
        .put("operations", templated(self + "/operations{?cursor,limit,order}"))
        .put("payments", templated(self + "/payments{?cursor,limit,order}"))
        .put("effects", templated(self + "/effects{?cursor,limit,order}"))
        .put("offers", templated(self + "/offers{?cursor,limit,order}"))
        .put("trades", templated(self + "/trades{?cursor,limit,order}"))
        .put("data", templated(self + "/data/{key}"));
    return new JsonObject()
        .put("_links", links)
        .put("id", a.id)
        .put("account_id", a.id)
        .put("sequence", Long.toString(a.seq))
        .put("sequence_ledger", a.seqLedger)
        .put("sequence_time", Long.toString(a.seqTime))
        .put("subentry_count", a.subentries)
        .put("last_modified_ledger", a.lastModified)
        .put("last_modified_time", time(s.closeTimeOf(a.lastModified)))
        .put("thresholds", new JsonObject()
            .put("low_threshold", 0).put("med_threshold", 0).put("high_threshold", 0))
        .put("flags", new JsonObject()
            .put("auth_required", false)
            .put("auth_revocable", false)
            .put("auth_immutable", false)
            .put("auth_clawback_enabled", false))
        .put("balances", balances)
        .put("signers", new JsonArray().add(new JsonObject()
            .put("weight", 1).put("key", a.id).put("type", "ed25519_public_key")))
        .put("data", new JsonObject())
        .put("num_sponsoring", 0)
        .put("num_sponsored", 0)
        .put("paging_token", a.id);
  }

  /**
   * A transaction resource; also the body of a successful submission. For a fee bump found by
   * its inner hash, id/hash/signatures are the inner transaction's, as Horizon does.
   */
  static JsonObject transaction(TxRecord r, String requestedHash, String base) {
    boolean byInner = r.isFeeBump() && r.innerHash().equals(requestedHash);
    String id = byInner ? r.innerHash() : r.hash();
    String pagingToken = Long.toString((r.ledger() << 32) | (1L << 12));
    String self = base + "/transactions/" + id;
    JsonObject links = new JsonObject()
        .put("self", link(self))
        .put("account", link(base + "/accounts/" + r.sourceAccount()))
        .put("ledger", link(base + "/ledgers/" + r.ledger()))
        .put("operations", templated(self + "/operations{?cursor,limit,order}"))
        .put("effects", templated(self + "/effects{?cursor,limit,order}"))
        .put("precedes", link(base + "/transactions?order=asc&cursor=" + pagingToken))
        .put("succeeds", link(base + "/transactions?order=desc&cursor=" + pagingToken))
        .put("transaction", link(self));
    JsonObject j = new JsonObject()
        .put("_links", links)
        .put("id", id)
        .put("paging_token", pagingToken)
        .put("successful", r.successful())
        .put("hash", id)
        .put("ledger", r.ledger())
        .put("created_at", time(r.closeTime()))
        .put("source_account", r.sourceAccount())
        .put("source_account_sequence", Long.toString(r.sourceSequence()))
        .put("fee_account", r.feeAccount())
        .put("fee_charged", Long.toString(r.feeCharged()))
        .put("max_fee", Long.toString(r.maxFee()))
        .put("operation_count", r.operationCount())
        .put("envelope_xdr", r.envelopeXdr())
        .put("result_xdr", r.resultXdr())
        .put("result_meta_xdr", r.resultMetaXdr())
        .put("fee_meta_xdr", TxResults.EMPTY_CHANGES)
        .put("memo_type", r.memoType());
    if (r.memo() != null) {
      j.put("memo", r.memo());
    }
    if (r.memoBytes() != null) {
      j.put("memo_bytes", r.memoBytes());
    }
    j.put("signatures", new JsonArray(byInner ? r.innerSignatures() : r.signatures()));
    if (r.minTime() != null) {
      j.put("valid_after", time(r.minTime()));
      if (r.maxTime() != 0) {
        j.put("valid_before", time(Math.min(r.maxTime(), 253402300799L)));
      }
      j.put("preconditions", new JsonObject().put("timebounds", new JsonObject()
          .put("min_time", Long.toString(r.minTime()))
          .put("max_time", Long.toString(r.maxTime()))));
    }
    if (r.isFeeBump()) {
      j.put("fee_bump_transaction", new JsonObject()
          .put("hash", r.hash())
          .put("signatures", new JsonArray(r.signatures())));
      j.put("inner_transaction", new JsonObject()
          .put("hash", r.innerHash())
          .put("signatures", new JsonArray(r.innerSignatures()))
          .put("max_fee", Long.toString(r.innerMaxFee())));
    }
    return j;
  }

  static JsonObject problem(String type, String title, int status, String detail) {
    return new JsonObject()
        .put("type", ERRORS + type)
        .put("title", title)
        .put("status", status)
        .put("detail", detail);
  }

  static JsonObject transactionFailed(String envelopeXdr, String resultXdr, Codes codes) {
    JsonObject resultCodes = new JsonObject().put("transaction", codes.transaction());
    if (codes.innerTransaction() != null) {
      resultCodes.put("inner_transaction", codes.innerTransaction());
    }
    if (codes.operations() != null) {
      resultCodes.put("operations", new JsonArray(codes.operations()));
    }
    return problem("transaction_failed", "Transaction Failed", 400,
            "The transaction failed when submitted to the stellar network. The `extras.result_codes` "
                + "field on this response contains further details.  Descriptions of each code can be "
                + "found at: https://developers.stellar.org/api/errors/http-status-codes/horizon-specific/transaction-failed/")
        .put("extras", new JsonObject()
            .put("envelope_xdr", envelopeXdr)
            .put("result_codes", resultCodes)
            .put("result_xdr", resultXdr));
  }

  static JsonObject transactionMalformed(String envelopeXdr, String reason) {
    return problem("transaction_malformed", "Transaction Malformed", 400,
            "Horizon could not decode the transaction envelope in this request. A transaction should be "
                + "an XDR TransactionEnvelope struct encoded using base64.  The envelope read from this "
                + "request is echoed in the `extras.envelope_xdr` field of this response for your convenience.")
        .put("extras", new JsonObject().put("envelope_xdr", envelopeXdr).put("error", reason));
  }

  static JsonObject badRequest(String field, String reason) {
    return problem("bad_request", "Bad Request", 400,
            "The request you sent was invalid in some way.")
        .put("extras", new JsonObject().put("invalid_field", field).put("reason", reason));
  }

  static JsonObject notFound() {
    return problem("not_found", "Resource Missing", 404,
        "The resource at the url requested was not found.  This usually occurs for one of two reasons:  "
            + "The url requested is not valid, or no data in our database could be found with the parameters provided.");
  }

  static JsonObject timeout() {
    return problem("timeout", "Timeout", 504,
        "Your request timed out before completing.  Please try your request again. If you are submitting "
            + "a transaction make sure you are sending exactly the same transaction (with the same sequence number).");
  }

  static JsonObject rateLimited() {
    return problem("rate_limit_exceeded", "Rate Limit Exceeded", 429,
        "The rate limit for the requesting IP address is over its alloted limit.  The allowed limit and "
            + "requests left per time period are communicated to clients via the http response headers "
            + "'X-RateLimit-*' headers.");
  }

  static JsonObject unavailable() {
    return problem("service_unavailable", "Service Unavailable", 503,
        "The server is currently unable to handle the request; this local ledger was told to be down.");
  }

  static JsonObject tooLarge(long limit) {
    return problem("request_entity_too_large", "Request Entity Too Large", 413,
        "The request body is larger than this server accepts (" + limit + " bytes).");
  }

  static JsonObject methodNotAllowed() {
    return problem("method_not_allowed", "Method Not Allowed", 405,
        "This resource does not accept the request method.");
  }

  static JsonObject serverError(String detail) {
    return problem("server_error", "Internal Server Error", 500, detail);
  }
}
