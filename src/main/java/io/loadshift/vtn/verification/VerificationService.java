package io.loadshift.vtn.verification;

import io.loadshift.vtn.audit.Actor;
import io.loadshift.vtn.audit.AuditEntry;
import io.loadshift.vtn.audit.AuditService;
import io.loadshift.vtn.event.Event;
import io.loadshift.vtn.event.EventService;
import io.loadshift.vtn.platform.http.Problem;
import io.loadshift.vtn.program.Program;
import io.loadshift.vtn.program.ProgramService;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Measurement and verification: for every VEN taking part in an event (targeted, not opted out),
 * the baseline the program's method gives from metered history, the actual load, the reduction,
 * and a decision, VERIFIED or REJECTED with reason codes; each decision carries a SHA-256 digest
 * of exactly the inputs it rests on. Readings are streamed from PostgreSQL, summed per VEN and
 * interval there, and only for the hours the methods look at.
 */
public final class VerificationService {
  public static final String INSUFFICIENT_REDUCTION = "InsufficientReduction";
  public static final String INVALID_METER_READING = "InvalidMeterReading";
  private static final String PARTICIPANTS = "WITH e AS (SELECT targets FROM events WHERE id = $1) "
      // The zone of the VEN's first resource (by name) that has one; ordered by name so the
      // (ven_id, resource_name) index serves it (min(zone) makes the planner walk the zone index).
      + "SELECT v.id, v.ven_name, (SELECT r.zone FROM resources r WHERE r.ven_id = v.id AND r.zone IS NOT NULL "
      + "ORDER BY r.resource_name LIMIT 1) FROM vens v, e WHERE (e.targets = '{}' OR v.targets && e.targets "
      + "OR EXISTS (SELECT 1 FROM resources r WHERE r.ven_id = v.id AND r.targets && e.targets)) "
      + "AND NOT EXISTS (SELECT 1 FROM event_opts o WHERE o.event_id = $1 AND o.ven_id = v.id AND o.opt = 'optOut') "
      + "AND NOT EXISTS (SELECT 1 FROM participations p WHERE p.event_id = $1 AND p.ven_id = v.id AND p.status = 'REWARDED') "
      + "ORDER BY v.id";
  private static final String EVENT_DAYS = "SELECT DISTINCT (starts_at AT TIME ZONE $3)::date FROM events "
      + "WHERE cancelled_at IS NULL AND starts_at >= $1 AND starts_at < $2 AND id <> $4";
  /**
   * USAGE of the participants' meters in the needed windows, VEN after VEN. Each (meter, window)
   * is one range probe of the readings key (OFFSET 0 keeps the planner from flattening the probe
   * into a scan of every reading of the meter); several meters of a VEN are summed in Java.
   */
  private static final String READINGS = "SELECT r.ven_id, extract(epoch FROM x.interval_start)::bigint, x.value, "
      + "x.duration_s FROM resources r CROSS JOIN unnest($2::timestamptz[], $3::timestamptz[]) AS w(f, t) "
      + "CROSS JOIN LATERAL (SELECT rd.interval_start, rd.value, rd.duration_s FROM readings rd WHERE rd.resource_id = r.id "
      + "AND rd.quantity = 'USAGE' AND rd.interval_start > w.f - interval '1 hour' AND rd.interval_start < w.t "
      + "AND rd.interval_start + rd.duration_s * interval '1 second' > w.f OFFSET 0) x "
      + "WHERE r.ven_id = ANY ($1) ORDER BY r.ven_id";
  private static final String REGISTERS = "SELECT r.ven_id, r.id, rr.read_at, rr.kwh FROM register_readings rr "
      + "JOIN resources r ON r.id = rr.resource_id WHERE r.ven_id = ANY ($1) AND "
      + "((rr.read_at >= $2 AND rr.read_at <= $3) OR (rr.read_at >= $4 AND rr.read_at <= $5))";
  private static final String EXTERNAL = "SELECT ven_id, baseline_kw, actual_kw, meter_start_kwh, meter_end_kwh "
      + "FROM external_baselines WHERE event_id = $1";
  private static final String UPSERT = "INSERT INTO participations (event_id, ven_id, ven_name, status, baseline_method, "
      + "baseline_kw, actual_kw, reduction_kw, reduction_kwh, meter_start_kwh, meter_end_kwh, completeness, reasons, "
      + "evidence_digest, evidence, zone, verified_at) SELECT $1, v, n, s, $2, b::numeric, a::numeric, r::numeric, "
      + "k::numeric, ms::float8, me::float8, c::float8, string_to_array(rs, ','), d, ev::jsonb, z, now() "
      + "FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], "
      + "$11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[]) "
      + "AS u(v, n, s, b, a, r, k, ms, me, c, rs, d, ev, z) "
      + "ON CONFLICT (event_id, ven_id) DO UPDATE SET status = EXCLUDED.status, baseline_method = EXCLUDED.baseline_method, "
      + "baseline_kw = EXCLUDED.baseline_kw, actual_kw = EXCLUDED.actual_kw, reduction_kw = EXCLUDED.reduction_kw, "
      + "reduction_kwh = EXCLUDED.reduction_kwh, meter_start_kwh = EXCLUDED.meter_start_kwh, "
      + "meter_end_kwh = EXCLUDED.meter_end_kwh, completeness = EXCLUDED.completeness, reasons = EXCLUDED.reasons, "
      + "evidence_digest = EXCLUDED.evidence_digest, evidence = EXCLUDED.evidence, zone = EXCLUDED.zone, "
      + "verified_at = EXCLUDED.verified_at WHERE participations.status <> 'REWARDED' "
      // Once a payout is owed on a decision, the decision and its evidence stay as they were paid.
      + "AND NOT EXISTS (SELECT 1 FROM payouts x WHERE x.event_id = participations.event_id "
      + "AND x.ven_id = participations.ven_id)";
  private static final String ACHIEVED = "UPDATE events SET achieved_reduction_kw = (SELECT coalesce(sum(reduction_kw), 0) "
      + "FROM participations WHERE event_id = $1 AND status IN ('VERIFIED', 'REWARDED')) WHERE id = $1";
  private static final String LIST = "SELECT event_id, ven_id, ven_name, status, baseline_method, baseline_kw, actual_kw, "
      + "reduction_kw, reduction_kwh, meter_start_kwh, meter_end_kwh, completeness, reasons, reward, evidence_digest, "
      + "evidence, zone, verified_at FROM participations p WHERE ($1::text IS NULL OR event_id = $1) "
      + "AND ($2::text IS NULL OR ven_name = $2) AND ($3::text IS NULL OR status = $3) "
      + "AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM vens v WHERE v.id = p.ven_id AND v.client_id = $4)) "
      + "AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM vens v WHERE v.id = p.ven_id AND v.registered_by = $5)) "
      + "ORDER BY event_id, ven_name OFFSET $6 LIMIT $7";
  private static final String SUBMIT = "INSERT INTO external_baselines (event_id, ven_id, baseline_kw, actual_kw, "
      + "meter_start_kwh, meter_end_kwh, submitted_by) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id, ven_id) "
      + "DO UPDATE SET baseline_kw = EXCLUDED.baseline_kw, actual_kw = EXCLUDED.actual_kw, "
      + "meter_start_kwh = EXCLUDED.meter_start_kwh, meter_end_kwh = EXCLUDED.meter_end_kwh, "
      + "submitted_by = EXCLUDED.submitted_by, submitted_at = now()";

