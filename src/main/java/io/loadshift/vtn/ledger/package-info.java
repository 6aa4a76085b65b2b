/**
 * A strict local Stellar ledger that speaks Horizon's HTTP API, for developing and testing
 * Stellar payouts without a Stellar network.
 *
 * <pre>{@code
 * LocalHorizon ledger = LocalHorizon.start(vertx, LocalHorizon.Options.defaults()).toCompletionStage()
 *     .toCompletableFuture().get();
 * Server server = new Server(ledger.url());             // the unmodified SDK, over real HTTP
 * Network network = new Network(ledger.networkPassphrase());
 * // GET {url}/friendbot?addr=G... creates and funds an account (10,000 XLM by default)
 * }</pre>
 *
 * <p><b>What it checks.</b> Envelopes are decoded with the SDK's XDR classes; v1 and fee bump
 * envelopes are accepted (v0 is refused as malformed). Validity checks run in stellar-core's
 * order: operation count, time and ledger bounds, fee ({@code baseFee × operations}, fee bumps
 * {@code × (operations + 1)} and at least the inner fee rate), source account, sequence number
 * ({@code current + 1}, or the min-sequence precondition), ed25519 signatures over the network's
 * signature base (master keys only: every account has one signer of weight 1 and zero
 * thresholds), fee balance above the reserve, then each operation's own static checks
 * (op_not_supported, op_bad_auth for an unsigned operation source, op_malformed) and finally
 * unused signatures (tx_bad_auth_extra). A refused transaction changes nothing.
 *
 * <p><b>What it applies.</b> CREATE_ACCOUNT, PAYMENT (XLM and credit assets; the issuer sends
 * and receives its own asset without a trust line or limit) and CHANGE_TRUST (create, change
 * limit, remove). The fee ({@code min(max fee, baseFee × operations)}) is charged and the
 * sequence number consumed first; then every operation is evaluated in order, each seeing the
 * effects of the successful ones before it. If any fails, none takes effect and the transaction
 * is recorded as failed (tx_failed with every operation's code), as core does.
 *
 * <p><b>Ledgers.</b> Genesis is ledger 1, whose root account (seed = SHA-256 of the passphrase,
 * like a standalone stellar-core) holds all 100 billion XLM and funds friendbot accounts through
 * ordinary CreateAccount transactions. Each applied transaction, successful or failed, closes
 * one ledger at the wall-clock second (never earlier than the previous one). New accounts start
 * at sequence {@code ledger << 32}.
 *
 * <p><b>Not modelled.</b> Offers, path payments, claimable balances, sponsorship, set options
 * (multi-signature, thresholds, flags), authorization flags, liabilities, Soroban; operations of
 * these kinds are refused with op_not_supported. Muxed (M...) accounts are accepted and treated
 * as their underlying G... account. result_meta_xdr is a minimal, decodable TransactionMeta
 * without ledger entry changes.
 */
package io.loadshift.vtn.ledger;
