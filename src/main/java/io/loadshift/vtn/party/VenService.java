package io.loadshift.vtn.party;

import io.loadshift.vtn.audit.Actor;
import io.loadshift.vtn.audit.AuditEntry;
import io.loadshift.vtn.audit.AuditService;
import io.loadshift.vtn.platform.db.Ids;
import io.loadshift.vtn.platform.db.SqlErrors;
import io.loadshift.vtn.platform.http.Problem;
import io.loadshift.vtn.platform.outbox.Outbox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.util.List;
import java.util.Optional;

/** VEN objects: registration (by the VEN itself or by a utility or aggregator), reads, updates, removal. */
public final class VenService {
  public static final String STELLAR_ACCOUNT = "STELLAR_ACCOUNT";
  /** The OpenADR 2.0b fingerprint of the VEN's client certificate, provisioned by a utility. */
  public static final String OADR_CERT_FINGERPRINT = "OADR_CERT_FINGERPRINT";
  private static final java.util.regex.Pattern FINGERPRINT = java.util.regex.Pattern.compile("([0-9A-Fa-f]{2}:){9}[0-9A-Fa-f]{2}");

  static {
    SqlErrors.explain("vens_ven_name_key", "A VEN with that venName already exists; venName is unique.");
    SqlErrors.explain("vens_oadr_fingerprint_key",
        "Another VEN is provisioned with that OADR_CERT_FINGERPRINT; a certificate identifies one VEN.");
    SqlErrors.explain("participations_ven_id_fkey", "The VEN has settlement records, which are kept; it cannot be removed.");
  }

  private final Pool pool;
  private final AuditService audit;
  private final Outbox outbox;
  private final VenRepository repository = new VenRepository();

  public VenService(Pool pool, AuditService audit, Outbox outbox) {
    this.pool = pool;
    this.audit = audit;
    this.outbox = outbox;
  }

  /**
   * Registers a VEN. {@code clientId} is the VEN's client: the caller's own for a VEN registering
   * itself, the given one for a utility or aggregator registering on its behalf.
   */
  public Future<Ven> create(Actor actor, VenDraft draft, String clientId) {
    String stellar;
    try {
      stellar = stellarAccount(draft.attributes());
      if (oadrFingerprint(draft.attributes()) != null && !operator(actor)) {
        throw notProvisioner();
      }
    } catch (Problem p) {
      return Future.failedFuture(p);
    }
    String id = Ids.newId();
    return pool.withTransaction(tx -> repository.insert(tx, id, draft, clientId, actor.id(), stellar)
        .compose(ven -> recordChange(tx, actor, "ven.created", "ven_registered", "CREATE", null, ven).map(ven)));
  }

  public Future<Ven> get(String id, Reach reach) {
    return repository.find(pool, id, reach, false).map(v -> v.orElseThrow(() -> notFound(id)));
  }

  /** The VENs among {@code ids} the caller can reach (others are simply absent). */
  public Future<List<Ven>> getMany(SqlClient sql, List<String> ids, Reach reach) {
    return repository.findMany(sql, ids, reach);
  }

  public Future<List<Ven>> search(String venName, List<String> targets, Reach reach, int skip, int limit) {
    return repository.search(pool, venName, reach, targets, skip, limit);
  }

  /**
   * Replaces a VEN's name and attributes, its targets when the draft carries them, and its client
   * when {@code clientId} is not null (business-logic callers only).
   */
  public Future<Ven> update(Actor actor, Reach reach, String id, VenDraft draft, String clientId) {
    String stellar;
    try {
      stellar = stellarAccount(draft.attributes());
    } catch (Problem p) {
      return Future.failedFuture(p);
    }
    try {
      oadrFingerprint(draft.attributes());
    } catch (Problem p) {
      return Future.failedFuture(p);
    }
    return pool.withTransaction(tx -> repository.find(tx, id, reach, true).compose(found -> {
      Ven before = found.orElseThrow(() -> notFound(id));
      List<String> targets = draft.targets() == null ? before.targets() : draft.targets();
      JsonArray attributes = operator(actor) ? draft.attributes() : keepFingerprint(before.attributes(), draft.attributes());
      Future<Ven> updated = repository.update(tx, id, draft.venName(), targets, attributes, stellar);
      if (clientId != null && !clientId.equals(before.clientId())) {
        updated = updated.compose(v -> tx.preparedQuery("UPDATE vens SET client_id = $2 WHERE id = $1")
                .execute(io.vertx.sqlclient.Tuple.of(id, clientId)))
            .compose(v -> repository.resyncResourceClient(tx, id, clientId))
            .compose(v -> repository.find(tx, id, Reach.ALL, false)).map(Optional::orElseThrow);
      }
      return updated.compose(after -> recordChange(tx, actor, "ven.updated", "ven_updated", "UPDATE", before, after).map(after));
    }));
  }

