import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The baseline for bench/run: plain Vert.x serving the same answers as the VTN, with nothing
 * else on the path (no metrics, no auth, no request ids, no body handler, no problem+json).
 *
 * <p>Run as a single-file source program against the VTN's shaded jar:
 * {@code java -cp target/loadshift-vtn.jar bench/BareServer.java <port> <dbUri>}
 *
 * <ul>
 *   <li>{@code GET /live}: {@code {"status":"UP"}} as application/json, like the VTN's /health/live.
 *   <li>{@code GET /client/:id}: the VTN's client lookup (same SQL, prepared, on a Pool of 16
 *       shared by all HTTP instances) answered with the same JSON shape as /admin/clients/:id.
 *   <li>{@code GET /resources?derType=T&status=S&skip=N&limit=M}: the VTN's filtered resource
 *       listing (the SQL its repository builds for those two filters) as a JSON array of
 *       OpenADR-like resource objects, like {@code GET /openadr3/3.1.0/resources}.
 *   <li>{@code GET /events}: the floor for a VEN's {@code GET /openadr3/3.1.0/events?limit=50}: a JSON
 *       array of 50 OpenADR 3.1 events shaped like the ones bench/FleetDriver.java creates for the
 *       events-get reader (about 21.6 KB), built per request from objects held in memory as the
 *       VTN's event cache does, without token checks, the reader's view or the cache scan.
 *   <li>{@code POST /oadr-poll}: the floor for an OpenADR 2.0b oadrPoll with nothing pending: the
 *       body read and schema-validated with the VTN's own {@code OadrXml} every time, answered with
 *       the oadrResponse the VTN sends (its text, with the poll's venID), without authentication,
 *       registrations or the event-set check.
 * </ul>
 *
 * Listens on 127.0.0.1 only, one HTTP verticle instance per core.
 */
public class BareServer {
  static final String FIND_CLIENT = "SELECT client_id, name, role, enabled, token_generation, created_at, "
      + "created_by, updated_at FROM clients WHERE client_id = $1";
  /** The VTN's deferred join: page the ids (index-only, cheap to skip), then fetch only those rows. */
  static final String LIST_RESOURCES = "WITH page AS (SELECT id, created_at FROM resources "
      + "WHERE der_type = $1 AND status = $2 ORDER BY created_at, id OFFSET $3 LIMIT $4) "
      + "SELECT r.id, r.ven_id, r.resource_name, r.client_id, r.owner, r.targets, r.der_type, "
      + "r.capacity_kw, r.energy_capacity_kwh, r.state_of_charge, r.latitude, r.longitude, r.zone, r.feeder, "
      + "r.bid_price_per_kw, r.status, r.status_since, r.extra_attributes, r.created_at, r.modified_at "
      + "FROM page p JOIN resources r ON r.id = p.id ORDER BY p.created_at, p.id";
  static final Set<String> DER_TYPES = Set.of("SOLAR", "WIND", "BATTERY", "HYDRO", "GEOTHERMAL", "FUEL_CELL", "LOAD",
      "EV_CHARGER", "HEAT_PUMP");
  static final Set<String> STATUSES = Set.of("ONLINE", "OFFLINE", "MAINTENANCE", "EMERGENCY", "OPTIMIZED");
  static final List<CachedEvent> EVENTS = events(50);

  /** An event as the VTN caches it: id, times, and the stored 3.1 body. */
  record CachedEvent(String id, String created, JsonObject body) {}

  /** Events like FleetDriver.event(): the reader's group, one hour, one interval asking for 5 MW. */
  static List<CachedEvent> events(int n) {
    String program = UUID.randomUUID().toString();
    Instant start = Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    List<CachedEvent> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      JsonObject body = new JsonObject()
          .put("targets", new JsonArray().add("bench-reader"))
          .put("eventName", "bench-events-get-" + i * 10)
          .put("intervals", new JsonArray().add(new JsonObject().put("id", 0).put("payloads", new JsonArray()
              .add(new JsonObject().put("type", "TARGET_REDUCTION_KW").put("values", new JsonArray().add(5000))))))
          .put("programID", program)
          .put("intervalPeriod", new JsonObject().put("start", start.plus(i * 10L, ChronoUnit.MINUTES).toString())
              .put("duration", "PT1H"));
      out.add(new CachedEvent(UUID.randomUUID().toString(), Instant.now().truncatedTo(ChronoUnit.MICROS).toString(), body));
    }
    return List.copyOf(out);
  }

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
  /** The VTN's oadrResponse to a poll with nothing pending, around the venID. */
  static final String POLL_HEAD = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      + "<oadr:oadrPayload xmlns:oadr=\"http://openadr.org/oadr-2.0b/2012/07\" "
      + "xmlns:ei=\"http://docs.oasis-open.org/ns/energyinterop/201110\" "
      + "xmlns:pyld=\"http://docs.oasis-open.org/ns/energyinterop/201110/payloads\">"
      + "<oadr:oadrSignedObject><oadr:oadrResponse ei:schemaVersion=\"2.0b\"><ei:eiResponse>"
      + "<ei:responseCode>200</ei:responseCode><ei:responseDescription>OK</ei:responseDescription>"
      + "<pyld:requestID></pyld:requestID></ei:eiResponse><ei:venID>";
  static final String POLL_TAIL = "</ei:venID></oadr:oadrResponse></oadr:oadrSignedObject></oadr:oadrPayload>";

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
      router.get("/resources").handler(this::resources);
      router.get("/events").handler(this::events);
      router.post("/oadr-poll").handler(this::oadrPoll);
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

    /** Same checks as the VTN's listing: known type and status, skip >= 0, limit 0..50 (default 50). */
    private void resources(RoutingContext ctx) {
      String type = ctx.request().getParam("derType");
      String status = ctx.request().getParam("status");
      Integer skip = integer(ctx.request().getParam("skip"), 0, Integer.MAX_VALUE, 0);
      Integer limit = integer(ctx.request().getParam("limit"), 0, 50, 50);
      if (type == null || !DER_TYPES.contains(type) || status == null || !STATUSES.contains(status)
          || skip == null || limit == null) {
        send(ctx, 400, new JsonObject().put("status", 400)
            .put("detail", "derType and status are required; skip >= 0; limit 0..50"));
        return;
      }
      pool.preparedQuery(LIST_RESOURCES).execute(Tuple.of(type, status, skip, limit)).onComplete(ar -> {
        if (ar.failed()) {
          System.err.println("bare server: query failed: " + ar.cause());
          send(ctx, 500, new JsonObject().put("status", 500));
          return;
        }
        JsonArray out = new JsonArray();
        for (Row r : ar.result()) {
          out.add(resource(r));
        }
        ctx.response().putHeader("Content-Type", "application/json").end(out.toBuffer());
      });
    }

    private void oadrPoll(RoutingContext ctx) {
      ctx.request().body().onComplete(ar -> {
        if (ar.failed()) {
          ctx.response().setStatusCode(400).end();
          return;
        }
        String venId;
        try {
          venId = io.loadshift.vtn.oadr20b.OadrXml.shared().parse(ar.result().getBytes())
              .getOadrSignedObject().getOadrPoll().getVenID();
        } catch (RuntimeException e) {
          ctx.response().setStatusCode(400).end();
          return;
        }
        ctx.response().putHeader("Content-Type", "application/xml").end(POLL_HEAD + venId + POLL_TAIL);
      });
    }

    /** The events page, built per request like the VTN's Event.toJson(shownTargets). */
    private void events(RoutingContext ctx) {
      JsonArray out = new JsonArray();
      for (CachedEvent e : EVENTS) {
        JsonObject o = new JsonObject()
            .put("id", e.id())
            .put("createdDateTime", e.created())
            .put("modificationDateTime", e.created())
            .put("objectType", "EVENT");
        e.body().forEach(f -> o.put(f.getKey(), f.getValue()));
        out.add(o.put("targets", new JsonArray(List.of("bench-reader"))));
      }
      ctx.response().putHeader("Content-Type", "application/json").end(out.toBuffer());
    }

    /** A number parameter within [min, max], the default when absent, null when invalid. */
    private static Integer integer(String value, int min, int max, int absent) {
      if (value == null) {
        return absent;
      }
      try {
        int v = Integer.parseInt(value);
        return v < min || v > max ? null : v;
      } catch (NumberFormatException e) {
        return null;
      }
    }

    /**
     * An OpenADR 3.1 resource as the VTN writes it: the DER columns back into valuesMap
     * attributes (numbers without trailing zeros), STATUS, then the extra attributes as stored.
     */
    private static JsonObject resource(Row r) {
      JsonArray attributes = new JsonArray();
      attribute(attributes, "DER_TYPE", r.getString("der_type"));
      attribute(attributes, "CAPACITY_KW", number(r, "capacity_kw"));
      attribute(attributes, "ENERGY_CAPACITY_KWH", number(r, "energy_capacity_kwh"));
      attribute(attributes, "STATE_OF_CHARGE", number(r, "state_of_charge"));
      Double lat = r.getDouble("latitude");
      if (lat != null) {
        attributes.add(new JsonObject().put("type", "LOCATION")
            .put("values", new JsonArray().add(lat).add(r.getDouble("longitude"))));
      }
      attribute(attributes, "ZONE", r.getString("zone"));
      attribute(attributes, "FEEDER", r.getString("feeder"));
      attribute(attributes, "BID_PRICE_PER_KW", number(r, "bid_price_per_kw"));
      attribute(attributes, "STATUS", r.getString("status"));
      if (r.getValue("extra_attributes") instanceof JsonArray extra) {
        extra.forEach(attributes::add);
      }
      String[] targets = r.getArrayOfStrings("targets");
      return new JsonObject()
          .put("id", r.getString("id"))
          .put("createdDateTime", time(r.getOffsetDateTime("created_at")))
          .put("modificationDateTime", time(r.getOffsetDateTime("modified_at")))
          .put("objectType", "RESOURCE")
          .put("resourceName", r.getString("resource_name"))
          .put("venID", r.getString("ven_id"))
          .put("clientID", r.getString("client_id"))
          .put("targets", targets == null ? new JsonArray() : new JsonArray(Arrays.asList(targets)))
          .put("attributes", attributes);
    }

    private static void attribute(JsonArray attributes, String type, Object value) {
      if (value != null) {
        attributes.add(new JsonObject().put("type", type).put("values", new JsonArray().add(value)));
      }
    }

    /** A numeric column as a JSON number: integers stay integers, others become doubles. */
    private static Number number(Row r, String column) {
      if (r.getValue(column) == null) {
        return null;
      }
      BigDecimal d = r.getBigDecimal(column).stripTrailingZeros();
      return d.scale() <= 0 ? (Number) d.longValue() : (Number) d.doubleValue();
    }

    private static String time(OffsetDateTime t) {
      return t == null ? null : t.toInstant().toString();
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