  /** Settings of verification. */
  public record Settings(ZoneId zone, int lookbackDays, double adjustmentCap, double inflationThreshold,
                         double completenessThreshold, Set<LocalDate> holidays, double meterTolerance) {
    Baselines.Params params() {
      return new Baselines.Params(zone, lookbackDays, adjustmentCap, inflationThreshold, completenessThreshold, holidays);
    }
  }

  private final Pool pool;
  private final EventService events;
  private final ProgramService programs;
  private final AuditService audit;
  private final Settings settings;

  public VerificationService(Pool pool, EventService events, ProgramService programs, AuditService audit, Settings settings) {
    this.pool = pool;
    this.events = events;
    this.programs = programs;
    this.audit = audit;
    this.settings = settings;
  }

  private record Participant(String venId, String venName, String zone) {}

  /** One VEN's figures before they are stored. */
  private record Decision(Participant p, String status, Double baselineKw, Double actualKw, Double reductionKw,
                          Double reductionKwh, Double meterStart, Double meterEnd, Double completeness,
                          List<String> reasons, String digest, JsonObject evidence) {}

  public Future<JsonObject> verify(Actor actor, String eventId) {
    return events.get(eventId).compose(event -> {
      if (event.cancelledAt() != null) {
        throw Problem.conflict("The event was cancelled; there is nothing to settle.");
      }
      Instant now = Instant.now();
      if (event.endsAt() == null || event.endsAt().isAfter(now)) {
        throw Problem.conflict("The event has not ended yet; verify after " + event.endsAt() + ".");
      }
      return programs.get(pool, event.programId()).compose(program -> {
        String method = program.rules().baselineMethod() == null ? "CAISO_10_OF_10" : program.rules().baselineMethod();
        if (method.equals("SAME_DAY") && event.endsAt().plusSeconds(7200).isAfter(now)) {
          throw Problem.conflict("SAME_DAY baselines need the 2 hours after the event; verify after "
              + event.endsAt().plusSeconds(7200) + ".");
        }
        return pool.withTransaction(conn -> conn.preparedQuery(PARTICIPANTS).execute(Tuple.of(eventId)).compose(rows -> {
          List<Participant> participants = new ArrayList<>();
          rows.forEach(r -> participants.add(new Participant(r.getString(0), r.getString(1), r.getString(2))));
          Future<List<Decision>> decisions = method.equals("EXTERNAL")
              ? external(conn, event, participants)
              : measured(conn, event, method, participants);
          return decisions.compose(list -> store(conn, actor, event, program, method, list));
        }));
      });
    });
  }