  /**
   * Removes a VEN and its resources, each with its audit row and notification; refused while any
   * of its resources is dispatched (OPTIMIZED or EMERGENCY), as deleting that resource alone would be.
   */
  public Future<Ven> delete(Actor actor, Reach reach, String id) {
    return pool.withTransaction(tx -> repository.find(tx, id, reach, true).compose(found -> {
      Ven before = found.orElseThrow(() -> notFound(id));
      return repository.dispatchedResources(tx, id).compose(dispatched -> {
        if (dispatched > 0) {
          throw Problem.conflict("The VEN has " + dispatched + " dispatched resource(s); release them before removing it.");
        }
        return repository.deleteResources(tx, id);
      }).compose(removed -> {
        if (removed.isEmpty()) {
          return Future.succeededFuture();
        }
        List<String> ids = removed.stream().map(r -> r[0]).toList();
        List<String> summaries = removed.stream().map(r -> new JsonObject().put("id", r[0]).put("objectType", "RESOURCE")
            .put("resourceName", r[1]).put("venID", id).put("clientID", before.clientId()).encode()).toList();
        return audit.recordAll(tx, actor, "resource.deleted", "resource", ids, summaries)
            .compose(v -> outbox.enqueueAll(tx, "der_deleted", "RESOURCE", "DELETE", ids,
                java.util.Collections.nCopies(ids.size(), id), summaries));
      }).compose(v -> recordChange(tx, actor, "ven.deleted", "ven_deleted", "DELETE", before, null))
          .compose(v -> repository.delete(tx, id))
          .map(before);
    }));
  }

  /** Finds a VEN inside the caller's reach within a transaction, failing with 404 outside it. */
  public Future<Ven> require(SqlClient tx, String id, Reach reach) {
    return repository.find(tx, id, reach, false).map(v -> v.orElseThrow(() -> notFound(id)));
  }

  private Future<Void> recordChange(SqlClient tx, Actor actor, String action, String event, String op, Ven before, Ven after) {
    Ven subject = after != null ? after : before;
    return audit.record(tx, AuditEntry.of(actor, action, "ven", subject.id(), json(before), json(after)))
        .compose(v -> outbox.enqueue(tx, new Outbox.Notification(event, "VEN", op, subject.id(), subject.id(),
            subject.toJson())));
  }

  private static JsonObject json(Ven v) {
    return v == null ? null : v.toJson();
  }

  static Problem notFound(String id) {
    return Problem.notFound("No VEN '" + id + "'.");
  }

  private static boolean operator(Actor actor) {
    return "admin".equals(actor.role()) || "utility".equals(actor.role());
  }

  private static Problem notProvisioner() {
    return Problem.forbidden("Only a utility provisions " + OADR_CERT_FINGERPRINT + " (the VEN's OpenADR 2.0b certificate).");
  }

  /**
   * A VEN's or aggregator's update keeps the fingerprint a utility provisioned: omitted, it stays;
   * sent, it must be the same (case aside).
   */
  private static JsonArray keepFingerprint(JsonArray before, JsonArray sent) {
    String was = lenientFingerprint(before);
    String now = oadrFingerprint(sent);
    if (now != null && !now.equals(was)) {
      throw notProvisioner();
    }
    if (now != null || was == null) {
      return sent;
    }
    JsonArray kept = sent == null ? new JsonArray() : sent.copy();
    for (Object o : before) {
      if (o instanceof JsonObject a && OADR_CERT_FINGERPRINT.equals(a.getString("type"))) {
        kept.add(a.copy());
      }
    }
    return kept;
  }

  /**
   * The certificate fingerprint from an OADR_CERT_FINGERPRINT attribute (one value: ten
   * colon-separated hex bytes), upper-cased, or null.
   */
  public static String oadrFingerprint(JsonArray attributes) {
    String found = null;
    if (attributes == null) {
      return null;
    }
    for (Object o : attributes) {
      JsonObject a = (JsonObject) o;
      if (!OADR_CERT_FINGERPRINT.equals(a.getString("type"))) {
        continue;
      }
      JsonArray values = a.getJsonArray("values");
      if (found != null || values == null || values.size() != 1 || !(values.getValue(0) instanceof String s)
          || !FINGERPRINT.matcher(s).matches()) {
        throw Problem.validation(OADR_CERT_FINGERPRINT + " must appear once, with one value: the certificate's OpenADR "
            + "2.0b fingerprint, its SHA-256's last 10 bytes as colon-separated hex (AB:CD:...).");
      }
      found = s.toUpperCase(java.util.Locale.ROOT);
    }
    return found;
  }

  private static String lenientFingerprint(JsonArray attributes) {
    try {
      return oadrFingerprint(attributes);
    } catch (Problem p) {
      return null;
    }
  }

  /** The payout account from a STELLAR_ACCOUNT attribute (one value, a valid StrKey), or null. */
  static String stellarAccount(JsonArray attributes) {
    String found = null;
    if (attributes == null) {
      return null;
    }
    for (Object o : attributes) {
      JsonObject a = (JsonObject) o;
      if (!STELLAR_ACCOUNT.equals(a.getString("type"))) {
        continue;
      }
      JsonArray values = a.getJsonArray("values");
      if (found != null || values.size() != 1 || !(values.getValue(0) instanceof String s)) {
        throw Problem.validation("STELLAR_ACCOUNT must appear once, with one string value.");
      }
      String why = StellarAccount.problem(s);
      if (why != null) {
        throw Problem.validation("STELLAR_ACCOUNT '" + s + "' is not a valid Stellar account id: " + why + ".");
      }
      found = s;
    }
    return found;
  }
}
