package io.loadshift.vtn.telemetry;

import static io.loadshift.vtn.auth.Scopes.WRITE_REPORTS;
import static io.loadshift.vtn.auth.Scopes.WRITE_VENS;

import io.loadshift.vtn.audit.Actor;
import io.loadshift.vtn.auth.Authenticator;
import io.loadshift.vtn.auth.Principal;
import io.loadshift.vtn.auth.Role;
import io.loadshift.vtn.platform.http.JsonBodies;
import io.loadshift.vtn.platform.http.MediaTypes;
import io.loadshift.vtn.platform.http.Problem;
import io.loadshift.vtn.platform.http.Problems;
import io.loadshift.vtn.platform.http.RouteModule;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Meter data import, streamed: {@code POST /meterdata} (interval energy) and
 * {@code POST /meterdata/registers} (cumulative register readings), {@code text/csv}. Utilities
 * may load data for any VEN, aggregators for theirs. The file is read as it arrives, checked and
 * stored in batches inside one transaction: all rows are stored or none, and a refused file gets
 * the first problems with their line numbers.
 */
public final class MeterDataRoutes implements RouteModule {
  public static final String INTERVALS = "/meterdata";
  public static final String REGISTERS = "/meterdata/registers";
  static final String INTERVAL_HEADER = "venName,resourceName,intervalStart,intervalMinutes,kWh";
  static final String REGISTER_HEADER = "venName,resourceName,readAt,registerKwh";
  private static final int BATCH = 50_000;
  private static final int MAX_ERRORS = 20;
  private static final Set<String> LOAD_METERS = Set.of("LOAD", "EV_CHARGER", "HEAT_PUMP");
  private static final String RESOLVE = "SELECT v.ven_name, r.resource_name, r.id, r.der_type FROM resources r "
      + "JOIN vens v ON v.id = r.ven_id JOIN unnest($1::text[], $2::text[]) AS k(vn, rn) "
      + "ON v.ven_name = k.vn AND r.resource_name = k.rn WHERE ($3::text IS NULL OR v.registered_by = $3)";

  private final Authenticator auth;
  private final Pool pool;
  private final TelemetryService telemetry;
  private final long maxBytes;

  public MeterDataRoutes(Authenticator auth, Pool pool, TelemetryService telemetry, long maxBytes) {
    this.auth = auth;
    this.pool = pool;
    this.telemetry = telemetry;
    this.maxBytes = maxBytes;
  }

  @Override
  public Set<String> streamingPaths() {
    return Set.of(INTERVALS, REGISTERS);
  }

  @Override
  public void mount(Router router) {
    for (String path : List.of(INTERVALS, REGISTERS)) {
      router.post(path).handler(auth.bearer()).handler(Authenticator.anyScope(WRITE_VENS, WRITE_REPORTS))
          .handler(MediaTypes.exactly("text/csv")).handler(ctx -> importCsv(ctx, path.equals(REGISTERS)));
    }
  }

  private record Target(String resourceId, String derType) {}

  /** One import: its transaction, what is pending, what was found wrong. */
  private final class Import {
    final RoutingContext ctx;
    final boolean registers;
    final String owner;
    final Actor actor;
    final RecordParser parser;
    final List<String> pending = new ArrayList<>();
    final List<Integer> pendingLines = new ArrayList<>();
    int inFlight;
    final Map<String, Target> resolved = new HashMap<>();
    final Set<String> keys = new HashSet<>();
    final JsonArray errors = new JsonArray();
    final long now = Instant.now().getEpochSecond();
    SqlConnection conn;
    Transaction tx;
    int line;
    long bytes;
    boolean headerSeen;
    boolean done;
    TelemetryService.Outcome outcome = new TelemetryService.Outcome(0, 0, 0);
    int registerRows;
    Future<Void> chain = Future.succeededFuture();

    Import(RoutingContext ctx, boolean registers, Principal p) {
      this.ctx = ctx;
      this.registers = registers;
      this.owner = p.role() == Role.AGGREGATOR ? p.clientId() : null;
      this.actor = Authenticator.actor(ctx);
      this.parser = RecordParser.newDelimited("\n", ctx.request());
      // A line longer than this is not meter data; without a bound one endless line would fill the heap.
      this.parser.maxRecordSize(64 * 1024);
    }

