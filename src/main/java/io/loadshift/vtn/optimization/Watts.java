package io.loadshift.vtn.optimization;

/**
 * kW to whole watts (milli-kW). A value within a millionth of a watt of a whole watt counts as that
 * watt, so a decimal like 3.3 kW is 3300 W even though 3.3 * 1000 is 3299.9999999999995 in binary.
 */
final class Watts {
  private Watts() {}

  /** Rounded down to the watt (capacities, limits, energy). */
  static long floor(double kw) {
    double w = kw * 1000;
    double r = Math.rint(w);
    if (Math.abs(w - r) <= 1e-6 + Math.abs(w) * 1e-15) {
      return (long) r;
    }
    return (long) Math.floor(w);
  }

  /** Rounded up to the watt (targets). */
  static long ceil(double kw) {
    double w = kw * 1000;
    double r = Math.rint(w);
    if (Math.abs(w - r) <= 1e-6 + Math.abs(w) * 1e-15) {
      return (long) r;
    }
    return (long) Math.ceil(w);
  }

  static double kw(long w) {
    return w / 1000.0;
  }
}
