package io.loadshift.vtn.program;

import io.loadshift.vtn.audit.Actor;
import io.loadshift.vtn.audit.AuditEntry;
import io.loadshift.vtn.audit.AuditService;
import io.loadshift.vtn.party.VenViews;
import io.loadshift.vtn.platform.db.Ids;
import io.loadshift.vtn.platform.db.SqlErrors;
import io.loadshift.vtn.platform.http.Problem;
import io.loadshift.vtn.platform.outbox.Outbox;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayList;
import java.util.List;

/** Programs: created and changed by utilities, read by everyone they target. */
public final class ProgramService {
  static {
    SqlErrors.explain("programs_program_name_key", "A program with that programName already exists.");
  }

  private final Pool pool;
  private final AuditService audit;
  private final Outbox outbox;
  private final ProgramRepository repository = new ProgramRepository();

  public ProgramService(Pool pool, AuditService audit, Outbox outbox) {
    this.pool = pool;
    this.audit = audit;
    this.outbox = outbox;
  }

  public Future<Program> create(Actor actor, ProgramDraft draft) {
    String id = Ids.newId();
    return pool.withTransaction(tx -> repository.insert(tx, id, draft, actor.id())
        .compose(p -> record(tx, actor, "program.created", "CREATE", null, p).map(p)));
  }

  public Future<Program> update(Actor actor, String id, ProgramDraft draft) {
    return pool.withTransaction(tx -> repository.find(tx, id, true).compose(found -> {
      Program before = found.orElseThrow(() -> notFound(id));
      return repository.update(tx, id, draft).compose(after -> record(tx, actor, "program.updated", "UPDATE", before, after).map(after));
    }));
  }

  public Future<Program> delete(Actor actor, String id) {
    return pool.withTransaction(tx -> repository.find(tx, id, true).compose(found -> {
      Program before = found.orElseThrow(() -> notFound(id));
      return repository.hasEvents(tx, id).compose(has -> {
        if (has) {
          throw Problem.conflict("The program has events; they are kept for settlement, so the program stays too.");
        }
        return repository.delete(tx, id).compose(v -> record(tx, actor, "program.deleted", "DELETE", before, null)).map(before);
      });
    }));
  }

  /** A program as the reader may see it: null view is business logic (everything). */
  public Future<Program> get(String id, VenViews.View view) {
    return repository.find(pool, id, false).map(found -> {
      Program p = found.orElseThrow(() -> notFound(id));
      if (view != null && !view.sees(p.targets())) {
        throw notFound(id);
      }
      return p;
    });
  }

  public Future<Program> get(SqlClient sql, String id) {
    return repository.find(sql, id, false).map(found -> found.orElseThrow(() -> notFound(id)));
  }

  public Future<List<Program>> search(VenViews.View view, List<String> queryTargets, int skip, int limit) {
    List<String> readerTargets = view == null ? null : new ArrayList<>(view.targets());
    return repository.search(pool, readerTargets, queryTargets, skip, limit);
  }

  private Future<Void> record(SqlClient tx, Actor actor, String action, String op, Program before, Program after) {
    Program subject = after != null ? after : before;
    return audit.record(tx, AuditEntry.of(actor, action, "program", subject.id(),
            before == null ? null : before.toJson(), after == null ? null : after.toJson()))
        .compose(v -> outbox.enqueue(tx, new Outbox.Notification("program_" + op.toLowerCase(java.util.Locale.ROOT) + "d",
            "PROGRAM", op, subject.id(), null, subject.toJson())));
  }

  static Problem notFound(String id) {
    return Problem.notFound("No program '" + id + "'.");
  }
}
