package io.loadshift.vtn;

import static io.loadshift.vtn.testing.ProblemAssert.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.loadshift.vtn.platform.config.DbUri;
import io.loadshift.vtn.testing.TestDatabase;
import io.loadshift.vtn.testing.TestVtn;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Two VTN processes on one database, and a restart: same keys, same revocations. */
class InstancesTest {

  @Test
  void tokensWorkOnEveryInstanceAndSurviveARestartAndRevocationReachesAll() throws Exception {
    DbUri db = TestDatabase.create();
    try {
      String adminToken;
      String vendorToken;
      try (TestVtn a = TestVtn.startOn(db, Map.of()); TestVtn b = TestVtn.startOn(db, Map.of())) {
        adminToken = await(a.adminToken());
        JsonObject ven = await(a.createClient(adminToken, "ven", "VEN on two VTNs"));
        vendorToken = await(a.token(ven.getString("clientId"), ven.getString("clientSecret")));

        // B verifies what A signed: the signing key lives in PostgreSQL.
        assertEquals(200, await(b.http.get("/admin/clients").bearerTokenAuthentication(adminToken).send()).statusCode());

        // Disabling through A is honoured by B without a restart (LISTEN/NOTIFY), in well under 3 s.
        await(a.http.patch("/admin/clients/" + ven.getString("clientId")).bearerTokenAuthentication(adminToken)
            .sendJsonObject(new JsonObject().put("enabled", false)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        int status;
        do {
          // A VEN token has no admin scope: 403 while valid, 401 once revoked.
          status = await(b.http.get("/admin/clients").bearerTokenAuthentication(vendorToken).send()).statusCode();
          if (status != 401) {
            Thread.sleep(20);
          }
        } while (status != 401 && System.nanoTime() < deadline);
        assertEquals(401, status, "B refuses the disabled VEN's token");
      }

      // A restart keeps the key: the admin token issued before still works; the revoked one does not.
      try (TestVtn c = TestVtn.startOn(db, Map.of())) {
        assertEquals(200, await(c.http.get("/admin/clients").bearerTokenAuthentication(adminToken).send()).statusCode());
        assertProblem(await(c.http.get("/admin/clients").bearerTokenAuthentication(vendorToken).send()), 401, "unauthorized");
      }
    } finally {
      TestDatabase.drop(db);
    }
  }

  static <T> T await(io.vertx.core.Future<T> f) throws Exception {
    CompletableFuture<T> cf = f.toCompletionStage().toCompletableFuture();
    return cf.get(10, TimeUnit.SECONDS);
  }
}
