package io.loadshift.vtn.verification;

/**
 * Interval energy (kWh per interval) of one meter or VEN over a span, by slot: slot i covers
 * {@code [base + i * step, base + (i + 1) * step)}. Missing intervals are NaN.
 */
public final class IntervalSeries {
  private final long base;
  private final int step;
  private final double[] kwh;

  public IntervalSeries(long baseEpochSecond, int stepSeconds, int slots) {
    this.base = baseEpochSecond;
    this.step = stepSeconds;
    this.kwh = new double[slots];
    java.util.Arrays.fill(kwh, Double.NaN);
  }

  /** Adds energy to the interval that starts at {@code epoch} (several meters of one VEN add up). */
  public void add(long epoch, double value) {
    long i = (epoch - base) / step;
    if (epoch < base || i >= kwh.length || (epoch - base) % step != 0) {
      return;
    }
    kwh[(int) i] = Double.isNaN(kwh[(int) i]) ? value : kwh[(int) i] + value;
  }

  /**
   * Adds a reading covering {@code seconds} from {@code epoch}: a reading longer than the step is
   * spread evenly over the slots it covers (an hourly meter beside 15-minute ones).
   */
  public void add(long epoch, double value, int seconds) {
    if (seconds <= step) {
      add(epoch, value);
      return;
    }
    int parts = seconds / step;
    for (int p = 0; p < parts; p++) {
      add(epoch + (long) p * step, value / parts);
    }
  }

  /** Average power (kW) in the interval starting at {@code epoch}, or NaN when it is missing. */
  public double kw(long epoch) {
    if (epoch < base || (epoch - base) % step != 0) {
      return Double.NaN;
    }
    long i = (epoch - base) / step;
    return i >= kwh.length ? Double.NaN : kwh[(int) i] * 3600.0 / step;
  }

  public double kwh(long epoch) {
    if (epoch < base || (epoch - base) % step != 0) {
      return Double.NaN;
    }
    long i = (epoch - base) / step;
    return i >= kwh.length ? Double.NaN : kwh[(int) i];
  }

  public int step() {
    return step;
  }

  public long base() {
    return base;
  }

  public int slots() {
    return kwh.length;
  }

  /** Raw slot value (kWh), NaN when missing. */
  public double slot(int i) {
    return kwh[i];
  }
}
