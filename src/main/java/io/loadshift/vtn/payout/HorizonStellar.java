package io.loadshift.vtn.payout;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.SocketFactory;
import okhttp3.OkHttpClient;
import org.stellar.sdk.AbstractTransaction;
import org.stellar.sdk.Asset;
import org.stellar.sdk.FeeBumpTransaction;
import org.stellar.sdk.KeyPair;
import org.stellar.sdk.Memo;
import org.stellar.sdk.Network;
import org.stellar.sdk.PaymentOperation;
import org.stellar.sdk.Server;
import org.stellar.sdk.TimeBounds;
import org.stellar.sdk.Transaction;
import org.stellar.sdk.TransactionBuilder;
import org.stellar.sdk.TransactionPreconditions;
import org.stellar.sdk.requests.ErrorResponse;
import org.stellar.sdk.requests.TooManyRequestsException;
import org.stellar.sdk.responses.AccountResponse;
import org.stellar.sdk.responses.SubmitTransactionResponse;
import org.stellar.sdk.responses.SubmitTransactionTimeoutResponseException;
import org.stellar.sdk.responses.SubmitTransactionUnknownResponseException;
import org.stellar.sdk.responses.TransactionResponse;

/** {@link Stellar} over a Horizon server, through the Stellar SDK (whose calls block). */
public final class HorizonStellar implements Stellar, AutoCloseable {
  private final Server server;
  private final Network network;
  private final KeyPair signer;

  /** {@code secretSeed} is read once into the key pair; the caller should clear its copy. */
  public HorizonStellar(String horizonUrl, String networkPassphrase, char[] secretSeed) {
    this.server = server(horizonUrl);
    this.network = new Network(networkPassphrase);
    this.signer = KeyPair.fromSecretSeed(secretSeed);
  }

  @Override
  public String networkPassphrase() {
    return network.getNetworkPassphrase();
  }

  @Override
  public String sourceAccount() {
    return signer.getAccountId();
  }

  @Override
  public Signed sign(long sequence, String asset, List<Payment> payments, byte[] memoHash, long feePerOperation,
                     Instant maxTime) {
    Asset a = asset(asset);
    TransactionBuilder b = new TransactionBuilder(new org.stellar.sdk.Account(signer.getAccountId(), sequence - 1), network)
        .addMemo(Memo.hash(memoHash))
        .setBaseFee(feePerOperation)
        .addPreconditions(TransactionPreconditions.builder()
            .timeBounds(new TimeBounds(0, maxTime.getEpochSecond())).build());
    for (Payment p : payments) {
      b.addOperation(new PaymentOperation.Builder(p.destination(), a, amount(p.stroops())).build());
    }
    Transaction tx = b.build();
    tx.sign(signer);
    return new Signed(tx.hashHex(), tx.toEnvelopeXdrBase64(), tx.getSequenceNumber(), tx.getFee(), maxTime);
  }

  @Override
  public Signed feeBump(String envelope, long feePerOperation) {
    Transaction inner = inner(envelope);
    FeeBumpTransaction bump = new FeeBumpTransaction.Builder(inner).setBaseFee(feePerOperation)
        .setFeeAccount(signer.getAccountId()).build();
    bump.sign(signer);
    return new Signed(inner.hashHex(), bump.toEnvelopeXdrBase64(), inner.getSequenceNumber(), bump.getFee(),
        Instant.ofEpochSecond(inner.getTimeBounds().getMaxTime().longValueExact()));
  }

  private Transaction inner(String envelope) {
    try {
      AbstractTransaction t = AbstractTransaction.fromEnvelopeXdr(envelope, network);
      return t instanceof FeeBumpTransaction f ? f.getInnerTransaction() : (Transaction) t;
    } catch (IOException e) {
      throw new IllegalArgumentException("not a transaction envelope", e);
    }
  }

  @Override
  public Optional<Account> account(String id) throws LedgerUnavailable {
    try {
      AccountResponse r = server.accounts().account(id);
      Map<String, Long> balances = new HashMap<>();
      for (AccountResponse.Balance b : r.getBalances()) {
        balances.put(assetKey(b), stroops(b.getBalance()));
      }
      return Optional.of(new Account(r.getAccountId(), r.getSequenceNumber(), balances));
    } catch (ErrorResponse e) {
      if (e.getCode() == 404) {
        return Optional.empty();
      }
      throw new LedgerUnavailable("Horizon answered " + e.getCode() + " for the account", e);
    } catch (IOException | RuntimeException e) {
      throw new LedgerUnavailable("Horizon could not be asked for the account: " + describe(e), e);
    }
  }