  private Future<List<Decision>> external(SqlConnection conn, Event event, List<Participant> participants) {
    return conn.preparedQuery(EXTERNAL).execute(Tuple.of(event.id())).map(rows -> {
      Map<String, Row> byVen = new HashMap<>();
      rows.forEach(r -> byVen.put(r.getString(0), r));
      double hours = (event.endsAt().getEpochSecond() - event.startsAt().getEpochSecond()) / 3600.0;
      List<Decision> out = new ArrayList<>();
      for (Participant p : participants) {
        Row r = byVen.get(p.venId());
        if (r == null) {
          out.add(new Decision(p, "REJECTED", null, null, null, null, null, null, null, List.of(Baselines.MISSING_DATA),
              null, new JsonObject().put("method", "EXTERNAL").put("submitted", false)));
          continue;
        }
        double baseline = r.getBigDecimal(1).doubleValue();
        double actual = r.getBigDecimal(2).doubleValue();
        Double ms = r.getDouble(3);
        Double me = r.getDouble(4);
        List<String> reasons = new ArrayList<>();
        if (ms != null && me != null && me < ms) {
          reasons.add(INVALID_METER_READING);
        }
        MessageDigest md = digest(event.id(), p.venId(), "EXTERNAL");
        md.update(ByteBuffer.allocate(32).putDouble(baseline).putDouble(actual)
            .putDouble(ms == null ? Double.NaN : ms).putDouble(me == null ? Double.NaN : me).array());
        out.add(decide(p, baseline, actual, hours, ms, me, 1.0, reasons, HexFormat.of().formatHex(md.digest()),
            new JsonObject().put("method", "EXTERNAL").put("submitted", true)));
      }
      return out;
    });
  }

