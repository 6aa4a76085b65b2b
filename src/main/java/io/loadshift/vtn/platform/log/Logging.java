package io.loadshift.vtn.platform.log;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One-line log records on stderr: time, level, logger, message. */
public final class Logging {
  /** JUL holds loggers weakly: keep the ones whose level is set here, or the setting is lost. */
  private static final java.util.List<Logger> TUNED = new java.util.concurrent.CopyOnWriteArrayList<>();

  private Logging() {}

  private static void level(String name, Level level) {
    Logger l = Logger.getLogger(name);
    l.setLevel(level);
    TUNED.add(l);
  }

  public static void configure(Level level) {
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    ConsoleHandler console = new ConsoleHandler();
    console.setLevel(Level.ALL);
    console.setFormatter(new OneLine());
    root.addHandler(console);
    root.setLevel(level);
    // Netty and the drivers are chatty below INFO; keep them at WARNING unless asked for detail.
    if (level.intValue() >= Level.INFO.intValue()) {
      level("io.netty", Level.WARNING);
      level("org.flywaydb", Level.WARNING);
      // Vert.x's pool and LISTEN connection both register the same untagged net-client gauge;
      // Micrometer warns about the second registration, which is harmless.
      level("io.micrometer.core.instrument.MeterRegistry", Level.SEVERE);
    }
  }

  static final class OneLine extends Formatter {
    @Override
    public String format(LogRecord r) {
      StringBuilder sb = new StringBuilder(160);
      sb.append(Instant.ofEpochMilli(r.getMillis())).append(' ')
          .append(r.getLevel().getName()).append(' ')
          .append(shortName(r.getLoggerName())).append(": ")
          .append(formatMessage(r)).append('\n');
      if (r.getThrown() != null) {
        StringWriter sw = new StringWriter();
        r.getThrown().printStackTrace(new PrintWriter(sw));
        sb.append(sw);
      }
      return sb.toString();
    }

    private static String shortName(String name) {
      if (name == null) {
        return "-";
      }
      int dot = name.lastIndexOf('.');
      return dot < 0 ? name : name.substring(dot + 1);
    }
  }
}
