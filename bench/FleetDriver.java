import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The driver behind bench/run's VEN-scale scenarios: many VEN clients, each with its own token,
 * against one VTN on this machine. Run as a single-file program on the VTN's jar:
 *
 * <pre>
 * BENCH_ADMIN_TOKEN=... java -cp target/loadshift-vtn.jar bench/FleetDriver.java &lt;command&gt; \
 *     --vtn http://127.0.0.1:18080 --db postgresql://... --state ~/.local/state/loadshift-bench/fleet.tsv [options]
 * </pre>
 *
 * Commands:
 * <ul>
 *   <li>{@code fanout [--vens 10000] [--connections 128] [--interval-ms 100] [--warmup-s 10] [--timeout-s 30]}:
 *       every VEN polls {@code GET /events?limit=50} with its own token (at most once per interval,
 *       as fast as the connections allow otherwise); once all have polled and the warm-up is over,
 *       one event is created for their group and the driver times how long until each VEN has
 *       seen it. The event is cancelled afterwards.
 *   <li>{@code reader [--events 1000]}: makes sure one reader VEN and that many events of program
 *       {@code bench-events-get} exist (one in ten for the reader's group, the rest for other
 *       groups), then prints the reader's token for wrk.
 *   <li>{@code webhooks [--subscriptions 1000] [--events 10] [--fail-every 0,5] [--warmup-events 2]
 *       [--timeout-s 120]}: starts a webhook receiver on 127.0.0.1, subscribes that many VENs to
 *       events of program {@code bench-webhook-fanout} (one callback path each), delivers the
 *       warm-up events unrecorded, then per phase (one per {@code --fail-every} value: the receiver
 *       answers every n-th POST to each path with 503, 0 = never) creates the events and waits
 *       until every delivery is DELIVERED or DEAD, timed by the {@code webhook_deliveries} rows.
 *       Subscriptions are deleted and events cancelled at the end.
 * </ul>
 *
 * <p>VENs are {@code bench-ven-00001...} in one target group ({@code --group}, default
 * {@code bench-fanout}), registered once and reused: their clients' secrets (shown by the VTN
 * only once) and tokens are kept in the {@code --state} file (mode 600). What the file says is
 * checked against PostgreSQL on every run; a VEN whose client is unknown there gets a new client.
 *
 * <p>Results go to stdout as {@code BENCH_ONCE key=value ...} lines (and {@code BENCH_TOKEN} for
 * {@code reader}), progress to stderr. Only loopback URLs are accepted; every phase has a deadline.
 */
public class FleetDriver {
  static final String BASE = "/openadr3/3.1.0";
  static final String FANOUT_PROGRAM = "bench-event-fanout";
  static final String WEBHOOK_PROGRAM = "bench-webhook-fanout";
  static final String EVENTS_PROGRAM = "bench-events-get";
  static final String READER = "bench-events-reader";
  static final String READER_GROUP = "bench-reader";
  static final String SUBSCRIBER_NAME = "bench-webhook-fanout";
  static final String RECEIVER_TOKEN = "bench-receiver-token";
  /** Tokens with less than this left are fetched again. */
  static final long TOKEN_MARGIN_S = 900;
  static final long PROGRESS_NS = 5_000_000_000L;

