package io.loadshift.vtn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.loadshift.vtn.platform.http.ClientCertificate;
import io.loadshift.vtn.platform.http.JsonBodies;
import io.loadshift.vtn.platform.http.RouteModule;
import io.loadshift.vtn.testing.TestDatabase;
import io.loadshift.vtn.testing.TestCerts;
import io.loadshift.vtn.testing.TestVtn;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS with certificates made by certs/generate.sh: required client certificates are enforced in
 * the handshake, and the certificate's OpenADR fingerprint reaches the routes above.
 */
class TlsTest {
  @TempDir
  static Path certs;
  static Vertx vertx;

  /** Shows what the platform tells a route about the caller's certificate. */
  static final RouteModule WHOAMI = router -> router.get("/test/whoami").handler(ctx -> {
    ClientCertificate c = ClientCertificate.of(ctx);
    JsonBodies.send(ctx, 200, c == null ? new JsonObject() : new JsonObject()
        .put("sha256", c.sha256()).put("fingerprint", c.oadrFingerprint()).put("subject", c.subject()));
  });

  @BeforeAll
  static void makeCertificates() throws Exception {
    TestCerts.generate(certs, "ven-1", "ven-2");
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void close() {
    vertx.close();
  }

  @Test
  void requiredClientCertificatesAreEnforcedAndTheirFingerprintIsExposed() throws Exception {
    try (TestVtn vtn = TestVtn.start(TestDatabase.create(), tls("required"), List.of(WHOAMI), true)) {
      JsonObject me = get(client("ven-1", vtn.port()), "/test/whoami").bodyAsJsonObject();
      assertEquals(Files.readString(certs.resolve("ven-1.fingerprint")).trim(), me.getString("fingerprint"));
      assertEquals("CN=ven-1,O=Loadshift development", me.getString("subject"));
      assertEquals(64, me.getString("sha256").length());

      JsonObject other = get(client("ven-2", vtn.port()), "/test/whoami").bodyAsJsonObject();
      assertEquals(Files.readString(certs.resolve("ven-2.fingerprint")).trim(), other.getString("fingerprint"));

      assertThrows(ExecutionException.class, () -> get(client(null, vtn.port()), "/health/live"),
          "no certificate, no handshake");
    }
  }

  @Test
  void optionalClientCertificatesLetTokenClientsIn() throws Exception {
    try (TestVtn vtn = TestVtn.start(TestDatabase.create(), tls("request"), List.of(WHOAMI), true)) {
      HttpResponse<Buffer> anonymous = get(client(null, vtn.port()), "/test/whoami");
      assertEquals(200, anonymous.statusCode());
      assertNull(anonymous.bodyAsJsonObject().getString("fingerprint"));
      assertEquals(Files.readString(certs.resolve("ven-1.fingerprint")).trim(),
          get(client("ven-1", vtn.port()), "/test/whoami").bodyAsJsonObject().getString("fingerprint"));
    }
  }

  private static Map<String, String> tls(String clientAuth) {
    return Map.of(
        "VTN_TLS_CERT_FILE", certs.resolve("server.crt").toString(),
        "VTN_TLS_KEY_FILE", certs.resolve("server.key").toString(),
        "VTN_TLS_CLIENT_CA_FILE", certs.resolve("ca.crt").toString(),
        "VTN_TLS_CLIENT_AUTH", clientAuth);
  }

  private static WebClient client(String ven, int port) {
    return TestCerts.client(vertx, certs, ven, port);
  }

  private static HttpResponse<Buffer> get(WebClient c, String uri) throws Exception {
    Future<HttpResponse<Buffer>> f = c.get(uri).send();
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