  @Override
  public Submission submit(String envelope) {
    try {
      SubmitTransactionResponse r = server.submitTransactionXdr(envelope);
      if (r.isSuccess()) {
        return new Applied(r.getHash(), r.getLedger());
      }
      SubmitTransactionResponse.Extras extras = r.getExtras();
      if (extras == null || extras.getResultCodes() == null) {
        return new Rejected("tx_malformed", List.of());
      }
      SubmitTransactionResponse.Extras.ResultCodes codes = extras.getResultCodes();
      String tx = codes.getTransactionResultCode();
      if ("tx_fee_bump_inner_failed".equals(tx) && codes.getInnerTransactionResultCode() != null) {
        tx = codes.getInnerTransactionResultCode();
      }
      List<String> ops = codes.getOperationsResultCodes() == null ? List.of() : new ArrayList<>(codes.getOperationsResultCodes());
      return new Rejected(tx, ops);
    } catch (SubmitTransactionTimeoutResponseException e) {
      return new Unknown("Horizon timed out waiting for the transaction to be included");
    } catch (SubmitTransactionUnknownResponseException e) {
      if (e.getCode() == 429 || e.getCode() == 503) {
        return new Retry("Horizon answered " + e.getCode(), Duration.ofSeconds(1));
      }
      return new Unknown("Horizon answered " + e.getCode());
    } catch (TooManyRequestsException e) {
      return new Retry("Horizon answered 429", Duration.ofSeconds(e.getRetryAfter().orElse(1)));
    } catch (ConnectException e) {
      return new Retry("Horizon refused the connection", Duration.ofSeconds(2));
    } catch (IOException | RuntimeException e) {
      return new Unknown("submission interrupted: " + describe(e));
    }
  }

  @Override
  public Optional<Found> find(String hash) throws LedgerUnavailable {
    try {
      TransactionResponse r = server.transactions().transaction(hash);
      return Optional.of(new Found(hash, r.getLedger(), Boolean.TRUE.equals(r.isSuccessful())));
    } catch (ErrorResponse e) {
      if (e.getCode() == 404) {
        return Optional.empty();
      }
      throw new LedgerUnavailable("Horizon answered " + e.getCode() + " for the transaction", e);
    } catch (IOException | RuntimeException e) {
      throw new LedgerUnavailable("Horizon could not be asked for the transaction: " + describe(e), e);
    }
  }

  @Override
  public Instant ledgerTime() throws LedgerUnavailable {
    try {
      return Instant.parse(server.root().getHistoryLatestLedgerClosedAt());
    } catch (IOException | RuntimeException e) {
      throw new LedgerUnavailable("Horizon could not be asked for its latest ledger: " + describe(e), e);
    }
  }

  @Override
  public void close() {
    server.close();
  }

  /**
   * An SDK server whose connections send at once (TCP_NODELAY): with Nagle's algorithm, a POST
   * written as headers then body waits for the peer's delayed ACK, about 40 ms per submission.
   * Submissions are never retried silently by the HTTP client; the payout engine decides.
   */
  public static Server server(String url) {
    SocketFactory plain = SocketFactory.getDefault();
    SocketFactory noDelay = new SocketFactory() {
      private Socket configure(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        return s;
      }

      @Override
      public Socket createSocket() throws IOException {
        return configure(plain.createSocket());
      }

      @Override
      public Socket createSocket(String host, int port) throws IOException {
        return configure(plain.createSocket(host, port));
      }

      @Override
      public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
        return configure(plain.createSocket(host, port, local, localPort));
      }

      @Override
      public Socket createSocket(InetAddress host, int port) throws IOException {
        return configure(plain.createSocket(host, port));
      }

      @Override
      public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort) throws IOException {
        return configure(plain.createSocket(host, port, local, localPort));
      }
    };
    OkHttpClient reads = new OkHttpClient.Builder().socketFactory(noDelay).connectTimeout(Duration.ofSeconds(10))
        .readTimeout(Duration.ofSeconds(30)).build();
    OkHttpClient submits = reads.newBuilder().readTimeout(Duration.ofSeconds(65)).retryOnConnectionFailure(false).build();
    return new Server(url, reads, submits);
  }

  /** {@code native} or {@code CODE:ISSUER}, the form assets take everywhere in the VTN. */
  static String assetKey(AccountResponse.Balance b) {
    return "native".equals(b.getAssetType()) ? "native" : b.getAssetCode().orElse("") + ":" + b.getAssetIssuer().orElse("");
  }

  static Asset asset(String asset) {
    return Asset.create(asset);
  }

  static String amount(long stroops) {
    return BigDecimal.valueOf(stroops, 7).toPlainString();
  }

  static long stroops(String amount) {
    return new BigDecimal(amount).movePointRight(7).longValueExact();
  }

  private static String describe(Exception e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }
}
