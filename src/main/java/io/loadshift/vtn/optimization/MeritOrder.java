package io.loadshift.vtn.optimization;

import java.util.Arrays;

/**
 * The merit order and the greedy fill along it.
 *
 * <p>Within one interval, the resources' powers form the polytope {@code 0 <= x_r <= cap_r},
 * {@code sum_{r in G} x_r <= L_G} for every limited feeder and zone G. When every limited feeder lies
 * inside one limited zone (or none), these sets form a laminar family and the polytope is a
 * polymatroid; the greedy below (cheapest first, each resource as much as its own capacity, its
 * feeder's and zone's remaining room and the remaining target allow) then gives a least-cost vector
 * for every total at once (Edmonds), so it meets the target, or the most that can be met, at the
 * least cost. That is the exact single-interval plan.
 */
final class MeritOrder {
  private MeritOrder() {}

  /** Indices 0..n-1 by (price, id): a primitive sort of price and index, then ids within equal prices. */
  static int[] sort(long[] priceU, String[] id) {
    int n = priceU.length;
    int[] order = new int[n];
    if (n == 0) {
      return order;
    }
    int bits = 32 - Integer.numberOfLeadingZeros(Math.max(1, n - 1));
    long max = 0;
    for (long p : priceU) {
      max = Math.max(max, p);
    }
    if (bits > 31 || max >= (1L << (63 - bits))) {
      Integer[] boxed = new Integer[n];
      for (int i = 0; i < n; i++) {
        boxed[i] = i;
      }
      Arrays.sort(boxed, new java.util.Comparator<Integer>() {
        @Override
        public int compare(Integer a, Integer b) {
          int c = Long.compare(priceU[a], priceU[b]);
          return c != 0 ? c : id[a].compareTo(id[b]);
        }
      });
      for (int i = 0; i < n; i++) {
        order[i] = boxed[i];
      }
      return order;
    }
    long[] keys = new long[n];
    long mask = (1L << bits) - 1;
    for (int i = 0; i < n; i++) {
      keys[i] = (priceU[i] << bits) | i;
    }
    Arrays.sort(keys);
    for (int i = 0; i < n; i++) {
      order[i] = (int) (keys[i] & mask);
    }
    // Equal prices: by id.
    int s = 0;
    while (s < n) {
      int e = s + 1;
      while (e < n && priceU[order[e]] == priceU[order[s]]) {
        e++;
      }
      if (e - s > 1) {
        Integer[] run = new Integer[e - s];
        for (int k = s; k < e; k++) {
          run[k - s] = order[k];
        }
        Arrays.sort(run, new java.util.Comparator<Integer>() {
          @Override
          public int compare(Integer a, Integer b) {
            return id[a].compareTo(id[b]);
          }
        });
        for (int k = s; k < e; k++) {
          order[k] = run[k - s];
        }
      }
      s = e;
    }
    return order;
  }

  /**
   * The cheapest resources by (price, id): all those priced at or below the lowest price at which
   * the fleet's capacity reaches {@code need} (found with a price histogram), sorted. The result is
   * a prefix of the full merit order, so a greedy that is done within it gives the same plan as with
   * every resource sorted; the caller asks again with a larger need if it is not.
   */
  static int[] cheapest(Fleet f, long need) {
    int n = f.size;
    if (n < 4096 || need <= 0) {
      return sort(f.priceU, f.id);
    }
    long cum = 0;
    long threshold = Long.MAX_VALUE;
    for (int b = 0; b < f.capByBucket.length; b++) {
      cum += f.capByBucket[b];
      if (cum >= need) {
        threshold = Fleet.bucketTop(b);
        break;
      }
    }
    if (threshold == Long.MAX_VALUE) {
      return sort(f.priceU, f.id);
    }
    int[] pick = new int[n];
    int c = 0;
    for (int i = 0; i < n; i++) {
      if (f.priceU[i] <= threshold) {
        pick[c++] = i;
      }
    }
    if (c == n) {
      return sort(f.priceU, f.id);
    }
    long[] p = new long[c];
    String[] ids = new String[c];
    for (int k = 0; k < c; k++) {
      p[k] = f.priceU[pick[k]];
      ids[k] = f.id[pick[k]];
    }
    int[] local = sort(p, ids);
    int[] out = new int[c];
    for (int k = 0; k < c; k++) {
      out[k] = pick[local[k]];
    }
    return out;
  }

  /**
   * Takes up to {@code want} from resource i without exceeding the remaining room of its feeder and
   * zone (rem, per group); returns what was taken and charges it to the groups.
   */
  static long take(Fleet f, int i, long want, long[] rem) {
    long a = want;
    int g = f.feeder[i];
    int z = f.zone[i];
    if (g >= 0) {
      a = Math.min(a, rem[g]);
    }
    if (z >= 0) {
      a = Math.min(a, rem[z]);
    }
    if (a <= 0) {
      return 0;
    }
    if (g >= 0) {
      rem[g] -= a;
    }
    if (z >= 0) {
      rem[z] -= a;
    }
    return a;
  }

  /**
   * Fills interval t up to {@code level} along {@code order} (indices into the fleet), each resource up
   * to {@code room[i]} (or its capacity when room is null), adding to {@code p[i][t]} (rows created
   * as needed). Returns the amount placed.
   */
  static long fill(Fleet f, int t, long level, int[] order, long[] rem, long[][] p, long[] room) {
    long left = level;
    for (int k = 0; k < order.length && left > 0; k++) {
      int i = order[k];
      if (!f.available(i, t)) {
        continue;
      }
      long r = room == null ? f.cap[i] : room[i];
      long a = take(f, i, Math.min(r, left), rem);
      if (a > 0) {
        if (p[i] == null) {
          p[i] = new long[f.n];
        }
        p[i][t] += a;
        left -= a;
      }
    }
    return level - left;
  }

  /**
   * The shortest prefix of {@code uorder} (resources by price) whose greedy fill of interval t reaches
   * {@code need} when each group's room is its limit less {@code coupledCapInGroup}. Returns the
   * prefix length, or -1 if even all of them do not reach it. The flow and the LP start from such a
   * prefix and prove (by pricing, or by a certificate) that what lies beyond it is not needed.
   */
  static int prefix(Fleet f, int t, long need, int[] uorder, long[] coupledCapInGroup, long[] limit) {
    if (need <= 0) {
      return 0;
    }
    long[] rem = new long[f.groups];
    for (int g = 0; g < f.groups; g++) {
      rem[g] = Math.max(0, limit[g] - coupledCapInGroup[g]);
    }
    long left = need;
    for (int k = 0; k < uorder.length; k++) {
      int i = uorder[k];
      if (!f.available(i, t)) {
        continue;
      }
      left -= take(f, i, Math.min(f.cap[i], left), rem);
      if (left == 0) {
        return k + 1;
      }
    }
    return -1;
  }
}
