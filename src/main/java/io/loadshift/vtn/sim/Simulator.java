package io.loadshift.vtn.sim;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * A fleet of simulated sites against a running VTN, all in one process on one event loop: each
 * site has its own VEN client (OAuth client made through the admin API, kept in a state file so
 * later runs reuse it), registers its VEN and DERs, joins a target group, and then polls on its
 * own schedule (3.1 {@code GET /events}, or 2.0b {@code oadrPoll}; 3.1 sites may instead
 * subscribe to event notifications at the simulator's own webhook receiver and read their events
 * when one arrives, polling only as a fallback), opts in or out by its
 * compliance (2.0b), sheds what its setpoints ask while an event runs, and reports its meter when
 * an event ends. It can backfill weeks of meter history ({@code POST /meterdata}, as a utility's
 * meter data system would) for the like-day baselines. Every call is asynchronous: thousands of
 * sites share a few connections.
 */
public final class Simulator {
  static final String BASE = "/openadr3/3.1.0";

  /**
   * @param share2b     share of sites that speak OpenADR 2.0b (the rest 3.1)
   * @param meterSeconds resolution of the meter reports sites send after an event
   * @param parallel    requests in flight while provisioning
   * @param state       where client credentials are kept between runs (null: not kept)
   */
  public record Options(String vtnUrl, String prefix, int sites, double share2b, double compliance, long seed,
                        Duration pollInterval, int meterSeconds, String group, int parallel, int connections,
                        Path state, boolean progress, PrintStream out, boolean subscribe, String callbackHost) {

    /** Polling only, no webhooks. */
    public Options(String vtnUrl, String prefix, int sites, double share2b, double compliance, long seed,
                   Duration pollInterval, int meterSeconds, String group, int parallel, int connections, Path state,
                   boolean progress, PrintStream out) {
      this(vtnUrl, prefix, sites, share2b, compliance, seed, pollInterval, meterSeconds, group, parallel, connections,
          state, progress, out, false, null);
    }
  }

  /** A subscribing site still polls, this many poll intervals apart, in case a notification is lost. */
  static final int SUBSCRIBER_POLL_FACTOR = 6;

  /** Counts of a polling run. */
  public record RunStats(long polls, long errors, long sends, double p50Ms, double p99Ms, double maxMs, double lateP99Ms,
                         long reports, long readings, long opts, double seconds, String lastError, List<Double> windowP99Ms) {}

  private final Options o;
  private final Vertx vertx;
  private final Context ctx;
  private final WebClient http;
  private final List<SimSite> sites = new ArrayList<>();
  private final LatencyLog latency = new LatencyLog();
  private final LatencyLog lateness = new LatencyLog();
  /** p99 poll latency of each poll interval of the run so far, to see when polls were slow. */
  private final List<Double> windowP99 = new ArrayList<>();
  private LatencyLog window = new LatencyLog();
  private Function<Site, JsonArray> venAttributes = s -> new JsonArray();
  private boolean running;
  private long polls;
  private long errors;
  private String lastError;
  private long runStartNs;
  private long sinceS;
  private Progress pollBar;
  private HttpServer callbacks;
  private String callbackBase;
  private long notifications;

  public Simulator(Vertx vertx, Options options) {
    this.o = options;
    this.vertx = vertx;
    this.ctx = vertx.getOrCreateContext();
    URI u = URI.create(options.vtnUrl());
    boolean tls = "https".equals(u.getScheme());
    this.http = WebClient.create(vertx, new WebClientOptions().setDefaultHost(u.getHost())
            .setDefaultPort(u.getPort() > 0 ? u.getPort() : tls ? 443 : 80).setSsl(tls).setTrustAll(false)
            .setKeepAlive(true).setTcpNoDelay(true).setConnectTimeout(10_000).setIdleTimeout(600),
        new PoolOptions().setHttp1MaxSize(options.connections()).setMaxWaitQueueSize(-1));
    for (int i = 0; i < options.sites(); i++) {
      Site site = Site.of(options.prefix(), i, options.seed(), options.compliance(), ZoneOffset.UTC);
      // Spread the protocols evenly: site i speaks 2.0b when the running share falls behind.
      boolean b = Math.floor((i + 1) * options.share2b()) > Math.floor(i * options.share2b());
      Oadr3Ven ven = new Oadr3Ven(http, null, null);
      sites.add(new SimSite(site, ven, b ? new Oadr2bVen(vertx, http, ven, site.name(), Site.METER) : null));
    }
  }

