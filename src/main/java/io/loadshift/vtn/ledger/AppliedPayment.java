package io.loadshift.vtn.ledger;

/**
 * One PAYMENT operation of a successful transaction, as the local ledger applied it.
 *
 * @param source the account the operation debited
 * @param destination the account the operation credited
 * @param assetCode {@code "native"} for XLM, otherwise the asset code
 * @param assetIssuer the issuer of a credit asset, {@code null} for XLM
 * @param amountStroops the amount in stroops (1 unit = 10^7 stroops)
 * @param txHash hex hash of the transaction (the outer hash of a fee bump)
 * @param ledger the ledger the transaction closed in
 */
public record AppliedPayment(
    String source,
    String destination,
    String assetCode,
    String assetIssuer,
    long amountStroops,
    String txHash,
    long ledger) {}
