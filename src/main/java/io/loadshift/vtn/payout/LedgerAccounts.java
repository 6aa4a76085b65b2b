package io.loadshift.vtn.payout;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.stellar.sdk.Asset;
import org.stellar.sdk.ChangeTrustAsset;
import org.stellar.sdk.ChangeTrustOperation;
import org.stellar.sdk.CreateAccountOperation;
import org.stellar.sdk.KeyPair;
import org.stellar.sdk.Network;
import org.stellar.sdk.Operation;
import org.stellar.sdk.PaymentOperation;
import org.stellar.sdk.Server;
import org.stellar.sdk.Transaction;
import org.stellar.sdk.TransactionBuilder;
import org.stellar.sdk.requests.ErrorResponse;
import org.stellar.sdk.responses.AccountResponse;
import org.stellar.sdk.responses.SubmitTransactionResponse;

/**
 * Setting up accounts on a development ledger: funding through its friendbot, trustlines, issuing
 * an asset, creating many accounts at once. Used by the local-ledger mode, the demo, tests and
 * benchmarks; the payout engine itself only goes through {@link Stellar}. Blocking calls.
 */
public final class LedgerAccounts implements AutoCloseable {
  private final String url;
  private final Server server;
  private final Network network;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public LedgerAccounts(String horizonUrl, String networkPassphrase) {
    this.url = horizonUrl.endsWith("/") ? horizonUrl.substring(0, horizonUrl.length() - 1) : horizonUrl;
    this.server = HorizonStellar.server(url);
    this.network = new Network(networkPassphrase);
  }

  /** Creates and funds an account with the friendbot; false if it already existed. */
  public boolean fund(String accountId) throws IOException, InterruptedException {
    if (exists(accountId)) {
      return false;
    }
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/friendbot?addr="
        + URLEncoder.encode(accountId, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("friendbot answered " + r.statusCode() + ": " + r.body());
    }
    return true;
  }

  public boolean exists(String accountId) throws IOException {
    return account(accountId).isPresent();
  }

  public Optional<AccountResponse> account(String accountId) throws IOException {
    try {
      return Optional.of(server.accounts().account(accountId));
    } catch (ErrorResponse e) {
      if (e.getCode() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Balance in stroops of {@code native} or {@code CODE:ISSUER}; -1 without the account or trustline. */
  public long balance(String accountId, String asset) throws IOException {
    Optional<AccountResponse> a = account(accountId);
    if (a.isEmpty()) {
      return -1;
    }
    for (AccountResponse.Balance b : a.get().getBalances()) {
      if (HorizonStellar.assetKey(b).equals(asset)) {
        return HorizonStellar.stroops(b.getBalance());
      }
    }
    return -1;
  }

  /** Lets {@code holder} hold {@code CODE:ISSUER} (up to the largest amount). */
  public void trust(KeyPair holder, String asset) throws IOException {
    submit(holder, List.of(new ChangeTrustOperation.Builder(ChangeTrustAsset.create(Asset.create(asset)),
        "922337203685.4775807").build()));
  }

  public void pay(KeyPair from, String to, String asset, long stroops) throws IOException {
    submit(from, List.of(new PaymentOperation.Builder(to, Asset.create(asset), HorizonStellar.amount(stroops)).build()));
  }

  /** Creates accounts with a starting balance of native units, 100 per transaction. */
  public void createAccounts(KeyPair funder, List<String> ids, long startingStroops) throws IOException {
    for (int i = 0; i < ids.size(); i += 100) {
      List<Operation> ops = new ArrayList<>();
      for (String id : ids.subList(i, Math.min(ids.size(), i + 100))) {
        ops.add(new CreateAccountOperation.Builder(id, HorizonStellar.amount(startingStroops)).build());
      }
      submit(funder, ops);
    }
  }

  /** Signs and submits operations from {@code source}; fails on anything but success. */
  public String submit(KeyPair source, List<Operation> ops) throws IOException {
    AccountResponse account = account(source.getAccountId())
        .orElseThrow(() -> new IOException("account " + source.getAccountId() + " does not exist"));
    TransactionBuilder b = new TransactionBuilder(account, network).setBaseFee(100).setTimeout(60);
    ops.forEach(b::addOperation);
    Transaction tx = b.build();
    tx.sign(source);
    SubmitTransactionResponse r = server.submitTransactionXdr(tx.toEnvelopeXdrBase64());
    if (!r.isSuccess()) {
      throw new IOException("transaction refused: " + (r.getExtras() == null ? "?" : r.getExtras().getResultCodes()));
    }
    return r.getHash();
  }

  @Override
  public void close() {
    server.close();
  }
}
