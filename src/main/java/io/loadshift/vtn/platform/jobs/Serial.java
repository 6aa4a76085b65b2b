package io.loadshift.vtn.platform.jobs;

import io.vertx.core.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs a background step one at a time on its context: a call while a step is running makes it
 * run once more afterwards (however many calls came), and a step that says there may be more work
 * runs again at once. Not thread-safe: call {@link #run} on the owner's context.
 */
public final class Serial {
  private final Supplier<Future<Boolean>> step;
  private final BooleanSupplier stopped;
  private final Consumer<Throwable> failed;
  private boolean running;
  private boolean again;
  private Runnable settled = () -> { };

  /**
   * @param step    one step; completes with true when there may be more to do right away
   * @param stopped whether the owner has stopped (no further step starts)
   * @param failed  told of a failed step
   */
  public Serial(Supplier<Future<Boolean>> step, BooleanSupplier stopped, Consumer<Throwable> failed) {
    this.step = step;
    this.stopped = stopped;
    this.failed = failed;
  }

  public void run() {
    if (stopped.getAsBoolean()) {
      return;
    }
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    Future<Boolean> f;
    try {
      f = step.get();
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onComplete(ar -> {
      running = false;
      if (ar.failed()) {
        failed.accept(ar.cause());
      }
      settled.run();
      if (again || (ar.succeeded() && Boolean.TRUE.equals(ar.result()))) {
        run();
      }
    });
  }

  public boolean running() {
    return running;
  }

  /** Called after every step (to learn when the last one of a stopping owner is done). */
  public void onSettled(Runnable r) {
    settled = r;
  }
}
