package io.loadshift.vtn.testing;

import io.loadshift.vtn.platform.config.DbUri;
import io.loadshift.vtn.platform.db.Database;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * Real PostgreSQL for tests: {@code VTN_TEST_DB_URI} when set (a role that may CREATE DATABASE),
 * else a Testcontainers PostgreSQL when a Docker engine answers, else a failure saying how to get
 * one. A template database is migrated once per run; each test class gets a fresh copy of it.
 */
public final class TestDatabase {
  private static DbUri server;
  private static String template;

  private TestDatabase() {}

  /** A new, migrated, empty database of its own. */
  public static synchronized DbUri create() {
    if (template == null) {
      server = locateServer();
      template = "loadshift_tpl_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      exec(server, "CREATE DATABASE " + template);
      Database.migrate(withDatabase(server, template));
      Runtime.getRuntime().addShutdownHook(new Thread(() -> exec(server, "DROP DATABASE IF EXISTS " + template)));
    }
    String name = "loadshift_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    exec(server, "CREATE DATABASE " + name + " TEMPLATE " + template);
    return withDatabase(server, name);
  }

  public static void drop(DbUri db) {
    exec(server, "DROP DATABASE IF EXISTS " + db.database() + " WITH (FORCE)");
  }

  /** Runs SQL in a test database, outside the VTN (to arrange or inspect state). */
  public static void execIn(DbUri db, String sql) {
    exec(db, sql);
  }

  private static DbUri locateServer() {
    String uri = System.getenv("VTN_TEST_DB_URI");
    if (uri == null || uri.isBlank()) {
      uri = System.getProperty("vtn.test.db.uri");
    }
    if (uri != null && !uri.isBlank()) {
      return DbUri.parse("VTN_TEST_DB_URI", uri);
    }
    if (dockerAvailable()) {
      return Containers.startPostgres();
    }
    throw new IllegalStateException("No PostgreSQL for the tests. Set VTN_TEST_DB_URI="
        + "postgresql://user:pass@localhost:5432/db (a role allowed to CREATE DATABASE; "
        + "'bin/local-postgres postgresql://loadshift:loadshift@localhost:5432/loadshift' sets one up), "
        + "or start a Docker engine for Testcontainers. './vtn test' does the former for you.");
  }

  private static boolean dockerAvailable() {
    try {
      return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable t) {
      return false;
    }
  }

  private static DbUri withDatabase(DbUri s, String db) {
    return new DbUri(s.host(), s.port(), db, s.user(), s.password(), s.query());
  }

  private static void exec(DbUri db, String sql) {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
         Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("test database: " + sql + ": " + e.getMessage(), e);
    }
  }

  /** Kept apart so the Testcontainers classes load only when a Docker engine is there. */
  static final class Containers {
    static DbUri startPostgres() {
      var pg = new org.testcontainers.postgresql.PostgreSQLContainer("postgres:15-alpine");
      pg.start();
      return new DbUri(pg.getHost(), pg.getFirstMappedPort(), pg.getDatabaseName(), pg.getUsername(),
          pg.getPassword(), null);
    }
  }
}
