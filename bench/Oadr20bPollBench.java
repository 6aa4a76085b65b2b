import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Set-up for bench/run's {@code oadr-poll}: makes sure that many OpenADR 2.0b VENs
 * ({@code bench-2b-00001...}) exist, each provisioned through /vens for a VEN client of its own,
 * fetches each client's token and registers each VEN through the 2.0b API itself
 * (oadrCreatePartyRegistration with the token), then writes {@code venID<TAB>token} lines for
 * wrk to poll with. Run as a single-file program (plain JDK):
 *
 * <pre>
 * BENCH_ADMIN_TOKEN=... java bench/Oadr20bPollBench.java http://127.0.0.1:18080 STATE_FILE OUT_FILE N
 * </pre>
 *
 * Clients' secrets (shown by the VTN only once) are kept in STATE_FILE (mode 600), so later runs
 * reuse the clients; a VEN whose client the VTN no longer knows gets a new one. Prints one
 * {@code BENCH_ONCE} line: vens, created, seconds.
 */
public class Oadr20bPollBench {
  static final String V = "/openadr3/3.1.0";
  static final Pattern FIELD = Pattern.compile("\"(clientId|clientSecret|access_token|id)\"\\s*:\\s*\"([^\"]+)\"");
  static final Pattern VEN_ID = Pattern.compile("<ei:venID>([^<]+)</ei:venID>");
  static final Pattern REQUEST_ID = Pattern.compile("<pyld:requestID>([^<]*)</pyld:requestID>");
  static final Pattern CODE = Pattern.compile("<ei:responseCode>([0-9]+)</ei:responseCode>");

  record Member(String name, String clientId, String secret) {}

