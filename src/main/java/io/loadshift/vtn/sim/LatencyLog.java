package io.loadshift.vtn.sim;

import java.util.Arrays;

/** Latencies (microseconds) of a run, kept whole so percentiles are exact; one thread writes it. */
public final class LatencyLog {
  private int[] micros = new int[1024];
  private int size;

  public void add(long nanos) {
    if (size == micros.length) {
      micros = Arrays.copyOf(micros, size * 2);
    }
    micros[size++] = (int) Math.min(Integer.MAX_VALUE, nanos / 1000);
  }

  public int size() {
    return size;
  }

  /** The {@code q}-quantile (0..1) in milliseconds, NaN when empty. */
  public double percentileMs(double q) {
    if (size == 0) {
      return Double.NaN;
    }
    int[] sorted = Arrays.copyOf(micros, size);
    Arrays.sort(sorted);
    int i = (int) Math.min(size - 1, Math.max(0, Math.ceil(q * size) - 1));
    return sorted[i] / 1000.0;
  }

  public double maxMs() {
    int max = 0;
    for (int i = 0; i < size; i++) {
      max = Math.max(max, micros[i]);
    }
    return size == 0 ? Double.NaN : max / 1000.0;
  }
}
