import io.loadshift.vtn.payout.LedgerAccounts;
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
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.stellar.sdk.KeyPair;

/**
 * Payout settlement benchmark against a running VTN in local-ledger mode (loopback only).
 *
 *   java -cp target/loadshift-vtn.jar bench/PayoutBench.java <vtnUrl> <postgresql://...> <adminId> <adminSecret> <secretFile> [payouts]
 *
 * Setup (not timed): as many new funded accounts on the VTN's local ledger as payouts, given to
 * that many VENs of the database as their STELLAR_ACCOUNT; a finished event of an EXTERNAL-baseline
 * program paying 0.01 XLM per kW; the utility's baselines submitted and verified through the API.
 * Timed: POST /settlement/events/{id}/payouts until every payout is PAID (read from PostgreSQL
 * every 20 ms). Then every destination's balance on the ledger is checked against its payout.
 * Prints one "BENCH_ONCE key=value ..." line for bench/run.
 */
public class PayoutBench {
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static final long START_STROOPS = 12_000_000L;

  public static void main(String[] a) throws Exception {
    String url = a[0];
    loopback(url);
    int n = a.length > 5 ? Integer.parseInt(a[5]) : 10_000;
    Matcher uri = Pattern.compile("postgres(?:ql)?://([^:@/]+):([^@/]*)@([^/]+)/(.+)").matcher(a[1]);
    if (!uri.matches()) {
      throw new IllegalArgumentException("expected postgresql://user:pass@host:port/db, got " + a[1]);
    }
    String token = token(url, a[2], a[3]);
    String ledger = get(url + "/settlement/ledger", token);
    String horizon = field(ledger, "horizonUrl");
    String passphrase = field(ledger, "networkPassphrase");
    loopback(horizon);
    KeyPair distribution = KeyPair.fromSecretSeed(Files.readString(Path.of(a[4])).trim());

    try (Connection db = DriverManager.getConnection("jdbc:postgresql://" + uri.group(3) + "/" + uri.group(4),
        uri.group(1), uri.group(2)); LedgerAccounts accounts = new LedgerAccounts(horizon, passphrase)) {
      List<String> vens = new ArrayList<>();
      try (ResultSet rs = db.createStatement().executeQuery("SELECT id FROM vens ORDER BY id LIMIT " + n)) {
        while (rs.next()) {
          vens.add(rs.getString(1));
        }
      }
      if (vens.size() < n) {
        throw new IllegalStateException("the database has " + vens.size() + " VENs, " + n + " needed: run event-fanout first");
      }
      long t = System.nanoTime();
      List<String> destinations = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        destinations.add(KeyPair.random().getAccountId());
      }
      // The friendbot gives each funder 10,000 XLM; each funder opens up to 5,000 accounts.
      for (int i = 0; i < n; i += 5000) {
        KeyPair funder = KeyPair.random();
        accounts.fund(funder.getAccountId());
        accounts.createAccounts(funder, destinations.subList(i, Math.min(n, i + 5000)), START_STROOPS);
      }
      try (PreparedStatement ps = db.prepareStatement("UPDATE vens SET stellar_account = x.a "
          + "FROM unnest(?::text[], ?::text[]) AS x(id, a) WHERE vens.id = x.id")) {
        ps.setArray(1, db.createArrayOf("text", vens.toArray()));
        ps.setArray(2, db.createArrayOf("text", destinations.toArray()));
        ps.executeUpdate();
      }
      String program = field(post(url + "/openadr3/3.1.0/programs", token, "{\"programName\":\"bench-payouts-"
          + System.currentTimeMillis() + "\",\"attributes\":[" + attr("BASELINE_METHOD", "\"EXTERNAL\"") + ","
          + attr("REWARD_PER_KW", "0.01") + "," + attr("REWARD_ASSET", "\"native\"") + "]}", 201), "id");
      Instant start = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.HOURS);
      String event = field(post(url + "/openadr3/3.1.0/events", token, "{\"programID\":\"" + program
          + "\",\"targets\":[\"bench-payouts-" + program + "\"],\"intervalPeriod\":{\"start\":\"" + start
          + "\",\"duration\":\"PT1H\"}}", 201), "id");
      // Only the VENs paid here are in the event's group.
      try (PreparedStatement ps = db.prepareStatement("UPDATE vens SET targets = array_append(targets, ?) WHERE id = ANY (?)")) {
        ps.setString(1, "bench-payouts-" + program);
        ps.setArray(2, db.createArrayOf("text", vens.toArray()));
        ps.executeUpdate();
      }
      StringBuilder body = new StringBuilder("{\"submissions\":[");
      for (int i = 0; i < n; i++) {
        body.append(i == 0 ? "" : ",").append("{\"venID\":\"").append(vens.get(i)).append("\",\"baselineKw\":20,\"actualKw\":")
            .append(19 - i % 10).append('}');
      }
      post(url + "/settlement/events/" + event + "/external", token, body.append("]}").toString(), 200);
      String verified = post(url + "/settlement/events/" + event + "/verify", token, "", 200);
      double setup = (System.nanoTime() - t) / 1e9;

