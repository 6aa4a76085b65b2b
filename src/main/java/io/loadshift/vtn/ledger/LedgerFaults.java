package io.loadshift.vtn.ledger;

import java.time.Duration;
import java.util.Objects;

/**
 * Faults a real Stellar network and its Horizon show now and then, switched on by tests.
 * Thread-safe; each setter returns this for chaining. Counted faults apply to the next
 * submissions ({@code POST /transactions}) in the order they arrive.
 */
public final class LedgerFaults {
  private final long defaultBaseFee;
  private int failAfterApply;
  private int rateLimit;
  private int rateLimitReads;
  private Duration inclusionDelay = Duration.ZERO;
  private long baseFee;
  private boolean down;

  LedgerFaults(long defaultBaseFee) {
    this.defaultBaseFee = defaultBaseFee;
    this.baseFee = defaultBaseFee;
  }

  /**
   * The next {@code n} submissions are processed as usual (applied if valid), but answered with
   * Horizon's 504 timeout problem, as if the response had been lost.
   */
  public synchronized LedgerFaults failAfterApply(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must not be negative");
    }
    failAfterApply = n;
    return this;
  }

  /** The next {@code n} submissions are answered 429 with {@code Retry-After: 1}; nothing applied. */
  public synchronized LedgerFaults rateLimit(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must not be negative");
    }
    rateLimit = n;
    return this;
  }

  /**
   * The next {@code n} reads ({@code GET} of the root, accounts and transactions; not friendbot)
   * are answered 429 with {@code Retry-After: 1}, which the SDK raises as TooManyRequestsException.
   */
  public synchronized LedgerFaults rateLimitReads(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must not be negative");
    }
    rateLimitReads = n;
    return this;
  }

  /**
   * Until reset, valid submissions are answered 504 at once and applied only {@code delay} later,
   * when every check runs again (sequence, time bounds, fees, balances). Until then
   * {@code GET /transactions/{hash}} answers 404. {@link Duration#ZERO} switches this off.
   */
  public synchronized LedgerFaults delayInclusion(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative");
    }
    inclusionDelay = delay;
    return this;
  }

  /**
   * Surge pricing: the base fee per operation the ledger asks from now on. A transaction offering
   * less than {@code stroops × operations} (fee bump: × operations + 1) gets tx_insufficient_fee.
   */
  public synchronized LedgerFaults setBaseFee(long stroops) {
    if (stroops < 1) {
      throw new IllegalArgumentException("base fee must be at least 1 stroop");
    }
    baseFee = stroops;
    return this;
  }

  /** While down, every request is answered 503. */
  public synchronized LedgerFaults down(boolean down) {
    this.down = down;
    return this;
  }

  /** Back to a healthy ledger with the configured base fee. Transactions already delayed stay so. */
  public synchronized LedgerFaults reset() {
    failAfterApply = 0;
    rateLimit = 0;
    rateLimitReads = 0;
    inclusionDelay = Duration.ZERO;
    baseFee = defaultBaseFee;
    down = false;
    return this;
  }

  synchronized boolean isDown() {
    return down;
  }

  synchronized long baseFee() {
    return baseFee;
  }

  synchronized Duration inclusionDelay() {
    return inclusionDelay;
  }

  synchronized boolean takeRateLimit() {
    if (rateLimit > 0) {
      rateLimit--;
      return true;
    }
    return false;
  }

  synchronized boolean takeRateLimitRead() {
    if (rateLimitReads > 0) {
      rateLimitReads--;
      return true;
    }
    return false;
  }

  synchronized boolean takeFailAfterApply() {
    if (failAfterApply > 0) {
      failAfterApply--;
      return true;
    }
    return false;
  }
}
