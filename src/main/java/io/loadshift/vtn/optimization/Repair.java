package io.loadshift.vtn.optimization;

/**
 * After the LP's values are rounded to watts: gives back any excess over a feeder or zone limit
 * (dearest first, uncoupled resources before coupled ones, each within its own power, energy and ramp
 * bounds), then adds the watts rounding took from a target back along the merit order of the
 * uncoupled resources within every limit.
 */
final class Repair {
  private Repair() {}

  static void afterRounding(Fleet f, long[][] p, int[] uorder) {
    int n = f.n;
    int[] rev = new int[f.order.length];
    for (int k = 0; k < rev.length; k++) {
      rev[k] = f.order[rev.length - 1 - k];
    }
    for (int t = 0; t < n; t++) {
      long[] load = new long[f.groups];
      long planned = 0;
      for (int i = 0; i < f.size; i++) {
        if (p[i] != null && p[i][t] != 0) {
          charge(f, load, i, p[i][t]);
          planned += p[i][t];
        }
      }
      for (int g = 0; g < f.groups; g++) {
        for (int pass = 0; pass < 2 && load[g] > f.limit[g]; pass++) {
          for (int i : rev) {
            if (load[g] <= f.limit[g]) {
              break;
            }
            if (p[i] == null || f.coupled[i] != (pass == 1) || (f.feeder[i] != g && f.zone[i] != g)) {
              continue;
            }
            long d = Math.min(load[g] - f.limit[g], movable(f, p[i], i, t, -1));
            if (d > 0) {
              p[i][t] -= d;
              charge(f, load, i, -d);
              planned -= d;
            }
          }
        }
        if (f.charging) {
          for (int i : rev) {
            if (load[g] >= -f.limit[g]) {
              break;
            }
            if (p[i] == null || p[i][t] >= 0 || (f.feeder[i] != g && f.zone[i] != g)) {
              continue;
            }
            long d = Math.min(-f.limit[g] - load[g], Math.min(-p[i][t], movable(f, p[i], i, t, 1)));
            if (d > 0) {
              p[i][t] += d;
              charge(f, load, i, d);
              planned += d;
            }
          }
        }
      }
      if (planned < f.target[t]) {
        long[] rem = new long[f.groups];
        for (int g = 0; g < f.groups; g++) {
          rem[g] = Math.max(0, f.limit[g] - load[g]);
        }
        long left = f.target[t] - planned;
        for (int k = 0; k < uorder.length && left > 0; k++) {
          int i = uorder[k];
          if (!f.available(i, t)) {
            continue;
          }
          long cur = p[i] == null ? 0 : p[i][t];
          long a = MeritOrder.take(f, i, Math.min(f.cap[i] - cur, left), rem);
          if (a > 0) {
            if (p[i] == null) {
              p[i] = new long[n];
            }
            p[i][t] += a;
            left -= a;
          }
        }
      }
    }
  }

  private static void charge(Fleet f, long[] load, int i, long w) {
    if (f.feeder[i] >= 0) {
      load[f.feeder[i]] += w;
    }
    if (f.zone[i] >= 0) {
      load[f.zone[i]] += w;
    }
  }

  /** How far p[t] may move in direction dir (+1 up, -1 down) within the resource's own bounds. */
  static long movable(Fleet f, long[] row, int i, int t, int dir) {
    if (!f.available(i, t)) {
      return 0;
    }
    int n = row.length;
    long cur = row[t];
    boolean charges = f.charging && f.storage[i];
    long room = dir < 0 ? cur - (charges ? -f.cap[i] : 0) : f.cap[i] - cur;
    long r = f.ramp[i];
    if (r != Fleet.NONE) {
      long prev = t > 0 ? row[t - 1] : 0;
      if (dir < 0) {
        room = Math.min(room, cur - (prev - r));
        if (t + 1 < n) {
          room = Math.min(room, cur - (row[t + 1] - r));
        }
      } else {
        room = Math.min(room, prev + r - cur);
        if (t + 1 < n) {
          room = Math.min(room, row[t + 1] + r - cur);
        }
      }
    }
    if (f.storage[i] && f.coupled[i]) {
      long c = 0;
      for (int k = 0; k < t; k++) {
        c += row[k];
      }
      for (int k = t; k < n; k++) {
        c += row[k];
        if (dir > 0) {
          room = Math.min(room, f.energyHi[i] - c);
        } else if (charges) {
          long lo = k == n - 1 ? Math.max(0, f.energyLo[i]) : f.energyLo[i];
          room = Math.min(room, c - lo);
        }
      }
    }
    return Math.max(0, room);
  }
}