    void error(int at, String detail) {
      if (errors.size() < MAX_ERRORS) {
        errors.add(new JsonObject().put("line", at).put("detail", detail));
      }
    }
  }

  private void importCsv(RoutingContext ctx, boolean registers) {
    Principal p = Authenticator.principal(ctx);
    if (p.role() == Role.VEN) {
      Problems.send(ctx, Problem.forbidden("Meter data is loaded by utilities and aggregators."));
      return;
    }
    Import im = new Import(ctx, registers, p);
    im.parser.pause();
    pool.getConnection().compose(c -> {
      im.conn = c;
      return c.begin();
    }).onSuccess(tx -> {
      im.tx = tx;
      im.parser.handler(raw -> onLine(im, raw));
      im.parser.exceptionHandler(e -> finish(im, e));
      im.parser.endHandler(v -> {
        enqueue(im);
        im.chain.onComplete(ar -> {
          if (!im.done) {
            im.done = true;
            finish(im, ar.failed() ? ar.cause() : null);
          }
        });
      });
      im.parser.resume();
    }).onFailure(e -> {
      if (im.conn != null) {
        im.conn.close();
      }
      ctx.fail(e);
    });
  }

  private void onLine(Import im, Buffer raw) {
    if (im.done) {
      return;
    }
    im.line++;
    im.bytes += raw.length() + 1;
    if (im.bytes > maxBytes) {
      im.done = true;
      abort(im, new Problem(413, "payload-too-large", "Payload too large",
          "Meter data files are limited to " + maxBytes + " bytes; split the file."));
      return;
    }
    String text = raw.toString(java.nio.charset.StandardCharsets.UTF_8);
    if (text.endsWith("\r")) {
      text = text.substring(0, text.length() - 1);
    }
    if (!im.headerSeen) {
      im.headerSeen = true;
      String expected = im.registers ? REGISTER_HEADER : INTERVAL_HEADER;
      if (!text.replace(" ", "").replace("\uFEFF", "").equals(expected)) {
        im.done = true;
        abort(im, new Problem(400, "invalid-meter-data", "Invalid meter data", "Line 1 must be the header '" + expected + "'.",
            new JsonObject().put("errors", new JsonArray().add(new JsonObject().put("line", 1)
                .put("detail", "expected the header " + expected)))));
      }
      return;
    }
    if (text.isBlank()) {
      return;
    }
    im.pending.add(text);
    im.pendingLines.add(im.line);
    if (im.pending.size() >= BATCH) {
      enqueue(im);
    }
  }

  /** Hands the pending lines to the batch chain; at most two batches are read ahead of the database. */
  private void enqueue(Import im) {
    if (im.pending.isEmpty()) {
      return;
    }
    List<String> rows = new ArrayList<>(im.pending);
    List<Integer> lines = new ArrayList<>(im.pendingLines);
    im.pending.clear();
    im.pendingLines.clear();
    im.inFlight++;
    if (im.inFlight >= 2) {
      im.parser.pause();
    }
    // Parsing, checking and sorting start now, while the previous batch may still be in the
    // database; only the statements that store are chained.
    Future<Prepared> prepared = im.ctx.vertx().executeBlocking(() -> parse(im.registers, rows, lines), false)
        .compose(p -> check(im, p));
    im.chain = im.chain.compose(v -> im.done ? Future.succeededFuture() : prepared.compose(p -> store(im, p))).andThen(ar -> {
      im.inFlight--;
      if (ar.failed() || im.errors.size() >= MAX_ERRORS) {
        if (!im.done) {
          im.done = true;
          finish(im, ar.failed() ? ar.cause() : null);
        }
      } else if (!im.done && im.inFlight < 2) {
        im.parser.resume();
      }
    });
  }

  /** A CSV line taken apart (on a worker): fields, or why it cannot be read. */
  private record Parsed(int line, String venName, String resourceName, long epoch, int minutes, double value, String problem) {}

  /** A checked batch: interval readings in column form, or register readings. */
  private record Prepared(TelemetryService.Batch readings, List<TelemetryService.Register> registers) {}

