package io.loadshift.vtn.auth;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The RSA key that signs access tokens (RS256: verification, done on every request, is cheap for
 * RSA). Kept as PEM so it can come from a file or from the database.
 */
public record SigningKey(String kid, String privatePem, String publicPem) {
  public static final String ALGORITHM = "RS256";

  public static SigningKey generate() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      KeyPair kp = g.generateKeyPair();
      return of(kp.getPrivate().getEncoded(), kp.getPublic().getEncoded());
    } catch (Exception e) {
      throw new IllegalStateException("cannot generate an RSA key", e);
    }
  }

  /** Reads a PKCS#8 PEM RSA private key ({@code -----BEGIN PRIVATE KEY-----}). */
  public static SigningKey fromFile(Path file) {
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (Exception e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
    }
    if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
      throw new IllegalArgumentException(file + " is not a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----)");
    }
    String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    try {
      KeyFactory kf = KeyFactory.getInstance("RSA");
      RSAPrivateCrtKey priv = (RSAPrivateCrtKey) kf.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
      if (priv.getModulus().bitLength() < 2048) {
        throw new IllegalArgumentException(file + " holds an RSA key shorter than 2048 bits");
      }
      byte[] pub = kf.generatePublic(new RSAPublicKeySpec(priv.getModulus(), priv.getPublicExponent())).getEncoded();
      return of(priv.getEncoded(), pub);
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalArgumentException(file + " is not an RSA private key: " + e.getMessage());
    }
  }

  private static SigningKey of(byte[] pkcs8, byte[] spki) throws Exception {
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(spki);
    String kid = HexFormat.of().formatHex(digest, 0, 8);
    return new SigningKey(kid, pem("PRIVATE KEY", pkcs8), pem("PUBLIC KEY", spki));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
