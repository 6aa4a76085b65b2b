package io.loadshift.vtn.platform.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;

/**
 * How the VTN speaks OpenADR 2.0b: the vtnID it answers with, whether VENs may register without
 * credentials (development only), the poll interval it asks of pull VENs, how long before its start
 * an event is {@code near} rather than {@code far}, how long a completed or cancelled event stays
 * in a VEN's oadrDistributeEvent, the units it writes signals in, and whether
 * messages from certificate-identified VENs must carry a valid XML signature (with the ReplayProtect
 * window their timestamps must fall in).
 */
public record Oadr20bConfig(
    String vtnId,
    boolean openRegistration,
    Duration pollFrequency,
    Duration nearWindow,
    Duration endedKeep,
    String currency,
    BigDecimal gridHertz,
    BigDecimal gridVoltage,
    boolean verifySignatures,
    Duration signatureWindow) {

  public static final String DEFAULT_VTN_ID = "LOADSHIFT-VTN";

  static Oadr20bConfig read(Env env) {
    String vtnId = env.string("VTN_OADR20B_VTN_ID", DEFAULT_VTN_ID);
    if (!vtnId.matches("[A-Za-z0-9._:-]{1,128}")) {
      throw new ConfigException("VTN_OADR20B_VTN_ID", "must be 1-128 characters of A-Z a-z 0-9 . _ : -, got '" + vtnId + "'");
    }
    if (vtnId.matches(".*[a-z].*") && vtnId.equals(vtnId.toLowerCase(Locale.ROOT))) {
      // OpenLEADR VENs refuse every event from a VTN whose vtnID has letters, all lower case.
      throw new ConfigException("VTN_OADR20B_VTN_ID",
          "must contain an upper-case letter if it contains letters (some VENs refuse an all-lower-case vtnID), got '"
              + vtnId + "'");
    }
    String currency = env.string("VTN_OADR20B_CURRENCY", "USD");
    if (!currency.matches("[A-Z]{3}")) {
      throw new ConfigException("VTN_OADR20B_CURRENCY", "must be an ISO 4217 code such as USD or EUR, got '" + currency + "'");
    }
    int hertz = env.integer("VTN_OADR20B_GRID_HERTZ", 60, 50, 60);
    if (hertz != 50 && hertz != 60) {
      throw new ConfigException("VTN_OADR20B_GRID_HERTZ", "must be 50 or 60, got " + hertz);
    }
    return new Oadr20bConfig(
        vtnId,
        env.bool("VTN_OADR20B_OPEN_REGISTRATION", false),
        Duration.ofSeconds(env.integer("VTN_OADR20B_POLL_FREQ_SECONDS", 10, 1, 86_400)),
        Duration.ofMinutes(env.integer("VTN_OADR20B_NEAR_WINDOW_MINUTES", 60, 0, 10_080)),
        Duration.ofMinutes(env.integer("VTN_OADR20B_ENDED_KEEP_MINUTES", 60, 0, 43_200)),
        currency,
        BigDecimal.valueOf(hertz),
        BigDecimal.valueOf(env.integer("VTN_OADR20B_GRID_VOLTAGE", 240, 1, 1_000_000)),
        env.bool("VTN_OADR20B_VERIFY_SIGNATURES", false),
        Duration.ofSeconds(env.integer("VTN_OADR20B_SIGNATURE_WINDOW_SECONDS", 300, 10, 3_600)));
  }
}
