package io.loadshift.vtn.event;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OpenADR 3.1 times: RFC 3339 date-times ({@code 0001-01-01} meaning "now") and ISO 8601 durations
 * with years, months, weeks, days and a time part ({@code P9999Y} meaning "forever").
 */
public final class Durations {
  private static final Pattern DURATION = Pattern.compile(
      "^(-?)P(?=\\d|T\\d)(?:(\\d+)Y)?(?:(\\d+)M)?(?:(\\d+)([DW]))?(?:T(?:(\\d+)H)?(?:(\\d+)M)?(?:(\\d+(?:\\.\\d+)?)S)?)?$");

  /** An ISO 8601 duration, applied in UTC calendar arithmetic. */
  public record Span(boolean negative, long years, long months, long days, long hours, long minutes, double seconds) {
    public boolean forever() {
      return years >= 9999;
    }

    public Instant addTo(Instant start) {
      OffsetDateTime t = start.atOffset(ZoneOffset.UTC);
      int sign = negative ? -1 : 1;
      t = t.plusYears(sign * years).plusMonths(sign * months).plusDays(sign * days).plusHours(sign * hours)
          .plusMinutes(sign * minutes).plusNanos((long) (sign * seconds * 1_000_000_000L));
      return t.toInstant();
    }

    public boolean zero() {
      return years == 0 && months == 0 && days == 0 && hours == 0 && minutes == 0 && seconds == 0;
    }
  }

  private Durations() {}

  /** Parses a duration; throws IllegalArgumentException naming what is wrong. */
  public static Span duration(String s) {
    Matcher m = DURATION.matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + s + "' is not an ISO 8601 duration such as PT1H or P1DT30M");
    }
    long days = m.group(4) == null || m.group(4).length() > 9 ? (m.group(4) == null ? 0 : Long.MAX_VALUE) : num(m.group(4));
    if ("W".equals(m.group(5)) && days != Long.MAX_VALUE) {
      days *= 7;
    }
    // Beyond "forever" (P9999Y) nothing is meaningful, and huge parts would overflow date arithmetic.
    for (int g : new int[] {2, 3, 6, 7}) {
      if (m.group(g) != null && m.group(g).length() > 9) {
        throw new IllegalArgumentException("'" + s + "' is longer than any event or reading can be");
      }
    }
    if (days > 3_660_000 || num(m.group(2)) > 9999 || num(m.group(3)) > 120_000 || num(m.group(6)) > 87_840_000
        || num(m.group(7)) > 5_270_400_000L || (m.group(8) != null && Double.parseDouble(m.group(8)) > 3.2e11)) {
      throw new IllegalArgumentException("'" + s + "' is longer than any event or reading can be (at most P9999Y)");
    }
    return new Span(!m.group(1).isEmpty(), num(m.group(2)), num(m.group(3)), days, num(m.group(6)), num(m.group(7)),
        m.group(8) == null ? 0 : Double.parseDouble(m.group(8)));
  }

  /** Parses an RFC 3339 date-time; {@code 0001-01-01...} is "now". */
  public static Instant dateTime(String s, Instant now) {
    if (s.startsWith("0001-01-01")) {
      return now;
    }
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + s + "' is not an RFC 3339 date-time such as 2026-07-01T17:00:00Z");
    }
  }

  private static long num(String g) {
    return g == null ? 0 : Long.parseLong(g);
  }
}
