package io.loadshift.vtn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadshift.vtn.platform.config.Config;
import io.loadshift.vtn.platform.config.ConfigException;
import io.loadshift.vtn.platform.config.DbUri;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Configuration is read once; a bad value stops start-up with a line naming the variable. */
class ConfigTest {

  @Test
  void defaultsWorkOnADevelopersMachine() {
    Config c = Config.from(Map.of());
    assertEquals(8080, c.httpPort());
    assertEquals("localhost", c.db().host());
    assertEquals(5432, c.db().port());
    assertEquals("loadshift", c.db().database());
    assertEquals(1024 * 1024, c.bodyLimitBytes());
    assertEquals("http://localhost:8080", c.publicUrl().toString());
    assertTrue(c.tls().isEmpty());
    assertTrue(c.adminClientId().isEmpty());
  }

  @Test
  void badValuesNameTheirVariable() {
    assertNamed("VTN_HTTP_PORT", Map.of("VTN_HTTP_PORT", "eighty"));
    assertNamed("VTN_HTTP_PORT", Map.of("VTN_HTTP_PORT", "70000"));
    assertNamed("VTN_DB_URI", Map.of("VTN_DB_URI", "mysql://a:b@c/d"));
    assertNamed("VTN_DB_URI", Map.of("VTN_DB_URI", "postgresql://host-without-user/db"));
    assertNamed("VTN_PUBLIC_URL", Map.of("VTN_PUBLIC_URL", "ftp://example.com"));
    assertNamed("VTN_BODY_LIMIT_BYTES", Map.of("VTN_BODY_LIMIT_BYTES", "lots"));
    assertNamed("VTN_ADMIN_CLIENT_SECRET", Map.of("VTN_ADMIN_CLIENT_ID", "ops-admin"));
    assertNamed("VTN_ADMIN_CLIENT_SECRET", Map.of("VTN_ADMIN_CLIENT_ID", "ops-admin", "VTN_ADMIN_CLIENT_SECRET", "short"));
    assertNamed("VTN_TLS_CERT_FILE", Map.of("VTN_TLS_CERT_FILE", "/no/such/file.pem"));
    assertNamed("VTN_TLS_CLIENT_AUTH", Map.of("VTN_TLS_CLIENT_AUTH", "required"));
    assertNamed("VTN_ACCESS_LOG", Map.of("VTN_ACCESS_LOG", "maybe"));
  }

  @Test
  void sizesAndUrisAreParsed() {
    assertEquals(512 * 1024, Config.from(Map.of("VTN_BODY_LIMIT_BYTES", "512K")).bodyLimitBytes());
    DbUri db = DbUri.parse("X", "postgresql://us%40er:p%3Ass@db.example:6543/vtn?sslmode=require");
    assertEquals("us@er", db.user());
    assertEquals("p:ss", db.password());
    assertEquals("jdbc:postgresql://db.example:6543/vtn?sslmode=require", db.jdbcUrl());
    assertTrue(!db.toString().contains("p:ss"), "passwords stay out of messages");
  }

  private static void assertNamed(String variable, Map<String, String> env) {
    ConfigException e = assertThrows(ConfigException.class, () -> Config.from(env));
    assertTrue(e.getMessage().startsWith(variable + ":"), e.getMessage());
  }
}
