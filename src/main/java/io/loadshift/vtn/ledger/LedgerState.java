package io.loadshift.vtn.ledger;

import io.loadshift.vtn.ledger.TxResults.Codes;
import io.loadshift.vtn.ledger.TxResults.OpRes;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.stellar.sdk.AbstractTransaction;
import org.stellar.sdk.CreateAccountOperation;
import org.stellar.sdk.KeyPair;
import org.stellar.sdk.Network;
import org.stellar.sdk.StrKey;
import org.stellar.sdk.TransactionBuilder;
import org.stellar.sdk.TransactionPreconditions;
import org.stellar.sdk.Util;
import org.stellar.sdk.xdr.AccountID;
import org.stellar.sdk.xdr.Asset;
import org.stellar.sdk.xdr.AssetType;
import org.stellar.sdk.xdr.ChangeTrustAsset;
import org.stellar.sdk.xdr.ChangeTrustOp;
import org.stellar.sdk.xdr.ChangeTrustResultCode;
import org.stellar.sdk.xdr.CreateAccountOp;
import org.stellar.sdk.xdr.CreateAccountResultCode;
import org.stellar.sdk.xdr.DecoratedSignature;
import org.stellar.sdk.xdr.EnvelopeType;
import org.stellar.sdk.xdr.FeeBumpTransaction;
import org.stellar.sdk.xdr.LedgerBounds;
import org.stellar.sdk.xdr.Memo;
import org.stellar.sdk.xdr.MuxedAccount;
import org.stellar.sdk.xdr.Operation;
import org.stellar.sdk.xdr.OperationResultCode;
import org.stellar.sdk.xdr.OperationType;
import org.stellar.sdk.xdr.PaymentOp;
import org.stellar.sdk.xdr.PaymentResultCode;
import org.stellar.sdk.xdr.Preconditions;
import org.stellar.sdk.xdr.PreconditionsV2;
import org.stellar.sdk.xdr.SignerKey;
import org.stellar.sdk.xdr.SignerKeyType;
import org.stellar.sdk.xdr.TimeBounds;
import org.stellar.sdk.xdr.Transaction;
import org.stellar.sdk.xdr.TransactionEnvelope;
import org.stellar.sdk.xdr.TransactionResult;
import org.stellar.sdk.xdr.TransactionResultCode;
import org.stellar.sdk.xdr.TransactionSignaturePayload;
import org.stellar.sdk.xdr.TransactionV1Envelope;

/**
 * The ledger itself: accounts, trust lines and transaction history, and the rules by which a
 * signed transaction envelope changes them. Not thread-safe: exactly one thread may call it (the
 * {@link LocalHorizon} keeps it on its single apply thread), so every transaction is applied
 * atomically and in order.
 *
 * <p>Rules follow stellar-core (protocol 21) for what this ledger supports: v1 and fee bump
 * envelopes, ed25519 master-key signatures, CREATE_ACCOUNT, PAYMENT and CHANGE_TRUST. A
 * transaction that fails its validity checks is rejected and changes nothing (no fee, no sequence
 * number); one that passes them is applied in its own ledger: fee charged, sequence number
 * consumed, and either every operation's effect or none of them (tx_failed).
 */
final class LedgerState {
  /** All lumens there are: 100 billion XLM, held by the root account at genesis. */
  static final long TOTAL_COINS = 1_000_000_000_000_000_000L;

  static final int MAX_OPS = 100;
  static final int MAX_SUBENTRIES = 1000;
  static final int PROTOCOL_VERSION = 21;

  /** An asset: {@code code == null} is XLM. */
  record AssetKey(String code, String issuer) {
    static final AssetKey NATIVE = new AssetKey(null, null);

    boolean isNative() {
      return code == null;
    }

    String type() {
      if (code == null) {
        return "native";
      }
      return code.length() <= 4 ? "credit_alphanum4" : "credit_alphanum12";
    }

    String codeOrNative() {
      return code == null ? "native" : code;
    }
  }

  static final class Account {
    final String id;
    final byte[] publicKey;
    long balance;
    long seq;
    int subentries;
    long seqLedger;
    long seqTime;
    long lastModified;
    final LinkedHashMap<AssetKey, TrustLine> lines = new LinkedHashMap<>();

    Account(String id, byte[] publicKey, long balance, long seq, long ledger, long time) {
      this.id = id;
      this.publicKey = publicKey;
      this.balance = balance;
      this.seq = seq;
      this.seqLedger = ledger;
      this.seqTime = time;
      this.lastModified = ledger;
    }
  }

  static final class TrustLine {
    final AssetKey asset;
    long balance;
    long limit;
    long lastModified;

    TrustLine(AssetKey asset, long limit, long ledger) {
      this.asset = asset;
      this.limit = limit;
      this.lastModified = ledger;
    }
  }

  /** One transaction in history: applied, successfully or not (tx_failed). */
  record TxRecord(
      String hash,
      String innerHash,
      long ledger,
      long closeTime,
      boolean successful,
      String envelopeXdr,
      String resultXdr,
      String resultMetaXdr,
      Codes codes,
      String sourceAccount,
      long sourceSequence,
      String feeAccount,
      long feeCharged,
      long maxFee,
      long innerMaxFee,
      int operationCount,
      String memoType,
      String memo,
      String memoBytes,
      List<String> signatures,
      List<String> innerSignatures,
      Long minTime,
      Long maxTime) {
    boolean isFeeBump() {
      return innerHash != null;
    }
  }

  /** What became of a submitted envelope. */
  sealed interface Outcome permits Malformed, Rejected, Accepted, Applied {}

