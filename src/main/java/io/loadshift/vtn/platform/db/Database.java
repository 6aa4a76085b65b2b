package io.loadshift.vtn.platform.db;

import io.loadshift.vtn.platform.config.DbUri;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** The PostgreSQL side of start-up: schema migrations (blocking, JDBC) and the reactive pool. */
public final class Database {
  private Database() {}

  /** Applies pending Flyway migrations. Blocking: call before any event loop serves requests. */
  public static MigrateResult migrate(DbUri db) {
    return Flyway.configure()
        .dataSource(db.jdbcUrl(), db.user(), db.password())
        .locations("classpath:db/migration")
        .connectRetries(0)
        .load()
        .migrate();
  }

  public static PgConnectOptions connectOptions(DbUri db) {
    return PgConnectOptions.fromUri(db.reactiveUri())
        .setUser(db.user())
        .setPassword(db.password())
        .setCachePreparedStatements(true)
        .setPipeliningLimit(256);
  }

  public static Pool pool(Vertx vertx, DbUri db, int size) {
    return pool(vertx, db, size, "vtn");
  }

  /**
   * A pool of its own for one part of the VTN; its SQL meters carry {@code name} as their
   * namespace, so what that part asks of PostgreSQL can be told apart.
   */
  public static Pool pool(Vertx vertx, DbUri db, int size, String name) {
    PoolOptions options = new PoolOptions()
        .setName(name)
        .setMaxSize(size)
        .setMaxWaitQueueSize(4096)
        .setConnectionTimeout(5)
        .setShared(false);
    return PgBuilder.pool().with(options).with(new NetClientOptions().setConnectTimeout(3000))
        .connectingTo(connectOptions(db).setMetricsName(name)).using(vertx).build();
  }
}
