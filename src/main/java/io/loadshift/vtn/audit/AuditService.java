package io.loadshift.vtn.audit;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import java.util.List;

/**
 * Appends to the audit log. Callers pass the {@link SqlClient} of their own transaction so the
 * audit row commits or rolls back with the change it records.
 */
public final class AuditService {
  private final AuditRepository repository = new AuditRepository();

  public Future<Void> record(SqlClient tx, AuditEntry entry) {
    return repository.insert(tx, entry);
  }

  /** One created-object row per id, in one statement (bulk registrations); {@code after} is JSON text. */
  public Future<Void> recordAll(SqlClient tx, Actor actor, String action, String objectType, List<String> objectIds,
                                List<String> after) {
    return repository.insertAll(tx, actor, action, objectType, objectIds, after);
  }

  public Future<List<AuditEntry>> find(SqlClient sql, AuditQuery query) {
    return repository.find(sql, query);
  }
}
