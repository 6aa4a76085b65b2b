package io.loadshift.vtn.platform.db;

import io.loadshift.vtn.platform.http.Problem;
import io.vertx.pgclient.PgException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The one place where PostgreSQL error states become client-facing problems. */
public final class SqlErrors {
  /** What a broken unique or foreign key means to a client, by constraint name. */
  private static final Map<String, String> MEANINGS = new ConcurrentHashMap<>();

  private SqlErrors() {}

  /** Lets a capability say, once, what a violation of one of its constraints means. */
  public static void explain(String constraint, String meaning) {
    MEANINGS.put(constraint, meaning);
  }

  /** A problem for a constraint the client's input broke, or null for a server-side failure. */
  public static Problem toProblem(Throwable t) {
    if (!(t instanceof PgException pg) || pg.getSqlState() == null) {
      return null;
    }
    String constraint = pg.getConstraint();
    String what = constraint == null ? "" : " (" + constraint + ")";
    String meaning = constraint == null ? null : MEANINGS.get(constraint);
    switch (pg.getSqlState()) {
      case "23505":
        if (meaning != null) {
          return Problem.conflict(meaning);
        }
        return Problem.conflict("An object with the same unique key already exists" + what + ".");
      case "23503":
        if (meaning != null) {
          return Problem.unprocessable(meaning);
        }
        return Problem.unprocessable("The request refers to an object that does not exist" + what + ".");
      case "23514":
        return Problem.validation("A value is outside its allowed range" + what + ".");
      case "23502":
        return Problem.validation("A required value is missing" + what + ".");
      case "22P02":
      case "22007":
      case "22008":
      case "22003":
      case "22001":
        return Problem.validation("A value has the wrong form or size: " + pg.getErrorMessage());
      default:
        return null;
    }
  }
}