  final String vtn;
  final String admin;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  Oadr20bPollBench(String vtn, String admin) {
    this.vtn = vtn;
    this.admin = admin;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 4 || !args[0].matches("https?://(127\\.0\\.0\\.1|localhost)(:[0-9]+)?")) {
      System.err.println("usage: BENCH_ADMIN_TOKEN=... java bench/Oadr20bPollBench.java http://127.0.0.1:PORT STATE OUT N");
      System.exit(2);
    }
    String admin = System.getenv("BENCH_ADMIN_TOKEN");
    if (admin == null || admin.isBlank()) {
      System.err.println("BENCH_ADMIN_TOKEN is not set");
      System.exit(2);
    }
    int n = Integer.parseInt(args[3]);
    if (n < 1 || n > 20_000) {
      System.err.println("N must be 1..20000");
      System.exit(2);
    }
    long start = System.nanoTime();
    Oadr20bPollBench b = new Oadr20bPollBench(args[0], admin);
    Path state = Path.of(args[1]);
    Map<String, Member> known = load(state);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    int[] created = {0};
    try {
      List<Future<String[]>> work = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        String name = String.format(Locale.ROOT, "bench-2b-%05d", i);
        work.add(pool.submit(() -> b.ven(name, known, created)));
      }
      List<String[]> rows = new ArrayList<>();
      for (Future<String[]> f : work) {
        rows.add(f.get());
      }
      save(state, known);
      try (BufferedWriter w = Files.newBufferedWriter(Path.of(args[2]), StandardCharsets.UTF_8)) {
        for (String[] r : rows) {
          w.write(r[0] + "\t" + r[1] + "\n");
        }
      }
    } finally {
      pool.shutdownNow();
    }
    System.out.printf(Locale.ROOT, "BENCH_ONCE vens=%d created=%d seconds=%.1f%n", n, created[0],
        (System.nanoTime() - start) / 1e9);
  }

  /** The VEN's id and a fresh token, its client and VEN made first when missing, registered through 2.0b. */
  String[] ven(String name, Map<String, Member> known, int[] created) throws Exception {
    Member m;
    synchronized (known) {
      m = known.get(name);
    }
    String token = m == null ? null : token(m);
    if (token == null) {
      String[] c = json(send("POST", "/admin/clients", admin, "application/json",
          "{\"role\":\"ven\",\"name\":\"" + name + "\"}", 201), "clientId", "clientSecret");
      m = new Member(name, c[0], c[1]);
      synchronized (known) {
        known.put(name, m);
        created[0]++;
      }
      token = token(m);
      String existing = send("GET", V + "/vens?venName=" + name, admin, null, null, 200);
      String[] id = json(existing, "id");
      String body = "{\"objectType\":\"BL_VEN_REQUEST\",\"venName\":\"" + name + "\",\"clientID\":\"" + m.clientId() + "\"}";
      if (id[0] == null) {
        send("POST", V + "/vens", admin, "application/json", body, 201);
      } else {
        send("PUT", V + "/vens/" + id[0], admin, "application/json", body, 200);
      }
    }
    String answer = send("POST", "/OpenADR2/Simple/2.0b/EiRegisterParty", token, "application/xml", registration(name), 200);
    Matcher code = CODE.matcher(answer);
    Matcher venId = VEN_ID.matcher(answer);
    if (!code.find() || !"200".equals(code.group(1)) || !venId.find()) {
      throw new IllegalStateException("registering " + name + " was refused: " + answer);
    }
    // As a VEN does after registering: its first poll brings the VTN's oadrRegisterReport, which it
    // acknowledges, so the measured polls find nothing pending.
    String first = send("POST", "/OpenADR2/Simple/2.0b/OadrPoll", token, "application/xml", poll(venId.group(1)), 200);
    Matcher request = REQUEST_ID.matcher(first);
    if (first.contains("oadrRegisterReport") && request.find()) {
      send("POST", "/OpenADR2/Simple/2.0b/EiReport", token, "application/xml",
          registeredReport(venId.group(1), request.group(1)), 200);
    }
    return new String[] {venId.group(1), token};
  }

  /** A token for the member's client, or null when the VTN no longer knows it. */
  String token(Member m) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(vtn + V + "/auth/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=" + m.clientId()
            + "&client_secret=" + m.secret())).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() == 401) {
      return null;
    }
    if (r.statusCode() != 200) {
      throw new IllegalStateException("token for " + m.name() + ": HTTP " + r.statusCode() + " " + r.body());
    }
    return json(r.body(), "access_token")[0];
  }

  String send(String method, String path, String token, String type, String body, int expected) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(vtn + path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (type != null) {
      b.header("Content-Type", type);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != expected) {
      throw new IllegalStateException(method + " " + path + ": HTTP " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  static String[] json(String body, String... names) {
    String[] out = new String[names.length];
    Matcher m = FIELD.matcher(body);
    while (m.find()) {
      for (int i = 0; i < names.length; i++) {
        if (out[i] == null && names[i].equals(m.group(1))) {
          out[i] = m.group(2);
        }
      }
    }
    return out;
  }

  static String poll(String venId) {
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<oadrPayload xmlns=\"http://openadr.org/oadr-2.0b/2012/07\">"
        + "<oadrSignedObject><oadrPoll xmlns:ei=\"http://docs.oasis-open.org/ns/energyinterop/201110\" "
        + "ei:schemaVersion=\"2.0b\"><ei:venID>" + venId + "</ei:venID></oadrPoll></oadrSignedObject></oadrPayload>";
  }

  static String registeredReport(String venId, String requestId) {
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<oadrPayload xmlns=\"http://openadr.org/oadr-2.0b/2012/07\">"
        + "<oadrSignedObject><oadrRegisteredReport xmlns:ei=\"http://docs.oasis-open.org/ns/energyinterop/201110\" "
        + "xmlns:pyld=\"http://docs.oasis-open.org/ns/energyinterop/201110/payloads\" ei:schemaVersion=\"2.0b\">"
        + "<ei:eiResponse><ei:responseCode>200</ei:responseCode><ei:responseDescription>OK</ei:responseDescription>"
        + "<pyld:requestID>" + requestId + "</pyld:requestID></ei:eiResponse><ei:venID>" + venId + "</ei:venID>"
        + "</oadrRegisteredReport></oadrSignedObject></oadrPayload>";
  }

  static String registration(String venName) {
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<oadrPayload xmlns=\"http://openadr.org/oadr-2.0b/2012/07\">"
        + "<oadrSignedObject><oadrCreatePartyRegistration xmlns:ei=\"http://docs.oasis-open.org/ns/energyinterop/201110\" "
        + "ei:schemaVersion=\"2.0b\"><requestID xmlns=\"http://docs.oasis-open.org/ns/energyinterop/201110/payloads\">"
        + "bench</requestID><oadrProfileName>2.0b</oadrProfileName><oadrTransportName>simpleHttp</oadrTransportName>"
        + "<oadrReportOnly>false</oadrReportOnly><oadrXmlSignature>false</oadrXmlSignature>"
        + "<oadrVenName>" + venName + "</oadrVenName><oadrHttpPullModel>true</oadrHttpPullModel>"
        + "</oadrCreatePartyRegistration></oadrSignedObject></oadrPayload>";
  }

  static Map<String, Member> load(Path state) throws IOException {
    Map<String, Member> out = new LinkedHashMap<>();
    if (Files.exists(state)) {
      for (String line : Files.readAllLines(state, StandardCharsets.UTF_8)) {
        String[] f = line.split("\t");
        if (!line.startsWith("#") && f.length == 3) {
          out.put(f[0], new Member(f[0], f[1], f[2]));
        }
      }
    }
    return out;
  }

  static void save(Path state, Map<String, Member> members) throws IOException {
    Path dir = state.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".oadr20b", ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      w.write("# loadshift bench 2.0b VEN clients: venName, clientId, clientSecret. Written by bench/Oadr20bPollBench.java.\n");
      for (Member m : members.values()) {
        w.write(m.name() + "\t" + m.clientId() + "\t" + m.secret() + "\n");
      }
    }
    Files.move(tmp, state, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
