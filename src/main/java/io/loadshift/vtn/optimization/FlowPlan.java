package io.loadshift.vtn.optimization;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * The time-coupled plan as a min-cost flow, for fleets whose only coupling is storage energy (no
 * binding ramp limits, no charging) and whose limited feeders nest in limited zones.
 *
 * <p>Network, per interval t with a positive target: a sink node {@code T_t} (demand: the target);
 * a node per limited zone and feeder, feeder -> its zone (or -> T_t) and zone -> T_t with the limit as
 * capacity, so every unit a resource delivers in t passes its feeder's and its zone's arc; a shortfall
 * arc source -> T_t (capacity: the target, cost: the penalty P). Per coupled storage resource r a node
 * with supply {@code H_r}, its energy above the minimum in kW-intervals, and an arc to its feeder (or
 * zone, or T_t) node in each interval it is available (capacity: its power, cost: its price); unused
 * energy goes to a spill node. The uncoupled resources are per-interval merit-order segments: an arc
 * source -> their feeder/zone node per distinct price (resources with the same price and node merge).
 * The network starts with the merit-order prefix covering 1.25 x each target and the storage arcs
 * no dearer than it; after each solve, every left-out resource and storage arc is priced with the
 * node potentials ({@code cost + pi[from] - pi[to]}) and those below 0 are added, continuing from the
 * same spanning tree, until none is: then the flow is optimal for the whole network, and the dual
 * bound (which counts only arcs with negative reduced cost) is a bound for it too. All quantities are whole
 * watts, prices are units of 1e-7 per kW, and the 1/(number of intervals) of the cost is a common
 * factor left out.
 *
 * <p>P = (nodes + 1) x the highest price + 1: any cycle that lowers the total shortfall by a watt
 * gains P and costs less than P, so the optimum has the least shortfall, then the least cost.
 */
final class FlowPlan {
  /** The solved flow: dispatch in watts, shortfall per interval, and the cost bounds in 1e-10 units. */
  record Result(long[][] p, long[] shortfall, BigInteger costUnits, BigInteger lowerBoundUnits, int arcs,
                int nodes, long pivots, int rounds) {}

  private FlowPlan() {}

  /** Returns null if the numbers would not fit the exact integer arithmetic (then use the LP). */
  static Result solve(Fleet f, int[] uorder, int[] storage) {
    return solve(f, uorder, storage, f.target, null);
  }

  /**
   * The same with other targets and per-interval limits ({@code limits[t][g]}, null: the fleet's),
   * for planning what is left once some resources are fixed.
   */
  static Result solve(Fleet f, int[] uorder, int[] storage, long[] target, long[][] limits) {
    return solve(f, uorder, storage, target, limits, 125);
  }

