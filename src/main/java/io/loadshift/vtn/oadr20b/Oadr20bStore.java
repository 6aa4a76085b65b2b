package io.loadshift.vtn.oadr20b;

import io.loadshift.vtn.party.VenViews;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The 2.0b adapter's SQL: VENs as 2.0b identifies them, registrations, the event sets sent, the
 * message queue and opt responses. It runs on a pool of its own (namespace {@code oadr20b} in the
 * SQL meters), so what polling costs PostgreSQL can be read off {@code /metrics}.
 */
final class Oadr20bStore {
  /** A VEN object as registration needs it. */
  record VenRow(String id, String venName, String clientId, String fingerprint) {}

  /** A registered VEN as its session is built from. */
  record SessionRow(String venId, Session.VenRecord ven, Session.Registration registration, Long digest,
                    Long queued) {}

  /** A message taken from the queue; {@code more}: others wait behind it. */
  record Claimed(long id, String type, JsonObject payload, boolean more) {}

  private static final String VEN_COLUMNS = "id, ven_name, client_id, oadr_fingerprint";
  private static final String VEN_BY_ID = "SELECT " + VEN_COLUMNS + " FROM vens WHERE id = $1";
  private static final String VEN_BY_NAME = "SELECT " + VEN_COLUMNS + " FROM vens WHERE ven_name = $1";
  private static final String VEN_BY_FINGERPRINT = "SELECT " + VEN_COLUMNS + " FROM vens WHERE oadr_fingerprint = $1";
  private static final String VENS_OF_CLIENT = "SELECT " + VEN_COLUMNS + " FROM vens WHERE client_id = $1 ORDER BY created_at, id";

  private static final String REGISTRATION_FOR_UPDATE =
      "SELECT registration_id FROM oadr20b_registrations WHERE ven_id = $1 FOR UPDATE";
  private static final String REGISTER = "INSERT INTO oadr20b_registrations (ven_id, registration_id, ven_name, http_pull, "
      + "transport_address, xml_signature, report_only) VALUES ($1, $2, $3, $4, $5, $6, $7) "
      + "ON CONFLICT (ven_id) DO UPDATE SET registration_id = excluded.registration_id, ven_name = excluded.ven_name, "
      + "http_pull = excluded.http_pull, transport_address = excluded.transport_address, "
      + "xml_signature = excluded.xml_signature, report_only = excluded.report_only, registered_at = now()";
  private static final String FORGET_SENT = "DELETE FROM oadr20b_event_state WHERE ven_id = $1";
  private static final String CANCEL = "DELETE FROM oadr20b_registrations WHERE ven_id = $1";

  private static final String SESSION_SELECT = "SELECT v.id, v.ven_name, v.client_id, v.oadr_fingerprint, v.targets, "
      + "g.registration_id, g.ven_name AS oadr_ven_name, g.http_pull, g.transport_address, g.xml_signature, g.report_only, "
      + "g.registered_at, "
      + "s.digest, (SELECT max(q.id) FROM oadr20b_queue q WHERE q.ven_id = g.ven_id AND q.delivered_at IS NULL) AS queued "
      + "FROM oadr20b_registrations g JOIN vens v ON v.id = g.ven_id "
      + "LEFT JOIN oadr20b_event_state s ON s.ven_id = g.ven_id "
      + "AND (s.registered_at IS NULL OR s.registered_at = g.registered_at)";
  private static final String SESSIONS_SOME = SESSION_SELECT + " WHERE g.ven_id = ANY($1)";
  private static final String RESOURCES_ALL = "SELECT r.ven_id, r.id, r.targets FROM resources r "
      + "JOIN oadr20b_registrations g ON g.ven_id = r.ven_id WHERE r.targets <> '{}'";
  private static final String RESOURCES_SOME = "SELECT r.ven_id, r.id, r.targets FROM resources r "
      + "WHERE r.ven_id = ANY($1) AND r.targets <> '{}'";

  /**
   * What VENs were sent, under which registration (registered_at): a state of an older
   * registration than the one stored is not written over it, and sessions load only their own.
   */
  private static final String SAVE_SENT = "INSERT INTO oadr20b_event_state (ven_id, digest, sent_at, registered_at) "
      + "SELECT t.v, t.d, now(), t.r FROM unnest($1::text[], $2::bigint[], $3::timestamptz[]) AS t(v, d, r) "
      + "WHERE EXISTS (SELECT 1 FROM oadr20b_registrations g WHERE g.ven_id = t.v "
      + "AND (t.r IS NULL OR g.registered_at = t.r)) "
      + "ON CONFLICT (ven_id) DO UPDATE SET digest = excluded.digest, sent_at = excluded.sent_at, "
      + "registered_at = excluded.registered_at WHERE oadr20b_event_state.registered_at IS NULL "
      + "OR excluded.registered_at IS NULL OR excluded.registered_at >= oadr20b_event_state.registered_at";

