package io.loadshift.vtn.der;

import io.loadshift.vtn.audit.Actor;
import io.loadshift.vtn.audit.AuditEntry;
import io.loadshift.vtn.audit.AuditService;
import io.loadshift.vtn.party.Reach;
import io.loadshift.vtn.party.Ven;
import io.loadshift.vtn.party.VenService;
import io.loadshift.vtn.platform.db.Ids;
import io.loadshift.vtn.platform.db.SqlErrors;
import io.loadshift.vtn.platform.http.Problem;
import io.loadshift.vtn.platform.outbox.Outbox;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resources behind VENs: registration one by one or in bulk, updates, the status life cycle with
 * its history, and removal. Every change writes an audit row and a notification in its transaction.
 */
public final class ResourceService {
  /** How many per-item errors a refused bulk registration lists. */
  public static final int MAX_LISTED_ERRORS = 100;
  private static final Set<String> OPERATORS = Set.of("admin", "utility", "system");

  static {
    SqlErrors.explain("resources_ven_name_key", "That VEN already has a resource with this resourceName.");
    SqlErrors.explain("resources_ven_id_fkey", "The VEN of this resource does not exist.");
  }

  private final Vertx vertx;
  private final Pool pool;
  private final VenService vens;
  private final AuditService audit;
  private final Outbox outbox;
  private final CapacityLimits limits;
  private final ResourceRepository repository = new ResourceRepository();

  public ResourceService(Vertx vertx, Pool pool, VenService vens, AuditService audit, Outbox outbox, CapacityLimits limits) {
    this.vertx = vertx;
    this.pool = pool;
    this.vens = vens;
    this.audit = audit;
    this.outbox = outbox;
    this.limits = limits;
  }

  public static boolean operator(Actor actor) {
    return OPERATORS.contains(actor.role());
  }

  public Future<Resource> create(Actor actor, Reach reach, ResourceDraft draft) {
    DerSpec spec;
    DerStatus initial;
    try {
      spec = spec(draft.attributes());
      initial = initialStatus(spec);
    } catch (Problem p) {
      return Future.failedFuture(p);
    }
    String id = Ids.newId();
    return pool.withTransaction(tx -> vens.require(tx, draft.venId(), reach).compose(ven -> {
      checkClient(draft, ven);
      return repository.insert(tx, id, draft, ven.clientId(), ven.registeredBy(), spec, initial)
          .compose(r -> repository.openHistory(tx, id, initial, actor.id()).map(r))
          .compose(r -> recordChange(tx, actor, "resource.created", "der_registered", "CREATE", null, r).map(r));
    }));
  }

  /** A bulk registration that went through: the new resources' ids, in request order. */
  public record BulkResult(List<String> ids) {}

