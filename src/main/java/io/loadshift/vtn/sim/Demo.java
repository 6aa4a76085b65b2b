package io.loadshift.vtn.sim;

import io.loadshift.vtn.VtnApp;
import io.loadshift.vtn.platform.config.Config;
import io.loadshift.vtn.platform.config.DbUri;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.stellar.sdk.KeyPair;

/**
 * The whole loop in one run, on the local defaults: a fresh database ({@code <db>_demo}), a VTN
 * with the local Stellar ledger, a utility and an aggregator, a fleet of simulated sites
 * ({@link Simulator}: every other one speaks OpenADR 2.0b, the rest 3.1; the aggregator registers
 * their VENs and DERs), three weeks of meter history for a CAISO 10-of-10 baseline, a short event
 * (two 1-minute intervals, so the run takes minutes), a dispatch plan published to the sites, the
 * sites opting, curtailing (or not, by their compliance) and reporting their meters, verification,
 * and rewards paid on the ledger; then a summary table.
 */
public final class Demo {
  static final String BASE = "/openadr3/3.1.0";

  public record Options(int sites, double compliance, long seed, String dbUri, boolean progress, PrintStream out) {}

  /** Days of meter history backfilled before the event: enough like days for CAISO 10-of-10 on a weekend too. */
  static final int HISTORY_DAYS = 22;

  private final Options o;
  private final PrintStream out;
  private Vertx vertx;
  private Simulator sim;
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
    // The 3.1 sites' webhook receiver is this process, on loopback over plain HTTP.
    env.put("VTN_WEBHOOK_HTTPS_ONLY", "false");
    env.put("VTN_WEBHOOK_ALLOW_PRIVATE", "true");
    VtnApp app = VtnApp.start(Config.from(env));
    vertx = Vertx.vertx();
    String group = "demo-" + Instant.now().getEpochSecond();
    sim = new Simulator(vertx, new Simulator.Options("http://127.0.0.1:" + app.port(), "site", o.sites(), 0.5,
        o.compliance(), o.seed(), Duration.ofSeconds(2), 60, group, 16, 32, null, o.progress(), out, true, "127.0.0.1"));
    // The demo's own calls (as admin, utility and aggregator) share the simulator's client.
    http = sim.http();
    try {
      return loop(app, group, adminSecret, t0);
    } finally {
      sim.close();
      vertx.close();
      app.stop().get(30, TimeUnit.SECONDS);
    }
  }

  private int loop(VtnApp app, String group, String adminSecret, long t0) throws Exception {
    step("VTN on http://127.0.0.1:" + app.port());
    String admin = token("demo-admin", adminSecret);
    JsonObject ledger = get("/settlement/ledger", admin).bodyAsJsonObject();
    String horizon = ledger.getString("horizonUrl");
    String passphrase = ledger.getString("networkPassphrase");
    String utility = client(admin, "utility", "Demo Grid Co");
    String aggregator = client(admin, "aggregator", "Demo Flex Aggregator");
    // Each site's Stellar account, funded on the local ledger, named in its VEN for its rewards.
    Map<String, String> wallets = new HashMap<>();
    try (io.loadshift.vtn.payout.LedgerAccounts accounts = new io.loadshift.vtn.payout.LedgerAccounts(horizon, passphrase)) {
      Progress bar = Progress.of(out, o.progress(), "funding site wallets", sim.sites().size());
      for (Site site : sim.sites()) {
        KeyPair wallet = KeyPair.random();
        accounts.fund(wallet.getAccountId());
        wallets.put(site.name(), wallet.getAccountId());
        bar.add(1);
      }
      bar.finish();
    }
    sim.venAttributes(site -> new JsonArray().add(Site.attr("STELLAR_ACCOUNT", wallets.get(site.name()))));
    step(o.sites() + " simulated sites (every other one OpenADR 2.0b, polling; the rest 3.1, subscribed to webhooks) get "
        + "VEN clients; the aggregator registers their VENs and DERs; they join group " + group);
    await(sim.provision(admin, aggregator));

    // Three weeks of 15-minute meter history, as the utility's meter data system would send it.
    Instant now = Instant.now();
    long history = await(sim.backfill(utility, now.minus(Duration.ofDays(HISTORY_DAYS)), now, 15));
    step(String.format("meter history: %,d readings (15-minute intervals, %d days)", history, HISTORY_DAYS));

    double flexible = sim.sites().stream().flatMap(s -> s.ders().stream()).mapToDouble(Site.Der::capacityKw).sum();
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
            .add(Site.attr("BASELINE_METHOD", "CAISO_10_OF_10")).add(Site.attr("REWARD_PER_KW", 0.5))
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
    step(String.format("event %s: %.0f kW less from %s, %d x %s (baseline CAISO 10-of-10)", event, target, start, n,
        interval));

    JsonObject plan = expect(await(http.post("/optimization/events/" + event + "/plan").addQueryParam("accept", "true")
        .bearerTokenAuthentication(utility).send()), 201, "plan");
    step(String.format("dispatch plan (%s): %d resources, cost %s (lower bound %s), shortfall %.1f kW",
        plan.getString("solver"), plan.getInteger("dispatchedResources"), plan.getString("cost"),
        plan.getString("lowerBound"), plan.getDouble("shortfallKw")));

    // The sites poll (every 2 s) or hear from their webhooks, opt in or out, follow their setpoints and report their meters once the event ends.
    long runFor = Math.max(1, Duration.between(Instant.now(), end).getSeconds() + 10);
    step("sites poll, respond and curtail; their meter reports follow the event's end (" + runFor + " s)");
    await(sim.start(runFor));
    long endS = end.getEpochSecond();
    long deadline = System.nanoTime() + (runFor + 90) * 1_000_000_000L;
    while (System.nanoTime() < deadline
        && (Instant.now().isBefore(end) || await(sim.reportedThrough(endS)) < o.sites())) {
      Thread.sleep(250);
    }
    Simulator.RunStats run = await(sim.stop());
    int reported = await(sim.reportedThrough(endS));
    step(String.format(java.util.Locale.ROOT, "%d of %d sites reported their meters; %d polls (p99 %.1f ms), %d webhook "
        + "notifications, %d oadrCreatedEvent answers, %d errors%s", reported, o.sites(), run.polls(), run.p99Ms(),
        await(sim.notifications()), run.opts(), run.errors(), run.lastError() == null ? "" : " (last: " + run.lastError() + ")"));

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
    Map<String, String> protocols = new HashMap<>();
    sim.sites().forEach(s -> protocols.put(s.name(), sim.protocol(s.name())));
    int aggregatorSees = get("/settlement/events/" + event + "/payouts?limit=1000", aggregator).bodyAsJsonArray().size();
    summary(get("/settlement/events/" + event + "/participations?limit=1000", utility).bodyAsJsonArray(), payouts,
        protocols, target, t0);
    out.printf("the aggregator sees %d payouts of its fleet%n", aggregatorSees);
    return reported == o.sites() && run.errors() == 0 ? 0 : 1;
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
    // Sites without a participation: they opted out (2.0b optOut), so verification left them out.
    java.util.Set<String> seen = new java.util.HashSet<>();
    participations.forEach(p -> seen.add(((JsonObject) p).getString("venName")));
    new TreeMap<>(protocols).forEach((site, protocol) -> {
      if (!seen.contains(site)) {
        out.printf("%-10s %-8s %-9s %12s %10s %13s %12s %-8s %s%n", site, protocol, "OPTED_OUT", "-", "-", "-", "-", "-", "");
      }
    });
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
    return await(sim.token(id, secret));
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
    return Simulator.await(f, 5);
  }
}