  /** Resolves names (a query only for names not seen before) and checks one parsed batch. */
  private Future<Prepared> check(Import im, List<Parsed> parsed) {
    Set<String> unknown = new HashSet<>();
    for (Parsed p : parsed) {
      if (p.problem() == null && !im.resolved.containsKey(p.venName() + '\u0000' + p.resourceName())) {
        unknown.add(p.venName() + '\u0000' + p.resourceName());
      }
    }
    Future<Void> resolve = Future.succeededFuture();
    if (!unknown.isEmpty()) {
      String[] vens = unknown.stream().map(k -> k.substring(0, k.indexOf('\u0000'))).toArray(String[]::new);
      String[] names = unknown.stream().map(k -> k.substring(k.indexOf('\u0000') + 1)).toArray(String[]::new);
      resolve = im.conn.preparedQuery(RESOLVE).execute(Tuple.of(vens, names, im.owner)).map(result -> {
        result.forEach(r -> im.resolved.put(r.getString(0) + '\u0000' + r.getString(1),
            new Target(r.getString(2), r.getString(3))));
        unknown.forEach(k -> im.resolved.putIfAbsent(k, null));
        return null;
      });
    }
    return resolve.compose(v -> {
      List<Reading> readings = new ArrayList<>();
      List<TelemetryService.Register> registers = new ArrayList<>();
      for (Parsed p : parsed) {
        String problem = p.problem() != null ? p.problem()
            : im.registers ? checkRegister(im, p, registers) : checkInterval(im, p, readings);
        if (problem != null) {
          im.error(p.line(), problem);
        }
      }
      if (im.registers || !im.errors.isEmpty()) {
        return Future.succeededFuture(new Prepared(null, registers));
      }
      return im.ctx.vertx().executeBlocking(() -> new Prepared(TelemetryService.prepare(readings), registers), false);
    });
  }

  /** Stores a checked batch, unless the file has errors by now. */
  private Future<Void> store(Import im, Prepared p) {
    if (!im.errors.isEmpty()) {
      return Future.succeededFuture();
    }
    if (im.registers) {
      return telemetry.storeRegisters(im.conn, im.actor, "csv", p.registers()).map(n -> {
        im.registerRows += p.registers().size();
        return null;
      });
    }
    return telemetry.store(im.conn, im.actor, "csv", p.readings()).map(o -> {
      im.outcome = im.outcome.plus(o);
      return null;
    });
  }

  static List<Parsed> parse(boolean registers, List<String> rows, List<Integer> lines) {
    List<Parsed> out = new ArrayList<>(rows.size());
    int expected = registers ? 4 : 5;
    for (int i = 0; i < rows.size(); i++) {
      int line = lines.get(i);
      String[] f = rows.get(i).split(",", -1);
      if (f.length != expected) {
        out.add(new Parsed(line, null, null, 0, 0, 0, "expected " + expected + " comma-separated fields, found " + f.length));
        continue;
      }
      String ven = f[0].trim();
      String res = f[1].trim();
      long epoch;
      try {
        epoch = Times.epochSecond(f[2].trim());
      } catch (DateTimeParseException e) {
        out.add(new Parsed(line, ven, res, 0, 0, 0, (registers ? "readAt '" : "intervalStart '") + f[2].trim()
            + "' is not an RFC 3339 date-time with whole seconds"));
        continue;
      }
      int minutes = 0;
      if (!registers) {
        try {
          minutes = Integer.parseInt(f[3].trim());
        } catch (NumberFormatException e) {
          out.add(new Parsed(line, ven, res, epoch, 0, 0, "intervalMinutes '" + f[3].trim() + "' is not a whole number"));
          continue;
        }
      }
      String number = f[expected - 1].trim();
      double value;
      try {
        value = Double.parseDouble(number);
      } catch (NumberFormatException e) {
        out.add(new Parsed(line, ven, res, epoch, minutes, 0, (registers ? "registerKwh '" : "kWh '") + number
            + "' is not a number"));
        continue;
      }
      out.add(new Parsed(line, ven, res, epoch, minutes, value, null));
    }
    return out;
  }

