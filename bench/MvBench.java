import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measurement & verification benchmarks against a running VTN (loopback only).
 *
 *   java -cp target/loadshift-vtn.jar bench/MvBench.java <mode> <vtnUrl> <postgresql://user:pass@host:port/db> <adminId> <adminSecret>
 *
 * mode "verify": 10,000 VENs with one meter each, 15-minute USAGE on 10 weekdays plus the event day
 * (10.56M readings, loaded once with SQL and reused), an event on Wednesday 2026-11-18 17:00-18:00 UTC,
 * then POST /settlement/events/{id}/verify timed, next to a plain SQL sum over the same rows.
 * mode "ingest": POST /meterdata with a 1,000,000-row CSV (100 intervals for each of the 10,000 meters).
 * Prints one "BENCH_ONCE key=value ..." line for bench/run.
 */
public class MvBench {
  static final int VENS = 10_000;
  static final LocalDate EVENT_DAY = LocalDate.of(2026, 11, 18);
  static final Instant START = EVENT_DAY.atTime(17, 0).toInstant(ZoneOffset.UTC);
  static final Instant END = START.plusSeconds(3600);
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  public static void main(String[] a) throws Exception {
    String mode = a[0];
    String url = a[1];
    if (!URI.create(url).getHost().equals("127.0.0.1") && !URI.create(url).getHost().equals("localhost")) {
      throw new IllegalArgumentException("loopback only");
    }
    Matcher uri = Pattern.compile("postgres(?:ql)?://([^:@/]+):([^@/]*)@([^/]+)/(.+)").matcher(a[2]);
    if (!uri.matches()) {
      throw new IllegalArgumentException("expected postgresql://user:pass@host:port/db, got " + a[2]);
    }
    try (Connection db = DriverManager.getConnection("jdbc:postgresql://" + uri.group(3) + "/" + uri.group(4), uri.group(1),
        uri.group(2))) {
      String token = token(url, a[3], a[4]);
      ensureFleet(db);
      if (mode.equals("verify")) {
        verify(db, url, token);
      } else {
        ingest(db, url, token);
      }
    }
  }

  static List<LocalDate> dataDays() {
    List<LocalDate> days = new ArrayList<>();
    days.add(EVENT_DAY);
    for (LocalDate d = EVENT_DAY.minusDays(1); days.size() < 11; d = d.minusDays(1)) {
      if (d.getDayOfWeek().getValue() <= 5) {
        days.add(d);
      }
    }
    return days;
  }

  /** 10,000 VENs and meters, and 10.56M readings, made with SQL once and then reused. */
  static void ensureFleet(Connection db) throws Exception {
    try (Statement st = db.createStatement()) {
      ResultSet rs = st.executeQuery("SELECT count(*) FROM readings WHERE source = 'bench-mv'");
      rs.next();
      long have = rs.getLong(1);
      if (have >= VENS * 11L * 96) {
        return;
      }
      System.err.println("bench: loading 10,000 VENs and " + (VENS * 11L * 96) + " readings (once; a few minutes)");
      st.execute("DELETE FROM readings WHERE source = 'bench-mv'");
      st.execute("INSERT INTO vens (id, ven_name, client_id, registered_by, targets) SELECT 'bench-mv-ven-' || i, "
          + "'bench-mv-' || i, 'bench-mv-client-' || i, 'bench-mv', '{bench-mv}' FROM generate_series(1, " + VENS + ") i "
          + "ON CONFLICT DO NOTHING");
      st.execute("INSERT INTO resources (id, ven_id, resource_name, client_id, owner, der_type, capacity_kw, zone) "
          + "SELECT 'bench-mv-res-' || i, 'bench-mv-ven-' || i, 'meter', 'bench-mv-client-' || i, 'bench-mv', 'LOAD', 50, "
          + "'Z' || (i % 20) FROM generate_series(1, " + VENS + ") i ON CONFLICT DO NOTHING");
      for (LocalDate d : dataDays()) {
        boolean eventDay = d.equals(EVENT_DAY);
        long dayStart = d.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
        // 10 kW with a daily shape and per-site variation; 70 % of sites cut to 40 % during the event.
        st.execute("INSERT INTO readings (resource_id, quantity, interval_start, duration_s, value, source) "
            + "SELECT 'bench-mv-res-' || i, 'USAGE', to_timestamp(" + dayStart + " + k * 900), 900, "
            + "CASE WHEN " + eventDay + " AND k BETWEEN 68 AND 71 AND i % 10 < 7 THEN 1.0 "
            + "ELSE 2.5 + 0.5 * sin(k / 15.0) + (i % 7) * 0.05 END, 'bench-mv' "
            + "FROM generate_series(1, " + VENS + ") i, generate_series(0, 95) k");
        System.err.println("bench: loaded " + d);
      }
      // What autovacuum does for an insert-heavy table in time: the visibility map lets verification
      // read values from the index alone.
      st.execute("VACUUM (ANALYZE) readings");
    }
  }

