package io.loadshift.vtn.party;

/**
 * Stellar account ids (StrKey {@code G...}): base32 of a version byte (6 << 3), the 32-byte
 * ed25519 public key and a CRC16-XModem checksum (little-endian). A payout address is only stored
 * when all of it checks out.
 */
public final class StellarAccount {
  private static final int VERSION_ACCOUNT_ID = 6 << 3;
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

  private StellarAccount() {}

  /** Null when the id is well-formed, else why not. */
  public static String problem(String id) {
    if (id == null || id.length() != 56) {
      return "a Stellar account id has 56 characters";
    }
    if (id.charAt(0) != 'G') {
      return "a Stellar account id starts with G";
    }
    byte[] raw = decodeBase32(id);
    if (raw == null || raw.length != 35) {
      return "a Stellar account id uses only A-Z and 2-7";
    }
    if ((raw[0] & 0xff) != VERSION_ACCOUNT_ID) {
      return "not an account id (wrong version byte)";
    }
    int expected = crc16(raw, 33);
    int actual = (raw[33] & 0xff) | ((raw[34] & 0xff) << 8);
    return expected == actual ? null : "the checksum does not match (a mistyped character?)";
  }

  /** The account id of a 32-byte ed25519 public key. */
  public static String encode(byte[] publicKey) {
    if (publicKey.length != 32) {
      throw new IllegalArgumentException("an ed25519 public key has 32 bytes");
    }
    byte[] raw = new byte[35];
    raw[0] = (byte) VERSION_ACCOUNT_ID;
    System.arraycopy(publicKey, 0, raw, 1, 32);
    int crc = crc16(raw, 33);
    raw[33] = (byte) crc;
    raw[34] = (byte) (crc >> 8);
    StringBuilder out = new StringBuilder(56);
    int buffer = 0;
    int bits = 0;
    for (byte b : raw) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        bits -= 5;
        out.append(ALPHABET.charAt((buffer >> bits) & 31));
      }
    }
    return out.toString();
  }

  static byte[] decodeBase32(String s) {
    byte[] out = new byte[s.length() * 5 / 8];
    int buffer = 0;
    int bits = 0;
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      int v = ALPHABET.indexOf(s.charAt(i));
      if (v < 0) {
        return null;
      }
      buffer = (buffer << 5) | v;
      bits += 5;
      if (bits >= 8) {
        bits -= 8;
        if (n < out.length) {
          out[n++] = (byte) (buffer >> bits);
        }
      }
    }
    return out;
  }

  static int crc16(byte[] data, int length) {
    int crc = 0;
    for (int i = 0; i < length; i++) {
      crc ^= (data[i] & 0xff) << 8;
      for (int b = 0; b < 8; b++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
        crc &= 0xffff;
      }
    }
    return crc;
  }
}