  /** Extra VEN attributes per site (a Stellar account for rewards, say); set before {@link #provision}. */
  public Simulator venAttributes(Function<Site, JsonArray> attributes) {
    this.venAttributes = attributes;
    return this;
  }

  public List<Site> sites() {
    return sites.stream().map(s -> s.site).toList();
  }

  public String protocol(String siteName) {
    return sites.stream().filter(s -> s.site.name().equals(siteName)).map(SimSite::protocol).findFirst().orElse("-");
  }

  public String venId(int i) {
    return sites.get(i).ven.venId();
  }

  /** The VTN's 3.1 client of this simulator (its host, its connections). */
  public WebClient http() {
    return http;
  }

  // ---- provisioning ---------------------------------------------------------------------------

  /**
   * Makes every site ready: its VEN client (from the state file, or made with the admin token),
   * a token, its VEN and resources (found when they exist), its place in the target group, and
   * for 2.0b sites registration and report registration.
   */
  public Future<Void> provision(String adminToken) {
    return provision(adminToken, null);
  }

  /**
   * As {@link #provision(String)}, with the VENs and their resources registered by
   * {@code registrar} (an aggregator's token: it then owns the fleet) instead of by each VEN.
   */
  public Future<Void> provision(String adminToken, String registrar) {
    return on(() -> {
      Map<String, String[]> saved = loadState();
      int known = 0;
      for (SimSite s : sites) {
        String[] c = saved.get(s.site.name());
        if (c != null) {
          s.clientId = c[0];
          s.secret = c[1];
          known++;
        }
      }
      say(String.format(Locale.ROOT, "%d sites (%d OpenADR 2.0b, %d 3.1); %d VEN clients from %s", sites.size(),
          sites.stream().filter(s -> s.ven2b != null).count(), sites.stream().filter(s -> s.ven2b == null).count(),
          known, o.state() == null ? "nowhere (no state file)" : o.state()));
      Progress bar = Progress.of(o.out(), o.progress(), "registering sites", sites.size());
      return listen().compose(l -> lanes(sites.size(), o.parallel(), i -> provision(sites.get(i), adminToken, registrar).onSuccess(x -> bar.add(1))))
          .eventually(() -> {
            bar.finish();
            return saveState();
          });
    });
  }

  private Future<Void> provision(SimSite s, String admin, String registrar) {
    return credentials(s, admin, false)
        .compose(x -> s.ven.register(s.site.name(), venAttributes.apply(s.site), registrar)
            .recover(e -> e instanceof Oadr3Ven.Refused r && r.status() == 409 ? repoint(s, admin) : Future.failedFuture(e)))
        .compose(venId -> s.ven.resources())
        .compose(have -> {
          s.resourceIds.putAll(have);
          Future<Void> f = Future.succeededFuture();
          if (!have.containsKey(Site.METER)) {
            f = f.compose(x -> s.ven.addResource(Site.METER, s.site.meterAttributes()).map(id -> {
              s.resourceIds.put(Site.METER, id);
              return null;
            }));
          }
          for (Site.Der d : s.site.ders()) {
            if (!have.containsKey(d.name())) {
              f = f.compose(x -> s.ven.addResource(d.name(), d.attributes(s.site.zone(), s.site.feeder())).map(id -> {
                s.resourceIds.put(d.name(), id);
                return null;
              }));
            }
          }
          return f;
        })
        .compose(x -> o.group() == null ? Future.succeededFuture() : joinGroup(s, admin))
        .compose(x -> s.ven2b == null ? Future.succeededFuture() : s.ven2b.register())
        .compose(x -> s.ven2b != null || !o.subscribe() ? Future.succeededFuture()
            : s.ven.subscribe(callbackBase + sites.indexOf(s), s.callbackToken).map(id -> {
              s.subscriptionId = id;
              return null;
            }));
  }

