package io.loadshift.vtn.event;

import io.loadshift.vtn.audit.Actor;
import io.loadshift.vtn.audit.AuditEntry;
import io.loadshift.vtn.audit.AuditService;
import io.loadshift.vtn.platform.db.Ids;
import io.loadshift.vtn.platform.http.Problem;
import io.loadshift.vtn.platform.outbox.Outbox;
import io.loadshift.vtn.program.ProgramService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.time.Instant;
import java.util.List;

/**
 * Events: issued, changed and cancelled by utilities. Cancelling keeps the event (settlement and
 * baselines need it) and tells subscribers it is gone. An event whose window is already over when
 * it is recorded is historical: kept for baselines, never sent to VENs.
 */
public final class EventService {
  /** Notification names of historical events start with this; they never go to VENs. */
  public static final String HISTORICAL_PREFIX = "historical_";

  private final Pool pool;
  private final ProgramService programs;
  private final AuditService audit;
  private final Outbox outbox;
  private final EventRepository repository = new EventRepository();

  public EventService(Pool pool, ProgramService programs, AuditService audit, Outbox outbox) {
    this.pool = pool;
    this.programs = programs;
    this.audit = audit;
    this.outbox = outbox;
  }

  /** Totals for business-logic readers of an event. */
  public record Totals(long targetedVens, long optedIn, long optedOut) {
    public JsonObject toJson() {
      return new JsonObject().put("targetedVens", targetedVens).put("optedIn", optedIn).put("optedOut", optedOut)
          .put("participants", targetedVens - optedOut);
    }
  }

  public Future<Event> create(Actor actor, EventDraft draft) {
    return pool.withTransaction(tx -> create(tx, actor, draft));
  }

  /** Creates an event in the caller's transaction (signals published with a dispatch plan). */
  public Future<Event> create(SqlClient tx, Actor actor, EventDraft draft) {
    String id = Ids.newId();
    boolean historical = draft.endsAt() != null && !draft.endsAt().isAfter(Instant.now());
    return programs.get(tx, draft.programId())
        .recover(e -> Future.failedFuture(e instanceof Problem p && p.status() == 404
            ? Problem.unprocessable("programID '" + draft.programId() + "' is not a program.") : e))
        .compose(p -> repository.insert(tx, id, draft, historical, actor.id()))
        .compose(ev -> record(tx, actor, "event.created", "created", "CREATE", null, ev).map(ev));
  }

  public Future<Event> update(Actor actor, String id, EventDraft draft) {
    return pool.withTransaction(tx -> update(tx, actor, id, draft));
  }

  /** Changes an event in the caller's transaction; its modification number goes up. */
  public Future<Event> update(SqlClient tx, Actor actor, String id, EventDraft draft) {
    return repository.find(tx, id, true).compose(found -> {
      Event before = found.orElseThrow(() -> notFound(id));
      if (before.cancelledAt() != null) {
        throw Problem.conflict("The event was cancelled; issue a new one.");
      }
      if (!before.programId().equals(draft.programId())) {
        throw Problem.validation("An event cannot move to another program.");
      }
      return repository.update(tx, id, draft).compose(after -> record(tx, actor, "event.updated", "updated", "UPDATE", before, after)
          .map(after));
    });
  }

  /** Cancels (3.1 DELETE): the record stays, marked cancelled; cancelling twice changes nothing. */
  public Future<Event> cancel(Actor actor, String id) {
    return pool.withTransaction(tx -> cancel(tx, actor, id));
  }

  /** Cancels in the caller's transaction. */
  public Future<Event> cancel(SqlClient tx, Actor actor, String id) {
    return repository.find(tx, id, true).compose(found -> {
      Event before = found.orElseThrow(() -> notFound(id));
      if (before.cancelledAt() != null) {
        return Future.succeededFuture(before);
      }
      return repository.cancel(tx, id).compose(after -> record(tx, actor, "event.cancelled", "cancelled", "DELETE", before, after)
          .map(after));
    });
  }

  public Future<Event> get(String id) {
    return repository.find(pool, id, false).map(found -> found.orElseThrow(() -> notFound(id)));
  }

  public Future<Totals> totals(String id) {
    return repository.totals(pool, id).map(t -> new Totals(t[0], t[1], t[2]));
  }

  public Future<List<Event>> search(String programId, List<String> targets, Boolean active, int skip, int limit) {
    return repository.search(pool, programId, targets, active, skip, limit);
  }

  Future<List<Event>> retained(Instant cutoff) {
    return repository.retained(pool, cutoff);
  }

  Future<java.util.Optional<Event>> find(String id) {
    return repository.find(pool, id, false);
  }

  private Future<Void> record(SqlClient tx, Actor actor, String action, String verb, String op, Event before, Event after) {
    String name = (after.historical() ? HISTORICAL_PREFIX : "") + "event_" + verb;
    return audit.record(tx, AuditEntry.of(actor, action, "event", after.id(),
            before == null ? null : before.toJson(), after.toJson()))
        .compose(v -> outbox.enqueue(tx, new Outbox.Notification(name, "EVENT", op, after.id(), null, after.toJson())));
  }

  public static Problem notFound(String id) {
    return Problem.notFound("No event '" + id + "'.");
  }
}
