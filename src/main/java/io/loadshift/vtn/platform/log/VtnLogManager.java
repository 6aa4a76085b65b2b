package io.loadshift.vtn.platform.log;

import java.util.logging.LogManager;

/**
 * The JDK resets every logger from its own shutdown hook, which would swallow what the VTN logs
 * while it drains on SIGTERM. This manager defers that reset until the VTN has stopped.
 */
public final class VtnLogManager extends LogManager {
  private static volatile VtnLogManager instance;
  private volatile boolean stopped;

  public VtnLogManager() {
    instance = this;
  }

  @Override
  public void reset() {
    if (stopped) {
      super.reset();
    }
  }

  /** Called once the VTN has shut down: logging may now be torn down. */
  public static void release() {
    VtnLogManager m = instance;
    if (m != null) {
      m.stopped = true;
      m.reset();
    }
  }
}
