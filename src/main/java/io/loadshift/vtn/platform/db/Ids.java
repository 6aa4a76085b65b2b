package io.loadshift.vtn.platform.db;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Object ids: UUID version 7 (RFC 9562), a millisecond timestamp followed by random bits. Ids made
 * one after another sort together, so primary-key inserts land at the end of the index instead of
 * on random pages (a bulk registration of 100k resources writes one hot page, not 100k cold ones).
 */
public final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  public static String newId() {
    long ms = System.currentTimeMillis();
    long randA = RANDOM.nextInt(1 << 12);
    long msb = (ms << 16) | (0x7L << 12) | randA;
    long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }
}