      long before = accounts.balance(distribution.getAccountId(), "native");
      long t0 = System.nanoTime();
      String distributed = post(url + "/settlement/events/" + event + "/payouts", token, "", 200);
      double distributeMs = (System.nanoTime() - t0) / 1e6;
      int paid = 0;
      while (paid < n) {
        if (System.nanoTime() - t0 > 300_000_000_000L) {
          throw new IllegalStateException("only " + paid + " of " + n + " paid after 300 s");
        }
        Thread.sleep(20);
        try (PreparedStatement ps = db.prepareStatement("SELECT count(*) FILTER (WHERE status = 'PAID'), "
            + "count(*) FILTER (WHERE status = 'FAILED') FROM payouts WHERE event_id = ?")) {
          ps.setString(1, event);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            paid = rs.getInt(1);
            if (rs.getInt(2) > 0) {
              throw new IllegalStateException(rs.getInt(2) + " payouts FAILED");
            }
          }
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;

      // Every destination holds exactly its start balance plus its payout; the distribution
      // account lost exactly the payouts plus the fees of the transactions.
      long total = 0;
      int batches;
      long fees;
      try (PreparedStatement ps = db.prepareStatement("SELECT p.destination, (p.amount * 10000000)::bigint FROM payouts p "
          + "WHERE p.event_id = ?")) {
        ps.setString(1, event);
        try (ResultSet rs = ps.executeQuery()) {
          int checked = 0;
          while (rs.next()) {
            long expected = START_STROOPS + rs.getLong(2);
            long actual = accounts.balance(rs.getString(1), "native");
            if (actual != expected) {
              throw new IllegalStateException(rs.getString(1) + " holds " + actual + " stroops, expected " + expected);
            }
            total += rs.getLong(2);
            checked++;
          }
          if (checked != n) {
            throw new IllegalStateException(checked + " payouts, expected " + n);
          }
        }
      }
      try (PreparedStatement ps = db.prepareStatement("SELECT count(*), coalesce(sum(fee_stroops), 0) FROM payout_batches "
          + "WHERE id IN (SELECT batch_id FROM payouts WHERE event_id = ?)")) {
        ps.setString(1, event);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          batches = rs.getInt(1);
          fees = rs.getLong(2);
        }
      }
      long after = accounts.balance(distribution.getAccountId(), "native");
      if (before - after != total + fees) {
        throw new IllegalStateException("distribution account lost " + (before - after) + " stroops, expected "
            + (total + fees));
      }
      System.out.printf("BENCH_ONCE payouts=%d seconds=%.2f rate=%.0f distribute_ms=%.0f batches=%d amount_xlm=%s "
              + "fees_xlm=%s setup_s=%.1f verified=%s created=%s%n", n, seconds, n / seconds, distributeMs, batches,
          java.math.BigDecimal.valueOf(total, 7).toPlainString(), java.math.BigDecimal.valueOf(fees, 7).toPlainString(),
          setup, number(verified, "verified"), number(distributed, "created"));
    }
  }

  static String attr(String type, String value) {
    return "{\"type\":\"" + type + "\",\"values\":[" + value + "]}";
  }

  static void loopback(String url) {
    String host = URI.create(url).getHost();
    if (!host.equals("127.0.0.1") && !host.equals("localhost")) {
      throw new IllegalArgumentException("loopback only: " + url);
    }
  }

  static String token(String url, String id, String secret) throws Exception {
    String form = "grant_type=client_credentials&client_id=" + URLEncoder.encode(id, StandardCharsets.UTF_8)
        + "&client_secret=" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/openadr3/3.1.0/auth/token"))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form))
        .build(), HttpResponse.BodyHandlers.ofString());
    return field(r.body(), "access_token");
  }

  static String get(String url, String token) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET " + url + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  static String post(String url, String token, String body, int expected) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token);
    if (!body.isEmpty()) {
      b.header("Content-Type", "application/json");
    }
    HttpResponse<String> r = HTTP.send(b.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != expected) {
      throw new IllegalStateException("POST " + url + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + name + " in " + json);
    }
    return m.group(1);
  }

  static String number(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*([0-9.]+)").matcher(json);
    return m.find() ? m.group(1) : "?";
  }
}