  /** Streams the per-VEN interval sums for the hours the method needs and decides VEN by VEN. */
  private Future<List<Decision>> measured(SqlConnection conn, Event event, String method, List<Participant> participants) {
    long start = event.startsAt().getEpochSecond();
    long end = event.endsAt().getEpochSecond();
    Baselines.Params params = settings.params();
    long from = Baselines.lookbackStart(start, params);
    List<OffsetDateTime> fromList = new ArrayList<>();
    List<OffsetDateTime> toList = new ArrayList<>();
    if (method.equals("CAISO_10_OF_10") || method.equals("HIGH_5_OF_10")) {
      for (int back = 0; back <= params.lookbackDays(); back++) {
        long shift = event.startsAt().atZone(params.zone()).minusDays(back).toEpochSecond() - start;
        fromList.add(utc(start - 4 * 3600 + shift));
        toList.add(utc(end + shift));
      }
    } else {
      fromList.add(utc(start - 7200));
      toList.add(utc(end + 7200));
    }
    mergeOverlapping(fromList, toList);
    String[] venIds = participants.stream().map(Participant::venId).toArray(String[]::new);
    Map<String, Participant> byId = new LinkedHashMap<>();
    participants.forEach(p -> byId.put(p.venId(), p));
    Future<Set<LocalDate>> eventDays = conn.preparedQuery(EVENT_DAYS)
        .execute(Tuple.of(utc(from), utc(start + 86_400), params.zone().getId(), event.id()))
        .map(rows -> {
          Set<LocalDate> days = new HashSet<>();
          rows.forEach(r -> days.add(r.getLocalDate(0)));
          return days;
        });
    Future<Map<String, double[]>> registers = registers(conn, venIds, start, end);
    return Future.all(eventDays, registers).compose(v -> conn.prepare(READINGS).compose(ps -> {
      Promise<List<Decision>> done = Promise.promise();
      List<Decision> out = new ArrayList<>();
      Accumulator acc = new Accumulator(event, method, params, eventDays.result(), registers.result(), byId, out, from);
      var stream = ps.createStream(20_000, Tuple.of(venIds, fromList.toArray(OffsetDateTime[]::new),
          toList.toArray(OffsetDateTime[]::new)));
      stream.exceptionHandler(done::tryFail);
      stream.endHandler(x -> {
        try {
          acc.flush();
        } catch (RuntimeException e) {
          done.tryFail(e);
          return;
        }
        // VENs without a single reading: rejected for missing data.
        Set<String> seen = new HashSet<>();
        out.forEach(d -> seen.add(d.p().venId()));
        for (Participant p : participants) {
          if (!seen.contains(p.venId())) {
            out.add(acc.decideNone(p));
          }
        }
        done.tryComplete(out);
      });
      stream.handler(row -> {
        try {
          acc.row(row);
        } catch (RuntimeException e) {
          done.tryFail(e);
        }
      });
      return done.future();
    }));
  }

  /**
   * Joins windows that overlap once widened by the hour READINGS looks back (a reading is
   * fetched for every window it reaches into, and must count once): a long event's like-day
   * windows would otherwise meet.
   */
  static void mergeOverlapping(List<OffsetDateTime> from, List<OffsetDateTime> to) {
    List<int[]> order = new ArrayList<>();
    for (int i = 0; i < from.size(); i++) {
      order.add(new int[] {i});
    }
    order.sort(java.util.Comparator.comparing(i -> from.get(i[0])));
    List<OffsetDateTime> f = new ArrayList<>();
    List<OffsetDateTime> t = new ArrayList<>();
    for (int[] i : order) {
      OffsetDateTime a = from.get(i[0]);
      OffsetDateTime b = to.get(i[0]);
      int last = f.size() - 1;
      if (last >= 0 && !a.minusHours(1).isAfter(t.get(last))) {
        if (b.isAfter(t.get(last))) {
          t.set(last, b);
        }
      } else {
        f.add(a);
        t.add(b);
      }
    }
    from.clear();
    from.addAll(f);
    to.clear();
    to.addAll(t);
  }