  /**
   * Registers many resources at once: all of them, or none with the reasons per item (its index
   * in the request), the first {@value #MAX_LISTED_ERRORS} listed.
   */
  public Future<BulkResult> createMany(Actor actor, Reach reach, List<ResourceDraft> drafts) {
    // Checking and encoding 100k items takes CPU seconds: on a worker, not the event loop.
    return vertx.executeBlocking(() -> checkAll(drafts), false).compose(checked ->
        pool.withTransaction(tx -> vens.getMany(tx, new ArrayList<>(checked.venIds), reach).compose(found -> {
          Map<String, Ven> byId = new HashMap<>();
          found.forEach(v -> byId.put(v.id(), v));
          for (int i = 0; i < drafts.size(); i++) {
            ResourceDraft d = drafts.get(i);
            Ven ven = byId.get(d.venId());
            if (ven == null) {
              checked.errors.add(itemError(d, i, "no VEN '" + d.venId() + "'"));
            } else if (d.clientId() != null && !d.clientId().equals(ven.clientId())) {
              checked.errors.add(itemError(d, i, "clientID must be the VEN's clientID"));
            }
          }
          if (!checked.errors.isEmpty()) {
            return Future.failedFuture(bulkRejected(checked.errors, drafts.size()));
          }
          return vertx.executeBlocking(() -> batch(drafts, checked, byId), false)
              .compose(batch -> repository.insertMany(tx, batch.rows, actor.id())
                  .compose(v -> audit.recordAll(tx, actor, "resource.created", "resource", batch.rows.ids, batch.audit))
                  .compose(v -> outbox.enqueueAll(tx, "der_registered", "RESOURCE", "CREATE", batch.rows.ids,
                      batch.rows.venIds, batch.objects))
                  .map(v -> new BulkResult(batch.rows.ids)));
        })))
        // Names already taken are found only when the insert hits the unique key (rare), so the
        // common case pays no extra query; then the transaction is gone and they are looked up.
        .recover(e -> e instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState())
            ? takenNames(drafts) : Future.failedFuture(e));
  }

  private Future<BulkResult> takenNames(List<ResourceDraft> drafts) {
    List<String> venCol = new ArrayList<>(drafts.size());
    List<String> nameCol = new ArrayList<>(drafts.size());
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < drafts.size(); i++) {
      venCol.add(drafts.get(i).venId());
      nameCol.add(drafts.get(i).resourceName());
      index.putIfAbsent(drafts.get(i).venId() + "\u0000" + drafts.get(i).resourceName(), i);
    }
    return repository.existingNames(pool, venCol, nameCol).compose(taken -> {
      List<JsonObject> errors = new ArrayList<>();
      for (String[] t : taken) {
        int i = index.get(t[0] + "\u0000" + t[1]);
        errors.add(itemError(drafts.get(i), i, "the VEN already has a resource named '" + t[1] + "'"));
      }
      return Future.failedFuture(errors.isEmpty()
          ? Problem.conflict("Another registration took some of these names meanwhile; nothing was stored.")
          : bulkRejected(errors, drafts.size()));
    });
  }

  /** What checking a bulk registration's items found, before the database is asked. */
  private static final class Checked {
    final List<JsonObject> errors = new ArrayList<>();
    final List<DerSpec> specs = new ArrayList<>();
    final List<DerStatus> statuses = new ArrayList<>();
    final Set<String> venIds = new HashSet<>();
    final Map<String, Integer> names = new HashMap<>();
  }

  /** Rows to insert, with the notification objects (full 3.1) and compact audit summaries. */
  private record Prepared(ResourceRepository.Batch rows, List<String> objects, List<String> audit) {}

  /**
   * Checks every item's attributes and names. The VENs and names already taken are checked
   * against the database afterwards.
   */
  private Checked checkAll(List<ResourceDraft> drafts) {
    Checked c = new Checked();
    for (int i = 0; i < drafts.size(); i++) {
      ResourceDraft d = drafts.get(i);
      List<String> problems = new ArrayList<>();
      DerSpec spec = DerAttributes.read(d.attributes(), limits, problems);
      DerStatus status = null;
      if (spec != null) {
        status = spec.status() == null ? DerStatus.ONLINE : spec.status();
        if (!DerStatus.INITIAL.contains(status)) {
          problems.add("a new resource starts ONLINE, OFFLINE or MAINTENANCE, not " + status);
        }
      }
      Integer twin = c.names.putIfAbsent(d.venId() + "\u0000" + d.resourceName(), i);
      if (twin != null) {
        problems.add("the same VEN and resourceName as item " + twin);
      }
      for (String p : problems) {
        c.errors.add(itemError(d, i, p));
      }
      c.specs.add(spec);
      c.statuses.add(status);
      c.venIds.add(d.venId());
    }
    return c;
  }

  private static Prepared batch(List<ResourceDraft> drafts, Checked c, Map<String, Ven> vens) {
    ResourceRepository.Batch rows = new ResourceRepository.Batch();
    List<String> objects = new ArrayList<>(drafts.size());
    List<String> audit = new ArrayList<>(drafts.size());
    for (int i = 0; i < drafts.size(); i++) {
      ResourceDraft d = drafts.get(i);
      Ven ven = vens.get(d.venId());
      String id = Ids.newId();
      DerSpec spec = c.specs.get(i);
      rows.add(id, d, ven.clientId(), ven.registeredBy(), spec, c.statuses.get(i));
      objects.add(Resource.json(id, d.resourceName(), d.venId(), ven.clientId(), d.targets(), spec,
          c.statuses.get(i), null, null).encode());
      audit.add(new JsonObject().put("resourceName", d.resourceName()).put("venID", d.venId())
          .put("derType", spec.derType() == null ? null : spec.derType().name())
          .put("capacityKw", spec.capacityKw() == null ? null : spec.capacityKw().toPlainString())
          .put("status", c.statuses.get(i).name()).put("bulk", true).encode());
    }
    return new Prepared(rows, objects, audit);
  }

  private static Problem bulkRejected(List<JsonObject> errors, int items) {
    errors.sort((a, b) -> Integer.compare(a.getInteger("index"), b.getInteger("index")));
    JsonArray listed = new JsonArray(new ArrayList<>(errors.subList(0, Math.min(errors.size(), MAX_LISTED_ERRORS))));
    return new Problem(422, "bulk-rejected", "Bulk registration refused",
        errors.size() + " problems in " + items + " items; nothing was stored.",
        new JsonObject().put("errorCount", errors.size()).put("errors", listed));
  }

  public Future<Resource> get(String id, Reach reach) {
    return repository.find(pool, id, reach, false).map(r -> r.orElseThrow(() -> notFound(id)));
  }

  public Future<List<Resource>> search(ResourceQuery q, Reach reach, int skip, int limit) {
    return repository.search(pool, q, reach, skip, limit);
  }

  public Future<List<StatusChange>> history(String id, int limit) {
    return repository.history(pool, id, limit);
  }

  /**
   * Replaces a resource's name, attributes and (when the draft carries them) targets; a STATUS
   * attribute different from the current status is a status change under the life-cycle rules.
   */
  public Future<Resource> update(Actor actor, Reach reach, String id, ResourceDraft draft) {
    DerSpec spec;
    try {
      spec = spec(draft.attributes());
    } catch (Problem p) {
      return Future.failedFuture(p);
    }
    return pool.withTransaction(tx -> repository.find(tx, id, reach, true).compose(found -> {
      Resource before = found.orElseThrow(() -> notFound(id));
      if (draft.venId() != null && !draft.venId().equals(before.venId())) {
        throw Problem.validation("A resource cannot move to another VEN; register it there instead.");
      }
      if (draft.clientId() != null && !draft.clientId().equals(before.clientId())) {
        throw Problem.validation("clientID must be the VEN's clientID ('" + before.clientId() + "').");
      }
      List<String> targets = draft.targets() == null ? before.targets() : draft.targets();
      Future<Resource> updated = repository.update(tx, id, draft.resourceName(), targets, spec);
      if (spec.status() != null && spec.status() != before.status()) {
        updated = updated.compose(r -> transition(tx, actor, r, spec.status(), null));
      }
      return updated.compose(after -> recordChange(tx, actor, "resource.updated", "der_updated", "UPDATE", before, after).map(after));
    }));
  }

  /** Moves a resource to a new status, if the life cycle allows it for this caller. */
  public Future<Resource> setStatus(Actor actor, Reach reach, String id, DerStatus status, String reason) {
    return pool.withTransaction(tx -> repository.find(tx, id, reach, true).compose(found -> {
      Resource before = found.orElseThrow(() -> notFound(id));
      if (before.status() == status) {
        return Future.succeededFuture(before);
      }
      return transition(tx, actor, before, status, reason);
    }));
  }

  /**
   * Moves many resources to {@code to} in the caller's transaction (the optimizer dispatching,
   * an emergency, their release), as an operator; a resource whose status does not allow the
   * move, or is in {@code except}, stays as it is. Each move is audited, kept in the history and
   * announced like a single one. Returns the ids moved.
   */
  public Future<List<String>> setStatusMany(SqlClient tx, Actor actor, Collection<String> ids, DerStatus to,
                                            Collection<DerStatus> except, String reason) {
    List<DerStatus> from = new ArrayList<>();
    for (DerStatus s : DerStatus.values()) {
      if (s != to && !except.contains(s) && s.allowedNext(true).contains(to)) {
        from.add(s);
      }
    }
    if (ids.isEmpty() || from.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return repository.setStatusMany(tx, List.copyOf(ids), from, to, actor.id(), reason).compose(moved -> {
      if (moved.isEmpty()) {
        return Future.succeededFuture(List.<String>of());
      }
      List<String> movedIds = new ArrayList<>(moved.size());
      List<String> vens = new ArrayList<>(moved.size());
      List<String> changes = new ArrayList<>(moved.size());
      List<String> notes = new ArrayList<>(moved.size());
      for (ResourceRepository.Moved m : moved) {
        movedIds.add(m.id());
        vens.add(m.venId());
        changes.add(new JsonObject().put("from", m.from().name()).put("status", to.name()).put("reason", reason).encode());
        notes.add(new JsonObject().put("id", m.id()).put("objectType", "RESOURCE").put("resourceName", m.resourceName())
            .put("venID", m.venId()).put("status", to.name()).put("previousStatus", m.from().name())
            .put("reason", reason).encode());
      }
      return audit.recordAll(tx, actor, "resource.status_changed", "resource", movedIds, changes)
          .compose(v -> outbox.enqueueAll(tx, "der_status_updated", "RESOURCE", "UPDATE", movedIds, vens, notes))
          .map(movedIds);
    });
  }

  public Future<Resource> delete(Actor actor, Reach reach, String id) {
    return pool.withTransaction(tx -> repository.find(tx, id, reach, true).compose(found -> {
      Resource before = found.orElseThrow(() -> notFound(id));
      if (before.status() == DerStatus.OPTIMIZED || before.status() == DerStatus.EMERGENCY) {
        throw Problem.conflict("The resource is " + before.status() + " (dispatched); it cannot be removed until it is released.");
      }
      return repository.delete(tx, id)
          .compose(v -> recordChange(tx, actor, "resource.deleted", "der_deleted", "DELETE", before, null))
          .map(before);
    }));
  }

  private Future<Resource> transition(SqlClient tx, Actor actor, Resource current, DerStatus to, String reason) {
    List<DerStatus> allowed = current.status().allowedNext(operator(actor));
    if (!allowed.contains(to)) {
      return Future.failedFuture(new Problem(409, "invalid-status-transition", "Status change not allowed",
          "A " + actor.role() + " cannot move a resource from " + current.status() + " to " + to + "; allowed: "
              + allowed + ".",
          new JsonObject().put("from", current.status().name()).put("to", to.name())
              .put("allowed", new JsonArray(allowed.stream().map(Enum::name).toList()))));
    }
    return repository.setStatus(tx, current.id(), to, actor.id(), reason).compose(after -> {
      JsonObject change = new JsonObject().put("status", after.status().name()).put("reason", reason);
      String event = to == DerStatus.MAINTENANCE ? "maintenance_recorded" : "der_status_updated";
      return audit.record(tx, AuditEntry.of(actor, "resource.status_changed", "resource", after.id(),
              new JsonObject().put("status", current.status().name()), change))
          .compose(v -> outbox.enqueue(tx, new Outbox.Notification(event, "RESOURCE", "UPDATE", after.id(), after.venId(),
              summary(after).put("previousStatus", current.status().name()).put("reason", reason))))
          .map(after);
    });
  }

  private DerSpec spec(JsonArray attributes) {
    List<String> errors = new ArrayList<>();
    DerSpec spec = DerAttributes.read(attributes, limits, errors);
    if (spec == null) {
      throw new Problem(400, "invalid-der-attributes", "Invalid DER attributes", String.join("; ", errors) + ".",
          new JsonObject().put("errors", new JsonArray(errors)));
    }
    return spec;
  }

  private static DerStatus initialStatus(DerSpec spec) {
    DerStatus s = spec.status() == null ? DerStatus.ONLINE : spec.status();
    if (!DerStatus.INITIAL.contains(s)) {
      throw Problem.validation("A new resource starts ONLINE, OFFLINE or MAINTENANCE, not " + s + ".");
    }
    return s;
  }

  private static void checkClient(ResourceDraft draft, Ven ven) {
    if (draft.clientId() != null && !draft.clientId().equals(ven.clientId())) {
      throw Problem.validation("clientID must be the VEN's clientID ('" + ven.clientId() + "').");
    }
  }

  private Future<Void> recordChange(SqlClient tx, Actor actor, String action, String event, String op,
                                    Resource before, Resource after) {
    Resource subject = after != null ? after : before;
    return audit.record(tx, AuditEntry.of(actor, action, "resource", subject.id(),
            before == null ? null : summary(before), after == null ? null : summary(after)))
        .compose(v -> outbox.enqueue(tx, new Outbox.Notification(event, "RESOURCE", op, subject.id(), subject.venId(),
            summary(subject))));
  }

  static JsonObject summary(Resource r) {
    return r.toJson();
  }

  private static JsonObject itemError(ResourceDraft d, int index, String detail) {
    return new JsonObject().put("index", index).put("resourceName", d.resourceName()).put("detail", detail);
  }

  static Problem notFound(String id) {
    return Problem.notFound("No resource '" + id + "'.");
  }
}
