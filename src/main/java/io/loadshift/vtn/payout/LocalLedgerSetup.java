package io.loadshift.vtn.payout;

import io.loadshift.vtn.ledger.LocalHorizon;
import io.loadshift.vtn.platform.config.StellarConfig;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.stellar.sdk.KeyPair;

/**
 * Local-ledger mode for development: starts the local ledger, loads (or creates and keeps) the
 * distribution account's secret, funds the account with the ledger's friendbot, and issues it a
 * development asset ({@code DRC}, "demand-response credit") from an issuer derived from that secret.
 */
final class LocalLedgerSetup {
  private static final Logger LOG = Logger.getLogger(LocalLedgerSetup.class.getName());
  static final String DEV_ASSET_CODE = "DRC";
  private static final long DEV_FLOAT_STROOPS = 10_000_000L * 10_000_000L;

  record Started(String url, LocalHorizon ledger, char[] seed, String devAsset) {}

  private LocalLedgerSetup() {}

  static Started start(Vertx vertx, StellarConfig config) throws Exception {
    LocalHorizon.Options options = LocalHorizon.Options.defaults()
        .withPort(config.localPort())
        .withNetworkPassphrase(config.networkPassphrase())
        .withJournal(config.localJournal().orElse(null));
    LocalHorizon ledger = LocalHorizon.start(vertx, options).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    char[] seed = seed(config);
    KeyPair distribution = KeyPair.fromSecretSeed(seed);
    KeyPair issuer = KeyPair.fromSecretSeed(derive(seed));
    String asset = DEV_ASSET_CODE + ":" + issuer.getAccountId();
    try (LedgerAccounts accounts = new LedgerAccounts(ledger.url(), config.networkPassphrase())) {
      accounts.fund(distribution.getAccountId());
      accounts.fund(issuer.getAccountId());
      if (accounts.balance(distribution.getAccountId(), asset) < 0) {
        accounts.trust(distribution, asset);
      }
      long held = accounts.balance(distribution.getAccountId(), asset);
      if (held < DEV_FLOAT_STROOPS / 10) {
        accounts.pay(issuer, distribution.getAccountId(), asset, DEV_FLOAT_STROOPS - held);
      }
    }
    LOG.info("local ledger at " + ledger.url() + " (\"" + config.networkPassphrase() + "\"); distribution account "
        + distribution.getAccountId() + " holds XLM and the development asset " + asset);
    return new Started(ledger.url(), ledger, seed, asset);
  }

  /** The configured secret, else one kept in VTN_STELLAR_SECRET_FILE (created), else a new one for this run. */
  private static char[] seed(StellarConfig config) throws IOException {
    if (config.secret().isPresent()) {
      return config.secret().get().reveal();
    }
    KeyPair fresh = KeyPair.random();
    if (config.secretFile().isPresent()) {
      Path file = config.secretFile().get();
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Files.writeString(file, new String(fresh.getSecretSeed()) + "\n", StandardCharsets.US_ASCII);
      try {
        Files.setPosixFilePermissions(file, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system; the directory's permissions have to do
      }
      LOG.info("created the development distribution account's secret in " + file);
    } else if (config.localJournal().isPresent()) {
      LOG.warning("the local ledger keeps a journal but the distribution secret is new on every start: "
          + "set VTN_STELLAR_SECRET_FILE to keep it");
    }
    return fresh.getSecretSeed();
  }

  /** A second key, for the development asset's issuer, that follows from the distribution secret. */
  private static byte[] derive(char[] seed) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update("loadshift development issuer:".getBytes(StandardCharsets.US_ASCII));
    byte[] bytes = new String(seed).getBytes(StandardCharsets.US_ASCII);
    md.update(bytes);
    Arrays.fill(bytes, (byte) 0);
    return md.digest();
  }
}
