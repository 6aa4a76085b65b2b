package io.loadshift.vtn.ledger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.stellar.sdk.xdr.ChangeTrustResult;
import org.stellar.sdk.xdr.ChangeTrustResultCode;
import org.stellar.sdk.xdr.CreateAccountResult;
import org.stellar.sdk.xdr.CreateAccountResultCode;
import org.stellar.sdk.xdr.Hash;
import org.stellar.sdk.xdr.InnerTransactionResult;
import org.stellar.sdk.xdr.InnerTransactionResultPair;
import org.stellar.sdk.xdr.Int64;
import org.stellar.sdk.xdr.OperationResult;
import org.stellar.sdk.xdr.OperationResultCode;
import org.stellar.sdk.xdr.OperationType;
import org.stellar.sdk.xdr.PaymentResult;
import org.stellar.sdk.xdr.PaymentResultCode;
import org.stellar.sdk.xdr.TransactionResult;
import org.stellar.sdk.xdr.TransactionResultCode;

/**
 * Result codes of transactions and operations: the XDR {@code TransactionResult} stellar-core
 * produces and the strings Horizon shows for them in {@code extras.result_codes}.
 */
final class TxResults {
  private TxResults() {}

  /** One operation's result: an outer code and, for {@code opINNER}, the operation's own code. */
  record OpRes(OperationType type, OperationResultCode outer, Enum<?> inner) {
    static OpRes of(CreateAccountResultCode code) {
      return new OpRes(OperationType.CREATE_ACCOUNT, OperationResultCode.opINNER, code);
    }

    static OpRes of(PaymentResultCode code) {
      return new OpRes(OperationType.PAYMENT, OperationResultCode.opINNER, code);
    }

    static OpRes of(ChangeTrustResultCode code) {
      return new OpRes(OperationType.CHANGE_TRUST, OperationResultCode.opINNER, code);
    }

    static OpRes outer(OperationType type, OperationResultCode code) {
      return new OpRes(type, code, null);
    }

    /** The result an operation of this type has when nothing went wrong. */
    static OpRes success(OperationType type) {
      switch (type) {
        case CREATE_ACCOUNT:
          return of(CreateAccountResultCode.CREATE_ACCOUNT_SUCCESS);
        case PAYMENT:
          return of(PaymentResultCode.PAYMENT_SUCCESS);
        case CHANGE_TRUST:
          return of(ChangeTrustResultCode.CHANGE_TRUST_SUCCESS);
        default:
          return outer(type, OperationResultCode.opNOT_SUPPORTED);
      }
    }

    boolean isSuccess() {
      return outer == OperationResultCode.opINNER
          && (inner == CreateAccountResultCode.CREATE_ACCOUNT_SUCCESS
              || inner == PaymentResultCode.PAYMENT_SUCCESS
              || inner == ChangeTrustResultCode.CHANGE_TRUST_SUCCESS);
    }

    String horizonName() {
      return outer == OperationResultCode.opINNER ? innerName(inner) : outerName(outer);
    }

    OperationResult toXdr() {
      OperationResult r = new OperationResult();
      r.setDiscriminant(outer);
      if (outer != OperationResultCode.opINNER) {
        return r;
      }
      OperationResult.OperationResultTr tr = new OperationResult.OperationResultTr();
      tr.setDiscriminant(type);
      switch (type) {
        case CREATE_ACCOUNT: {
          CreateAccountResult x = new CreateAccountResult();
          x.setDiscriminant((CreateAccountResultCode) inner);
          tr.setCreateAccountResult(x);
          break;
        }
        case PAYMENT: {
          PaymentResult x = new PaymentResult();
          x.setDiscriminant((PaymentResultCode) inner);
          tr.setPaymentResult(x);
          break;
        }
        case CHANGE_TRUST: {
          ChangeTrustResult x = new ChangeTrustResult();
          x.setDiscriminant((ChangeTrustResultCode) inner);
          tr.setChangeTrustResult(x);
          break;
        }
        default:
          throw new IllegalStateException("no inner result for " + type);
      }
      r.setTr(tr);
      return r;
    }
  }

  /** Horizon's {@code extras.result_codes}; {@code operations} only when there are per-op codes. */
  record Codes(String transaction, String innerTransaction, List<String> operations) {}