  static void verify(Connection db, String url, String token) throws Exception {
    try (Statement st = db.createStatement()) {
      // The state autovacuum keeps a live system in: fresh statistics after the fleet was loaded.
      st.execute("ANALYZE vens, resources, readings");
    }
    String program = post(url + "/openadr3/3.1.0/programs", token, "{\"programName\":\"bench-mv-" + System.nanoTime()
        + "\",\"attributes\":[{\"type\":\"BASELINE_METHOD\",\"values\":[\"CAISO_10_OF_10\"]},"
        + "{\"type\":\"MIN_REDUCTION_KW\",\"values\":[1]}]}", 201);
    String programId = field(program, "id");
    String event = post(url + "/openadr3/3.1.0/events", token, "{\"programID\":\"" + programId + "\",\"targets\":[\"bench-mv\"],"
        + "\"intervalPeriod\":{\"start\":\"" + START + "\",\"duration\":\"PT1H\"},"
        + "\"intervals\":[{\"id\":0,\"payloads\":[{\"type\":\"TARGET_REDUCTION_KW\",\"values\":[50000]}]}]}", 201);
    String eventId = field(event, "id");
    long t0 = System.nanoTime();
    String summary = post(url + "/settlement/events/" + eventId + "/verify", token, null, 200);
    double seconds = (System.nanoTime() - t0) / 1e9;

    // The floor: the same rows summed by PostgreSQL, nothing else.
    List<java.sql.Timestamp> from = new ArrayList<>();
    List<java.sql.Timestamp> to = new ArrayList<>();
    for (int back = 0; back <= 21; back++) {
      from.add(java.sql.Timestamp.from(START.minusSeconds(back * 86400L + 4 * 3600)));
      to.add(java.sql.Timestamp.from(END.minusSeconds(back * 86400L)));
    }
    long f0 = System.nanoTime();
    long rows;
    // Same rows, same access path as the VTN's read (one key-range probe per meter and window), summed in SQL.
    try (PreparedStatement ps = db.prepareStatement("SELECT count(*), sum(x.value) FROM resources r CROSS JOIN "
        + "unnest(?::timestamptz[], ?::timestamptz[]) AS w(f, t) CROSS JOIN LATERAL (SELECT rd.value FROM readings rd "
        + "WHERE rd.resource_id = r.id AND rd.quantity = 'USAGE' AND rd.interval_start >= w.f AND rd.interval_start < w.t "
        + "OFFSET 0) x WHERE r.owner = 'bench-mv'")) {
      ps.setArray(1, db.createArrayOf("timestamptz", from.toArray()));
      ps.setArray(2, db.createArrayOf("timestamptz", to.toArray()));
      ResultSet rs = ps.executeQuery();
      rs.next();
      rows = rs.getLong(1);
    }
    double floor = (System.nanoTime() - f0) / 1e9;
    System.out.printf("BENCH_ONCE participants=%s verified=%s reductionKw=%s seconds=%.2f floor=%.2f ratio=%.2f rows=%d%n",
        field(summary, "participants"), field(summary, "verified"), field(summary, "reductionKw"), seconds, floor,
        seconds / floor, rows);
  }

  static void ingest(Connection db, String url, String token) throws Exception {
    long day = LocalDate.of(2026, 10, 1).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    try (Statement st = db.createStatement()) {
      st.execute("DELETE FROM readings WHERE source = 'csv' AND resource_id LIKE 'bench-mv-res-%' AND interval_start >= "
          + "to_timestamp(" + day + ") AND interval_start < to_timestamp(" + (day + 100 * 900) + ")");
    }
    Path csv = Files.createTempFile("bench-meterdata", ".csv");
    try (var w = Files.newBufferedWriter(csv)) {
      w.write("venName,resourceName,intervalStart,intervalMinutes,kWh\n");
      for (int k = 0; k < 100; k++) {
        String ts = Instant.ofEpochSecond(day + k * 900L).toString();
        for (int i = 1; i <= VENS; i++) {
          w.write("bench-mv-" + i + ",meter," + ts + ",15," + (2 + (i % 13) * 0.1) + "\n");
        }
      }
    }
    long bytes = Files.size(csv);
    long t0 = System.nanoTime();
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/meterdata"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "text/csv")
        .POST(HttpRequest.BodyPublishers.ofFile(csv)).build(), HttpResponse.BodyHandlers.ofString());
    double seconds = (System.nanoTime() - t0) / 1e9;
    Files.delete(csv);
    if (r.statusCode() != 200) {
      throw new IllegalStateException("meterdata answered " + r.statusCode() + ": " + r.body());
    }
    System.out.printf("BENCH_ONCE rows=1000000 seconds=%.2f rate=%.0f megabytes=%.1f inserted=%s%n", seconds, 1_000_000 / seconds,
        bytes / 1e6, field(r.body(), "inserted"));
  }

  static String token(String url, String id, String secret) throws Exception {
    String form = "grant_type=client_credentials&client_id=" + URLEncoder.encode(id, StandardCharsets.UTF_8)
        + "&client_secret=" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/openadr3/3.1.0/auth/token"))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
        HttpResponse.BodyHandlers.ofString());
    return field(r.body(), "access_token");
  }

  static String post(String url, String token, String json, int expect) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
        .timeout(java.time.Duration.ofMinutes(5));
    b = json == null ? b.POST(HttpRequest.BodyPublishers.noBody())
        : b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != expect) {
      throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*(\"([^\"]*)\"|[-0-9.eE]+)").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + name + " in " + json);
    }
    return m.group(2) != null ? m.group(2) : m.group(1);
  }
}