  private static int gcd(int a, int b) {
    return b == 0 ? Math.max(1, a) : gcd(b, a % b);
  }

  /** Folds streamed rows into one series per VEN and decides each VEN when its rows end. */
  private final class Accumulator {
    final Event event;
    final String method;
    final Baselines.Params params;
    final Set<LocalDate> eventDays;
    final Map<String, double[]> registers;
    final Map<String, Participant> participants;
    final List<Decision> out;
    final long from;
    final long start;
    final long end;
    String ven;
    List<Long> epochs = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    List<Integer> durations = new ArrayList<>();

    Accumulator(Event event, String method, Baselines.Params params, Set<LocalDate> eventDays, Map<String, double[]> registers,
                Map<String, Participant> participants, List<Decision> out, long from) {
      this.event = event;
      this.method = method;
      this.params = params;
      this.eventDays = eventDays;
      this.registers = registers;
      this.participants = participants;
      this.out = out;
      this.from = from;
      this.start = event.startsAt().getEpochSecond();
      this.end = event.endsAt().getEpochSecond();
    }

    void row(Row r) {
      String v = r.getString(0);
      if (!v.equals(ven)) {
        flush();
        ven = v;
      }
      epochs.add(r.getLong(1));
      values.add(r.getDouble(2));
      durations.add(r.getInteger(3));
    }

    void flush() {
      if (ven == null) {
        return;
      }
      Participant p = participants.get(ven);
      // Slots divide every reading's length and start and the event's window (quarter-hour meters
      // and an event at :07 are read in minutes, a longer reading spread evenly over its slots);
      // never shorter than a minute: a window off the minute is widened to whole minutes.
      int s = 0;
      for (int d : durations) {
        s = gcd(s, d);
      }
      for (long e : epochs) {
        s = gcd(s, (int) Math.floorMod(e, (long) s));
      }
      s = gcd(gcd(s, (int) Math.floorMod(start, (long) s)), (int) Math.min(Integer.MAX_VALUE, end - start));
      long from0 = start;
      long to0 = end;
      if (s < 60) {
        s = 60;
        from0 = start - Math.floorMod(start, 60L);
        to0 = end + Math.floorMod(-end, 60L);
      }
      long base = from - Math.floorMod(from, s);
      int slots = (int) ((to0 + 7200 - base) / s) + 1;
      IntervalSeries series = new IntervalSeries(base, s, slots);
      for (int i = 0; i < epochs.size(); i++) {
        series.add(epochs.get(i), values.get(i), durations.get(i));
      }
      // The digest runs over the VEN's readings (start, length, kWh) in time order, whatever order
      // rows came in.
      MessageDigest md = digest(event.id(), ven, method);
      ByteBuffer buf = ByteBuffer.allocate(20);
      Integer[] order = new Integer[epochs.size()];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      java.util.Arrays.sort(order, java.util.Comparator.<Integer>comparingLong(epochs::get)
          .thenComparingInt(durations::get).thenComparingDouble(values::get));
      for (int i : order) {
        buf.clear();
        md.update(buf.putLong(epochs.get(i)).putInt(durations.get(i)).putDouble(values.get(i)).array());
      }
      int used = order.length;
      double[] reg = registers.get(ven);
      if (reg != null) {
        buf.clear();
        md.update(buf.putDouble(reg[0]).putDouble(reg[1]).array());
      }
      Baselines.Result result = Baselines.compute(method, series, from0, to0, eventDays, params);
      List<String> reasons = new ArrayList<>(result.reasons());
      Double ms = reg == null ? null : reg[0];
      Double me = reg == null ? null : reg[1];
      if (reg != null) {
        double intervals = 0;
        for (long t = from0; t < to0; t += s) {
          double k = series.kwh(t);
          intervals += Double.isNaN(k) ? 0 : k;
        }
        double registered = reg[1] - reg[0];
        if (registered < 0 || Math.abs(registered - intervals) > Math.max(0.5, settings.meterTolerance() * Math.abs(intervals))) {
          reasons.add(INVALID_METER_READING);
        }
      }
      JsonObject evidence = new JsonObject().put("method", method).put("intervalSeconds", s).put("readings", used)
          .put("baselineDays", new JsonArray(result.baselineDays().stream().map(LocalDate::toString).toList()))
          .put("adjustment", finite(result.appliedAdjustment())).put("rawAdjustment", finite(result.rawAdjustment()))
          .put("parameters", new JsonObject().put("lookbackDays", params.lookbackDays()).put("adjustmentCap", params.adjustmentCap())
              .put("inflationThreshold", params.inflationThreshold()).put("completenessThreshold", params.completenessThreshold())
              .put("zone", params.zone().getId()));
      if (from0 != start || to0 != end) {
        evidence.put("window", new JsonObject().put("start", Instant.ofEpochSecond(from0).toString())
            .put("end", Instant.ofEpochSecond(to0).toString()));
      }
      out.add(decide(p, result.baselineKw(), result.actualKw(), (end - start) / 3600.0, ms, me, result.completeness(), reasons,
          HexFormat.of().formatHex(md.digest()), evidence));
      ven = null;
      epochs = new ArrayList<>();
      values = new ArrayList<>();
      durations = new ArrayList<>();
    }

