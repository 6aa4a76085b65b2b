package io.loadshift.vtn.sim;

import io.loadshift.vtn.VtnApp;
import io.loadshift.vtn.platform.config.Config;
import io.loadshift.vtn.platform.config.DbUri;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.stellar.sdk.KeyPair;

/**
 * The whole loop in one run, on the local defaults: a fresh database ({@code <db>_demo}), a VTN
 * with the local Stellar ledger, a utility, simulated sites that register themselves and their DERs
 * (even-numbered ones speak OpenADR 3.1, odd-numbered ones OpenADR 2.0b for events, opting and
 * meter reports), a short event (two 1-minute intervals, so the run takes minutes), a dispatch
 * plan published to the sites, the sites curtailing (or not, by their compliance) and reporting
 * their meters, verification against the hour before the event (METER_BEFORE_AFTER), and rewards
 * paid on the ledger; then a summary table.
 */
public final class Demo {
  static final String BASE = "/openadr3/3.1.0";

  public record Options(int sites, double compliance, long seed, String dbUri, PrintStream out) {}

  private final Options o;
  private final PrintStream out;
  private Vertx vertx;
  private WebClient http;

  public Demo(Options options) {
    this.o = options;
    this.out = options.out();
  }

  public int run() throws Exception {
    long t0 = System.nanoTime();
    DbUri base = DbUri.parse("VTN_DB_URI", o.dbUri());
    String demoDb = base.database() + "_demo";
    step("database " + demoDb + " (made afresh)");
    try (Connection c = DriverManager.getConnection(base.jdbcUrl(), base.user(), base.password());
         Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS \"" + demoDb + "\" WITH (FORCE)");
      s.execute("CREATE DATABASE \"" + demoDb + "\"");
    }
    String adminSecret = KeyPair.random().getAccountId().substring(1, 33);
    Map<String, String> env = new HashMap<>(System.getenv());
    env.keySet().removeIf(k -> k.startsWith("VTN_"));
    env.put("VTN_DB_URI", "postgresql://" + base.user() + ":" + base.password() + "@" + base.host() + ":" + base.port()
        + "/" + demoDb);
    env.put("VTN_HTTP_HOST", "127.0.0.1");
    env.put("VTN_HTTP_PORT", "0");
    env.put("VTN_ADMIN_CLIENT_ID", "demo-admin");
    env.put("VTN_ADMIN_CLIENT_SECRET", adminSecret);
    env.put("VTN_PASSWORD_HASH_ITERATIONS", "10000");
    env.put("VTN_STELLAR_HORIZON_URL", "local");
    env.put("VTN_STELLAR_LOCAL_PORT", "0");
    env.put("VTN_PAYOUT_WAIT_SECONDS", "2");
    env.put("VTN_LOG_LEVEL", "WARNING");
    VtnApp app = VtnApp.start(Config.from(env));
    vertx = Vertx.vertx();
    http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(app.port()),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(32));
    try {
      return loop(app, adminSecret, t0);
    } finally {
      http.close();
      vertx.close();
      app.stop().get(30, TimeUnit.SECONDS);
    }
  }

  private int loop(VtnApp app, String adminSecret, long t0) throws Exception {
    step("VTN on http://127.0.0.1:" + app.port());
    String admin = token("demo-admin", adminSecret);
    JsonObject ledger = get("/settlement/ledger", admin).bodyAsJsonObject();
    String horizon = ledger.getString("horizonUrl");
    String utility = client(admin, "utility", "Demo Grid Co");

    // Sites: their own VEN clients, Stellar accounts, VEN objects and DERs.
    step(o.sites() + " simulated sites register (mixed OpenADR 3.1 and 2.0b)");
    List<Site> sites = new ArrayList<>();
    List<Oadr3Ven> vens = new ArrayList<>();
    List<Oadr2bVen> vens2b = new ArrayList<>();
    Map<String, String> protocols = new HashMap<>();
    List<Future<?>> registered = new ArrayList<>();
    io.loadshift.vtn.payout.LedgerAccounts accounts = new io.loadshift.vtn.payout.LedgerAccounts(horizon,
        ledger.getString("networkPassphrase"));
    for (int i = 0; i < o.sites(); i++) {
      Site site = Site.of(i, o.seed(), o.compliance(), ZoneOffset.UTC);
      sites.add(site);
      JsonObject c = clientWithSecret(admin, "ven", site.name());
      Oadr3Ven ven = new Oadr3Ven(http, c.getString("clientId"), c.getString("clientSecret"));
      vens.add(ven);
      // Odd-numbered sites speak 2.0b; their VEN record and resources are made over 3.1 with the
      // same client token, as a 2.0b VEN has no resource API of its own.
      Oadr2bVen ven2b = i % 2 == 1 ? new Oadr2bVen(vertx, http, ven, site.name(), Site.METER) : null;
      vens2b.add(ven2b);
      protocols.put(site.name(), ven2b == null ? "3.1" : "2.0b");
      KeyPair wallet = KeyPair.random();
      accounts.fund(wallet.getAccountId());
      registered.add(ven.register(site.name(), new JsonArray().add(Site.attr("STELLAR_ACCOUNT", wallet.getAccountId())))
          .compose(id -> ven.addResource(Site.METER, site.meterAttributes()))
          .compose(x -> {
            Future<?> f = Future.succeededFuture();
            for (Site.Der d : site.ders()) {
              f = f.compose(y -> ven.addResource(d.name(), d.attributes(site.zone(), site.feeder())));
            }
            return f;
          })
          .compose(x -> ven2b == null ? Future.succeededFuture() : ven2b.register()));
    }
    await(Future.all(registered));
    accounts.close();
    // The utility puts the demo's sites in one group, and the event targets that group.
    String group = "demo-" + Instant.now().getEpochSecond();
    for (Oadr3Ven v : vens) {
      JsonObject ven = get(BASE + "/vens/" + v.venId(), utility).bodyAsJsonObject();
      ven.put("objectType", "BL_VEN_REQUEST").put("targets", new JsonArray().add(group));
      for (String k : List.of("id", "createdDateTime", "modificationDateTime")) {
        ven.remove(k);
      }
      expect(await(http.put(BASE + "/vens/" + v.venId()).bearerTokenAuthentication(utility).sendJsonObject(ven)), 200,
          "target VEN");
    }

    double flexible = sites.stream().flatMap(s -> s.ders().stream()).mapToDouble(Site.Der::capacityKw).sum();
    double target = Math.round(flexible * 0.5);
    // Soon enough to keep the run short, late enough to plan and publish first; on a minute, as
    // meter intervals are.
    Instant soonest = Instant.now().plusSeconds(20);
    Instant start = soonest.truncatedTo(ChronoUnit.MINUTES).plusSeconds(soonest.getEpochSecond() % 60 == 0 ? 0 : 60);
    int n = 2;
    Duration interval = Duration.ofMinutes(1);
    Instant end = start.plus(interval.multipliedBy(n));
    String program = expect(await(http.post(BASE + "/programs").bearerTokenAuthentication(utility).sendJsonObject(
        new JsonObject().put("programName", group).put("attributes", new JsonArray()
            .add(Site.attr("BASELINE_METHOD", "METER_BEFORE_AFTER")).add(Site.attr("REWARD_PER_KW", 0.5))
            .add(Site.attr("REWARD_ASSET", "native")).add(Site.attr("MIN_REDUCTION_KW", 0.1))))), 201, "program")
        .getString("id");
    JsonArray intervals = new JsonArray();
    for (int k = 0; k < n; k++) {
      intervals.add(new JsonObject().put("id", k).put("payloads", new JsonArray()
          .add(Site.attr("TARGET_REDUCTION_KW", target))));
    }
    String event = expect(await(http.post(BASE + "/events").bearerTokenAuthentication(utility).sendJsonObject(
        new JsonObject().put("programID", program).put("eventName", "peak").put("targets", new JsonArray().add(group))
            .put("intervalPeriod", new JsonObject().put("start", start.toString()).put("duration", interval.toString()))
            .put("intervals", intervals))), 201, "event").getString("id");
    step(String.format("event %s: %.0f kW less from %s, %d x %s", event, target, start, n, interval));

    JsonObject plan = expect(await(http.post("/optimization/events/" + event + "/plan").addQueryParam("accept", "true")
        .bearerTokenAuthentication(utility).send()), 201, "plan");
    step(String.format("dispatch plan (%s): %d resources, cost %s (lower bound %s), shortfall %.1f kW",
        plan.getString("solver"), plan.getInteger("dispatchedResources"), plan.getString("cost"),
        plan.getString("lowerBound"), plan.getDouble("shortfallKw")));

    // Each site reads its setpoints and curtails them if it complies.
    Map<String, double[]> curtail = new TreeMap<>();
    List<Future<?>> read = new ArrayList<>();
    for (int i = 0; i < sites.size(); i++) {
      Site site = sites.get(i);
      if (vens2b.get(i) != null) {
        read.add(vens2b.get(i).dispatch(n, site.complies()).map(kw -> {
          synchronized (curtail) {
            curtail.put(site.name(), kw);
          }
          return null;
        }));
        continue;
      }
      read.add(vens.get(i).events().map(events -> {
        double[] kw = new double[n];
        for (JsonObject e : events) {
          if (("dispatch:" + event).equals(e.getString("eventName")) && site.complies()) {
            JsonArray iv = e.getJsonArray("intervals");
            for (int k = 0; k < n && k < iv.size(); k++) {
              kw[k] = iv.getJsonObject(k).getJsonArray("payloads").getJsonObject(0).getJsonArray("values").getDouble(0);
            }
          }
        }
        synchronized (curtail) {
          curtail.put(site.name(), kw);
        }
        return null;
      }));
    }
    await(Future.all(read));
    long dispatched = curtail.values().stream().filter(k -> k[0] > 0).count();
    step(dispatched + " sites follow their setpoints (compliance " + o.compliance() + ")");

    long wait = Duration.between(Instant.now(), end.plusSeconds(2)).toMillis();
    step("waiting " + (wait / 1000) + " s for the event to end");
    Thread.sleep(Math.max(0, wait));

    // Meters: the hour before (the baseline) and the event's minutes, reported by each site.
    List<Future<?>> reports = new ArrayList<>();
    for (int i = 0; i < sites.size(); i++) {
      Site site = sites.get(i);
      Instant from = start.minus(Duration.ofHours(1));
      int minutes = 60 + n;
      double[] kwh = new double[minutes];
      double[] kw = curtail.get(site.name());
      for (int m = 0; m < minutes; m++) {
        Instant t = from.plus(Duration.ofMinutes(m));
        kwh[m] = Math.round(site.kwh(t, 1, m >= 60 ? kw[m - 60] : 0) * 10_000) / 10_000.0;
      }
      reports.add(vens2b.get(i) != null ? vens2b.get(i).reportUsage(from, interval, kwh)
          : vens.get(i).reportUsage(event, Site.METER, from, interval, kwh));
    }
    await(Future.all(reports));
    JsonObject verified = expect(await(http.post("/settlement/events/" + event + "/verify")
        .bearerTokenAuthentication(utility).send()), 200, "verify");
    step("verified: " + verified.encode());
    JsonObject paid = expect(await(http.post("/settlement/events/" + event + "/payouts")
        .bearerTokenAuthentication(utility).send()), 200, "payouts");
    step("payouts created: " + paid.getInteger("created") + ", " + paid.getString("createdAmount") + " XLM");
    JsonArray payouts = new JsonArray();
    for (int tries = 0; tries < 600; tries++) {
      payouts = get("/settlement/events/" + event + "/payouts?limit=1000", utility).bodyAsJsonArray();
      boolean settled = payouts.stream().map(p -> ((JsonObject) p).getString("status"))
          .allMatch(s -> s.equals("PAID") || s.equals("FAILED"));
      if (settled) {
        break;
      }
      Thread.sleep(100);
    }
    summary(get("/settlement/events/" + event + "/participations?limit=1000", utility).bodyAsJsonArray(), payouts,
        protocols, target, t0);
    return 0;
  }

  private void summary(JsonArray participations, JsonArray payouts, Map<String, String> protocols, double target,
                       long t0) {
    Map<String, JsonObject> byVen = new HashMap<>();
    payouts.forEach(p -> byVen.put(((JsonObject) p).getString("venName"), (JsonObject) p));
    out.println();
    out.printf("%-10s %-8s %-9s %12s %10s %13s %12s %-8s %s%n", "site", "protocol", "status", "baseline kW",
        "actual kW", "reduction kW", "reward XLM", "payout", "transaction");
    double achieved = 0;
    double rewards = 0;
    int paidCount = 0;
    Map<String, Integer> paidBy = new TreeMap<>();
    for (Object o1 : participations) {
      JsonObject p = (JsonObject) o1;
      JsonObject payout = byVen.get(p.getString("venName"));
      double reduction = p.getDouble("reductionKw") == null ? 0 : p.getDouble("reductionKw");
      if ("VERIFIED".equals(p.getString("status")) || "REWARDED".equals(p.getString("status"))) {
        achieved += reduction;
      }
      if (payout != null && "PAID".equals(payout.getString("status"))) {
        rewards += Double.parseDouble(payout.getString("amount"));
        paidCount++;
        paidBy.merge(protocols.getOrDefault(p.getString("venName"), "-"), 1, Integer::sum);
      }
      out.printf("%-10s %-8s %-9s %12s %10s %13s %12s %-8s %s%n", p.getString("venName"),
          protocols.getOrDefault(p.getString("venName"), "-"), p.getString("status"),
          fmt(p.getDouble("baselineKw")), fmt(p.getDouble("actualKw")), fmt(p.getDouble("reductionKw")),
          payout == null ? "-" : payout.getString("amount"), payout == null ? "-" : payout.getString("status"),
          payout == null || payout.getString("txHash") == null ? "" : payout.getString("txHash"));
    }
    out.println();
    out.printf("target %.1f kW, achieved (verified) %.1f kW (%.0f %%); %d sites paid %.7f XLM (by protocol %s); %.0f s in all%n",
        target, achieved, target == 0 ? 0 : 100 * achieved / target, paidCount, rewards, paidBy,
        (System.nanoTime() - t0) / 1e9);
  }

  private static String fmt(Double d) {
    return d == null ? "-" : String.format("%.2f", d);
  }

  private void step(String what) {
    out.println("demo: " + what);
  }

  private String token(String id, String secret) {
    return expect(await(http.post(BASE + "/auth/token").sendForm(MultiMap.caseInsensitiveMultiMap()
        .add("grant_type", "client_credentials").add("client_id", id).add("client_secret", secret))), 200, "token")
        .getString("access_token");
  }

  private JsonObject clientWithSecret(String admin, String role, String name) {
    return expect(await(http.post("/admin/clients").bearerTokenAuthentication(admin)
        .sendJsonObject(new JsonObject().put("role", role).put("name", name))), 201, "client " + name);
  }

  private String client(String admin, String role, String name) {
    JsonObject c = clientWithSecret(admin, role, name);
    return token(c.getString("clientId"), c.getString("clientSecret"));
  }

  private HttpResponse<Buffer> get(String uri, String token) {
    return await(http.get(uri).bearerTokenAuthentication(token).send());
  }

  private static JsonObject expect(HttpResponse<Buffer> r, int status, String what) {
    return Oadr3Ven.expect(r, status, what);
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
    } catch (Exception e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      throw c instanceof RuntimeException re ? re : new IllegalStateException(c);
    }
  }
}