  /** The envelope could not be decoded: Horizon's transaction_malformed. */
  record Malformed(String envelopeXdr, String detail) implements Outcome {}

  /** Refused by the validity checks; nothing changed. Horizon's transaction_failed. */
  record Rejected(String envelopeXdr, String resultXdr, Codes codes) implements Outcome {}

  /** Passed the validity checks but was only checked, not applied. */
  record Accepted(String hash) implements Outcome {}

  /**
   * In history. {@code fresh} is false when the envelope had been applied before and this
   * submission changed nothing; {@code requestedHash} is the hash it was found by.
   */
  record Applied(TxRecord record, String requestedHash, boolean fresh) implements Outcome {}

  private final Network network;
  private final long baseReserve;
  private final KeyPair root;
  private final Map<String, Account> accounts = new HashMap<>();
  private final Map<String, TxRecord> history = new HashMap<>();
  private final List<TxRecord> ordered = new ArrayList<>();
  private final List<AppliedPayment> payments = new ArrayList<>();
  private final ArrayList<Runnable> undo = new ArrayList<>();
  private long ledger = 1;
  private long closeTime;
  private final long genesisCloseTime;
  private int successful;

  LedgerState(String networkPassphrase, long baseReserve, long genesisCloseTime) {
    this.network = new Network(networkPassphrase);
    this.baseReserve = baseReserve;
    // Like stellar-core's standalone networks: the root key's seed is the passphrase's hash.
    this.root = KeyPair.fromSecretSeed(Util.hash(networkPassphrase.getBytes(StandardCharsets.UTF_8)));
    this.closeTime = genesisCloseTime;
    this.genesisCloseTime = genesisCloseTime;
    Account r = new Account(root.getAccountId(), root.getPublicKey(), TOTAL_COINS, 0, 1, genesisCloseTime);
    accounts.put(r.id, r);
  }

  // ---------------------------------------------------------------- inspection

  String networkPassphrase() {
    return network.getNetworkPassphrase();
  }

  String rootAccountId() {
    return root.getAccountId();
  }

  long ledger() {
    return ledger;
  }

  long closeTime() {
    return closeTime;
  }

  long baseReserve() {
    return baseReserve;
  }

  /** Close time of a closed ledger: genesis, or the ledger of one applied transaction. */
  long closeTimeOf(long ledgerSeq) {
    if (ledgerSeq <= 1) {
      return genesisCloseTime;
    }
    int i = (int) (ledgerSeq - 2);
    return i < ordered.size() ? ordered.get(i).closeTime() : closeTime;
  }

  Account account(String id) {
    return accounts.get(id);
  }

  TxRecord transaction(String hash) {
    return history.get(hash);
  }

  int successfulTransactions() {
    return successful;
  }

  int failedTransactions() {
    return ordered.size() - successful;
  }

  List<TxRecord> history() {
    return Collections.unmodifiableList(ordered);
  }

  List<AppliedPayment> payments() {
    return Collections.unmodifiableList(payments);
  }

  long balance(String accountId, AssetKey asset) {
    Account a = accounts.get(accountId);
    if (a == null) {
      return 0;
    }
    if (asset.isNative()) {
      return a.balance;
    }
    if (a.id.equals(asset.issuer())) {
      return 0;
    }
    TrustLine tl = a.lines.get(asset);
    return tl == null ? 0 : tl.balance;
  }

  long minBalance(int subentries) {
    return (2L + subentries) * baseReserve;
  }

  // ---------------------------------------------------------------- friendbot

  /** A signed CreateAccount from the root account, to be submitted like any transaction. */
  String friendbotEnvelope(String destination, long startingBalance, long baseFee) {
    Account r = accounts.get(root.getAccountId());
    org.stellar.sdk.Transaction tx =
        new TransactionBuilder(new org.stellar.sdk.Account(r.id, r.seq), network)
            .addOperation(
                new CreateAccountOperation.Builder(destination, amount(startingBalance)).build())
            .setBaseFee(Math.max(baseFee, AbstractTransaction.MIN_BASE_FEE))
            .setTimeout(TransactionPreconditions.TIMEOUT_INFINITE)
            .build();
    tx.sign(root);
    return tx.toEnvelopeXdrBase64();
  }

  static String amount(long stroops) {
    return BigDecimal.valueOf(stroops, 7).toPlainString();
  }

  // ---------------------------------------------------------------- submission

  /**
   * Checks a base64 envelope against the ledger as it would be closed at {@code candidateCloseTime}
   * with base fee {@code baseFee}, and applies it when {@code apply} is set and it is valid.
   */
  Outcome submit(String envelopeXdr, long candidateCloseTime, long baseFee, boolean apply) {
    Envelope e;
    try {
      e = parse(envelopeXdr);
    } catch (MalformedEnvelope m) {
      return new Malformed(envelopeXdr, m.getMessage());
    }
    TxRecord seen = history.get(e.hashHex);
    if (seen != null) {
      return new Applied(seen, e.hashHex, false);
    }
    long close = Math.max(closeTime, candidateCloseTime);
    long next = ledger + 1;
    Verdict v = e.feeBump ? checkFeeBump(e, close, next, baseFee) : checkPlain(e, close, next, baseFee);
    if (v != null) {
      return reject(e, v, baseFee);
    }
    if (!apply) {
      return new Accepted(e.hashHex);
    }
    return new Applied(applyValid(e, close, baseFee), e.hashHex, true);
  }