  /** The same starting from the prefix that covers {@code startPercent} % of each target (for tests). */
  static Result solve(Fleet f, int[] uorder, int[] storage, long[] target, long[][] limits, int startPercent) {
    int n = f.n;
    int groups = f.groups;
    List<Integer> activeList = new ArrayList<>();
    for (int t = 0; t < n; t++) {
      if (target[t] > 0) {
        activeList.add(t);
      }
    }
    int a = activeList.size();
    int[] active = activeList.stream().mapToInt(Integer::intValue).toArray();
    int s = storage.length;
    int x = 0;
    int src = 1;
    int nodes = 2 + a + a * groups + s;
    long maxC = 0;
    for (long pu : f.priceU) {
      maxC = Math.max(maxC, pu);
    }
    if (maxC > 0 && (nodes + 1L) > (1L << 58) / maxC) {
      return null;
    }
    long penalty = (nodes + 1L) * maxC + 1;

    // Start from the merit-order prefix that covers 1.25 x each target within the limits; the rest
    // enters by pricing below.
    int[] prefixLen = new int[a];
    long[] cutoff = new long[a];
    for (int k = 0; k < a; k++) {
      int t = active[k];
      long[] lim = limits == null ? f.limit : limits[t];
      int len = MeritOrder.prefix(f, t, target[t] * startPercent / 100 + 1, uorder, new long[groups], lim);
      prefixLen[k] = len < 0 ? uorder.length : len;
      cutoff[k] = len <= 0 ? Long.MAX_VALUE : f.priceU[uorder[len - 1]];
    }

    int expected = a * (groups + 1) + 2 * s + 1;
    NetworkSimplex ns = new NetworkSimplex(nodes, expected + s * a + 64);
    ns.setRoot(x);
    long totalDemand = 0;
    for (int t : active) {
      totalDemand += target[t];
    }
    long totalEnergy = 0;
    for (int j : storage) {
      totalEnergy += f.energyHi[j];
    }
    ns.supply[src] = totalDemand;
    ns.supply[x] = -totalEnergy;
    int sx = ns.addArc(src, x, totalDemand + 1, 0);
    ns.treeArc(src, x, sx, 0);
    int[] shortArc = new int[a];
    boolean[][] closed = new boolean[a][groups];
    for (int k = 0; k < a; k++) {
      int t = active[k];
      int tn = 2 + k;
      ns.supply[tn] = -target[t];
      shortArc[k] = ns.addArc(src, tn, target[t], penalty);
      ns.treeArc(tn, src, shortArc[k], target[t]);
      long[] lim = limits == null ? f.limit : limits[t];
      for (int g = 0; g < groups; g++) {
        int gn = 2 + a + k * groups + g;
        if (f.members[g] == 0 || lim[g] <= 0) {
          // No resource, or no room left: the node stays out of the flow (nothing is routed to it).
          closed[k][g] = true;
          ns.treeArc(gn, tn, ns.addArc(gn, tn, 1, 0), 0);
          continue;
        }
        int up = f.groupIsFeeder[g] && f.parentZone[g] >= 0 ? 2 + a + k * groups + f.parentZone[g] : tn;
        int arc = ns.addArc(gn, up, lim[g], 0);
        ns.treeArc(gn, up, arc, 0);
      }
    }
    for (int q = 0; q < s; q++) {
      int j = storage[q];
      int rn = 2 + a + a * groups + q;
      ns.supply[rn] = f.energyHi[j];
      int arc = ns.addArc(rn, x, f.energyHi[j] + 1, 0);
      ns.treeArc(rn, x, arc, f.energyHi[j]);
    }
    // Storage arcs, per resource then interval, where the storage is not dearer than the prefix.
    List<int[]> storageArcs = new ArrayList<>();
    boolean[][] storageIn = new boolean[s][a];
    for (int q = 0; q < s; q++) {
      int j = storage[q];
      int rn = 2 + a + a * groups + q;
      for (int k = 0; k < a; k++) {
        int t = active[k];
        if (f.available(j, t) && open(f, j, closed[k]) && f.priceU[j] <= cutoff[k]) {
          int arc = ns.addArc(rn, leaf(f, j, k, a, groups), f.cap[j], f.priceU[j]);
          storageArcs.add(new int[] {arc, j, t});
          storageIn[q][k] = true;
        }
      }
    }
    // Merit-order segments, per interval: one arc per (node, price); members remembered in order.
    int[] lastArc = new int[nodes];
    java.util.Arrays.fill(lastArc, -1);
    Members[] members = new Members[a];
    for (int k = 0; k < a; k++) {
      int t = active[k];
      members[k] = new Members(prefixLen[k] + 16);
      for (int pos = 0; pos < prefixLen[k]; pos++) {
        int i = uorder[pos];
        if (!f.available(i, t) || !open(f, i, closed[k])) {
          continue;
        }
        int leaf = leaf(f, i, k, a, groups);
        int arc = lastArc[leaf];
        if (arc >= 0 && ns.cost[arc] == f.priceU[i]) {
          ns.cap[arc] += f.cap[i];
        } else {
          arc = ns.addArc(src, leaf, f.cap[i], f.priceU[i]);
          lastArc[leaf] = arc;
        }
        members[k].add(i, arc);
      }
    }

    // Solve; then price every resource and storage arc left out with the potentials, add those with a
    // negative reduced cost and continue from the same tree, until none is left. Then the flow is
    // optimal for the whole network and the dual bound covers it.
    boolean[][] segmentIn = new boolean[a][];
    for (int k = 0; k < a; k++) {
      segmentIn[k] = new boolean[uorder.length - prefixLen[k]];
    }
    int rounds = 0;
    while (true) {
      ns.solve(ns.pivots + 200L * ns.arcs + 1_000_000L);
      rounds++;
      int added = 0;
      long piSrc = ns.pi[src];
      for (int k = 0; k < a; k++) {
        int t = active[k];
        boolean[] in = segmentIn[k];
        for (int pos = prefixLen[k]; pos < uorder.length; pos++) {
          int i = uorder[pos];
          if (in[pos - prefixLen[k]] || !f.available(i, t) || !open(f, i, closed[k])) {
            continue;
          }
          int leaf = leaf(f, i, k, a, groups);
          if (f.priceU[i] + piSrc - ns.pi[leaf] < 0) {
            members[k].add(i, ns.addArc(src, leaf, f.cap[i], f.priceU[i]));
            in[pos - prefixLen[k]] = true;
            added++;
          }
        }
      }
      for (int q = 0; q < s; q++) {
        int j = storage[q];
        int rn = 2 + a + a * groups + q;
        for (int k = 0; k < a; k++) {
          int t = active[k];
          if (storageIn[q][k] || !f.available(j, t) || !open(f, j, closed[k])) {
            continue;
          }
          int leaf = leaf(f, j, k, a, groups);
          if (f.priceU[j] + ns.pi[rn] - ns.pi[leaf] < 0) {
            int arc = ns.addArc(rn, leaf, f.cap[j], f.priceU[j]);
            storageArcs.add(new int[] {arc, j, t});
            storageIn[q][k] = true;
            added++;
          }
        }
      }
      if (added == 0) {
        break;
      }
    }

    long[][] p = new long[f.size][];
    for (int[] sa : storageArcs) {
      long fl = ns.flow[sa[0]];
      if (fl > 0) {
        if (p[sa[1]] == null) {
          p[sa[1]] = new long[n];
        }
        p[sa[1]][sa[2]] = fl;
      }
    }
    long[] left = java.util.Arrays.copyOf(ns.flow, ns.arcs);
    for (int k = 0; k < a; k++) {
      int t = active[k];
      for (int c = 0; c < members[k].count; c++) {
        int i = members[k].resource[c];
        int arc = members[k].arc[c];
        long give = Math.min(f.cap[i], left[arc]);
        if (give > 0) {
          left[arc] -= give;
          if (p[i] == null) {
            p[i] = new long[n];
          }
          p[i][t] += give;
        }
      }
    }
    long[] shortfall = new long[n];
    long totalShort = 0;
    for (int k = 0; k < a; k++) {
      shortfall[active[k]] = ns.flow[shortArc[k]];
      totalShort += ns.flow[shortArc[k]];
    }
    BigInteger pen = BigInteger.valueOf(penalty).multiply(BigInteger.valueOf(totalShort));
    BigInteger cost = ns.primal().subtract(pen);
    BigInteger bound = ns.dual().subtract(pen);
    return new Result(p, shortfall, cost, bound, ns.arcs, nodes, ns.pivots, rounds);
  }

  /** Resources of one interval's segments, in the order their power is handed out. */
  private static final class Members {
    int[] resource;
    int[] arc;
    int count;

    Members(int capacity) {
      resource = new int[capacity];
      arc = new int[capacity];
    }

    void add(int i, int a) {
      if (count == resource.length) {
        resource = java.util.Arrays.copyOf(resource, count * 2);
        arc = java.util.Arrays.copyOf(arc, count * 2);
      }
      resource[count] = i;
      arc[count] = a;
      count++;
    }
  }

  private static boolean open(Fleet f, int i, boolean[] closed) {
    return (f.feeder[i] < 0 || !closed[f.feeder[i]]) && (f.zone[i] < 0 || !closed[f.zone[i]]);
  }

  private static int leaf(Fleet f, int i, int k, int a, int groups) {
    if (f.feeder[i] >= 0) {
      return 2 + a + k * groups + f.feeder[i];
    }
    if (f.zone[i] >= 0) {
      return 2 + a + k * groups + f.zone[i];
    }
    return 2 + k;
  }
}