  /** The webhook receiver of the subscribing sites: the echo check, then each notification triggers a read. */
  private Future<Void> listen() {
    if (!o.subscribe() || callbacks != null) {
      return Future.succeededFuture();
    }
    callbacks = vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions().setTcpNoDelay(true));
    callbacks.requestHandler(req -> {
      String path = req.path();
      int i;
      try {
        i = path.startsWith("/notify/") ? Integer.parseInt(path.substring(8)) : -1;
      } catch (NumberFormatException e) {
        i = -1;
      }
      SimSite s = i >= 0 && i < sites.size() ? sites.get(i) : null;
      if (s == null) {
        req.response().setStatusCode(404).end();
        return;
      }
      String echo = req.getParam("echo");
      if (req.method() == io.vertx.core.http.HttpMethod.GET && echo != null) {
        req.response().putHeader("Content-Type", "text/plain").end(echo);
        return;
      }
      if (req.method() != io.vertx.core.http.HttpMethod.POST
          || !("Bearer " + s.callbackToken).equals(req.getHeader("Authorization"))) {
        req.response().setStatusCode(401).end();
        return;
      }
      req.body().onComplete(b -> {
        req.response().setStatusCode(200).end();
        notifications++;
        if (running) {
          cycle(s);
        }
      });
    });
    return callbacks.listen(0, o.callbackHost()).map(server -> {
      callbackBase = "http://" + o.callbackHost() + ":" + server.actualPort() + "/notify/";
      return null;
    });
  }

  /** A VEN client for the site: the saved one if the VTN still accepts it, else a new one. */
  private Future<Void> credentials(SimSite s, String admin, boolean fresh) {
    Future<Void> made = s.clientId != null && !fresh ? Future.succeededFuture()
        : http.post("/admin/clients").bearerTokenAuthentication(admin)
            .sendJsonObject(new JsonObject().put("role", "ven").put("name", s.site.name()))
            .map(r -> {
              JsonObject c = Oadr3Ven.expect(r, 201, "VEN client for " + s.site.name());
              s.clientId = c.getString("clientId");
              s.secret = c.getString("clientSecret");
              return null;
            });
    return made.compose(x -> {
      s.ven.credentials(s.clientId, s.secret);
      return s.ven.token().<Void>mapEmpty();
    }).recover(e -> {
      if (!fresh && e instanceof Oadr3Ven.Refused r && (r.status() == 400 || r.status() == 401)) {
        return credentials(s, admin, true); // the saved client is gone (another database): a new one
      }
      return Future.failedFuture(e);
    });
  }

  /**
   * The site's VEN exists but belongs to a client the simulator no longer has (its state file was
   * lost, or it was made by another run): the admin points the VEN at the site's current client.
   */
  private Future<String> repoint(SimSite s, String admin) {
    return http.get(BASE + "/vens").addQueryParam("venName", s.site.name()).bearerTokenAuthentication(admin).send()
        .compose(r -> {
          JsonArray found = Oadr3Ven.expectArray(r, "find VEN " + s.site.name());
          if (found.isEmpty()) {
            return Future.failedFuture(new IllegalStateException("VEN " + s.site.name() + " exists but cannot be found"));
          }
          JsonObject ven = found.getJsonObject(0);
          String id = ven.getString("id");
          for (String k : List.of("id", "createdDateTime", "modificationDateTime")) {
            ven.remove(k);
          }
          ven.put("objectType", "BL_VEN_REQUEST").put("clientID", s.ven.clientId());
          return http.put(BASE + "/vens/" + id).bearerTokenAuthentication(admin).sendJsonObject(ven).map(u -> {
            Oadr3Ven.expect(u, 200, "give VEN " + s.site.name() + " to its new client");
            s.ven.venId(id);
            return id;
          });
        });
  }

  private Future<Void> joinGroup(SimSite s, String admin) {
    return http.get(BASE + "/vens/" + s.ven.venId()).bearerTokenAuthentication(admin).send().compose(r -> {
      JsonObject ven = Oadr3Ven.expect(r, 200, "read VEN " + s.site.name());
      JsonArray targets = ven.getJsonArray("targets", new JsonArray());
      if (targets.contains(o.group())) {
        return Future.succeededFuture();
      }
      ven.put("objectType", "BL_VEN_REQUEST").put("targets", targets.copy().add(o.group()));
      for (String k : List.of("id", "createdDateTime", "modificationDateTime")) {
        ven.remove(k);
      }
      return http.put(BASE + "/vens/" + s.ven.venId()).bearerTokenAuthentication(admin).sendJsonObject(ven)
          .map(u -> {
            Oadr3Ven.expect(u, 200, "add " + s.site.name() + " to group " + o.group());
            return null;
          });
    });
  }

  // ---- history ----------------------------------------------------------------------------------

  /**
   * Backfills each site's meter from {@code from} to {@code until} in {@code minutes}-intervals
   * through {@code POST /meterdata} (the CSV a utility's meter data system sends), so the like-day
   * baselines have weeks of data. Returns the readings stored. Sites' later reports start where
   * the history ends.
   */
  public Future<Long> backfill(String token, Instant from, Instant until, int minutes) {
    return on(() -> {
      long step = minutes * 60L;
      long start = from.getEpochSecond() - Math.floorMod(from.getEpochSecond(), step);
      long end = until.getEpochSecond() - Math.floorMod(until.getEpochSecond(), step);
      int perSite = (int) Math.max(0, (end - start) / step);
      long total = (long) perSite * sites.size();
      Progress bar = Progress.of(o.out(), o.progress(), "backfilling history", total);
      // About 8 MB per request, several in flight: the VTN loads them one transaction each.
      int sitesPerChunk = Math.max(1, 150_000 / Math.max(1, perSite));
      int chunks = (sites.size() + sitesPerChunk - 1) / sitesPerChunk;
      long[] stored = new long[1];
      return lanes(chunks, 2, c -> {
        StringBuilder csv = new StringBuilder(64 * Math.min(sites.size(), sitesPerChunk) * perSite + 64);
        csv.append("venName,resourceName,intervalStart,intervalMinutes,kWh\n");
        int rows = 0;
        for (int i = c * sitesPerChunk; i < Math.min(sites.size(), (c + 1) * sitesPerChunk); i++) {
          Site site = sites.get(i).site;
          for (long t = start; t < end; t += step) {
            Instant at = Instant.ofEpochSecond(t);
            csv.append(site.name()).append(",meter,").append(at).append(',').append(minutes).append(',')
                .append(String.format(Locale.ROOT, "%.4f", site.kwh(at, minutes, 0))).append('\n');
            rows++;
          }
        }
        int sent = rows;
        return http.post("/meterdata").bearerTokenAuthentication(token).putHeader("Content-Type", "text/csv")
            .timeout(300_000).sendBuffer(Buffer.buffer(csv.toString().getBytes(StandardCharsets.UTF_8)))
            .map(r -> {
              JsonObject body = Oadr3Ven.expect(r, 200, "meter history");
              stored[0] += body.getLong("rows", 0L);
              bar.add(sent);
              return null;
            });
      }).map(x -> {
        bar.finish();
        for (SimSite s : sites) {
          s.reportedUntil = Math.max(s.reportedUntil, end);
        }
        return stored[0];
      });
    });
  }

  // ---- running ----------------------------------------------------------------------------------

  /**
   * Starts every site polling on its own schedule (spread evenly over one interval), acting on
   * what it gets and reporting its meter when events end. {@code barSeconds} > 0 shows a progress
   * bar over that many seconds.
   */
  public Future<Void> start(long barSeconds) {
    return on(() -> {
      running = true;
      runStartNs = System.nanoTime();
      sinceS = Instant.now().getEpochSecond();
      pollBar = barSeconds > 0 ? Progress.of(o.out(), o.progress(), "polling", barSeconds) : null;
      long interval = o.pollInterval().toNanos();
      for (int i = 0; i < sites.size(); i++) {
        long first = runStartNs + interval * i / sites.size();
        schedule(sites.get(i), first);
      }
      if (pollBar != null) {
        vertx.setPeriodic(1000, id -> {
          if (!running) {
            vertx.cancelTimer(id);
            return;
          }
          long s = (System.nanoTime() - runStartNs) / 1_000_000_000L;
          pollBar.set(s, String.format(Locale.ROOT, "%d polls, %d errors", polls, errors));
        });
      }
      return Future.succeededFuture();
    });
  }

  private void schedule(SimSite s, long dueNs) {
    long delayMs = Math.max(1, (dueNs - System.nanoTime()) / 1_000_000);
    long every = subscriber(s) ? o.pollInterval().toNanos() * SUBSCRIBER_POLL_FACTOR : o.pollInterval().toNanos();
    vertx.setTimer(delayMs, id -> {
      if (!running) {
        return;
      }
      lateness.add(Math.max(0, System.nanoTime() - dueNs));
      cycle(s).onComplete(x -> {
        long next = dueNs + every;
        // Fallen behind by more than an interval: skip ahead rather than poll in a burst.
        schedule(s, next < System.nanoTime() - every ? System.nanoTime() : next);
      });
    });
  }

  private boolean subscriber(SimSite s) {
    return o.subscribe() && s.ven2b == null;
  }

  /**
   * One poll of the site and what follows from it (reports of ended events); a cycle asked for
   * while one runs (a notification during a poll) runs right after it.
   */
  private Future<Void> cycle(SimSite s) {
    if (s.busy) {
      s.again = true;
      return Future.succeededFuture();
    }
    s.busy = true;
    long sent = System.nanoTime();
    return s.poll(Instant.now().getEpochSecond(), sinceS).transform(ar -> {
      if (ar.succeeded()) {
        polls++;
        // The poll's own round trip: a 2.0b answer that carries events is followed by the
        // VEN's oadrCreatedEvent, which is not part of it.
        long took = s.ven2b != null ? s.ven2b.lastPollNanos() : System.nanoTime() - sent;
        latency.add(took);
        // By the interval the poll ended in (only the current interval's histogram is kept).
        int w = (int) ((System.nanoTime() - runStartNs) / o.pollInterval().toNanos());
        while (windowP99.size() < w) {
          windowP99.add(window.percentileMs(0.99)); // NaN: no poll ended in that interval
          window = new LatencyLog();
        }
        window.add(took);
      } else {
        errors++;
        lastError = s.site.name() + ": " + ar.cause().getMessage();
      }
      return reportDue(s);
    }).eventually(() -> {
      s.busy = false;
      if (s.again && running) {
        s.again = false;
        cycle(s);
      }
      return Future.succeededFuture();
    });
  }

  /**
   * Reports the site's meter for every event that ended, one after the other in the order they
   * ended; after a failure the rest wait for the next cycle, so each report starts where the
   * previous accepted one ended.
   */
  private Future<Void> reportDue(SimSite s) {
    Future<Void> f = Future.succeededFuture();
    for (Call c : s.dueReports(Instant.now().getEpochSecond(), o.meterSeconds())) {
      f = f.compose(x -> s.report(c, o.meterSeconds()));
    }
    return f.recover(e -> {
      errors++;
      lastError = s.site.name() + " report: " + e.getMessage();
      return Future.succeededFuture();
    });
  }

  /** Stops polling (requests in flight finish) and removes the sites' webhook subscriptions. */
  public Future<RunStats> stop() {
    return on(() -> {
      running = false;
      if (pollBar != null) {
        pollBar.finish();
      }
      RunStats stats = stats();
      List<SimSite> subscribed = sites.stream().filter(s -> s.subscriptionId != null).toList();
      return lanes(subscribed.size(), o.parallel(), i -> {
        SimSite s = subscribed.get(i);
        return s.ven.unsubscribe(s.subscriptionId).onSuccess(x -> s.subscriptionId = null);
      }).transform(ar -> Future.succeededFuture(stats));
    });
  }

  public Future<RunStats> statsNow() {
    return on(() -> Future.succeededFuture(stats()));
  }

  private RunStats stats() {
    long reports = 0;
    long readings = 0;
    long opts = 0;
    for (SimSite s : sites) {
      reports += s.reports;
      readings += s.readings;
      opts += s.ven2b == null ? 0 : s.ven2b.opts();
    }
    return new RunStats(polls, errors, latency.size(), latency.percentileMs(0.5), latency.percentileMs(0.99),
        latency.maxMs(), lateness.percentileMs(0.99), reports, readings, opts,
        (System.nanoTime() - runStartNs) / 1e9, lastError,
        java.util.stream.Stream.concat(windowP99.stream(), java.util.stream.Stream.of(window.percentileMs(0.99))).toList());
  }

  /** How long after {@code createdNs} each site first saw the event (ms), for the sites that did. */
  public Future<LatencyLog> seen(String eventId, long createdNs) {
    return on(() -> {
      LatencyLog log = new LatencyLog();
      for (SimSite s : sites) {
        Long at = s.firstSeenNs.get(eventId);
        if (at != null) {
          log.add(Math.max(0, at - createdNs));
        }
      }
      return Future.succeededFuture(log);
    });
  }

  /** Sites whose meter data with the VTN reaches {@code epochSecond}. */
  public Future<Integer> reportedThrough(long epochSecond) {
    return on(() -> Future.succeededFuture((int) sites.stream().filter(s -> s.reportedUntil >= epochSecond).count()));
  }

  /** Per protocol: sites, polls answered... for the summary. */
  public Future<Map<String, int[]>> byProtocol() {
    return on(() -> {
      Map<String, int[]> out = new TreeMap<>();
      for (SimSite s : sites) {
        int[] c = out.computeIfAbsent(s.protocol(), k -> new int[3]);
        c[0]++;
        c[1] += s.reports;
        c[2] += s.site.complies() ? 1 : 0;
      }
      return Future.succeededFuture(out);
    });
  }

  public void close() {
    http.close();
    if (callbacks != null) {
      callbacks.close();
    }
  }

  /** Notifications the subscribing sites received. */
  public Future<Long> notifications() {
    return on(() -> Future.succeededFuture(notifications));
  }

  // ---- state file -------------------------------------------------------------------------------

  private Map<String, String[]> loadState() {
    Map<String, String[]> out = new HashMap<>();
    if (o.state() == null || !Files.exists(o.state())) {
      return out;
    }
    try {
      for (String line : Files.readAllLines(o.state(), StandardCharsets.UTF_8)) {
        String[] f = line.split("\t");
        if (!line.startsWith("#") && f.length == 3) {
          out.put(f[0], new String[] {f[1], f[2]});
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the state file " + o.state() + ": " + e.getMessage(), e);
    }
    return out;
  }

  /** Writes the sites' client credentials (mode 600, replaced atomically), merged with what the file had. */
  private Future<Void> saveState() {
    if (o.state() == null) {
      return Future.succeededFuture();
    }
    Map<String, String[]> all = new TreeMap<>(loadState());
    for (SimSite s : sites) {
      if (s.clientId != null) {
        all.put(s.site.name(), new String[] {s.clientId, s.secret});
      }
    }
    StringBuilder text = new StringBuilder("# loadshift simulator VEN clients: site, clientId, clientSecret (keep private)\n");
    all.forEach((name, c) -> text.append(name).append('\t').append(c[0]).append('\t').append(c[1]).append('\n'));
    return vertx.executeBlocking(() -> {
      Path dir = o.state().toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".sim-state", ".tmp");
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException notPosix) {
        // the file system has no POSIX modes; the directory's protection applies
      }
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, o.state(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return null;
    });
  }

  // ---- plumbing ---------------------------------------------------------------------------------

  /** Runs on the simulator's own context (one thread for every site's state). */
  private <T> Future<T> on(Supplier<Future<T>> work) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> {
      try {
        work.get().onComplete(p);
      } catch (RuntimeException e) {
        p.fail(e);
      }
    });
    return p.future();
  }

  /** Runs {@code count} tasks with at most {@code parallel} in flight; fails with the first failure. */
  private Future<Void> lanes(int count, int parallel, IntFunction<Future<?>> task) {
    Promise<Void> done = Promise.promise();
    int[] next = {0};
    int[] active = {0};
    Throwable[] failure = {null};
    Runnable[] pump = new Runnable[1];
    pump[0] = () -> {
      while (failure[0] == null && active[0] < parallel && next[0] < count) {
        int i = next[0]++;
        active[0]++;
        Future<?> f;
        try {
          f = task.apply(i);
        } catch (RuntimeException e) {
          f = Future.failedFuture(e);
        }
        f.onComplete(ar -> {
          active[0]--;
          if (ar.failed() && failure[0] == null) {
            failure[0] = ar.cause();
          }
          if (active[0] == 0 && (failure[0] != null || next[0] == count)) {
            // Done, or failed: fails only once nothing is in flight, so what ran is all recorded.
            if (failure[0] != null) {
              done.tryFail(failure[0]);
            } else {
              done.tryComplete();
            }
          } else {
            pump[0].run();
          }
        });
      }
      if (count == 0) {
        done.tryComplete();
      }
    };
    pump[0].run();
    return done.future();
  }

  private void say(String what) {
    o.out().println("simulate: " + what);
  }

  /** Waits for a future from a thread that may block (a command's main thread), up to {@code minutes}. */
  public static <T> T await(Future<T> f, long minutes) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(minutes, java.util.concurrent.TimeUnit.MINUTES);
    } catch (Exception e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      throw c instanceof RuntimeException re ? re : new IllegalStateException(c);
    }
  }

  /** A token for client credentials (admin or utility) from the VTN's token endpoint. */
  public Future<String> token(String clientId, String secret) {
    return http.post(BASE + "/auth/token").sendForm(MultiMap.caseInsensitiveMultiMap()
            .add("grant_type", "client_credentials").add("client_id", clientId).add("client_secret", secret))
        .map(r -> Oadr3Ven.expect(r, 200, "token for " + clientId).getString("access_token"));
  }
}
