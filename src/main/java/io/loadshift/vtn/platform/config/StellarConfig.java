package io.loadshift.vtn.platform.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where and how payouts are sent: a Horizon URL (or {@code local}: a local ledger the VTN starts
 * itself, for development), the network passphrase, and the distribution account's secret, read
 * from VTN_STELLAR_SECRET or a key file and never printed.
 */
public record StellarConfig(
    Optional<String> horizonUrl,
    String networkPassphrase,
    Optional<Secret> secret,
    Optional<Path> secretFile,
    int localPort,
    Optional<Path> localJournal,
    String defaultAsset,
    long baseFeeStroops,
    long maxFeeStroops,
    Duration txTimeout,
    Duration waitBackoff,
    boolean worker) {

  public static final String TESTNET = "Test SDF Network ; September 2015";
  public static final String PUBLIC = "Public Global Stellar Network ; September 2015";
  public static final String LOCAL = "Loadshift Local Ledger ; 2026";
  private static final Pattern SEED = Pattern.compile("S[A-Z2-7]{55}");

  /** Whether the VTN runs its own local ledger. */
  public boolean local() {
    return horizonUrl.isEmpty();
  }

  /** Empty when VTN_STELLAR_HORIZON_URL is not set: payouts are recorded but not sent. */
  static Optional<StellarConfig> read(Env env) {
    Optional<String> horizon = env.optional("VTN_STELLAR_HORIZON_URL");
    if (horizon.isEmpty()) {
      return Optional.empty();
    }
    boolean local = horizon.get().equals("local");
    Optional<String> url = local ? Optional.empty() : Optional.of(env.httpUrl("VTN_STELLAR_HORIZON_URL", "").toString());
    String network = env.string("VTN_STELLAR_NETWORK", local ? "local" : "");
    String passphrase = switch (network) {
      case "local" -> LOCAL;
      case "testnet" -> TESTNET;
      case "public", "mainnet" -> PUBLIC;
      case "" -> throw new ConfigException("VTN_STELLAR_NETWORK",
          "must be set with a Horizon URL: testnet, public, or the network passphrase itself");
      default -> network;
    };
    Optional<Secret> secret = env.optional("VTN_STELLAR_SECRET").map(s -> seed("VTN_STELLAR_SECRET", s.toCharArray()));
    Optional<Path> file = env.optional("VTN_STELLAR_SECRET_FILE").map(Path::of);
    if (secret.isPresent() && file.isPresent()) {
      throw new ConfigException("VTN_STELLAR_SECRET_FILE", "set VTN_STELLAR_SECRET or VTN_STELLAR_SECRET_FILE, not both");
    }
    if (file.isPresent() && Files.exists(file.get())) {
      secret = Optional.of(readSeed(file.get()));
    } else if (file.isPresent() && !local) {
      throw new ConfigException("VTN_STELLAR_SECRET_FILE", "file '" + file.get() + "' does not exist");
    }
    if (secret.isEmpty() && !local) {
      throw new ConfigException("VTN_STELLAR_SECRET", "the distribution account's secret seed (or VTN_STELLAR_SECRET_FILE) "
          + "is required with a Horizon URL");
    }
    String asset = env.string("VTN_STELLAR_DEFAULT_ASSET", "native");
    long baseFee = env.integer("VTN_STELLAR_BASE_FEE_STROOPS", 100, 100, 10_000_000);
    long maxFee = env.integer("VTN_STELLAR_MAX_FEE_STROOPS", 10_000, 100, 100_000_000);
    if (maxFee < baseFee) {
      throw new ConfigException("VTN_STELLAR_MAX_FEE_STROOPS", "must be at least VTN_STELLAR_BASE_FEE_STROOPS");
    }
    return Optional.of(new StellarConfig(url, passphrase, secret, file, env.integer("VTN_STELLAR_LOCAL_PORT", 8000, 0, 65535),
        env.optional("VTN_STELLAR_LOCAL_JOURNAL").map(Path::of), asset, baseFee, maxFee,
        Duration.ofSeconds(env.integer("VTN_STELLAR_TX_TIMEOUT_SECONDS", 60, 5, 3600)),
        Duration.ofSeconds(env.integer("VTN_PAYOUT_WAIT_SECONDS", 30, 1, 86400)),
        env.bool("VTN_PAYOUT_WORKER", true)));
  }

  private static Secret readSeed(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      char[] chars = new String(bytes, StandardCharsets.US_ASCII).trim().toCharArray();
      Arrays.fill(bytes, (byte) 0);
      return seed("VTN_STELLAR_SECRET_FILE", chars);
    } catch (IOException e) {
      throw new ConfigException("VTN_STELLAR_SECRET_FILE", "file '" + file + "' cannot be read: " + e.getMessage());
    }
  }

  private static Secret seed(String name, char[] chars) {
    if (!SEED.matcher(java.nio.CharBuffer.wrap(chars)).matches()) {
      Arrays.fill(chars, '\0');
      throw new ConfigException(name, "must be a Stellar secret seed (S followed by 55 base32 characters)");
    }
    return new Secret(chars);
  }

  /** A secret that never shows itself in logs, exceptions or {@code toString}. */
  public static final class Secret {
    private final char[] value;

    public Secret(char[] value) {
      this.value = value.clone();
      Arrays.fill(value, '\0');
    }

    /** A copy; the caller clears it when done. */
    public char[] reveal() {
      return value.clone();
    }

    @Override
    public String toString() {
      return "[secret]";
    }
  }
}
