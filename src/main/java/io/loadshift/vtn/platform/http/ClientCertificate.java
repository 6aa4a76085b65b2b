package io.loadshift.vtn.platform.http;

import io.vertx.ext.web.RoutingContext;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The TLS client certificate a request came with, as the layers above need it: the SHA-256
 * fingerprint of its DER encoding, the OpenADR 2.0b form of it (its last 10 bytes as
 * colon-separated upper-case hex, the form VENs are provisioned with), and the subject.
 */
public record ClientCertificate(String sha256, String oadrFingerprint, String subject) {
  private static final String KEY = "clientCertificate";
  private static final ClientCertificate NONE = new ClientCertificate(null, null, null);

  /** The request's verified client certificate, or null when it came without one. */
  public static ClientCertificate of(RoutingContext ctx) {
    ClientCertificate cached = ctx.get(KEY);
    if (cached == null) {
      cached = read(ctx);
      ctx.put(KEY, cached);
    }
    return cached == NONE ? null : cached;
  }

  /** The public key of the request's client certificate, or null when it came without one. */
  public static java.security.PublicKey publicKey(RoutingContext ctx) {
    if (!ctx.request().isSSL()) {
      return null;
    }
    try {
      List<Certificate> chain = ctx.request().connection().peerCertificates();
      return chain == null || chain.isEmpty() || !(chain.get(0) instanceof X509Certificate leaf) ? null : leaf.getPublicKey();
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }

  private static ClientCertificate read(RoutingContext ctx) {
    if (!ctx.request().isSSL()) {
      return NONE;
    }
    try {
      List<Certificate> chain = ctx.request().connection().peerCertificates();
      if (chain == null || chain.isEmpty() || !(chain.get(0) instanceof X509Certificate leaf)) {
        return NONE;
      }
      return fromDer(leaf.getEncoded(), leaf.getSubjectX500Principal().getName());
    } catch (SSLPeerUnverifiedException e) {
      return NONE;
    } catch (CertificateEncodingException e) {
      return NONE;
    }
  }

  public static ClientCertificate fromDer(byte[] der, String subject) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(der);
      HexFormat hex = HexFormat.of();
      StringBuilder oadr = new StringBuilder(29);
      for (int i = digest.length - 10; i < digest.length; i++) {
        if (oadr.length() > 0) {
          oadr.append(':');
        }
        oadr.append(hex.toHexDigits(digest[i]).toUpperCase(java.util.Locale.ROOT));
      }
      return new ClientCertificate(hex.formatHex(digest), oadr.toString(), subject);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