    Decision decideNone(Participant p) {
      MessageDigest md = digest(event.id(), p.venId(), method);
      return new Decision(p, "REJECTED", null, null, null, null, null, null, 0.0, List.of(Baselines.MISSING_DATA),
          HexFormat.of().formatHex(md.digest()), new JsonObject().put("method", method).put("readings", 0));
    }
  }

  /** No reduction is no reduction; the program's minimum is applied when storing. */
  private static Decision decide(Participant p, double baseline, double actual, double hours, Double ms, Double me,
                                 double completeness, List<String> reasons, String digest, JsonObject evidence) {
    List<String> r = new ArrayList<>(reasons);
    double reduction = baseline - actual;
    if (!Double.isNaN(reduction) && r.isEmpty() && reduction <= 0) {
      r.add(INSUFFICIENT_REDUCTION);
    }
    boolean known = !Double.isNaN(reduction);
    return new Decision(p, r.isEmpty() && known ? "VERIFIED" : "REJECTED", finite(baseline), finite(actual),
        known ? reduction : null, known ? reduction * hours : null, ms, me, completeness,
        r.isEmpty() && !known ? List.of(Baselines.MISSING_DATA) : r.stream().distinct().toList(), digest, evidence);
  }

  private Future<JsonObject> store(SqlConnection conn, Actor actor, Event event, Program program, String method,
                                   List<Decision> decisions) {
    BigDecimal min = program.rules().minReductionKw();
    if (min != null) {
      // Applied after the fact so measured and external decisions share one rule.
      List<Decision> adjusted = new ArrayList<>(decisions.size());
      for (Decision d : decisions) {
        if ("VERIFIED".equals(d.status()) && d.reductionKw() != null && d.reductionKw() < min.doubleValue()) {
          List<String> reasons = new ArrayList<>(d.reasons());
          reasons.add(INSUFFICIENT_REDUCTION);
          adjusted.add(new Decision(d.p(), "REJECTED", d.baselineKw(), d.actualKw(), d.reductionKw(), d.reductionKwh(),
              d.meterStart(), d.meterEnd(), d.completeness(), reasons, d.digest(), d.evidence()));
        } else {
          adjusted.add(d);
        }
      }
      decisions = adjusted;
    }
    int n = decisions.size();
    String[][] cols = new String[14][n];
    List<String> auditIds = new ArrayList<>(n);
    List<String> auditAfter = new ArrayList<>(n);
    Map<String, double[]> zones = new TreeMap<>();
    Map<String, Integer> reasonCounts = new TreeMap<>();
    int verified = 0;
    double total = 0;
    for (int i = 0; i < n; i++) {
      Decision d = decisions.get(i);
      cols[0][i] = d.p().venId();
      cols[1][i] = d.p().venName();
      cols[2][i] = d.status();
      cols[3][i] = kw(d.baselineKw());
      cols[4][i] = kw(d.actualKw());
      cols[5][i] = kw(d.reductionKw());
      cols[6][i] = kw(d.reductionKwh());
      cols[7][i] = d.meterStart() == null ? null : d.meterStart().toString();
      cols[8][i] = d.meterEnd() == null ? null : d.meterEnd().toString();
      cols[9][i] = d.completeness() == null ? null : d.completeness().toString();
      cols[10][i] = String.join(",", d.reasons());
      cols[11][i] = d.digest();
      cols[12][i] = d.evidence().encode();
      cols[13][i] = d.p().zone();
      auditIds.add(d.p().venId());
      auditAfter.add(new JsonObject().put("eventID", event.id()).put("venID", d.p().venId()).put("status", d.status())
          .put("reductionKw", cols[5][i]).put("reasons", new JsonArray(d.reasons())).put("evidenceDigest", d.digest()).encode());
      String zone = d.p().zone() == null ? "(none)" : d.p().zone();
      double[] z = zones.computeIfAbsent(zone, k -> new double[3]);
      z[0]++;
      if ("VERIFIED".equals(d.status())) {
        verified++;
        total += d.reductionKw();
        z[1]++;
        z[2] += d.reductionKw();
      }
      d.reasons().forEach(r -> reasonCounts.merge(r, 1, Integer::sum));
    }
    Object[] args = new Object[16];
    args[0] = event.id();
    args[1] = method;
    for (int c = 0; c < 14; c++) {
      args[c + 2] = cols[c];
    }
    JsonArray byZone = new JsonArray();
    zones.forEach((zone, z) -> byZone.add(new JsonObject().put("zone", zone).put("participants", (int) z[0])
        .put("verified", (int) z[1]).put("reductionKw", round(z[2]))));
    JsonObject summary = new JsonObject().put("eventID", event.id()).put("baselineMethod", method)
        .put("participants", n).put("verified", verified).put("rejected", n - verified)
        .put("reductionKw", round(total))
        .put("targetReductionKw", event.targetReductionKw() == null ? null : event.targetReductionKw().doubleValue())
        .put("reasons", new JsonObject(new LinkedHashMap<>(reasonCounts))).put("byZone", byZone);
    return conn.preparedQuery(UPSERT).execute(Tuple.from(args))
        .compose(v -> conn.preparedQuery(ACHIEVED).execute(Tuple.of(event.id())))
        .compose(v -> audit.recordAll(conn, actor, "participation.verified", "participation", auditIds, auditAfter))
        .compose(v -> audit.record(conn, AuditEntry.of(actor, "event.verified", "event", event.id(), null, summary)))
        .map(summary);
  }