  /**
   * Replays a journaled transaction: it must apply again in the same ledger, else the journal does
   * not belong to this ledger.
   */
  TxRecord replay(String envelopeXdr, long recordedCloseTime, long baseFee, long expectedLedger) {
    if (expectedLedger != ledger + 1) {
      throw new IllegalStateException(
          "journal entry for ledger " + expectedLedger + " but the next ledger is " + (ledger + 1));
    }
    Outcome o = submit(envelopeXdr, recordedCloseTime, baseFee, true);
    if (!(o instanceof Applied a) || !a.fresh()) {
      throw new IllegalStateException("journal entry for ledger " + expectedLedger + " does not apply: " + o);
    }
    return a.record();
  }

  private Rejected reject(Envelope e, Verdict v, long baseFee) {
    Tx t = e.tx;
    TransactionResult result;
    Codes codes;
    if (!e.feeBump) {
      result = TxResults.plain(Math.min(t.fee, mul(baseFee, t.ops.length)), v.code, v.ops);
      codes = new Codes(TxResults.txName(v.code), null, v.code == TransactionResultCode.txFAILED ? TxResults.names(v.ops) : null);
    } else {
      long fee = Math.max(0, Math.min(e.outerFee, mul(baseFee, t.ops.length + 1L)));
      if (v.code == TransactionResultCode.txFEE_BUMP_INNER_FAILED) {
        result = TxResults.feeBump(fee, t.hash, v.innerCode, v.ops);
        codes = new Codes(TxResults.txName(v.code), TxResults.txName(v.innerCode),
            v.innerCode == TransactionResultCode.txFAILED ? TxResults.names(v.ops) : null);
      } else {
        result = TxResults.plain(fee, v.code, null);
        codes = new Codes(TxResults.txName(v.code), null, null);
      }
    }
    return new Rejected(e.base64, TxResults.base64(result), codes);
  }

  // ---------------------------------------------------------------- parsing

  private static final class MalformedEnvelope extends Exception {
    MalformedEnvelope(String message) {
      super(message, null, false, false);
    }
  }

  /** A v1 transaction: the plain one, or the inner one of a fee bump. */
  private static final class Tx {
    Transaction xdr;
    DecoratedSignature[] sigs;
    byte[] hash;
    String hashHex;
    byte[] sourceKey;
    String sourceId;
    long fee;
    long seq;
    Operation[] ops;
  }

  private static final class Envelope {
    String base64;
    Tx tx;
    boolean feeBump;
    byte[] hash;
    String hashHex;
    byte[] feeSourceKey;
    String feeSourceId;
    long outerFee;
    DecoratedSignature[] outerSigs;
  }

