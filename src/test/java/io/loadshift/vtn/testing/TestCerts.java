package io.loadshift.vtn.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Certificates from the project's certs/generate.sh, and HTTPS clients that use them. */
public final class TestCerts {
  private TestCerts() {}

  /** Makes a CA, a server certificate for localhost and one certificate per VEN name in {@code dir}. */
  public static void generate(Path dir, String... vens) throws Exception {
    String[] command = new String[4 + vens.length];
    command[0] = "bash";
    command[1] = "certs/generate.sh";
    command[2] = "--out";
    command[3] = dir.toString();
    System.arraycopy(vens, 0, command, 4, vens.length);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
  }

  /** An HTTPS client for localhost:{@code port} trusting the CA in {@code dir}, presenting {@code ven}'s certificate unless null. */
  public static WebClient client(Vertx vertx, Path dir, String ven, int port) {
    WebClientOptions o = new WebClientOptions().setSsl(true).setDefaultHost("localhost").setDefaultPort(port)
        .setTrustOptions(new PemTrustOptions().addCertPath(dir.resolve("ca.crt").toString()));
    if (ven != null) {
      o.setKeyCertOptions(new PemKeyCertOptions().setCertPath(dir.resolve(ven + ".crt").toString())
          .setKeyPath(dir.resolve(ven + ".key").toString()));
    }
    return WebClient.create(vertx, o);
  }
}