  public Future<List<Participation>> list(String eventId, String venName, String status, String client, String owner,
                                          int skip, int limit) {
    return pool.preparedQuery(LIST).execute(Tuple.from(new Object[] {eventId, venName, status, client, owner, skip, limit}))
        .map(rows -> {
          List<Participation> out = new ArrayList<>(rows.size());
          for (Row r : rows) {
            String[] reasons = r.getArrayOfStrings(12);
            out.add(new Participation(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                r.getBigDecimal(5), r.getBigDecimal(6), r.getBigDecimal(7), r.getBigDecimal(8), r.getDouble(9),
                r.getDouble(10), r.getDouble(11), reasons == null ? List.of() : List.of(reasons), r.getBigDecimal(13),
                r.getString(14), (JsonObject) r.getValue(15), r.getString(16), r.getOffsetDateTime(17)));
          }
          return out;
        });
  }

  /** An EXTERNAL program's figures for one VEN, from the utility. */
  public record Submission(String venId, BigDecimal baselineKw, BigDecimal actualKw, Double meterStartKwh, Double meterEndKwh) {}

  public Future<Integer> submit(Actor actor, String eventId, List<Submission> submissions) {
    return events.get(eventId).compose(event -> pool.withTransaction(conn -> {
      Future<Void> chain = Future.succeededFuture();
      for (Submission s : submissions) {
        chain = chain.compose(v -> conn.preparedQuery(SUBMIT).execute(Tuple.from(new Object[] {eventId, s.venId(),
            s.baselineKw(), s.actualKw(), s.meterStartKwh(), s.meterEndKwh(), actor.id()})).mapEmpty());
      }
      return chain.compose(v -> audit.record(conn, AuditEntry.of(actor, "event.external_baselines", "event", eventId, null,
          new JsonObject().put("submissions", submissions.size())))).map(submissions.size());
    }));
  }

