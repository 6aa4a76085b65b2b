package io.loadshift.vtn.sim;

/**
 * Latencies of a run in a fixed-size histogram: buckets 1 % apart from a microsecond to beyond
 * a minute, so a day of polls takes the same 8 KB as a minute of them; percentiles are read to
 * within 1 %, the maximum exactly. One thread writes it.
 */
public final class LatencyLog {
  private static final double RATIO = 1.01;
  private static final double LOG_RATIO = Math.log(RATIO);
  private static final int BUCKETS = 1 + (int) Math.ceil(Math.log(1e9) / LOG_RATIO); // up to ~1,000 s

  private final int[] counts = new int[BUCKETS];
  private long size;
  private long maxMicros = -1;

  public void add(long nanos) {
    long us = Math.max(0, nanos / 1000);
    counts[bucket(us)]++;
    size++;
    maxMicros = Math.max(maxMicros, us);
  }

  private static int bucket(long us) {
    return us < 1 ? 0 : Math.min(BUCKETS - 1, 1 + (int) (Math.log(us) / LOG_RATIO));
  }

  public long size() {
    return size;
  }

  /** The {@code q}-quantile (0..1) in milliseconds (a bucket's upper end, or the maximum if lower), NaN when empty. */
  public double percentileMs(double q) {
    if (size == 0) {
      return Double.NaN;
    }
    long rank = Math.max(1, (long) Math.ceil(q * size));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) {
        double upperUs = i == 0 ? 1 : Math.pow(RATIO, i);
        return Math.min(upperUs, maxMicros) / 1000.0;
      }
    }
    return maxMs();
  }

  public double maxMs() {
    return size == 0 ? Double.NaN : maxMicros / 1000.0;
  }
}
