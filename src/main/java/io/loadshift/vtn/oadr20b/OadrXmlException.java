package io.loadshift.vtn.oadr20b;

/**
 * An OpenADR 2.0b XML message that was refused, on reading or on writing.
 *
 * <p>{@link #kind()} says why: the body was too large, was not well-formed XML
 * (or carried a DOCTYPE, which is refused as such), or was XML that does not
 * conform to the 2.0b schema. {@link #line()} and {@link #column()} locate the
 * problem in the input when known (1-based, -1 when not). {@link #getMessage()}
 * is meant for people, for example in an oadrResponse's responseDescription or
 * a log line.
 */
public final class OadrXmlException extends RuntimeException {

  /** Why a message was refused. */
  public enum Kind {
    /** The body is larger than the reader's limit; it was not parsed. */
    TOO_LARGE,
    /** Not well-formed XML, not XML at all, or a DOCTYPE (DTDs are refused). */
    MALFORMED,
    /** Well-formed XML that is not a 2.0b oadrPayload conforming to the schema. */
    INVALID
  }

  private final Kind kind;
  private final int line;
  private final int column;
  private final String detail;

  OadrXmlException(Kind kind, String detail, int line, int column, Throwable cause) {
    super(describe(kind, detail, line, column), cause);
    this.kind = kind;
    this.detail = detail;
    this.line = line;
    this.column = column;
  }

  public Kind kind() {
    return kind;
  }

  /** Line of the problem in the input, 1-based, or -1 when not known. */
  public int line() {
    return line;
  }

  /** Column of the problem in the input, 1-based, or -1 when not known. */
  public int column() {
    return column;
  }

  /** The problem alone, without kind and position. */
  public String detail() {
    return detail;
  }

  private static String describe(Kind kind, String detail, int line, int column) {
    String what = switch (kind) {
      case TOO_LARGE -> "message too large";
      case MALFORMED -> "malformed XML";
      case INVALID -> "not a valid OpenADR 2.0b message";
    };
    StringBuilder text = new StringBuilder(what);
    if (line > 0) {
      text.append(" at line ").append(line);
      if (column > 0) {
        text.append(", column ").append(column);
      }
    }
    return text.append(": ").append(detail).toString();
  }
}
