package io.loadshift.vtn.sim;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of a long step: on a terminal a bar redrawn in place on one line; elsewhere (a log, a
 * pipe, a test) a line at every tenth, so the output stays readable. Disabled, it prints nothing.
 */
public final class Progress {
  private static final int WIDTH = 30;

  private final PrintStream out;
  private final boolean enabled;
  private final boolean terminal;
  private final String what;
  private final long total;
  private final long startNs = System.nanoTime();
  private long done;
  private int lastTenth;
  private long lastDrawNs;
  private String note = "";
  private boolean finished;

  private Progress(PrintStream out, boolean enabled, boolean terminal, String what, long total) {
    this.out = out;
    this.enabled = enabled && total > 0;
    this.terminal = terminal;
    this.what = what;
    this.total = total;
  }

  /** A bar for {@code total} units of {@code what}; redrawn in place only when stdout is a terminal. */
  public static Progress of(PrintStream out, boolean enabled, String what, long total) {
    return new Progress(out, enabled, out == System.out && System.console() != null, what, total);
  }

  public synchronized void add(long n) {
    set(done + n, note);
  }

  /** Sets how much is done and a short note shown after the bar (rates, errors). */
  public synchronized void set(long value, String note) {
    done = Math.min(total, Math.max(0, value));
    this.note = note == null ? "" : note;
    if (!enabled || finished) {
      return;
    }
    long now = System.nanoTime();
    if (terminal) {
      if (now - lastDrawNs > 200_000_000L || done == total) {
        lastDrawNs = now;
        out.print("\r" + line() + "\u001b[K");
        out.flush();
      }
      return;
    }
    int tenth = (int) (done * 10 / total);
    if (tenth > lastTenth) {
      lastTenth = tenth;
      out.println(line());
    }
  }

  /** Ends the bar (a newline after the in-place bar; a final line if the last tenth was not printed). */
  public synchronized void finish() {
    if (!enabled || finished) {
      return;
    }
    finished = true;
    if (terminal) {
      out.print("\r" + line() + "\u001b[K\n");
    } else if (lastTenth < 10) {
      out.println(line());
    }
    out.flush();
  }

  String line() {
    int filled = (int) (done * WIDTH / total);
    double seconds = (System.nanoTime() - startNs) / 1e9;
    String eta = done == 0 || done == total ? "" : String.format(Locale.ROOT, ", ~%.0f s left", seconds * (total - done) / done);
    return String.format(Locale.ROOT, "  %-22s [%s%s] %3d %% %d/%d, %.0f s%s%s", what, "#".repeat(filled),
        ".".repeat(WIDTH - filled), done * 100 / total, done, total, seconds, eta, note.isEmpty() ? "" : "  " + note);
  }
}