  private static final String ENQUEUE = "INSERT INTO oadr20b_queue (ven_id, message_type, payload, created_by) "
      + "VALUES ($1, $2, $3, $4) RETURNING id";
  private static final String ENQUEUE_ONCE = "INSERT INTO oadr20b_queue (ven_id, message_type, payload, created_by) "
      + "SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM oadr20b_queue WHERE ven_id = $1 AND message_type = $2 "
      + "AND delivered_at IS NULL) RETURNING id";
  private static final String CLAIM = "WITH next AS (SELECT id FROM oadr20b_queue WHERE ven_id = $1 AND delivered_at IS NULL "
      + "ORDER BY id LIMIT 1 FOR UPDATE) "
      + "UPDATE oadr20b_queue q SET delivered_at = now(), attempts = q.attempts + 1 FROM next WHERE q.id = next.id "
      + "RETURNING q.id, q.message_type, q.payload, EXISTS (SELECT 1 FROM oadr20b_queue r WHERE r.ven_id = $1 "
      + "AND r.delivered_at IS NULL AND r.id > q.id) AS more";
  private static final String PENDING = "SELECT max(id) FROM oadr20b_queue WHERE ven_id = $1 AND delivered_at IS NULL";
  private static final String RELEASE = "UPDATE oadr20b_queue SET delivered_at = NULL WHERE id = $1";
  private static final String QUEUE_LENGTH = "SELECT count(*) FROM oadr20b_queue WHERE ven_id = $1 AND delivered_at IS NULL";

  /** Records an opt when it is new or different; returns the previous opt ('' when none) of what changed. */
  private static final String OPT = "WITH prev AS (SELECT opt FROM event_opts WHERE event_id = $1 AND ven_id = $2) "
      + "INSERT INTO event_opts (event_id, ven_id, opt, source, recorded_at) VALUES ($1, $2, $3, '2.0b', now()) "
      + "ON CONFLICT (event_id, ven_id) DO UPDATE SET opt = excluded.opt, source = excluded.source, "
      + "recorded_at = excluded.recorded_at WHERE event_opts.opt IS DISTINCT FROM excluded.opt "
      + "RETURNING coalesce((SELECT opt FROM prev), '')";

  private static final String VEN_RESOURCES = "SELECT id, resource_name FROM resources WHERE ven_id = $1";
  private static final String OPT_FOR_UPDATE =
      "SELECT opt, event_id FROM oadr20b_opts WHERE ven_id = $1 AND opt_id = $2 FOR UPDATE";
  private static final String SAVE_OPT = "INSERT INTO oadr20b_opts (ven_id, opt_id, opt, event_id, reason, market_context) "
      + "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (ven_id, opt_id) DO UPDATE SET opt = excluded.opt, "
      + "event_id = excluded.event_id, reason = excluded.reason, market_context = excluded.market_context, "
      + "created_at = now()";
  private static final String DELETE_OPT = "DELETE FROM oadr20b_opts WHERE ven_id = $1 AND opt_id = $2";
  private static final String DELETE_WINDOWS = "DELETE FROM availability WHERE ven_id = $1 AND opt_id = $2";
  private static final String INSERT_WINDOWS = "INSERT INTO availability (id, ven_id, resource_id, opt_id, opt, starts_at, "
      + "ends_at) SELECT gen_random_uuid(), $1, nullif(u.r, ''), $2, $3, u.s, u.e "
      + "FROM unnest($4::text[], $5::timestamptz[], $6::timestamptz[]) AS u(r, s, e)";
  private static final String DELETE_EVENT_OPT =
      "DELETE FROM event_opts WHERE event_id = $1 AND ven_id = $2 AND source = '2.0b'";

  private final Pool pool;

  Oadr20bStore(Pool pool) {
    this.pool = pool;
  }

  Pool pool() {
    return pool;
  }

  // --- VENs --------------------------------------------------------------------------------------

  Future<Optional<VenRow>> venById(String id) {
    return pool.preparedQuery(VEN_BY_ID).execute(Tuple.of(id)).map(Oadr20bStore::firstVen);
  }

  Future<Optional<VenRow>> venByName(String name) {
    return pool.preparedQuery(VEN_BY_NAME).execute(Tuple.of(name)).map(Oadr20bStore::firstVen);
  }

  Future<Optional<VenRow>> venByFingerprint(String fingerprint) {
    return pool.preparedQuery(VEN_BY_FINGERPRINT).execute(Tuple.of(fingerprint)).map(Oadr20bStore::firstVen);
  }

  Future<List<VenRow>> vensOfClient(String clientId) {
    return pool.preparedQuery(VENS_OF_CLIENT).execute(Tuple.of(clientId)).map(rows -> {
      List<VenRow> out = new ArrayList<>();
      rows.forEach(r -> out.add(ven(r)));
      return out;
    });
  }