  private static String checkInterval(Import im, Parsed p, List<Reading> out) {
    Target t = im.resolved.get(p.venName() + '\u0000' + p.resourceName());
    if (t == null) {
      return "no resource '" + p.resourceName() + "' of VEN '" + p.venName() + "'";
    }
    int minutes = p.minutes();
    if (minutes < 1 || minutes > 1440 || 1440 % minutes != 0) {
      return "intervalMinutes must divide a day (1, 5, 15, 30, 60, ...), not " + minutes;
    }
    double kwh = p.value();
    if (!Double.isFinite(kwh) || Math.abs(kwh) > 1e9) {
      return "kWh must be a plausible number (at most 1e9 per interval)";
    }
    Instant start = Instant.ofEpochSecond(p.epoch());
    if (p.epoch() % (minutes * 60L) != 0) {
      return "intervalStart " + start + " is not aligned to its " + minutes + "-minute interval";
    }
    if (p.epoch() + minutes * 60L > im.now + 60) {
      return "the interval starting " + start + " has not ended yet (timestamps in the future)";
    }
    if (kwh < 0 && (t.derType() == null || LOAD_METERS.contains(t.derType()))) {
      return "negative energy (" + kwh + " kWh) on a load meter";
    }
    if (!im.keys.add(t.resourceId() + '\u0000' + p.epoch())) {
      return "a second value for the interval starting " + start + " of this resource";
    }
    out.add(new Reading(t.resourceId(), Reading.USAGE, start, minutes * 60, kwh));
    return null;
  }

  private static String checkRegister(Import im, Parsed p, List<TelemetryService.Register> out) {
    Target t = im.resolved.get(p.venName() + '\u0000' + p.resourceName());
    if (t == null) {
      return "no resource '" + p.resourceName() + "' of VEN '" + p.venName() + "'";
    }
    if (!Double.isFinite(p.value()) || p.value() < 0 || p.value() > 1e12) {
      return "registerKwh must be a number from 0 to 1e12";
    }
    Instant at = Instant.ofEpochSecond(p.epoch());
    if (p.epoch() > im.now + 60) {
      return "readAt " + at + " is in the future";
    }
    if (!im.keys.add(t.resourceId() + '\u0000' + p.epoch())) {
      return "a second reading at " + at + " of this resource";
    }
    out.add(new TelemetryService.Register(t.resourceId(), at, p.value()));
    return null;
  }

  private void finish(Import im, Throwable failure) {
    if (im.tx == null) {
      return;
    }
    Transaction tx = im.tx;
    im.tx = null;
    if (failure != null || !im.errors.isEmpty() || im.line <= 1) {
      tx.rollback().eventually(() -> im.conn.close());
      if (failure != null) {
        im.ctx.fail(failure);
      } else if (im.line <= 1) {
        Problems.send(im.ctx, new Problem(400, "invalid-meter-data", "Invalid meter data", "The file is empty.",
            new JsonObject().put("errors", new JsonArray())));
      } else {
        im.ctx.response().putHeader("Connection", "close");
        Problems.send(im.ctx, new Problem(422, "invalid-meter-data", "Invalid meter data",
            "Nothing was stored; first problems by line: " + im.errors.getJsonObject(0).getInteger("line") + ": "
                + im.errors.getJsonObject(0).getString("detail") + (im.errors.size() > 1 ? " (and more)" : "") + ".",
            new JsonObject().put("errors", im.errors)));
      }
      return;
    }
    tx.commit().eventually(() -> im.conn.close()).onComplete(ar -> {
      if (ar.failed()) {
        im.ctx.fail(ar.cause());
      } else {
        JsonObject body = im.registers ? new JsonObject().put("rows", im.registerRows)
            : im.outcome.toJson().put("rows", im.outcome.inserted() + im.outcome.revised() + im.outcome.unchanged());
        JsonBodies.send(im.ctx, 200, body);
      }
    });
  }

  private void abort(Import im, Problem p) {
    Transaction tx = im.tx;
    im.tx = null;
    if (tx != null) {
      tx.rollback().eventually(() -> im.conn.close());
    }
    im.ctx.response().putHeader("Connection", "close");
    Problems.send(im.ctx, p);
  }
}
