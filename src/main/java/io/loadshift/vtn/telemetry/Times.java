package io.loadshift.vtn.telemetry;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Fast reading of the date-times meter files are full of. */
final class Times {
  private Times() {}

  /**
   * Epoch seconds of an RFC 3339 date-time with whole seconds. The common form
   * {@code 2026-11-01T00:15:00Z} is read directly; others go through {@link OffsetDateTime}.
   */
  static long epochSecond(String s) {
    if (s.length() == 20 && s.charAt(4) == '-' && s.charAt(7) == '-' && s.charAt(10) == 'T' && s.charAt(13) == ':'
        && s.charAt(16) == ':' && (s.charAt(19) == 'Z' || s.charAt(19) == 'z')) {
      int y = digits(s, 0, 4);
      int mo = digits(s, 5, 2);
      int d = digits(s, 8, 2);
      int h = digits(s, 11, 2);
      int mi = digits(s, 14, 2);
      int se = digits(s, 17, 2);
      if (y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= java.time.YearMonth.of(y, mo).lengthOfMonth()
          && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && se >= 0 && se <= 59) {
        return java.time.LocalDate.of(y, mo, d).toEpochDay() * 86400L + h * 3600L + mi * 60L + se;
      }
      throw new DateTimeParseException("invalid date-time", s, 0);
    }
    OffsetDateTime t = OffsetDateTime.parse(s);
    if (t.getNano() != 0) {
      throw new DateTimeParseException("fractions of a second", s, 0);
    }
    return t.toEpochSecond();
  }

  private static int digits(String s, int from, int n) {
    int v = 0;
    for (int i = from; i < from + n; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        throw new DateTimeParseException("not a digit", s, i);
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