  static List<String> names(OpRes[] ops) {
    List<String> out = new ArrayList<>(ops.length);
    for (OpRes op : ops) {
      out.add(op.horizonName());
    }
    return out;
  }

  static boolean carriesOps(TransactionResultCode code) {
    return code == TransactionResultCode.txSUCCESS || code == TransactionResultCode.txFAILED;
  }

  /** Result of a plain (v1) transaction. */
  static TransactionResult plain(long feeCharged, TransactionResultCode code, OpRes[] ops) {
    TransactionResult.TransactionResultResult r = new TransactionResult.TransactionResultResult();
    r.setDiscriminant(code);
    if (carriesOps(code)) {
      r.setResults(xdr(ops));
    }
    return wrap(feeCharged, r);
  }

  /** Result of a fee bump whose own checks passed: the inner transaction's result nested inside. */
  static TransactionResult feeBump(
      long feeCharged, byte[] innerHash, TransactionResultCode innerCode, OpRes[] innerOps) {
    InnerTransactionResult.InnerTransactionResultResult ir =
        new InnerTransactionResult.InnerTransactionResultResult();
    ir.setDiscriminant(innerCode);
    if (carriesOps(innerCode)) {
      ir.setResults(xdr(innerOps));
    }
    InnerTransactionResult inner = new InnerTransactionResult();
    inner.setFeeCharged(new Int64(0L));
    inner.setResult(ir);
    InnerTransactionResult.InnerTransactionResultExt ext =
        new InnerTransactionResult.InnerTransactionResultExt();
    ext.setDiscriminant(0);
    inner.setExt(ext);
    InnerTransactionResultPair pair = new InnerTransactionResultPair();
    pair.setTransactionHash(new Hash(innerHash));
    pair.setResult(inner);
    TransactionResult.TransactionResultResult r = new TransactionResult.TransactionResultResult();
    r.setDiscriminant(
        innerCode == TransactionResultCode.txSUCCESS
            ? TransactionResultCode.txFEE_BUMP_INNER_SUCCESS
            : TransactionResultCode.txFEE_BUMP_INNER_FAILED);
    r.setInnerResultPair(pair);
    return wrap(feeCharged, r);
  }

  private static TransactionResult wrap(long feeCharged, TransactionResult.TransactionResultResult r) {
    TransactionResult tr = new TransactionResult();
    tr.setFeeCharged(new Int64(feeCharged));
    tr.setResult(r);
    TransactionResult.TransactionResultExt ext = new TransactionResult.TransactionResultExt();
    ext.setDiscriminant(0);
    tr.setExt(ext);
    return tr;
  }

  private static OperationResult[] xdr(OpRes[] ops) {
    OperationResult[] out = new OperationResult[ops.length];
    for (int i = 0; i < ops.length; i++) {
      out[i] = ops[i].toXdr();
    }
    return out;
  }