  private Envelope parse(String base64) throws MalformedEnvelope {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException ex) {
      throw new MalformedEnvelope("the envelope is not valid base64");
    }
    TransactionEnvelope env;
    try {
      env = TransactionEnvelope.fromXdrByteArray(raw);
      if (!Arrays.equals(env.toXdrByteArray(), raw)) {
        throw new MalformedEnvelope("the envelope has trailing or non-canonical bytes");
      }
    } catch (IOException | RuntimeException | OutOfMemoryError | StackOverflowError ex) {
      // Lengths in hostile XDR can ask for huge arrays; the decoder fails before allocating them.
      throw new MalformedEnvelope("the envelope is not a valid XDR TransactionEnvelope");
    }
    Envelope e = new Envelope();
    e.base64 = base64;
    EnvelopeType type = env.getDiscriminant();
    if (type == EnvelopeType.ENVELOPE_TYPE_TX) {
      e.tx = tx(env.getV1());
      e.hash = e.tx.hash;
      e.hashHex = e.tx.hashHex;
    } else if (type == EnvelopeType.ENVELOPE_TYPE_TX_FEE_BUMP) {
      FeeBumpTransaction fb = env.getFeeBump().getTx();
      if (fb.getInnerTx().getDiscriminant() != EnvelopeType.ENVELOPE_TYPE_TX) {
        throw new MalformedEnvelope("the inner transaction of a fee bump must be a v1 envelope");
      }
      e.feeBump = true;
      e.tx = tx(fb.getInnerTx().getV1());
      e.feeSourceKey = key(fb.getFeeSource());
      e.feeSourceId = StrKey.encodeEd25519PublicKey(e.feeSourceKey);
      e.outerFee = fb.getFee().getInt64();
      e.outerSigs = env.getFeeBump().getSignatures();
      if (e.outerSigs.length > 20) {
        throw new MalformedEnvelope("an envelope has at most 20 signatures");
      }
      TransactionSignaturePayload.TransactionSignaturePayloadTaggedTransaction tagged =
          new TransactionSignaturePayload.TransactionSignaturePayloadTaggedTransaction();
      tagged.setDiscriminant(EnvelopeType.ENVELOPE_TYPE_TX_FEE_BUMP);
      tagged.setFeeBump(fb);
      e.hash = Util.hash(AbstractTransaction.getTransactionSignatureBase(tagged, network));
      e.hashHex = hex(e.hash);
    } else {
      throw new MalformedEnvelope("only v1 and fee bump envelopes are accepted by this ledger, not " + type);
    }
    return e;
  }

  /**
   * Bounds the XDR schema sets but the SDK's decoder does not enforce; Horizon's decoder refuses
   * envelopes beyond them as malformed.
   */
  private static void checkXdrBounds(TransactionV1Envelope v1) throws MalformedEnvelope {
    Transaction tx = v1.getTx();
    if (tx.getOperations().length > MAX_OPS) {
      throw new MalformedEnvelope("a transaction has at most " + MAX_OPS + " operations");
    }
    if (v1.getSignatures().length > 20) {
      throw new MalformedEnvelope("an envelope has at most 20 signatures");
    }
    if (tx.getMemo().getDiscriminant() == org.stellar.sdk.xdr.MemoType.MEMO_TEXT
        && tx.getMemo().getText().getBytes().length > 28) {
      throw new MalformedEnvelope("a text memo has at most 28 bytes");
    }
    if (tx.getCond().getDiscriminant() == org.stellar.sdk.xdr.PreconditionType.PRECOND_V2
        && tx.getCond().getV2().getExtraSigners() != null
        && tx.getCond().getV2().getExtraSigners().length > 2) {
      throw new MalformedEnvelope("a transaction has at most 2 extra signers");
    }
  }

  private Tx tx(TransactionV1Envelope v1) throws MalformedEnvelope {
    checkXdrBounds(v1);
    Tx t = new Tx();
    t.xdr = v1.getTx();
    t.sigs = v1.getSignatures();
    TransactionSignaturePayload.TransactionSignaturePayloadTaggedTransaction tagged =
        new TransactionSignaturePayload.TransactionSignaturePayloadTaggedTransaction();
    tagged.setDiscriminant(EnvelopeType.ENVELOPE_TYPE_TX);
    tagged.setTx(t.xdr);
    t.hash = Util.hash(AbstractTransaction.getTransactionSignatureBase(tagged, network));
    t.hashHex = hex(t.hash);
    t.sourceKey = key(t.xdr.getSourceAccount());
    t.sourceId = StrKey.encodeEd25519PublicKey(t.sourceKey);
    t.fee = t.xdr.getFee().getUint32().getNumber();
    t.seq = t.xdr.getSeqNum().getSequenceNumber().getInt64();
    t.ops = t.xdr.getOperations();
    return t;
  }

  static String hex(byte[] bytes) {
    return Util.bytesToHex(bytes).toLowerCase();
  }

  private static byte[] key(MuxedAccount m) {
    switch (m.getDiscriminant()) {
      case KEY_TYPE_ED25519:
        return m.getEd25519().getUint256();
      case KEY_TYPE_MUXED_ED25519:
        return m.getMed25519().getEd25519().getUint256();
      default:
        throw new IllegalArgumentException("not an account: " + m.getDiscriminant());
    }
  }

  private static String id(MuxedAccount m) {
    return StrKey.encodeEd25519PublicKey(key(m));
  }

  private static String id(AccountID a) {
    return StrKey.encodeEd25519PublicKey(a.getAccountID().getEd25519().getUint256());
  }

  // ---------------------------------------------------------------- validity

  /** Why a transaction is refused; {@code innerCode} only for a fee bump's inner failure. */
  private record Verdict(TransactionResultCode code, TransactionResultCode innerCode, OpRes[] ops) {
    static Verdict of(TransactionResultCode code) {
      return new Verdict(code, null, null);
    }
  }

  /** Which signatures of an envelope match which keys; tracks the ones used. */
  private static final class Signatures {
    private final DecoratedSignature[] sigs;
    private final byte[] payload;
    private final boolean[] used;
    private final byte[][] verifiedFor;

    Signatures(DecoratedSignature[] sigs, byte[] payload) {
      this.sigs = sigs;
      this.payload = payload;
      this.used = new boolean[sigs.length];
      this.verifiedFor = new byte[sigs.length][];
    }

    boolean signedBy(byte[] key) {
      for (int i = 0; i < sigs.length; i++) {
        byte[] hint = sigs[i].getHint().getSignatureHint();
        if (hint.length != 4
            || hint[0] != key[28] || hint[1] != key[29] || hint[2] != key[30] || hint[3] != key[31]) {
          continue;
        }
        if (verifiedFor[i] != null) {
          if (Arrays.equals(verifiedFor[i], key)) {
            used[i] = true;
            return true;
          }
          continue;
        }
        if (verify(key, payload, sigs[i].getSignature().getSignature())) {
          verifiedFor[i] = key;
          used[i] = true;
          return true;
        }
      }
      return false;
    }

    private static boolean verify(byte[] key, byte[] payload, byte[] signature) {
      try {
        return KeyPair.fromPublicKey(key).verify(payload, signature);
      } catch (RuntimeException notAKey) {
        return false;
      }
    }

    boolean allUsed() {
      for (boolean u : used) {
        if (!u) {
          return false;
        }
      }
      return true;
    }
  }

  /** The preconditions of a transaction, flattened. */
  private record Conditions(
      Long minTime, Long maxTime, long minLedger, long maxLedger, Long minSeq, long minSeqAge,
      long minSeqGap, SignerKey[] extraSigners) {}

  private static Conditions conditions(Transaction tx) {
    Preconditions c = tx.getCond();
    TimeBounds tb = null;
    PreconditionsV2 v2 = null;
    switch (c.getDiscriminant()) {
      case PRECOND_TIME:
        tb = c.getTimeBounds();
        break;
      case PRECOND_V2:
        v2 = c.getV2();
        tb = v2.getTimeBounds();
        break;
      default:
        break;
    }
    Long minTime = tb == null ? null : clamp(tb.getMinTime().getTimePoint().getUint64().getNumber());
    Long maxTime = tb == null ? null : clamp(tb.getMaxTime().getTimePoint().getUint64().getNumber());
    if (v2 == null) {
      return new Conditions(minTime, maxTime, 0, 0, null, 0, 0, new SignerKey[0]);
    }
    LedgerBounds lb = v2.getLedgerBounds();
    return new Conditions(
        minTime,
        maxTime,
        lb == null ? 0 : lb.getMinLedger().getUint32().getNumber(),
        lb == null ? 0 : lb.getMaxLedger().getUint32().getNumber(),
        v2.getMinSeqNum() == null ? null : v2.getMinSeqNum().getSequenceNumber().getInt64(),
        clamp(v2.getMinSeqAge().getDuration().getUint64().getNumber()),
        v2.getMinSeqLedgerGap().getUint32().getNumber(),
        v2.getExtraSigners() == null ? new SignerKey[0] : v2.getExtraSigners());
  }

  private static long clamp(BigInteger unsigned) {
    return unsigned.bitLength() > 63 ? Long.MAX_VALUE : unsigned.longValue();
  }

  private static long mul(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    if ((hi == 0 && lo >= 0) || (hi == -1 && lo < 0)) {
      return lo;
    }
    return (a < 0) == (b < 0) ? Long.MAX_VALUE : Long.MIN_VALUE;
  }

  long available(Account a) {
    return a.balance - minBalance(a.subentries);
  }

  private Verdict checkPlain(Envelope e, long close, long next, long baseFee) {
    Signatures sigs = new Signatures(e.tx.sigs, e.tx.hash);
    return checkTx(e.tx, sigs, close, next, baseFee, true);
  }

  private Verdict checkFeeBump(Envelope e, long close, long next, long baseFee) {
    Tx t = e.tx;
    long n = t.ops.length;
    if (e.outerFee < mul(baseFee, n + 1)) {
      return Verdict.of(TransactionResultCode.txINSUFFICIENT_FEE);
    }
    // The fee bump's fee per operation must be at least the inner transaction's.
    BigInteger outerRate = BigInteger.valueOf(e.outerFee).multiply(BigInteger.valueOf(Math.max(n, 1)));
    BigInteger innerRate = BigInteger.valueOf(t.fee).multiply(BigInteger.valueOf(n + 1));
    if (outerRate.compareTo(innerRate) < 0) {
      return Verdict.of(TransactionResultCode.txINSUFFICIENT_FEE);
    }
    Account feeSource = accounts.get(e.feeSourceId);
    if (feeSource == null) {
      return Verdict.of(TransactionResultCode.txNO_ACCOUNT);
    }
    Signatures outer = new Signatures(e.outerSigs, e.hash);
    if (!outer.signedBy(e.feeSourceKey)) {
      return Verdict.of(TransactionResultCode.txBAD_AUTH);
    }
    if (available(feeSource) < e.outerFee) {
      return Verdict.of(TransactionResultCode.txINSUFFICIENT_BALANCE);
    }
    Verdict inner = checkTx(t, new Signatures(t.sigs, t.hash), close, next, baseFee, false);
    if (inner != null) {
      return new Verdict(TransactionResultCode.txFEE_BUMP_INNER_FAILED, inner.code, inner.ops);
    }
    if (!outer.allUsed()) {
      return Verdict.of(TransactionResultCode.txBAD_AUTH_EXTRA);
    }
    return null;
  }

  /** stellar-core's checkValid for a v1 transaction, in its order; null when valid. */
  private Verdict checkTx(Tx t, Signatures sigs, long close, long next, long baseFee, boolean chargeFee) {
    Operation[] ops = t.ops;
    if (ops.length == 0) {
      return Verdict.of(TransactionResultCode.txMISSING_OPERATION);
    }
    if (t.xdr.getExt().getDiscriminant() != 0) {
      return Verdict.of(TransactionResultCode.txMALFORMED);
    }
    Conditions c = conditions(t.xdr);
    if ((c.minTime() != null && c.minTime() > close) || (c.minLedger() > next)) {
      return Verdict.of(TransactionResultCode.txTOO_EARLY);
    }
    if ((c.maxTime() != null && c.maxTime() != 0 && c.maxTime() < close)
        || (c.maxLedger() != 0 && c.maxLedger() <= next)) {
      return Verdict.of(TransactionResultCode.txTOO_LATE);
    }
    if (chargeFee && t.fee < mul(baseFee, ops.length)) {
      return Verdict.of(TransactionResultCode.txINSUFFICIENT_FEE);
    }
    Account source = accounts.get(t.sourceId);
    if (source == null) {
      return Verdict.of(TransactionResultCode.txNO_ACCOUNT);
    }
    if (badSeq(source, t.seq, c.minSeq(), next)) {
      return Verdict.of(TransactionResultCode.txBAD_SEQ);
    }
    if ((c.minSeqAge() > 0 && close - source.seqTime < c.minSeqAge())
        || (c.minSeqGap() > 0 && next - source.seqLedger < c.minSeqGap())) {
      return Verdict.of(TransactionResultCode.txBAD_MIN_SEQ_AGE_OR_GAP);
    }
    if (!sigs.signedBy(t.sourceKey)) {
      return Verdict.of(TransactionResultCode.txBAD_AUTH);
    }
    for (SignerKey extra : c.extraSigners()) {
      if (extra.getDiscriminant() != SignerKeyType.SIGNER_KEY_TYPE_ED25519
          || !sigs.signedBy(extra.getEd25519().getUint256())) {
        return Verdict.of(TransactionResultCode.txBAD_AUTH);
      }
    }
    if (chargeFee && available(source) < t.fee) {
      return Verdict.of(TransactionResultCode.txINSUFFICIENT_BALANCE);
    }
    for (int i = 0; i < ops.length; i++) {
      OpRes r = checkOp(ops[i], t, sigs);
      if (!r.isSuccess()) {
        OpRes[] results = new OpRes[ops.length];
        for (int j = 0; j < ops.length; j++) {
          results[j] = j == i ? r : OpRes.success(ops[j].getBody().getDiscriminant());
        }
        return new Verdict(TransactionResultCode.txFAILED, null, results);
      }
    }
    if (!sigs.allUsed()) {
      return Verdict.of(TransactionResultCode.txBAD_AUTH_EXTRA);
    }
    return null;
  }

  private static boolean badSeq(Account a, long txSeq, Long minSeq, long next) {
    if (txSeq == (next << 32)) {
      return true; // the starting sequence number of the ledger being closed is never valid
    }
    if (minSeq == null) {
      return a.seq == Long.MAX_VALUE || a.seq + 1 != txSeq;
    }
    return !(a.seq >= minSeq && a.seq < txSeq);
  }

  private static boolean supported(OperationType type) {
    return type == OperationType.CREATE_ACCOUNT
        || type == OperationType.PAYMENT
        || type == OperationType.CHANGE_TRUST;
  }

  /** Checks of an operation that need no ledger state (core's checkValid before apply). */
  private OpRes checkOp(Operation op, Tx t, Signatures sigs) {
    OperationType type = op.getBody().getDiscriminant();
    if (!supported(type)) {
      return OpRes.outer(type, OperationResultCode.opNOT_SUPPORTED);
    }
    String sourceId = t.sourceId;
    if (op.getSourceAccount() != null) {
      byte[] k = key(op.getSourceAccount());
      if (!sigs.signedBy(k)) {
        return OpRes.outer(type, OperationResultCode.opBAD_AUTH);
      }
      sourceId = StrKey.encodeEd25519PublicKey(k);
    }
    switch (type) {
      case CREATE_ACCOUNT: {
        CreateAccountOp c = op.getBody().getCreateAccountOp();
        if (c.getStartingBalance().getInt64() < 0 || id(c.getDestination()).equals(sourceId)) {
          return OpRes.of(CreateAccountResultCode.CREATE_ACCOUNT_MALFORMED);
        }
        return OpRes.success(type);
      }
      case PAYMENT: {
        PaymentOp p = op.getBody().getPaymentOp();
        if (p.getAmount().getInt64() <= 0 || asset(p.getAsset()) == null) {
          return OpRes.of(PaymentResultCode.PAYMENT_MALFORMED);
        }
        return OpRes.success(type);
      }
      case CHANGE_TRUST: {
        ChangeTrustOp ct = op.getBody().getChangeTrustOp();
        if (ct.getLine().getDiscriminant() == AssetType.ASSET_TYPE_POOL_SHARE) {
          return OpRes.outer(type, OperationResultCode.opNOT_SUPPORTED);
        }
        AssetKey a = asset(ct.getLine());
        if (a == null || a.isNative() || ct.getLimit().getInt64() < 0 || a.issuer().equals(sourceId)) {
          return OpRes.of(ChangeTrustResultCode.CHANGE_TRUST_MALFORMED);
        }
        return OpRes.success(type);
      }
      default:
        return OpRes.outer(type, OperationResultCode.opNOT_SUPPORTED);
    }
  }

  static AssetKey asset(Asset a) {
    switch (a.getDiscriminant()) {
      case ASSET_TYPE_NATIVE:
        return AssetKey.NATIVE;
      case ASSET_TYPE_CREDIT_ALPHANUM4:
        return credit(a.getAlphaNum4().getAssetCode().getAssetCode4(), 1, a.getAlphaNum4().getIssuer());
      case ASSET_TYPE_CREDIT_ALPHANUM12:
        return credit(a.getAlphaNum12().getAssetCode().getAssetCode12(), 5, a.getAlphaNum12().getIssuer());
      default:
        return null;
    }
  }

  static AssetKey asset(ChangeTrustAsset a) {
    switch (a.getDiscriminant()) {
      case ASSET_TYPE_NATIVE:
        return AssetKey.NATIVE;
      case ASSET_TYPE_CREDIT_ALPHANUM4:
        return credit(a.getAlphaNum4().getAssetCode().getAssetCode4(), 1, a.getAlphaNum4().getIssuer());
      case ASSET_TYPE_CREDIT_ALPHANUM12:
        return credit(a.getAlphaNum12().getAssetCode().getAssetCode12(), 5, a.getAlphaNum12().getIssuer());
      default:
        return null;
    }
  }

  /** A credit asset whose code core accepts (alphanumeric, zero-padded, long enough), else null. */
  private static AssetKey credit(byte[] code, int minChars, AccountID issuer) {
    int chars = 0;
    boolean padding = false;
    for (byte b : code) {
      if (b == 0) {
        padding = true;
      } else if (padding || !((b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z'))) {
        return null;
      } else {
        chars++;
      }
    }
    if (chars < minChars) {
      return null;
    }
    return new AssetKey(new String(code, 0, chars, StandardCharsets.US_ASCII), id(issuer));
  }

  // ---------------------------------------------------------------- apply

  private TxRecord applyValid(Envelope e, long close, long baseFee) {
    Tx t = e.tx;
    long next = ledger + 1;
    int n = t.ops.length;
    Account feeSource = accounts.get(e.feeBump ? e.feeSourceId : t.sourceId);
    long fee = e.feeBump ? Math.min(e.outerFee, mul(baseFee, n + 1L)) : Math.min(t.fee, mul(baseFee, n));
    fee = Math.max(0, Math.min(fee, feeSource.balance));
    feeSource.balance -= fee;
    feeSource.lastModified = next;
    Account source = accounts.get(t.sourceId);
    source.seq = t.seq;
    source.seqLedger = next;
    source.seqTime = close;
    source.lastModified = next;

    undo.clear();
    List<AppliedPayment> paid = new ArrayList<>();
    OpRes[] results = new OpRes[n];
    boolean ok = true;
    for (int i = 0; i < n; i++) {
      int mark = undo.size();
      int paidMark = paid.size();
      results[i] = applyOp(t.ops[i], t, next, close, e.hashHex, paid);
      if (!results[i].isSuccess()) {
        ok = false;
      }
      if (!ok) {
        // Core goes on applying the operations after a failure, but commits none of them.
        rollback(mark);
        paid.subList(paidMark, paid.size()).clear();
      }
    }
    if (!ok) {
      rollback(0);
      paid.clear();
    }
    undo.clear();

    TransactionResultCode code = ok ? TransactionResultCode.txSUCCESS : TransactionResultCode.txFAILED;
    TransactionResult result = e.feeBump
        ? TxResults.feeBump(fee, t.hash, code, results)
        : TxResults.plain(fee, code, results);
    Codes codes = e.feeBump
        ? new Codes(TxResults.txName(ok ? TransactionResultCode.txFEE_BUMP_INNER_SUCCESS
            : TransactionResultCode.txFEE_BUMP_INNER_FAILED), TxResults.txName(code), TxResults.names(results))
        : new Codes(TxResults.txName(code), null, TxResults.names(results));
    TxRecord rec = record(e, next, close, ok, TxResults.base64(result), TxResults.minimalMeta(ok ? n : 0), codes, fee);

    ledger = next;
    closeTime = close;
    history.put(rec.hash(), rec);
    if (rec.innerHash() != null) {
      history.putIfAbsent(rec.innerHash(), rec);
    }
    ordered.add(rec);
    if (ok) {
      successful++;
      payments.addAll(paid);
    }
    return rec;
  }

  private void rollback(int mark) {
    for (int i = undo.size() - 1; i >= mark; i--) {
      undo.remove(i).run();
    }
  }

  private void touch(Account a) {
    long balance = a.balance;
    int subentries = a.subentries;
    long lastModified = a.lastModified;
    undo.add(() -> {
      a.balance = balance;
      a.subentries = subentries;
      a.lastModified = lastModified;
    });
  }

  private void touch(TrustLine tl) {
    long balance = tl.balance;
    long limit = tl.limit;
    long lastModified = tl.lastModified;
    undo.add(() -> {
      tl.balance = balance;
      tl.limit = limit;
      tl.lastModified = lastModified;
    });
  }

  private OpRes applyOp(Operation op, Tx t, long next, long close, String txHash, List<AppliedPayment> paid) {
    OperationType type = op.getBody().getDiscriminant();
    String sourceId = op.getSourceAccount() == null ? t.sourceId : id(op.getSourceAccount());
    Account source = accounts.get(sourceId);
    if (source == null) {
      return OpRes.outer(type, OperationResultCode.opNO_ACCOUNT);
    }
    switch (type) {
      case CREATE_ACCOUNT:
        return createAccount(op.getBody().getCreateAccountOp(), source, next, close);
      case PAYMENT:
        return payment(op.getBody().getPaymentOp(), source, next, txHash, paid);
      case CHANGE_TRUST:
        return changeTrust(op.getBody().getChangeTrustOp(), source, next);
      default:
        return OpRes.outer(type, OperationResultCode.opNOT_SUPPORTED);
    }
  }

  private OpRes createAccount(CreateAccountOp op, Account source, long next, long close) {
    byte[] destKey = op.getDestination().getAccountID().getEd25519().getUint256();
    String destId = StrKey.encodeEd25519PublicKey(destKey);
    if (accounts.containsKey(destId)) {
      return OpRes.of(CreateAccountResultCode.CREATE_ACCOUNT_ALREADY_EXIST);
    }
    long starting = op.getStartingBalance().getInt64();
    if (starting < minBalance(0)) {
      return OpRes.of(CreateAccountResultCode.CREATE_ACCOUNT_LOW_RESERVE);
    }
    if (available(source) < starting) {
      return OpRes.of(CreateAccountResultCode.CREATE_ACCOUNT_UNDERFUNDED);
    }
    touch(source);
    source.balance -= starting;
    source.lastModified = next;
    accounts.put(destId, new Account(destId, destKey, starting, next << 32, next, close));
    undo.add(() -> accounts.remove(destId));
    return OpRes.of(CreateAccountResultCode.CREATE_ACCOUNT_SUCCESS);
  }

  private OpRes payment(PaymentOp op, Account source, long next, String txHash, List<AppliedPayment> paid) {
    String destId = id(op.getDestination());
    long amount = op.getAmount().getInt64();
    AssetKey asset = asset(op.getAsset());
    Account dest = accounts.get(destId);
    if (asset.isNative() && destId.equals(source.id)) {
      paid.add(payment(source, destId, asset, amount, txHash, next));
      return OpRes.of(PaymentResultCode.PAYMENT_SUCCESS); // XLM to oneself: nothing to do
    }
    if (dest == null) {
      return OpRes.of(PaymentResultCode.PAYMENT_NO_DESTINATION);
    }
    if (!asset.isNative() && !accounts.containsKey(asset.issuer())) {
      return OpRes.of(PaymentResultCode.PAYMENT_NO_ISSUER);
    }
    // Credit the destination first, then debit the source, as core does.
    if (asset.isNative()) {
      if (dest.balance > Long.MAX_VALUE - amount) {
        return OpRes.of(PaymentResultCode.PAYMENT_LINE_FULL);
      }
      touch(dest);
      dest.balance += amount;
      dest.lastModified = next;
    } else if (!destId.equals(asset.issuer())) {
      TrustLine tl = dest.lines.get(asset);
      if (tl == null) {
        return OpRes.of(PaymentResultCode.PAYMENT_NO_TRUST);
      }
      if (tl.balance > tl.limit - amount) {
        return OpRes.of(PaymentResultCode.PAYMENT_LINE_FULL);
      }
      touch(tl);
      tl.balance += amount;
      tl.lastModified = next;
    }
    if (asset.isNative()) {
      if (available(source) < amount) {
        return OpRes.of(PaymentResultCode.PAYMENT_UNDERFUNDED);
      }
      touch(source);
      source.balance -= amount;
      source.lastModified = next;
    } else if (!source.id.equals(asset.issuer())) {
      TrustLine tl = source.lines.get(asset);
      if (tl == null) {
        return OpRes.of(PaymentResultCode.PAYMENT_SRC_NO_TRUST);
      }
      if (tl.balance < amount) {
        return OpRes.of(PaymentResultCode.PAYMENT_UNDERFUNDED);
      }
      touch(tl);
      tl.balance -= amount;
      tl.lastModified = next;
    }
    paid.add(payment(source, destId, asset, amount, txHash, next));
    return OpRes.of(PaymentResultCode.PAYMENT_SUCCESS);
  }

  private static AppliedPayment payment(
      Account source, String destId, AssetKey asset, long amount, String txHash, long ledger) {
    return new AppliedPayment(source.id, destId, asset.codeOrNative(), asset.issuer(), amount, txHash, ledger);
  }

  private OpRes changeTrust(ChangeTrustOp op, Account source, long next) {
    AssetKey asset = asset(op.getLine());
    long limit = op.getLimit().getInt64();
    TrustLine existing = source.lines.get(asset);
    if (existing != null) {
      if (limit < existing.balance) {
        return OpRes.of(ChangeTrustResultCode.CHANGE_TRUST_INVALID_LIMIT);
      }
      if (limit == 0) {
        touch(source);
        source.lines.remove(asset);
        source.subentries--;
        source.lastModified = next;
        undo.add(() -> source.lines.put(asset, existing));
      } else {
        touch(existing);
        existing.limit = limit;
        existing.lastModified = next;
      }
      return OpRes.of(ChangeTrustResultCode.CHANGE_TRUST_SUCCESS);
    }
    if (limit == 0) {
      return OpRes.of(ChangeTrustResultCode.CHANGE_TRUST_INVALID_LIMIT);
    }
    if (!accounts.containsKey(asset.issuer())) {
      return OpRes.of(ChangeTrustResultCode.CHANGE_TRUST_NO_ISSUER);
    }
    if (source.subentries >= MAX_SUBENTRIES) {
      return OpRes.outer(OperationType.CHANGE_TRUST, OperationResultCode.opTOO_MANY_SUBENTRIES);
    }
    if (source.balance < minBalance(source.subentries + 1)) {
      return OpRes.of(ChangeTrustResultCode.CHANGE_TRUST_LOW_RESERVE);
    }
    touch(source);
    source.subentries++;
    source.lastModified = next;
    source.lines.put(asset, new TrustLine(asset, limit, next));
    undo.add(() -> source.lines.remove(asset));
    return OpRes.of(ChangeTrustResultCode.CHANGE_TRUST_SUCCESS);
  }

  // ---------------------------------------------------------------- history records

  private TxRecord record(
      Envelope e, long ledger, long close, boolean ok, String resultXdr, String meta, Codes codes, long fee) {
    Tx t = e.tx;
    Memo memo = t.xdr.getMemo();
    String memoType;
    String memoValue = null;
    String memoBytes = null;
    switch (memo.getDiscriminant()) {
      case MEMO_TEXT: {
        byte[] b = memo.getText().getBytes();
        memoType = "text";
        memoValue = new String(b, StandardCharsets.UTF_8);
        memoBytes = Base64.getEncoder().encodeToString(b);
        break;
      }
      case MEMO_ID:
        memoType = "id";
        memoValue = memo.getId().getUint64().getNumber().toString();
        break;
      case MEMO_HASH:
        memoType = "hash";
        memoValue = Base64.getEncoder().encodeToString(memo.getHash().getHash());
        break;
      case MEMO_RETURN:
        memoType = "return";
        memoValue = Base64.getEncoder().encodeToString(memo.getRetHash().getHash());
        break;
      default:
        memoType = "none";
        break;
    }
    Conditions c = conditions(t.xdr);
    List<String> innerSigs = signatures(t.sigs);
    return new TxRecord(
        e.hashHex,
        e.feeBump ? t.hashHex : null,
        ledger,
        close,
        ok,
        e.base64,
        resultXdr,
        meta,
        codes,
        t.sourceId,
        t.seq,
        e.feeBump ? e.feeSourceId : t.sourceId,
        fee,
        e.feeBump ? e.outerFee : t.fee,
        t.fee,
        t.ops.length,
        memoType,
        memoValue,
        memoBytes,
        e.feeBump ? signatures(e.outerSigs) : innerSigs,
        e.feeBump ? innerSigs : null,
        c.minTime(),
        c.maxTime());
  }

  private static List<String> signatures(DecoratedSignature[] sigs) {
    List<String> out = new ArrayList<>(sigs.length);
    for (DecoratedSignature s : sigs) {
      out.add(Base64.getEncoder().encodeToString(s.getSignature().getSignature()));
    }
    return List.copyOf(out);
  }
}
