package io.loadshift.vtn.payout;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the payout engine needs from the Stellar network, in one place: building and signing
 * payment transactions, submitting them, and looking them and accounts up. The only implementation
 * talks to a Horizon server through the Stellar SDK; every method may block on the network and
 * must be called from a worker thread, never from an event loop.
 */
public interface Stellar {

  /** One payment operation: destination account, amount in stroops (10^-7 of a unit). */
  record Payment(String destination, long stroops) {}

  /** A signed transaction: its hash (the key to find it by), base64 envelope, fee and deadline. */
  record Signed(String hash, String envelope, long sequence, long feeStroops, Instant maxTime) {}

  /** An account as the ledger knows it: sequence number and balances in stroops by asset key. */
  record Account(String id, long sequence, Map<String, Long> balances) {
    /** Balance in stroops of an asset ({@code native} or {@code CODE:ISSUER}); -1 without a trustline. */
    public long balance(String asset) {
      return balances.getOrDefault(asset, -1L);
    }
  }

  /** The answer to a submission. */
  sealed interface Submission permits Applied, Rejected, Retry, Unknown {}

  /** In a ledger: paid. */
  record Applied(String hash, long ledger) implements Submission {}

  /** Refused by the network with its result codes (operation codes only for {@code tx_failed}). */
  record Rejected(String transactionCode, List<String> operationCodes) implements Submission {}

  /** Not taken now (rate limited, server unavailable): nothing applied; try again after a while. */
  record Retry(String reason, Duration after) implements Submission {}

  /** The outcome is not known (timeout, connection lost after sending): look it up by hash. */
  record Unknown(String reason) implements Submission {}

  /** A transaction found in the ledger's history. */
  record Found(String hash, long ledger, boolean successful) {}

  /** The network's passphrase, e.g. "Test SDF Network ; September 2015". */
  String networkPassphrase();

  /** The account whose secret signs payouts. */
  String sourceAccount();

  /**
   * Builds and signs a transaction of payments in one asset from the source account, with the
   * given sequence number, a hash memo, a fee per operation and time bounds ending at {@code maxTime}.
   */
  Signed sign(long sequence, String asset, List<Payment> payments, byte[] memoHash, long feePerOperation, Instant maxTime);

  /** Wraps a signed transaction in a fee bump paying {@code feePerOperation} for each operation plus one. */
  Signed feeBump(String envelope, long feePerOperation);

  Optional<Account> account(String id) throws LedgerUnavailable;

  Submission submit(String envelope);

  /** Looks a transaction up by the hash of the (inner) transaction. */
  Optional<Found> find(String hash) throws LedgerUnavailable;

  /** Close time of the ledger's latest ledger: the clock transaction time bounds are judged by. */
  Instant ledgerTime() throws LedgerUnavailable;

  /** The network could not be asked (connection refused, 5xx, rate limited). */
  final class LedgerUnavailable extends Exception {
    public LedgerUnavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
