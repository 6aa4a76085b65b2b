package io.loadshift.vtn.program;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

final class ProgramRepository {
  private static final String COLUMNS = "id, program_name, targets, attributes, body, baseline_method, reward_per_kw, "
      + "reward_asset, min_reduction_kw, max_reward_per_participant, max_reward_per_event, reward_budget, created_at, modified_at";
  private static final String INSERT = "INSERT INTO programs (id, program_name, targets, attributes, body, baseline_method, "
      + "reward_per_kw, reward_asset, min_reduction_kw, max_reward_per_participant, max_reward_per_event, reward_budget, "
      + "created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING " + COLUMNS;
  private static final String UPDATE = "UPDATE programs SET program_name = $2, targets = $3, attributes = $4, body = $5, "
      + "baseline_method = $6, reward_per_kw = $7, reward_asset = $8, min_reduction_kw = $9, "
      + "max_reward_per_participant = $10, max_reward_per_event = $11, reward_budget = $12, modified_at = now() WHERE id = $1 RETURNING " + COLUMNS;
  private static final String FIND = "SELECT " + COLUMNS + " FROM programs WHERE id = $1";
  private static final String DELETE = "DELETE FROM programs WHERE id = $1";
  private static final String HAS_EVENTS = "SELECT EXISTS (SELECT 1 FROM events WHERE program_id = $1)";
  /** $1: the reader's target set, or null for all; untargeted programs are visible to everyone. */
  private static final String SEARCH = "SELECT " + COLUMNS + " FROM programs WHERE ($1::text[] IS NULL OR targets = '{}' "
      + "OR targets && $1) AND ($2::text[] IS NULL OR targets && $2) ORDER BY created_at, id OFFSET $3 LIMIT $4";

  Future<Program> insert(SqlClient sql, String id, ProgramDraft d, String createdBy) {
    return sql.preparedQuery(INSERT).execute(args(id, d).addString(createdBy)).map(rows -> toProgram(rows.iterator().next()));
  }

  Future<Program> update(SqlClient sql, String id, ProgramDraft d) {
    return sql.preparedQuery(UPDATE).execute(args(id, d)).map(rows -> toProgram(rows.iterator().next()));
  }

  Future<Optional<Program>> find(SqlClient sql, String id, boolean forUpdate) {
    return sql.preparedQuery(forUpdate ? FIND + " FOR UPDATE" : FIND).execute(Tuple.of(id)).map(ProgramRepository::first);
  }

  Future<Boolean> hasEvents(SqlClient sql, String id) {
    return sql.preparedQuery(HAS_EVENTS).execute(Tuple.of(id)).map(rows -> rows.iterator().next().getBoolean(0));
  }

  Future<Void> delete(SqlClient sql, String id) {
    return sql.preparedQuery(DELETE).execute(Tuple.of(id)).mapEmpty();
  }

  Future<List<Program>> search(SqlClient sql, List<String> readerTargets, List<String> queryTargets, int skip, int limit) {
    return sql.preparedQuery(SEARCH).execute(Tuple.of(array(readerTargets), array(queryTargets), skip, limit))
        .map(rows -> {
          List<Program> out = new ArrayList<>(rows.size());
          rows.forEach(r -> out.add(toProgram(r)));
          return out;
        });
  }

  private static Tuple args(String id, ProgramDraft d) {
    ProgramRules r = d.rules();
    return Tuple.from(new Object[] {id, d.programName(), d.targets().toArray(String[]::new), d.attributes(), d.body(),
        r.baselineMethod(), r.rewardPerKw(), r.rewardAsset(), r.minReductionKw(), r.maxRewardPerParticipant(),
        r.maxRewardPerEvent(), r.rewardBudget()});
  }

  private static String[] array(List<String> l) {
    return l == null ? null : l.toArray(String[]::new);
  }

  private static Optional<Program> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(toProgram(rows.iterator().next()));
  }

  static Program toProgram(Row r) {
    String[] targets = r.getArrayOfStrings("targets");
    return new Program(r.getString("id"), r.getString("program_name"),
        targets == null ? List.of() : Arrays.asList(targets), (JsonArray) r.getValue("attributes"),
        (JsonObject) r.getValue("body"),
        new ProgramRules(r.getString("baseline_method"), r.getBigDecimal("reward_per_kw"), r.getString("reward_asset"),
            r.getBigDecimal("min_reduction_kw"), r.getBigDecimal("max_reward_per_participant"),
            r.getBigDecimal("max_reward_per_event"), r.getBigDecimal("reward_budget")),
        r.getOffsetDateTime("created_at"), r.getOffsetDateTime("modified_at"));
  }
}
