package io.loadshift.vtn.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * Keeps the token-signing key in PostgreSQL, so tokens survive a restart and every VTN instance
 * on the database signs and verifies with the same key. The first instance to start makes it.
 */
public final class SigningKeyStore {
  private static final String LOCK = "SELECT pg_advisory_xact_lock(hashtext('vtn.signing_keys'))";
  private static final String NEWEST =
      "SELECT kid, private_key_pem, public_key_pem FROM signing_keys ORDER BY created_at DESC, kid LIMIT 1";
  private static final String INSERT =
      "INSERT INTO signing_keys (kid, algorithm, private_key_pem, public_key_pem) VALUES ($1, $2, $3, $4) "
          + "ON CONFLICT (kid) DO NOTHING";

  private SigningKeyStore() {}

  public static Future<SigningKey> loadOrCreate(Vertx vertx, Pool pool) {
    return pool.withTransaction(tx -> tx.query(LOCK).execute()
        .compose(v -> tx.query(NEWEST).execute())
        .compose(rows -> {
          if (rows.size() > 0) {
            Row r = rows.iterator().next();
            return Future.succeededFuture(new SigningKey(r.getString(0), r.getString(1), r.getString(2)));
          }
          return vertx.executeBlocking(SigningKey::generate)
              .compose(k -> tx.preparedQuery(INSERT)
                  .execute(Tuple.of(k.kid(), SigningKey.ALGORITHM, k.privatePem(), k.publicPem()))
                  .map(v -> k));
        }));
  }
}
