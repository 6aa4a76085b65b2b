package io.loadshift.vtn;

import static io.loadshift.vtn.testing.ProblemAssert.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.loadshift.vtn.platform.config.DbUri;
import io.loadshift.vtn.testing.TestDatabase;
import io.loadshift.vtn.testing.TestVtn;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Readiness follows the database: the VTN reaches PostgreSQL through a TCP proxy that the test
 * cuts (closing every connection and refusing new ones) and then restores.
 */
class ReadinessTest {

  @Test
  void readinessGoesDownWithTheDatabaseAndComesBack() throws Exception {
    DbUri db = TestDatabase.create();
    Vertx vertx = Vertx.vertx();
    Proxy proxy = new Proxy(vertx, db.host(), db.port());
    try {
      int port = proxy.start(0);
      DbUri viaProxy = new DbUri("127.0.0.1", port, db.database(), db.user(), db.password(), null);
      try (TestVtn vtn = TestVtn.start(viaProxy, Map.of(), java.util.List.of(), false)) {
        assertEquals(200, ready(vtn).statusCode());
        assertEquals(200, live(vtn).statusCode());

        proxy.stop();
        HttpResponse<Buffer> down = until(vtn, 503);
        assertEquals("DOWN", assertProblem(down, 503, "not-ready").getJsonObject("checks").getString("database"));
        assertEquals(200, live(vtn).statusCode(), "the process itself is still alive");

        proxy.start(port);
        assertEquals(200, until(vtn, 200).statusCode());
      }
    } finally {
      proxy.stop();
      vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      TestDatabase.drop(db);
    }
  }

  private static HttpResponse<Buffer> until(TestVtn vtn, int status) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    HttpResponse<Buffer> r = ready(vtn);
    while (r.statusCode() != status && System.nanoTime() < deadline) {
      Thread.sleep(100);
      r = ready(vtn);
    }
    assertEquals(status, r.statusCode(), r.bodyAsString());
    return r;
  }

  private static HttpResponse<Buffer> ready(TestVtn vtn) throws Exception {
    return get(vtn.http.get("/health/ready").send());
  }

  private static HttpResponse<Buffer> live(TestVtn vtn) throws Exception {
    return get(vtn.http.get("/health/live").send());
  }

  private static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A TCP relay that can be taken down (dropping every connection) and brought back. */
  static final class Proxy {
    private final Vertx vertx;
    private final String host;
    private final int port;
    private final NetClient client;
    private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
    private NetServer server;

    Proxy(Vertx vertx, String host, int port) {
      this.vertx = vertx;
      this.host = host;
      this.port = port;
      this.client = vertx.createNetClient();
    }

    int start(int listenPort) throws Exception {
      server = vertx.createNetServer().connectHandler(in -> {
        in.pause();
        sockets.add(in);
        client.connect(port, host).onComplete(ar -> {
          if (ar.failed()) {
            in.close();
            return;
          }
          NetSocket out = ar.result();
          sockets.add(out);
          in.handler(out::write);
          out.handler(in::write);
          in.closeHandler(v -> out.close());
          out.closeHandler(v -> in.close());
          in.resume();
        });
      });
      return get(server.listen(listenPort, "127.0.0.1")).actualPort();
    }

    void stop() throws Exception {
      if (server != null) {
        get(server.close());
        server = null;
      }
      sockets.forEach(NetSocket::close);
      sockets.clear();
    }
  }
}