  private static Optional<VenRow> firstVen(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(ven(rows.iterator().next()));
  }

  private static VenRow ven(Row r) {
    return new VenRow(r.getString("id"), r.getString("ven_name"), r.getString("client_id"), r.getString("oadr_fingerprint"));
  }

  // --- registrations -----------------------------------------------------------------------------

  /** The VEN's registrationID, locked for the transaction, or empty. */
  Future<Optional<String>> registrationForUpdate(SqlClient tx, String venId) {
    return tx.preparedQuery(REGISTRATION_FOR_UPDATE).execute(Tuple.of(venId))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getString(0)));
  }

  /** Stores a registration (replacing the VEN's previous one) and forgets what was sent before it. */
  Future<Void> register(SqlClient tx, String venId, Session.Registration r) {
    return tx.preparedQuery(REGISTER).execute(Tuple.from(new Object[] {venId, r.registrationId(), r.oadrVenName(),
            r.httpPull(), r.transportAddress(), r.xmlSignature(), r.reportOnly()}))
        .compose(v -> tx.preparedQuery(FORGET_SENT).execute(Tuple.of(venId)))
        .mapEmpty();
  }

  Future<Void> cancel(SqlClient tx, String venId) {
    return tx.preparedQuery(CANCEL).execute(Tuple.of(venId)).mapEmpty();
  }

  // --- sessions ----------------------------------------------------------------------------------

  Future<List<SessionRow>> allSessions() {
    return pool.query(SESSION_SELECT).execute()
        .compose(rows -> pool.query(RESOURCES_ALL).execute().map(resources -> sessions(rows, resources)));
  }

  Future<List<SessionRow>> sessions(List<String> venIds) {
    String[] ids = venIds.toArray(String[]::new);
    return pool.preparedQuery(SESSIONS_SOME).execute(Tuple.tuple().addArrayOfString(ids))
        .compose(rows -> pool.preparedQuery(RESOURCES_SOME).execute(Tuple.tuple().addArrayOfString(ids))
            .map(resources -> sessions(rows, resources)));
  }

  private static List<SessionRow> sessions(RowSet<Row> rows, RowSet<Row> resources) {
    Map<String, Map<String, List<String>>> byVen = new HashMap<>();
    for (Row r : resources) {
      byVen.computeIfAbsent(r.getString(0), k -> new HashMap<>()).put(r.getString(1), List.of(r.getArrayOfStrings(2)));
    }
    List<SessionRow> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      String id = r.getString("id");
      Map<String, List<String>> res = byVen.getOrDefault(id, Map.of());
      Set<String> targets = new HashSet<>(Arrays.asList(r.getArrayOfStrings("targets")));
      targets.add(VenViews.venTarget(id));
      res.values().forEach(targets::addAll);
      Session.VenRecord ven = new Session.VenRecord(r.getString("ven_name"), r.getString("client_id"),
          r.getString("oadr_fingerprint"), new VenViews.View(Set.of(id), Set.copyOf(targets)), Map.copyOf(res));
      Session.Registration reg = new Session.Registration(r.getString("registration_id"), r.getString("oadr_ven_name"),
          r.getBoolean("http_pull"), r.getString("transport_address"), r.getBoolean("xml_signature"),
          r.getBoolean("report_only"), r.getOffsetDateTime("registered_at").toInstant());
      out.add(new SessionRow(id, ven, reg, r.getLong("digest"), r.getLong("queued")));
    }
    return out;
  }

  /** Records the event sets sent to these VENs (one row per VEN; registrations cancelled meanwhile are skipped). */
  /** Stores what each VEN was sent, for the registrations still standing (one made since is left alone). */
  Future<Void> saveSent(Map<String, SentStates.Sent> sent) {
    String[] ids = sent.keySet().toArray(String[]::new);
    Long[] values = new Long[ids.length];
    java.time.OffsetDateTime[] registered = new java.time.OffsetDateTime[ids.length];
    for (int i = 0; i < ids.length; i++) {
      SentStates.Sent s = sent.get(ids[i]);
      values[i] = s.digest();
      registered[i] = s.registeredAt() == null ? null : s.registeredAt().atOffset(java.time.ZoneOffset.UTC);
    }
    return pool.preparedQuery(SAVE_SENT).execute(Tuple.tuple().addArrayOfString(ids).addArrayOfLong(values)
        .addArrayOfOffsetDateTime(registered)).mapEmpty();
  }

  // --- queue -------------------------------------------------------------------------------------

  Future<Long> enqueue(SqlClient tx, String venId, String type, JsonObject payload, String createdBy) {
    return tx.preparedQuery(ENQUEUE).execute(Tuple.of(venId, type, payload, createdBy))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /** Queues a message unless one of its type is still undelivered for the VEN; its id, or null. */
  Future<Long> enqueueOnce(SqlClient tx, String venId, String type, JsonObject payload, String createdBy) {
    return tx.preparedQuery(ENQUEUE_ONCE).execute(Tuple.of(venId, type, payload, createdBy))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong(0));
  }

  /** Takes the VEN's oldest undelivered message, marking it delivered; empty when none could be taken. */
  Future<Optional<Claimed>> claim(String venId) {
    return pool.preparedQuery(CLAIM).execute(Tuple.of(venId)).map(rows -> {
      if (rows.size() == 0) {
        return Optional.empty();
      }
      Row r = rows.iterator().next();
      Object payload = r.getValue(2);
      return Optional.of(new Claimed(r.getLong(0), r.getString(1),
          payload instanceof JsonObject o ? o : new JsonObject(), r.getBoolean(3)));
    });
  }

  /** The newest undelivered message id of the VEN, or null. */
  Future<Long> pending(String venId) {
    return pool.preparedQuery(PENDING).execute(Tuple.of(venId)).map(rows -> rows.iterator().next().getLong(0));
  }

  /** Hands a claimed message back (its answer could not be written). */
  Future<Void> release(long id) {
    return pool.preparedQuery(RELEASE).execute(Tuple.of(id)).mapEmpty();
  }

  Future<Long> queueLength(String venId) {
    return pool.preparedQuery(QUEUE_LENGTH).execute(Tuple.of(venId)).map(rows -> rows.iterator().next().getLong(0));
  }

  // --- opts --------------------------------------------------------------------------------------

  /** Records an optIn/optOut; the previous opt ('' for none) when it changed, empty when it was the same. */
  Future<Optional<String>> recordOpt(SqlClient tx, String eventId, String venId, String opt) {
    return tx.preparedQuery(OPT).execute(Tuple.of(eventId, venId, opt))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getString(0)));
  }

  // --- opt schedules (EiOpt) ---------------------------------------------------------------------

  /** The VEN's resources: id to resourceName. */
  Future<Map<String, String>> resourcesOf(String venId) {
    return pool.preparedQuery(VEN_RESOURCES).execute(Tuple.of(venId)).map(rows -> {
      Map<String, String> out = new HashMap<>();
      rows.forEach(r -> out.put(r.getString(0), r.getString(1)));
      return out;
    });
  }

  /** A stored opt schedule: its opt and the event it is scoped to (or null). */
  record OptRow(String opt, String eventId) {}

  Future<Optional<OptRow>> optForUpdate(SqlClient tx, String venId, String optId) {
    return tx.preparedQuery(OPT_FOR_UPDATE).execute(Tuple.of(venId, optId)).map(rows -> rows.size() == 0
        ? Optional.empty() : Optional.of(new OptRow(rows.iterator().next().getString(0), rows.iterator().next().getString(1))));
  }

  /**
   * Stores (or replaces) an opt schedule and its windows; {@code resourceIds[i]} null means the
   * whole VEN.
   */
  Future<Void> saveOpt(SqlClient tx, String venId, String optId, String opt, String eventId, String reason,
                       String marketContext, String[] resourceIds, java.time.OffsetDateTime[] starts,
                       java.time.OffsetDateTime[] ends) {
    String[] resources = new String[resourceIds.length];
    for (int i = 0; i < resources.length; i++) {
      resources[i] = resourceIds[i] == null ? "" : resourceIds[i];
    }
    return tx.preparedQuery(SAVE_OPT).execute(Tuple.from(new Object[] {venId, optId, opt, eventId, reason, marketContext}))
        .compose(v -> tx.preparedQuery(DELETE_WINDOWS).execute(Tuple.of(venId, optId)))
        .compose(v -> resources.length == 0 ? Future.succeededFuture() : tx.preparedQuery(INSERT_WINDOWS)
            .execute(Tuple.tuple().addString(venId).addString(optId).addString(opt).addArrayOfString(resources)
                .addArrayOfOffsetDateTime(starts).addArrayOfOffsetDateTime(ends)))
        .mapEmpty();
  }

  /** Removes an opt schedule, its windows and (when event-scoped) the VEN's 2.0b opt of that event. */
  Future<Void> deleteOpt(SqlClient tx, String venId, String optId, String eventId) {
    Future<Void> f = tx.preparedQuery(DELETE_WINDOWS).execute(Tuple.of(venId, optId))
        .compose(v -> tx.preparedQuery(DELETE_OPT).execute(Tuple.of(venId, optId))).mapEmpty();
    return eventId == null ? f : f.compose(v -> tx.preparedQuery(DELETE_EVENT_OPT).execute(Tuple.of(eventId, venId)))
        .mapEmpty();
  }
}
