import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * The baseline for bench/run: plain Vert.x serving the same two answers as the VTN, with nothing
 * else on the path (no metrics, no auth, no request ids, no body handler, no problem+json).
 *
 * <p>Run as a single-file source program against the VTN's shaded jar:
 * {@code java -cp target/loadshift-vtn.jar bench/BareServer.java <port> <dbUri>}
 *
 * <ul>
 *   <li>{@code GET /live}: {@code {"status":"UP"}} as application/json, like the VTN's /health/live.
 *   <li>{@code GET /client/:id}: the VTN's client lookup (same SQL, prepared, on a Pool of 16
 *       shared by all HTTP instances) answered with the same JSON shape as /admin/clients/:id.
 * </ul>
 *
 * Listens on 127.0.0.1 only, one HTTP verticle instance per core.
 */
public class BareServer {
  static final String FIND_CLIENT = "SELECT client_id, name, role, enabled, token_generation, created_at, "
      + "created_by, updated_at FROM clients WHERE client_id = $1";

  public static void main(String[] args) {
    if (args.length != 2 || !args[0].matches("[0-9]{1,5}")) {
      System.err.println("usage: java -cp target/loadshift-vtn.jar bench/BareServer.java <port> <postgresql://user:pass@host:port/db>");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    int instances = Runtime.getRuntime().availableProcessors();

    Vertx vertx = Vertx.vertx();
    // The same connection settings the VTN uses (Database.connectOptions), so both sides do
    // the same work per query: prepared statements cached per connection, pipelining on.
    PgConnectOptions connect = PgConnectOptions.fromUri(args[1])
        .setCachePreparedStatements(true)
        .setPipeliningLimit(256);
    Pool pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(16))
        .connectingTo(connect)
        .using(vertx)
        .build();

    pool.query("SELECT 1").execute()
        .recover(e -> Future.failedFuture(new IllegalStateException("PostgreSQL does not answer: " + e.getMessage(), e)))
        .compose(ok -> vertx.deployVerticle(() -> new HttpInstance(port, pool),
            new DeploymentOptions().setInstances(instances)))
        .onSuccess(id -> System.err.println("bare server listening on 127.0.0.1:" + port
            + " (" + instances + " HTTP instances, pool of 16)"))
        .onFailure(e -> {
          System.err.println("bare server failed to start: " + e.getMessage());
          System.exit(1);
        });
  }

  /** One HTTP server instance; Vert.x spreads connections over the instances sharing the port. */
  static final class HttpInstance extends VerticleBase {
    private static final Buffer LIVE = new JsonObject().put("status", "UP").toBuffer();

    private final int port;
    private final Pool pool;

    HttpInstance(int port, Pool pool) {
      this.port = port;
      this.pool = pool;
    }

    @Override
    public Future<?> start() {
      Router router = Router.router(vertx);
      router.get("/live").handler(ctx ->
          ctx.response().putHeader("Content-Type", "application/json").end(LIVE));
      router.get("/client/:id").handler(this::client);
      return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
          .requestHandler(router)
          .listen();
    }

    private void client(RoutingContext ctx) {
      pool.preparedQuery(FIND_CLIENT).execute(Tuple.of(ctx.pathParam("id"))).onComplete(ar -> {
        if (ar.failed()) {
          System.err.println("bare server: query failed: " + ar.cause());
          send(ctx, 500, new JsonObject().put("status", 500));
        } else if (ar.result().size() == 0) {
          send(ctx, 404, new JsonObject().put("status", 404));
        } else {
          send(ctx, 200, toJson(ar.result().iterator().next()));
        }
      });
    }

    /** The shape of the VTN's Client.toJson(). */
    private static JsonObject toJson(Row r) {
      return new JsonObject()
          .put("clientId", r.getString("client_id"))
          .put("name", r.getString("name"))
          .put("role", r.getString("role"))
          .put("enabled", r.getBoolean("enabled"))
          .put("createdAt", r.getOffsetDateTime("created_at").toInstant().toString())
          .put("createdBy", r.getString("created_by"))
          .put("updatedAt", r.getOffsetDateTime("updated_at").toInstant().toString());
    }

    private static void send(RoutingContext ctx, int status, JsonObject body) {
      ctx.response()
          .setStatusCode(status)
          .putHeader("Content-Type", "application/json")
          .end(Json.encodeToBuffer(body));
    }
  }
}