  public static void main(String[] args) {
    if (args.length < 1 || args[0].startsWith("-")) {
      usage("a command is required");
    }
    Map<String, String> opts = new HashMap<>();
    for (int i = 1; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        usage("options come as --name value pairs; got '" + args[i] + "'");
      }
      opts.put(args[i].substring(2), args[i + 1]);
    }
    String adminToken = System.getenv("BENCH_ADMIN_TOKEN");
    if (adminToken == null || adminToken.isBlank()) {
      usage("set BENCH_ADMIN_TOKEN to an admin bearer token of the VTN");
    }
    FleetDriver d = null;
    int rc;
    try {
      d = new FleetDriver(opts, adminToken);
      rc = switch (args[0]) {
        case "fanout" -> d.fanout();
        case "reader" -> d.reader();
        case "webhooks" -> d.webhooks();
        default -> {
          usage("unknown command '" + args[0] + "'");
          yield 2;
        }
      };
    } catch (Failure f) {
      System.err.println("bench: " + (d == null ? "" : d.label + ": ") + "error: " + f.getMessage());
      rc = 1;
    } finally {
      if (d != null) {
        d.close();
      }
    }
    System.out.flush();
    System.exit(rc);
  }

  static void usage(String why) {
    System.err.println("FleetDriver: " + why + "\nusage: BENCH_ADMIN_TOKEN=... java -cp target/loadshift-vtn.jar "
        + "bench/FleetDriver.java fanout|reader|webhooks --vtn URL --db URI --state FILE [options] (see the class comment)");
    System.exit(2);
  }

  /** A problem that ends the run with a message (and exit status 1). */
  static final class Failure extends RuntimeException {
    Failure(String message) {
      super(message, null, false, false);
    }
  }

  // ---- set-up ------------------------------------------------------------------------------------

  private final Map<String, String> opts;
  private final String adminToken;
  private final String label;
  private final String vtn;
  private final URI vtnUri;
  private final String group;
  private final Path statePath;
  private final long setupDeadline;
  private final Vertx vertx;
  private final Context ctx;
  private final WebClient web;
  private final Pool db;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Member> state = new LinkedHashMap<>();

  FleetDriver(Map<String, String> opts, String adminToken) {
    this.opts = opts;
    this.adminToken = adminToken;
    this.label = opts.getOrDefault("label", "fleet");
    this.vtn = required("vtn").replaceAll("/+$", "");
    if (!vtn.matches("https?://(127\\.0\\.0\\.1|localhost|\\[::1\\])(:[0-9]{1,5})?")) {
      throw new Failure("refusing --vtn '" + vtn + "': only http(s)://127.0.0.1|localhost[:port] is allowed");
    }
    this.vtnUri = URI.create(vtn);
    this.group = opts.getOrDefault("group", "bench-fanout");
    if (!group.matches("[A-Za-z0-9._-]{1,100}")) {
      throw new Failure("--group must be 1-100 characters of A-Z a-z 0-9 . _ -");
    }
    this.statePath = Path.of(required("state"));
    this.setupDeadline = System.nanoTime() + integer("setup-timeout-s", 1800, 10, 7200) * 1_000_000_000L;
    // One event loop: all of the driver's state lives on it, so it needs no locks.
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2));
    this.ctx = vertx.getOrCreateContext();
    boolean tls = "https".equals(vtnUri.getScheme());
    this.web = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setFollowRedirects(false)
        .setSsl(tls).setTrustAll(tls).setVerifyHost(false).setUserAgent("loadshift-bench"),
        new PoolOptions().setHttp1MaxSize(32));
    this.db = PgBuilder.pool().with(new io.vertx.sqlclient.PoolOptions().setMaxSize(4))
        .connectingTo(PgConnectOptions.fromUri(required("db"))).using(vertx).build();
    loadState();
  }

  void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    } catch (Exception e) {
      // leaving anyway
    }
  }

  private String required(String name) {
    String v = opts.get(name);
    if (v == null || v.isBlank()) {
      throw new Failure("--" + name + " is required");
    }
    return v;
  }

  private int integer(String name, int dflt, int min, int max) {
    String v = opts.get(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw new Failure("--" + name + " must be between " + min + " and " + max + ", got " + v);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new Failure("--" + name + " must be a number, got '" + v + "'");
    }
  }

  private void say(String s) {
    System.err.println("bench: " + label + ": " + s);
  }

  /** Runs work on the driver's event loop and waits for its result (from the main thread only). */
  private <T> T await(Supplier<Future<T>> work) {
    CompletableFuture<T> cf = new CompletableFuture<>();
    ctx.runOnContext(v -> {
      Future<T> f;
      try {
        f = work.get();
      } catch (Throwable t) {
        f = Future.failedFuture(t);
      }
      f.onComplete(ar -> {
        if (ar.succeeded()) {
          cf.complete(ar.result());
        } else {
          cf.completeExceptionally(ar.cause());
        }
      });
    });
    try {
      return cf.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure("interrupted");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof Failure f ? f : new Failure(c.getClass().getSimpleName() + ": " + c.getMessage());
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure("interrupted");
    }
  }

  // ---- HTTP and SQL helpers ----------------------------------------------------------------------

  record Resp(int status, Buffer body) {
    String snippet() {
      String s = body.toString(StandardCharsets.UTF_8);
      return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    JsonObject json() {
      return new JsonObject(body);
    }
  }

  private Future<Resp> call(HttpMethod method, String path, String token, Object json) {
    HttpRequest<Buffer> r = web.requestAbs(method, vtn + path).timeout(60_000);
    if (token != null) {
      r.bearerTokenAuthentication(token);
    }
    Future<HttpResponse<Buffer>> f = json == null ? r.send()
        : r.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(json.toString()));
    return f.map(resp -> new Resp(resp.statusCode(), resp.body() == null ? Buffer.buffer() : resp.body()));
  }

  /** The answer's JSON when it has the expected status, else a failure saying what came back. */
  private static Future<JsonObject> expect(Resp r, int status, String what) {
    if (r.status() != status) {
      return Future.failedFuture(new Failure(what + " answered HTTP " + r.status() + ", expected " + status + ": "
          + r.snippet()));
    }
    return Future.succeededFuture(r.json());
  }

  private RowSet<Row> sql(String sql, Object... args) {
    return await(() -> db.preparedQuery(sql).execute(Tuple.from(args)));
  }

  /**
   * Runs op(0..n-1) on the event loop, at most {@code parallel} at a time; fails on the first
   * failure or when the set-up deadline passes. Prints progress every 5 s.
   */
  private void each(int n, int parallel, String what, IntFunction<Future<?>> op) {
    if (n == 0) {
      return;
    }
    long start = System.nanoTime();
    await(() -> {
      Promise<Void> done = Promise.promise();
      int[] next = {0};
      int[] finished = {0};
      long[] reported = {start};
      Runnable[] launch = new Runnable[1];
      launch[0] = () -> {
        if (done.future().isComplete() || next[0] >= n) {
          return;
        }
        if (System.nanoTime() > setupDeadline) {
          done.tryFail(new Failure(what + ": set-up deadline passed after " + finished[0] + " of " + n
              + " (see --setup-timeout-s)"));
          return;
        }
        int i = next[0]++;
        Future<?> f;
        try {
          f = op.apply(i);
        } catch (Throwable t) {
          f = Future.failedFuture(t);
        }
        f.onComplete(ar -> {
          if (ar.failed()) {
            done.tryFail(ar.cause());
            return;
          }
          finished[0]++;
          long now = System.nanoTime();
          if (now - reported[0] >= PROGRESS_NS && finished[0] < n) {
            reported[0] = now;
            double rate = finished[0] / ((now - start) / 1e9);
            say(String.format(Locale.ROOT, "%s: %d/%d (%.0f/s, about %.0f s left)", what, finished[0], n, rate,
                (n - finished[0]) / rate));
          }
          if (finished[0] == n) {
            done.tryComplete();
          } else {
            launch[0].run();
          }
        });
      };
      for (int k = 0; k < Math.min(parallel, n); k++) {
        launch[0].run();
      }
      return done.future();
    });
    say(String.format(Locale.ROOT, "%s: %d done in %.1f s", what, n, (System.nanoTime() - start) / 1e9));
  }

  // ---- the VEN fleet and its state file ----------------------------------------------------------

  /** A bench VEN: its client (secret known only to us) and its latest token. */
  static final class Member {
    final String name;
    String clientId;
    String secret;
    String token;
    long expiresAt; // epoch seconds
    String issuer; // the VTN URL the token came from: tokens name their issuer, another URL refuses them
    String venId;

    Member(String name) {
      this.name = name;
    }
  }

  private void loadState() {
    if (!Files.exists(statePath)) {
      return;
    }
    try {
      for (String line : Files.readAllLines(statePath, StandardCharsets.UTF_8)) {
        String[] f = line.split("\t", -1);
        if (line.startsWith("#") || f.length < 5 || f.length > 6) {
          continue;
        }
        Member m = new Member(f[0]);
        m.clientId = f[1];
        m.secret = f[2];
        m.token = f[3].isEmpty() ? null : f[3];
        m.expiresAt = f[4].isEmpty() ? 0 : Long.parseLong(f[4]);
        m.issuer = f.length > 5 ? f[5] : "";
        state.put(m.name, m);
      }
    } catch (IOException | NumberFormatException e) {
      throw new Failure("cannot read the state file " + statePath + ": " + e.getMessage()
          + " (remove it: the VENs then get new clients)");
    }
  }

  /** Writes the state file atomically, readable by its owner only. */
  private void saveState() {
    try {
      Path dir = statePath.toAbsolutePath().getParent();
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      Path tmp = Files.createTempFile(dir, ".fleet", ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        w.write("# loadshift bench VEN clients: venName, clientId, clientSecret, token, token expiry (epoch s), "
            + "token's VTN. Written by bench/FleetDriver.java.\n");
        for (Member m : state.values()) {
          if (m.clientId == null || m.secret == null) {
            continue;
          }
          w.write(m.name + "\t" + m.clientId + "\t" + m.secret + "\t" + (m.token == null ? "" : m.token) + "\t"
              + (m.token == null ? "" : Long.toString(m.expiresAt)) + "\t" + (m.token == null ? "" : m.issuer) + "\n");
        }
      }
      Files.move(tmp, statePath, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new Failure("cannot write the state file " + statePath + ": " + e.getMessage());
    }
  }

  static String venName(int i) {
    return String.format(Locale.ROOT, "bench-ven-%05d", i);
  }

  private enum VenStep { NONE, POST, PUT }

  private record Plan(String name, boolean newClient, VenStep step, String venId) {}

  /**
   * Makes sure each named VEN exists, targeted at {@code targetGroup}, with a client whose secret
   * we hold; registers or repairs what is missing. Then fetches the tokens that are missing or
   * about to expire. Returns the members in the order of {@code names}.
   */
  private List<Member> ensureFleet(List<String> names, String targetGroup) {
    String[] nameArray = names.toArray(String[]::new);
    Map<String, String[]> vens = new HashMap<>(); // name -> {id, clientId}
    Map<String, Boolean> targeted = new HashMap<>();
    for (Row r : sql("SELECT id, ven_name, client_id, targets FROM vens WHERE ven_name = ANY($1)", (Object) nameArray)) {
      vens.put(r.getString(1), new String[] {r.getString(0), r.getString(2)});
      String[] t = r.getArrayOfStrings(3);
      targeted.put(r.getString(1), t != null && Arrays.asList(t).contains(targetGroup));
    }
    Set<String> clientIds = new HashSet<>();
    for (String n : names) {
      Member m = state.get(n);
      if (m != null) {
        clientIds.add(m.clientId);
      }
    }
    Set<String> usable = new HashSet<>();
    for (Row r : sql("SELECT client_id FROM clients WHERE client_id = ANY($1) AND enabled AND role = 'ven'",
        (Object) clientIds.toArray(String[]::new))) {
      usable.add(r.getString(0));
    }

    List<Plan> plans = new ArrayList<>();
    int ok = 0;
    for (String n : names) {
      Member m = state.get(n);
      String[] ven = vens.get(n);
      boolean known = m != null && usable.contains(m.clientId);
      if (ven != null) {
        if (known && m.clientId.equals(ven[1])) {
          m.venId = ven[0];
          if (targeted.get(n)) {
            ok++;
          } else {
            plans.add(new Plan(n, false, VenStep.PUT, ven[0]));
          }
        } else {
          plans.add(new Plan(n, true, VenStep.PUT, ven[0])); // a VEN whose client's secret we do not hold
        }
      } else {
        plans.add(new Plan(n, !known, VenStep.POST, null));
      }
    }
    if (!plans.isEmpty()) {
      long newClients = plans.stream().filter(Plan::newClient).count();
      say(String.format(Locale.ROOT, "%d of %d VENs ready; registering or repairing %d (%d new clients); "
          + "this is done once and kept in %s", ok, names.size(), plans.size(), newClients, statePath));
      int[] sinceSave = {0};
      each(plans.size(), 8, "registering VENs", k -> applyPlan(plans.get(k), targetGroup).onSuccess(v -> {
        if (++sinceSave[0] >= 1000) {
          sinceSave[0] = 0;
          saveState();
        }
      }));
      saveState();
    }

    List<Member> out = new ArrayList<>(names.size());
    List<Member> stale = new ArrayList<>();
    long soon = Instant.now().getEpochSecond() + TOKEN_MARGIN_S;
    for (String n : names) {
      Member m = state.get(n);
      out.add(m);
      if (m.token == null || m.expiresAt < soon || !vtn.equals(m.issuer)) {
        stale.add(m);
      }
    }
    if (!stale.isEmpty()) {
      say(stale.size() + " of " + names.size() + " VEN tokens missing or expiring; fetching them");
      each(stale.size(), 8, "fetching tokens", k -> fetchToken(stale.get(k)));
      saveState();
    }
    return out;
  }

  private Future<Void> applyPlan(Plan p, String targetGroup) {
    Future<String> client;
    if (p.newClient()) {
      client = call(HttpMethod.POST, "/admin/clients", adminToken, new JsonObject().put("role", "ven").put("name", p.name()))
          .compose(r -> expect(r, 201, "POST /admin/clients"))
          .map(j -> {
            Member m = new Member(p.name());
            m.clientId = j.getString("clientId");
            m.secret = j.getString("clientSecret");
            state.put(m.name, m);
            return m.clientId;
          });
    } else {
      client = Future.succeededFuture(state.get(p.name()).clientId);
    }
    return client.compose(cid -> {
      JsonObject body = new JsonObject().put("objectType", "BL_VEN_REQUEST").put("venName", p.name())
          .put("clientID", cid).put("targets", new JsonArray().add(targetGroup));
      Future<JsonObject> ven = p.step() == VenStep.POST
          ? call(HttpMethod.POST, BASE + "/vens", adminToken, body).compose(r -> expect(r, 201, "POST /vens " + p.name()))
          : call(HttpMethod.PUT, BASE + "/vens/" + p.venId(), adminToken, body)
              .compose(r -> expect(r, 200, "PUT /vens/" + p.venId() + " (" + p.name() + ")"));
      return ven.map(j -> {
        state.get(p.name()).venId = j.getString("id");
        return null;
      });
    });
  }

  private Future<Void> fetchToken(Member m) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials")
        .add("client_id", m.clientId).add("client_secret", m.secret);
    return web.postAbs(vtn + BASE + "/auth/token").timeout(60_000).sendForm(form).compose(resp -> {
      if (resp.statusCode() != 200) {
        return Future.failedFuture(new Failure("token for " + m.name + " (" + m.clientId + ") answered HTTP "
            + resp.statusCode() + ": " + resp.bodyAsString()));
      }
      JsonObject j = resp.bodyAsJsonObject();
      m.token = j.getString("access_token");
      m.expiresAt = Instant.now().getEpochSecond() + j.getLong("expires_in", 3600L);
      m.issuer = vtn;
      return Future.<Void>succeededFuture();
    });
  }

  // ---- programs and events -----------------------------------------------------------------------

  private String ensureProgram(String name) {
    for (Row r : sql("SELECT id FROM programs WHERE program_name = $1", name)) {
      return r.getString(0);
    }
    JsonObject j = await(() -> call(HttpMethod.POST, BASE + "/programs", adminToken, new JsonObject().put("programName", name))
        .compose(r -> expect(r, 201, "POST /programs " + name)));
    return j.getString("id");
  }

  /** An OpenADR 3.1 event: one hour from {@code start}, one interval asking for 5 MW. */
  static JsonObject event(String programId, String name, List<String> targets, Instant start) {
    return new JsonObject()
        .put("programID", programId)
        .put("eventName", name)
        .put("targets", new JsonArray(targets))
        .put("intervalPeriod", new JsonObject().put("start", start.truncatedTo(ChronoUnit.SECONDS).toString())
            .put("duration", "PT1H"))
        .put("intervals", new JsonArray().add(new JsonObject().put("id", 0).put("payloads", new JsonArray()
            .add(new JsonObject().put("type", "TARGET_REDUCTION_KW").put("values", new JsonArray().add(5000))))));
  }

  private Future<String> createEvent(JsonObject body) {
    return call(HttpMethod.POST, BASE + "/events", adminToken, body)
        .compose(r -> expect(r, 201, "POST /events")).map(j -> j.getString("id"));
  }

  /** Cancels the open (not cancelled) events of the given programs: leftovers of earlier runs. */
  private void cancelOpenEvents(String... programIds) {
    List<String> ids = new ArrayList<>();
    for (Row r : sql("SELECT id FROM events WHERE program_id = ANY($1) AND cancelled_at IS NULL",
        (Object) programIds)) {
      ids.add(r.getString(0));
    }
    if (!ids.isEmpty()) {
      say("cancelling " + ids.size() + " open events left by earlier runs");
      cancelEvents(ids);
    }
  }

  private void cancelEvents(List<String> ids) {
    each(ids.size(), 8, "cancelling events", k -> call(HttpMethod.DELETE, BASE + "/events/" + ids.get(k), adminToken, null)
        .compose(r -> expect(r, 200, "DELETE /events/" + ids.get(k))));
  }

  // ---- fanout ------------------------------------------------------------------------------------

  int fanout() {
    int n = integer("vens", 10_000, 1, 100_000);
    int connections = integer("connections", 128, 1, 2000);
    long intervalNs = integer("interval-ms", 100, 0, 60_000) * 1_000_000L;
    long warmupNs = integer("warmup-s", 10, 0, 300) * 1_000_000_000L;
    long timeoutNs = integer("timeout-s", 30, 1, 600) * 1_000_000_000L;

    List<String> names = new ArrayList<>(n);
    for (int i = 1; i <= n; i++) {
      names.add(venName(i));
    }
    List<Member> fleet = ensureFleet(names, group);
    String program = ensureProgram(FANOUT_PROGRAM);
    String webhookProgram = ensureProgram(WEBHOOK_PROGRAM);
    cancelOpenEvents(program, webhookProgram);

    Poller p = new Poller(fleet, connections, intervalNs);
    say(String.format(Locale.ROOT, "%d VENs polling GET %s/events?limit=50 over %d connections, each at most every %d ms; "
        + "warm-up until every VEN has read its events and at least %d s have passed", n, BASE, connections,
        intervalNs / 1_000_000, warmupNs / 1_000_000_000L));
    long warmStart = System.nanoTime();
    await(() -> {
      p.start();
      return Future.succeededFuture();
    });
    try {
      long hardStop = warmStart + warmupNs + 180_000_000_000L;
      long reported = warmStart;
      while (true) {
        int[] s = await(() -> Future.succeededFuture(new int[] {p.okCount, p.fullPages, p.staleNow()}));
        long now = System.nanoTime();
        if (s[1] > 0) {
          throw new Failure(s[1] + " VENs already see 50 events on their first page, so a new event would not be "
              + "on it; cancel old events targeting '" + group + "' (or untargeted ones)");
        }
        if (s[0] == n && now - warmStart >= warmupNs) {
          break;
        }
        if (now > hardStop) {
          throw new Failure("after the warm-up only " + s[0] + " of " + n + " VENs read their events successfully; "
              + p.problems());
        }
        if (now - reported >= PROGRESS_NS) {
          reported = now;
          say(String.format(Locale.ROOT, "warm-up: %d/%d VENs have read their events, %.0f polls/s", s[0], n,
              p.rateSince(warmStart)));
        }
        sleep(50);
      }
      String nonce = "bench-fanout-" + HexFormat.of().formatHex(random.generateSeed(6));
      JsonObject body = event(program, nonce, List.of(group), Instant.now().plus(1, ChronoUnit.HOURS));
      long cpu0 = processCpuNs();
      String eventId = await(() -> {
        p.arm(nonce);
        return createEvent(body).onSuccess(id -> p.created = System.nanoTime());
      });
      say("event " + eventId + " created for group '" + group + "'; waiting until all " + n + " VENs have seen it");
      while (true) {
        int[] s = await(() -> Future.succeededFuture(new int[] {p.seenCount}));
        if (s[0] == n || System.nanoTime() - p.created > timeoutNs) {
          break;
        }
        sleep(20);
      }
      long end = System.nanoTime();
      long cpu1 = processCpuNs();
      await(p::stop);
      saveState(); // tokens renewed while polling
      cancelEvents(List.of(eventId));

      long[] lat = new long[p.seenCount];
      int k = 0;
      long first = Long.MAX_VALUE;
      for (int i = 0; i < n; i++) {
        if (p.firstSeen[i] != 0) {
          long d = p.firstSeen[i] - p.created;
          first = Math.min(first, d);
          lat[k++] = Math.max(0, d);
        }
      }
      Arrays.sort(lat);
      double measured = (end - p.armedAt) / 1e9;
      double pollRate = p.armedPolls / measured;
      boolean all = p.seenCount == n;
      System.out.println(String.format(Locale.ROOT,
          "BENCH_ONCE vens=%d seen=%d status=%d seconds=%s p50=%.3f p99=%.3f first=%.3f polls_per_s=%.0f "
              + "interval_s=%.2f errors=%d connections=%d driver_cores=%.2f event=%s",
          n, p.seenCount, 201, all ? String.format(Locale.ROOT, "%.3f", lat[lat.length - 1] / 1e9) : "timeout",
          pct(lat, 50) / 1e9, pct(lat, 99) / 1e9, first == Long.MAX_VALUE ? -1 : first / 1e9, pollRate,
          n / Math.max(pollRate, 1e-9), p.armedErrors, connections, (cpu1 - cpu0) / 1e9 / measured, eventId));
      if (!all) {
        say("only " + p.seenCount + " of " + n + " VENs saw the event within " + timeoutNs / 1_000_000_000L + " s; "
            + p.problems());
      }
      if (p.errors > 0 || p.failures > 0) {
        say("polling problems: " + p.problems());
      }
      return 0;
    } finally {
      await(p::stop);
    }
  }

  static double dbl(Row r, int i) {
    return r.getValue(i) == null ? -1 : r.getDouble(i);
  }

  static long pct(long[] sorted, int p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  static long processCpuNs() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }

  /**
   * The VENs' polling loops, all on the driver's event loop. {@code connections} requests are in
   * flight at once; each takes the next VEN round-robin, waiting first if that VEN polled less
   * than an interval ago. A VEN answered 401 (its saved token was refused) gets a new token first.
   */
  final class Poller {
    final List<Member> fleet;
    final int n;
    final int lanes;
    final long intervalNs;
    final String[] auth;
    final long[] lastStart;
    final long[] firstSeen;
    final boolean[] ok;
    final boolean[] stale;
    final ArrayDeque<Integer> refresh = new ArrayDeque<>();
    final HttpClientAgent client;
    final String path = BASE + "/events?limit=50";
    int refreshing;
    int next;
    int active;
    boolean running;
    Promise<Void> stopped;
    int okCount;
    int fullPages;
    int seenCount;
    long polls;
    long errors;
    long failures;
    long armedPolls;
    long armedErrors; // error answers and failed requests once the event is on its way
    String lastProblem = "";
    Buffer nonce;
    long armedAt;
    long created;

    Poller(List<Member> fleet, int connections, long intervalNs) {
      this.fleet = fleet;
      this.n = fleet.size();
      this.lanes = connections;
      this.intervalNs = intervalNs;
      this.auth = new String[n];
      this.lastStart = new long[n];
      this.firstSeen = new long[n];
      this.ok = new boolean[n];
      this.stale = new boolean[n];
      for (int i = 0; i < n; i++) {
        auth[i] = "Bearer " + fleet.get(i).token;
      }
      boolean tls = "https".equals(vtnUri.getScheme());
      int port = vtnUri.getPort() > 0 ? vtnUri.getPort() : tls ? 443 : 80;
      this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setSsl(tls).setTrustAll(tls)
          .setVerifyHost(false).setDefaultHost(vtnUri.getHost()).setDefaultPort(port),
          new PoolOptions().setHttp1MaxSize(connections));
    }

    void start() {
      running = true;
      long t0 = System.nanoTime();
      for (int k = 0; k < lanes; k++) {
        active++;
        // Spread the first requests over a few ms, not one burst of `lanes` connects.
        vertx.setTimer(1 + k / 16, t -> lane());
      }
      startedAt = t0;
    }

    long startedAt;

    double rateSince(long since) {
      return polls / Math.max((System.nanoTime() - since) / 1e9, 1e-9);
    }

    int staleNow() {
      int s = 0;
      for (boolean b : stale) {
        s += b ? 1 : 0;
      }
      return s;
    }

    void arm(String value) {
      nonce = Buffer.buffer(value);
      armedAt = System.nanoTime();
      armedPolls = 0;
      armedErrors = 0;
    }

    Future<Void> stop() {
      running = false;
      if (stopped == null) {
        stopped = Promise.promise();
        if (active == 0) {
          stopped.complete();
        }
      }
      long timer = vertx.setTimer(10_000, t -> stopped.tryComplete());
      return stopped.future().onComplete(v -> {
        vertx.cancelTimer(timer);
        client.close();
      });
    }

    private void laneDone() {
      if (--active == 0 && stopped != null) {
        stopped.tryComplete();
      }
    }

    void lane() {
      if (!running) {
        laneDone();
        return;
      }
      int skipped = 0;
      int i = next;
      while (stale[i] && skipped < n) {
        i = (i + 1) % n;
        skipped++;
      }
      if (skipped >= n) {
        vertx.setTimer(100, t -> lane()); // every VEN waits for a token
        return;
      }
      next = (i + 1) % n;
      long wait = lastStart[i] == 0 ? 0 : lastStart[i] + intervalNs - System.nanoTime();
      int vi = i;
      if (wait > 500_000) {
        vertx.setTimer(Math.max(1, wait / 1_000_000), t -> fire(vi));
      } else {
        fire(vi);
      }
    }

    void fire(int i) {
      if (!running) {
        laneDone();
        return;
      }
      lastStart[i] = System.nanoTime();
      client.request(HttpMethod.GET, path)
          .compose(req -> req.putHeader(HttpHeaders.AUTHORIZATION, auth[i]).send())
          .compose(resp -> resp.body().map(b -> {
            answer(i, resp.statusCode(), b);
            return null;
          }))
          .onComplete(ar -> {
            if (ar.failed()) {
              failures++;
              if (nonce != null) {
                armedErrors++;
              }
              lastProblem = "GET /events failed: " + ar.cause();
            }
            lane();
          });
    }

    void answer(int i, int status, Buffer body) {
      long now = System.nanoTime();
      polls++;
      if (nonce != null) {
        armedPolls++;
      }
      if (status == 401) {
        stale[i] = true;
        refresh.add(i);
        refreshTokens();
        return;
      }
      if (status != 200) {
        errors++;
        if (nonce != null) {
          armedErrors++;
        }
        String s = body.toString(StandardCharsets.UTF_8);
        lastProblem = "GET /events answered HTTP " + status + ": " + (s.length() > 200 ? s.substring(0, 200) : s);
        return;
      }
      if (!ok[i]) {
        ok[i] = true;
        okCount++;
        if (new JsonArray(body).size() >= 50) {
          fullPages++;
        }
      }
      if (nonce != null && firstSeen[i] == 0 && contains(body, nonce)) {
        firstSeen[i] = now;
        seenCount++;
      }
    }

    void refreshTokens() {
      while (refreshing < 8 && !refresh.isEmpty()) {
        int i = refresh.poll();
        Member m = fleet.get(i);
        refreshing++;
        fetchToken(m).onComplete(ar -> {
          refreshing--;
          if (ar.succeeded()) {
            auth[i] = "Bearer " + m.token;
            stale[i] = false;
          } else {
            lastProblem = ar.cause().getMessage();
            failures++;
          }
          refreshTokens();
        });
      }
    }

    String problems() {
      return String.format(Locale.ROOT, "%d polls, %d error answers, %d failed requests, %d VENs waiting for a new token%s",
          polls, errors, failures, staleNow(), lastProblem.isEmpty() ? "" : "; last: " + lastProblem);
    }
  }

  static boolean contains(Buffer hay, Buffer needle) {
    int n = needle.length();
    byte first = needle.getByte(0);
    for (int i = 0, last = hay.length() - n; i <= last; i++) {
      if (hay.getByte(i) != first) {
        continue;
      }
      int k = 1;
      while (k < n && hay.getByte(i + k) == needle.getByte(k)) {
        k++;
      }
      if (k == n) {
        return true;
      }
    }
    return false;
  }

  // ---- reader (events-get) -----------------------------------------------------------------------

  int reader() {
    int wanted = integer("events", 1000, 1, 100_000);
    Member reader = ensureFleet(List.of(READER), READER_GROUP).get(0);
    if (reader.expiresAt - Instant.now().getEpochSecond() < TOKEN_MARGIN_S) {
      throw new Failure("the reader's token expires too soon");
    }
    String program = ensureProgram(EVENTS_PROGRAM);
    int have = sql("SELECT count(*) FROM events WHERE program_id = $1 AND cancelled_at IS NULL", program)
        .iterator().next().getInteger(0);
    if (have < wanted) {
      int missing = wanted - have;
      say(have + " events in program " + EVENTS_PROGRAM + "; creating " + missing + " (one in ten for the reader's group)");
      Instant start = Instant.now().plus(1, ChronoUnit.DAYS);
      each(missing, 8, "creating events", k -> {
        int idx = have + k;
        String target = idx % 10 == 0 ? READER_GROUP : "bench-other-" + idx % 50;
        return createEvent(event(program, "bench-events-get-" + idx, List.of(target),
            start.plus(idx, ChronoUnit.MINUTES)));
      });
    }
    Resp page = await(() -> call(HttpMethod.GET, BASE + "/events?limit=50", reader.token, null));
    if (page.status() == 401) {
      say("the reader's saved token was refused; fetching a new one");
      await(() -> fetchToken(reader));
      saveState();
      page = await(() -> call(HttpMethod.GET, BASE + "/events?limit=50", reader.token, null));
    }
    if (page.status() != 200) {
      throw new Failure("GET /events with the reader's token answered HTTP " + page.status() + ": " + page.snippet());
    }
    int total = sql("SELECT count(*) FROM events").iterator().next().getInteger(0);
    System.out.println(String.format(Locale.ROOT, "BENCH_ONCE events=%d program_events=%d page_events=%d page_bytes=%d",
        total, Math.max(have, wanted), new JsonArray(page.body()).size(), page.body().length()));
    System.out.println("BENCH_TOKEN " + reader.token);
    return 0;
  }

  // ---- webhooks ----------------------------------------------------------------------------------

  /**
   * The webhook receiver: answers echo checks and POSTs. With {@code failEvery} n > 0, every n-th
   * POST to each callback path is answered 503 (counted per path, so the retry that follows a 503
   * succeeds: a failure pattern tied to arrival order across paths could hit the same delivery on
   * every attempt, since the VTN retries a batch of deliveries in the same order each round).
   */
  final class Receiver {
    HttpServer server;
    int failEvery;
    final Map<String, Integer> perPath = new HashMap<>();
    long posts;
    long refused;
    long unauthorized;
    long echoes;

    Future<Integer> start() {
      return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
          .requestHandler(this::handle).listen().map(s -> {
            server = s;
            return s.actualPort();
          });
    }

    void handle(HttpServerRequest req) {
      if (!req.path().startsWith("/hook/")) {
        req.response().setStatusCode(404).end();
        return;
      }
      if (req.method() == HttpMethod.GET) {
        String echo = req.getParam("echo");
        echoes++;
        req.response().setStatusCode(echo == null ? 400 : 200).putHeader("Content-Type", "text/plain")
            .end(echo == null ? "" : echo);
        return;
      }
      if (req.method() != HttpMethod.POST) {
        req.response().setStatusCode(405).end();
        return;
      }
      req.body().onComplete(ar -> {
        if (!("Bearer " + RECEIVER_TOKEN).equals(req.getHeader(HttpHeaders.AUTHORIZATION))) {
          unauthorized++;
          req.response().setStatusCode(401).end();
          return;
        }
        posts++;
        int nth = perPath.merge(req.path(), 1, Integer::sum);
        if (failEvery > 0 && nth % failEvery == 0) {
          refused++;
          req.response().setStatusCode(503).end();
        } else {
          req.response().setStatusCode(200).end();
        }
      });
    }
  }

  int webhooks() {
    int subs = integer("subscriptions", 1000, 1, 10_000);
    int events = integer("events", 10, 1, 1000);
    long timeoutNs = integer("timeout-s", 120, 1, 1800) * 1_000_000_000L;
    List<Integer> phases = new ArrayList<>();
    for (String f : opts.getOrDefault("fail-every", "0,5").split(",")) {
      try {
        int v = Integer.parseInt(f.trim());
        if (v < 0 || v == 1) {
          throw new NumberFormatException();
        }
        phases.add(v);
      } catch (NumberFormatException e) {
        throw new Failure("--fail-every takes comma-separated numbers, 0 (never) or 2 and up, got '" + f + "'");
      }
    }

    List<String> names = new ArrayList<>(subs);
    for (int i = 1; i <= subs; i++) {
      names.add(venName(i));
    }
    List<Member> fleet = ensureFleet(names, group);
    String program = ensureProgram(WEBHOOK_PROGRAM);
    String fanoutProgram = ensureProgram(FANOUT_PROGRAM);
    deleteSubscriptions(staleSubscriptions());
    cancelOpenEvents(program, fanoutProgram);
    int others = sql("SELECT count(*) FROM webhook_deliveries WHERE status = 'PENDING'").iterator().next().getInteger(0);
    if (others > 0) {
      say("note: " + others + " deliveries of other subscriptions are pending; they share the VTN's sender");
    }

    Receiver receiver = new Receiver();
    int port = await(receiver::start);
    say("webhook receiver on http://127.0.0.1:" + port + "/hook/<n>; subscribing " + subs + " VENs to EVENT "
        + "operations of program " + WEBHOOK_PROGRAM);
    String[] subIds = new String[subs];
    List<String> created = new ArrayList<>();
    try {
      each(subs, 16, "creating subscriptions", k -> {
        JsonObject body = new JsonObject().put("clientName", SUBSCRIBER_NAME).put("programID", program)
            .put("objectOperations", new JsonArray().add(new JsonObject()
                .put("objects", new JsonArray().add("EVENT"))
                .put("operations", new JsonArray().add("CREATE").add("UPDATE").add("DELETE"))
                .put("callbackUrl", "http://127.0.0.1:" + port + "/hook/" + (k + 1))
                .put("bearerToken", RECEIVER_TOKEN)));
        return call(HttpMethod.POST, BASE + "/subscriptions", fleet.get(k).token, body)
            .compose(r -> expect(r, 201, "POST /subscriptions as " + fleet.get(k).name))
            .map(j -> subIds[k] = j.getString("id"));
      });
      int warmupEvents = integer("warmup-events", 2, 0, 100);
      if (warmupEvents > 0) {
        webhookPhase(receiver, 0, program, subIds, warmupEvents, timeoutNs, created, false);
      }
      for (Integer failEvery : phases) {
        webhookPhase(receiver, failEvery, program, subIds, events, timeoutNs, created, true);
      }
    } finally {
      List<String> ids = new ArrayList<>();
      for (String s : subIds) {
        if (s != null) {
          ids.add(s);
        }
      }
      try {
        deleteSubscriptions(ids);
        if (!created.isEmpty()) {
          cancelEvents(created);
        }
      } catch (Failure f) {
        say("clean-up failed (the next run retries it): " + f.getMessage());
      }
    }
    return 0;
  }

  private List<String> staleSubscriptions() {
    List<String> ids = new ArrayList<>();
    for (Row r : sql("SELECT id FROM subscriptions WHERE client_name = $1", SUBSCRIBER_NAME)) {
      ids.add(r.getString(0));
    }
    if (!ids.isEmpty()) {
      say("deleting " + ids.size() + " subscriptions left by an earlier run");
    }
    return ids;
  }

  private void deleteSubscriptions(List<String> ids) {
    each(ids.size(), 16, "deleting subscriptions", k -> call(HttpMethod.DELETE, BASE + "/subscriptions/" + ids.get(k),
        adminToken, null).compose(r -> r.status() == 404 ? Future.succeededFuture()
            : expect(r, 200, "DELETE /subscriptions/" + ids.get(k))));
  }

  private static final String PHASE_COUNTS = "SELECT count(*), count(*) FILTER (WHERE d.status = 'DELIVERED'), "
      + "count(*) FILTER (WHERE d.status = 'DEAD'), coalesce(sum(d.attempts), 0) FROM webhook_deliveries d "
      + "WHERE d.subscription_id = ANY($2) AND d.notification_id IN "
      + "(SELECT n.id FROM notifications n WHERE n.object_type = 'EVENT' AND n.object_id = ANY($1))";
  private static final String PHASE_TIMES = "WITH d AS (SELECT d.created_at, d.delivered_at FROM webhook_deliveries d "
      + "WHERE d.subscription_id = ANY($2) AND d.notification_id IN "
      + "(SELECT n.id FROM notifications n WHERE n.object_type = 'EVENT' AND n.object_id = ANY($1))), "
      + "e AS (SELECT min(created_at) AS first FROM events WHERE id = ANY($1)) "
      + "SELECT extract(epoch FROM (SELECT max(delivered_at) FROM d) - e.first)::float8, "
      + "extract(epoch FROM (SELECT max(created_at) FROM d) - e.first)::float8, "
      + "(SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM delivered_at - created_at)) FROM d)::float8, "
      + "(SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM delivered_at - created_at)) FROM d)::float8 "
      + "FROM e";

  /** Creates the events and waits for their deliveries; prints a BENCH_ONCE line when {@code recorded}. */
  private void webhookPhase(Receiver receiver, int failEvery, String program, String[] subIds, int events, long timeoutNs,
                            List<String> created, boolean recorded) {
    long expected = (long) subIds.length * events;
    await(() -> {
      receiver.failEvery = failEvery;
      receiver.posts = 0;
      receiver.refused = 0;
      receiver.unauthorized = 0;
      receiver.perPath.clear();
      return Future.succeededFuture();
    });
    say(String.format(Locale.ROOT, "%s: creating %d events -> %d deliveries", !recorded ? "warm-up (not recorded)"
        : failEvery == 0 ? "healthy receiver" : "receiver failing every " + failEvery + "th POST per path", events, expected));
    List<String> ids = new ArrayList<>();
    Instant start = Instant.now().plus(2, ChronoUnit.HOURS);
    long t0 = System.nanoTime();
    for (int k = 0; k < events; k++) {
      JsonObject body = event(program, "bench-webhook-" + k, List.of(group), start.plus(k, ChronoUnit.MINUTES));
      String id = await(() -> createEvent(body));
      ids.add(id);
      created.add(id);
    }
    String[] eventIds = ids.toArray(String[]::new);
    long[] counts = new long[4];
    long reported = System.nanoTime();
    while (true) {
      Row r = sql(PHASE_COUNTS, eventIds, subIds).iterator().next();
      for (int i = 0; i < 4; i++) {
        counts[i] = r.getLong(i);
      }
      long now = System.nanoTime();
      boolean settled = counts[0] == expected && counts[1] + counts[2] == expected;
      if (settled || now - t0 > timeoutNs) {
        break;
      }
      if (now - reported >= PROGRESS_NS) {
        reported = now;
        say(String.format(Locale.ROOT, "%d/%d delivered, %d dead, %d of %d created", counts[1], expected, counts[2],
            counts[0], expected));
      }
      sleep(50);
    }
    Row t = sql(PHASE_TIMES, eventIds, subIds).iterator().next();
    if (!recorded) {
      say(String.format(Locale.ROOT, "warm-up: %d of %d delivered in %.2f s", counts[1], expected, dbl(t, 0)));
      return;
    }
    long[] rc = await(() -> Future.succeededFuture(new long[] {receiver.posts, receiver.refused, receiver.unauthorized}));
    boolean settled = counts[0] == expected && counts[1] + counts[2] == expected;
    System.out.println(String.format(Locale.ROOT,
        "BENCH_ONCE fail_every=%d subscriptions=%d events=%d expected=%d deliveries=%d delivered=%d dead=%d "
            + "pending=%d attempts=%d retries=%d settled=%d seconds=%.3f last_created_s=%.3f p50=%.3f p99=%.3f "
            + "receiver_posts=%d receiver_503=%d receiver_401=%d",
        failEvery, subIds.length, events, expected, counts[0], counts[1], counts[2], counts[0] - counts[1] - counts[2],
        counts[3], counts[3] - counts[0], settled ? 1 : 0, dbl(t, 0), dbl(t, 1), dbl(t, 2), dbl(t, 3),
        rc[0], rc[1], rc[2]));
    if (!settled) {
      say(String.format(Locale.ROOT, "not settled after %d s: %d of %d delivered, %d dead, %d of %d rows created",
          timeoutNs / 1_000_000_000L, counts[1], expected, counts[2], counts[0], expected));
    } else if (counts[2] > 0) {
      say(counts[2] + " of " + expected + " deliveries went DEAD (out of attempts)");
    }
  }
}