  private Future<Map<String, double[]>> registers(SqlConnection conn, String[] venIds, long start, long end) {
    long slack = 900;
    return conn.preparedQuery(REGISTERS).execute(Tuple.of(venIds, utc(start - slack), utc(start + slack), utc(end - slack),
        utc(end + slack))).map(rows -> {
      // Per resource: the reading closest to the start and to the end; per VEN: their sums.
      Map<String, Map<String, long[]>> best = new HashMap<>();
      Map<String, Map<String, double[]>> values = new HashMap<>();
      for (Row r : rows) {
        String ven = r.getString(0);
        String res = r.getString(1);
        long at = r.getOffsetDateTime(2).toEpochSecond();
        double kwh = r.getDouble(3);
        long[] d = best.computeIfAbsent(ven, k -> new HashMap<>()).computeIfAbsent(res, k -> new long[] {Long.MAX_VALUE, Long.MAX_VALUE});
        double[] v = values.computeIfAbsent(ven, k -> new HashMap<>()).computeIfAbsent(res, k -> new double[] {Double.NaN, Double.NaN});
        int which = Math.abs(at - start) <= Math.abs(at - end) ? 0 : 1;
        long dist = Math.abs(at - (which == 0 ? start : end));
        if (dist < d[which]) {
          d[which] = dist;
          v[which] = kwh;
        }
      }
      Map<String, double[]> out = new HashMap<>();
      values.forEach((ven, perResource) -> {
        double s = 0;
        double e = 0;
        for (double[] v : perResource.values()) {
          if (Double.isNaN(v[0]) || Double.isNaN(v[1])) {
            return; // a register without both readings proves nothing
          }
          s += v[0];
          e += v[1];
        }
        out.put(ven, new double[] {s, e});
      });
      return out;
    });
  }

  /**
   * The evidence digest: SHA-256 over "loadshift-evidence-v2|event|ven|method|" followed, for each
   * reading fetched (ordered by interval start, then length, then kWh), by its interval start
   * (epoch seconds, 8 bytes big-endian), its length (seconds, 4 bytes) and its kWh (IEEE 754
   * double, 8 bytes), then the register start and end (doubles) when present.
   */
  private MessageDigest digest(String eventId, String venId, String method) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(("loadshift-evidence-v2|" + eventId + "|" + venId + "|" + method + "|").getBytes(StandardCharsets.UTF_8));
      return md;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static OffsetDateTime utc(long epoch) {
    return Instant.ofEpochSecond(epoch).atOffset(ZoneOffset.UTC);
  }

  private static Double finite(double d) {
    return Double.isFinite(d) ? d : null;
  }

  private static String kw(Double d) {
    return d == null || !Double.isFinite(d) ? null : BigDecimal.valueOf(d).setScale(3, RoundingMode.HALF_UP).toPlainString();
  }

  private static double round(double d) {
    return BigDecimal.valueOf(d).setScale(3, RoundingMode.HALF_UP).doubleValue();
  }
}
