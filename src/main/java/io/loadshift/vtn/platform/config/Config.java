package io.loadshift.vtn.platform.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;

/**
 * Everything the VTN reads from its environment, validated once at start-up and then passed to
 * constructors. Defaults work on a developer's machine with a local PostgreSQL.
 */
public record Config(
    String httpHost,
    int httpPort,
    int httpInstances,
    int httpIdleTimeoutSeconds,
    URI publicUrl,
    DbUri db,
    int dbPoolSize,
    long bodyLimitBytes,
    long bulkBodyLimitBytes,
    int maxBulkItems,
    String derCapacityLimits,
    int eventRetentionDays,
    boolean webhookHttpsOnly,
    boolean webhookAllowPrivate,
    boolean webhookVerifyEcho,
    int webhookTimeoutMs,
    int webhookMaxAttempts,
    int webhookRetryBaseMs,
    int webhookRetryMaxMs,
    int webhookBatch,
    long meterDataMaxBytes,
    java.time.ZoneId timeZone,
    int baselineLookbackDays,
    double baselineAdjustmentCap,
    double baselineInflationThreshold,
    double completenessThreshold,
    java.util.Set<java.time.LocalDate> holidays,
    double meterTolerance,
    Optional<TlsConfig> tls,
    Optional<String> adminClientId,
    Optional<String> adminClientSecret,
    Optional<Path> jwtKeyFile,
    Duration tokenTtl,
    int passwordHashIterations,
    boolean accessLog,
    Level logLevel,
    Duration shutdownTimeout,
    Optional<StellarConfig> stellar,
    Oadr20bConfig oadr20b) {

  public static final String DEFAULT_DB_URI = "postgresql://loadshift:loadshift@localhost:5432/loadshift";

  public static Config fromEnvironment() {
    return from(System.getenv());
  }

  public static Config from(Map<String, String> vars) {
    Env env = new Env(vars);
    int port = env.integer("VTN_HTTP_PORT", 8080, 0, 65535);
    Optional<TlsConfig> tls = tls(env);
    String defaultPublic = (tls.isPresent() ? "https" : "http") + "://localhost:" + (port == 0 ? 8080 : port);
    URI publicUrl = env.httpUrl("VTN_PUBLIC_URL", defaultPublic);

    Optional<String> adminId = env.optional("VTN_ADMIN_CLIENT_ID");
    Optional<String> adminSecret = env.optional("VTN_ADMIN_CLIENT_SECRET");
    if (adminId.isPresent() != adminSecret.isPresent()) {
      throw new ConfigException(adminId.isPresent() ? "VTN_ADMIN_CLIENT_SECRET" : "VTN_ADMIN_CLIENT_ID",
          "VTN_ADMIN_CLIENT_ID and VTN_ADMIN_CLIENT_SECRET must be set together");
    }
    adminId.ifPresent(id -> {
      if (!id.matches("[A-Za-z0-9._~-]{3,128}")) {
        throw new ConfigException("VTN_ADMIN_CLIENT_ID", "must be 3-128 characters of A-Z a-z 0-9 . _ ~ -");
      }
    });
    adminSecret.ifPresent(s -> {
      if (s.length() < 16) {
        throw new ConfigException("VTN_ADMIN_CLIENT_SECRET", "must be at least 16 characters");
      }
    });

    String level = env.string("VTN_LOG_LEVEL", "INFO");
    Level logLevel;
    try {
      logLevel = Level.parse(level.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("VTN_LOG_LEVEL", "must be one of SEVERE, WARNING, INFO, FINE, FINEST, got '" + level + "'");
    }

    return new Config(
        env.string("VTN_HTTP_HOST", "0.0.0.0"),
        port,
        env.integer("VTN_HTTP_INSTANCES", Runtime.getRuntime().availableProcessors(), 1, 256),
        env.integer("VTN_HTTP_IDLE_TIMEOUT_SECONDS", 600, 10, 86400),
        publicUrl,
        DbUri.parse("VTN_DB_URI", env.string("VTN_DB_URI", DEFAULT_DB_URI)),
        env.integer("VTN_DB_POOL_SIZE", 16, 1, 500),
        env.bytes("VTN_BODY_LIMIT_BYTES", 1024 * 1024, 1024, 1024L * 1024 * 1024),
        env.bytes("VTN_BULK_BODY_LIMIT_BYTES", 64L * 1024 * 1024, 1024, 1024L * 1024 * 1024),
        env.integer("VTN_BULK_MAX_ITEMS", 200_000, 1, 10_000_000),
        env.string("VTN_DER_CAPACITY_LIMITS_KW", ""),
        env.integer("VTN_EVENT_RETENTION_DAYS", 30, 1, 3650),
        env.bool("VTN_WEBHOOK_HTTPS_ONLY", true),
        env.bool("VTN_WEBHOOK_ALLOW_PRIVATE", false),
        env.bool("VTN_WEBHOOK_VERIFY_ECHO", true),
        env.integer("VTN_WEBHOOK_TIMEOUT_MS", 10_000, 100, 120_000),
        env.integer("VTN_WEBHOOK_MAX_ATTEMPTS", 8, 1, 100),
        env.integer("VTN_WEBHOOK_RETRY_BASE_MS", 1000, 1, 3_600_000),
        env.integer("VTN_WEBHOOK_RETRY_MAX_MS", 600_000, 1, 86_400_000),
        env.integer("VTN_WEBHOOK_BATCH", 500, 1, 10_000),
        env.bytes("VTN_METERDATA_MAX_BYTES", 1024L * 1024 * 1024, 1024, 64L * 1024 * 1024 * 1024),
        zone(env),
        env.integer("VTN_BASELINE_LOOKBACK_DAYS", 21, 7, 90),
        env.decimal("VTN_BASELINE_ADJUSTMENT_CAP", 0.2, 0, 1),
        env.decimal("VTN_BASELINE_INFLATION_THRESHOLD", 1.5, 1, 100),
        env.decimal("VTN_COMPLETENESS_THRESHOLD", 0.9, 0, 1),
        holidays(env),
        env.decimal("VTN_METER_TOLERANCE", 0.05, 0, 1),
        tls,
        adminId,
        adminSecret,
        env.readableFile("VTN_JWT_KEY_FILE"),
        Duration.ofSeconds(env.integer("VTN_TOKEN_TTL_SECONDS", 3600, 60, 86400)),
        env.integer("VTN_PASSWORD_HASH_ITERATIONS", 210_000, 10_000, 10_000_000),
        env.bool("VTN_ACCESS_LOG", false),
        logLevel,
        Duration.ofSeconds(env.integer("VTN_SHUTDOWN_TIMEOUT_SECONDS", 20, 0, 600)),
        StellarConfig.read(env),
        Oadr20bConfig.read(env));
  }

  private static java.time.ZoneId zone(Env env) {
    String z = env.string("VTN_TIMEZONE", "UTC");
    try {
      return java.time.ZoneId.of(z);
    } catch (java.time.DateTimeException e) {
      throw new ConfigException("VTN_TIMEZONE", "must be a time zone such as America/Los_Angeles or UTC, got '" + z + "'");
    }
  }

  private static java.util.Set<java.time.LocalDate> holidays(Env env) {
    java.util.Set<java.time.LocalDate> out = new java.util.HashSet<>();
    for (String d : env.string("VTN_HOLIDAYS", "").split(",")) {
      if (d.isBlank()) {
        continue;
      }
      try {
        out.add(java.time.LocalDate.parse(d.trim()));
      } catch (java.time.format.DateTimeParseException e) {
        throw new ConfigException("VTN_HOLIDAYS", "must be dates like 2026-12-25,2027-01-01, got '" + d.trim() + "'");
      }
    }
    return java.util.Set.copyOf(out);
  }

  private static Optional<TlsConfig> tls(Env env) {
    Optional<Path> cert = env.readableFile("VTN_TLS_CERT_FILE");
    Optional<Path> key = env.readableFile("VTN_TLS_KEY_FILE");
    ClientAuthMode mode = env.enumeration("VTN_TLS_CLIENT_AUTH", ClientAuthMode.class, ClientAuthMode.NONE);
    Optional<Path> ca = env.readableFile("VTN_TLS_CLIENT_CA_FILE");
    if (cert.isPresent() != key.isPresent()) {
      throw new ConfigException(cert.isPresent() ? "VTN_TLS_KEY_FILE" : "VTN_TLS_CERT_FILE",
          "VTN_TLS_CERT_FILE and VTN_TLS_KEY_FILE must be set together");
    }
    if (cert.isEmpty()) {
      if (mode != ClientAuthMode.NONE) {
        throw new ConfigException("VTN_TLS_CLIENT_AUTH", "client certificates need HTTPS: set VTN_TLS_CERT_FILE and VTN_TLS_KEY_FILE");
      }
      return Optional.empty();
    }
    if (mode != ClientAuthMode.NONE && ca.isEmpty()) {
      throw new ConfigException("VTN_TLS_CLIENT_CA_FILE", "is required when VTN_TLS_CLIENT_AUTH is " + mode.name().toLowerCase(java.util.Locale.ROOT));
    }
    return Optional.of(new TlsConfig(cert.get(), key.get(), mode, ca));
  }
}