  static String base64(TransactionResult result) {
    try {
      return result.toXdrBase64();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A minimal but decodable {@code TransactionMeta} (version 0): one empty {@code OperationMeta}
   * per applied operation. This ledger does not report ledger entry changes.
   */
  static String minimalMeta(int appliedOps) {
    ByteBuffer b = ByteBuffer.allocate(8 + 4 * appliedOps);
    b.putInt(0).putInt(appliedOps);
    for (int i = 0; i < appliedOps; i++) {
      b.putInt(0);
    }
    return Base64.getEncoder().encodeToString(b.array());
  }

  /** An empty {@code LedgerEntryChanges}, used as fee_meta_xdr. */
  static final String EMPTY_CHANGES = Base64.getEncoder().encodeToString(new byte[4]);

  static String txName(TransactionResultCode code) {
    switch (code) {
      case txFEE_BUMP_INNER_SUCCESS:
        return "tx_fee_bump_inner_success";
      case txFEE_BUMP_INNER_FAILED:
        return "tx_fee_bump_inner_failed";
      case txSUCCESS:
        return "tx_success";
      case txFAILED:
        return "tx_failed";
      case txTOO_EARLY:
        return "tx_too_early";
      case txTOO_LATE:
        return "tx_too_late";
      case txMISSING_OPERATION:
        return "tx_missing_operation";
      case txBAD_SEQ:
        return "tx_bad_seq";
      case txBAD_AUTH:
        return "tx_bad_auth";
      case txINSUFFICIENT_BALANCE:
        return "tx_insufficient_balance";
      case txNO_ACCOUNT:
        return "tx_no_source_account";
      case txINSUFFICIENT_FEE:
        return "tx_insufficient_fee";
      case txBAD_AUTH_EXTRA:
        return "tx_bad_auth_extra";
      case txINTERNAL_ERROR:
        return "tx_internal_error";
      case txNOT_SUPPORTED:
        return "tx_not_supported";
      case txBAD_SPONSORSHIP:
        return "tx_bad_sponsorship";
      case txBAD_MIN_SEQ_AGE_OR_GAP:
        return "tx_bad_minseq_age_or_gap";
      case txMALFORMED:
        return "tx_malformed";
      case txSOROBAN_INVALID:
        return "tx_soroban_invalid";
      default:
        throw new IllegalArgumentException(String.valueOf(code));
    }
  }

  static String outerName(OperationResultCode code) {
    switch (code) {
      case opINNER:
        return "op_inner";
      case opBAD_AUTH:
        return "op_bad_auth";
      case opNO_ACCOUNT:
        return "op_no_source_account";
      case opNOT_SUPPORTED:
        return "op_not_supported";
      case opTOO_MANY_SUBENTRIES:
        return "op_too_many_subentries";
      case opEXCEEDED_WORK_LIMIT:
        return "op_exceeded_work_limit";
      case opTOO_MANY_SPONSORING:
        return "op_too_many_sponsoring";
      default:
        throw new IllegalArgumentException(String.valueOf(code));
    }
  }

  static String innerName(Enum<?> code) {
    if (code instanceof CreateAccountResultCode) {
      switch ((CreateAccountResultCode) code) {
        case CREATE_ACCOUNT_SUCCESS:
          return "op_success";
        case CREATE_ACCOUNT_MALFORMED:
          return "op_malformed";
        case CREATE_ACCOUNT_UNDERFUNDED:
          return "op_underfunded";
        case CREATE_ACCOUNT_LOW_RESERVE:
          return "op_low_reserve";
        case CREATE_ACCOUNT_ALREADY_EXIST:
          return "op_already_exists";
        default:
          break;
      }
    } else if (code instanceof PaymentResultCode) {
      switch ((PaymentResultCode) code) {
        case PAYMENT_SUCCESS:
          return "op_success";
        case PAYMENT_MALFORMED:
          return "op_malformed";
        case PAYMENT_UNDERFUNDED:
          return "op_underfunded";
        case PAYMENT_SRC_NO_TRUST:
          return "op_src_no_trust";
        case PAYMENT_SRC_NOT_AUTHORIZED:
          return "op_src_not_authorized";
        case PAYMENT_NO_DESTINATION:
          return "op_no_destination";
        case PAYMENT_NO_TRUST:
          return "op_no_trust";
        case PAYMENT_NOT_AUTHORIZED:
          return "op_not_authorized";
        case PAYMENT_LINE_FULL:
          return "op_line_full";
        case PAYMENT_NO_ISSUER:
          return "op_no_issuer";
        default:
          break;
      }
    } else if (code instanceof ChangeTrustResultCode) {
      switch ((ChangeTrustResultCode) code) {
        case CHANGE_TRUST_SUCCESS:
          return "op_success";
        case CHANGE_TRUST_MALFORMED:
          return "op_malformed";
        case CHANGE_TRUST_NO_ISSUER:
          return "op_no_issuer";
        case CHANGE_TRUST_INVALID_LIMIT:
          return "op_invalid_limit";
        case CHANGE_TRUST_LOW_RESERVE:
          return "op_low_reserve";
        case CHANGE_TRUST_SELF_NOT_ALLOWED:
          return "op_self_not_allowed";
        case CHANGE_TRUST_TRUST_LINE_MISSING:
          return "op_trust_line_missing";
        case CHANGE_TRUST_CANNOT_DELETE:
          return "op_cannot_delete";
        case CHANGE_TRUST_NOT_AUTH_MAINTAIN_LIABILITIES:
          return "op_not_aut_maintain_liabilities";
        default:
          break;
      }
    }
    throw new IllegalArgumentException(String.valueOf(code));
  }
}
