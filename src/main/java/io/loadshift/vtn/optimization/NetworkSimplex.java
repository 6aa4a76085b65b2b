package io.loadshift.vtn.optimization;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * Primal network simplex for min-cost flow with integer capacities and costs: minimize
 * {@code sum_a cost_a f_a} subject to flow conservation ({@code out(v) - in(v) = supply_v}) and
 * {@code 0 <= f_a <= cap_a}. Integral data give an integral optimum (the constraint matrix of a
 * network is totally unimodular), so the answer is exact.
 *
 * <p>The caller provides a feasible spanning tree that is strongly feasible (every tree arc pointing
 * to the root carries less than its capacity, every tree arc pointing away from it carries more than
 * 0); the leaving arc is the last blocking arc met when walking the pivot cycle in the direction of
 * the flow change from its apex (Cunningham's rule), which keeps the tree strongly feasible and rules
 * out cycling. The entering arc is chosen by block search. Node potentials {@code pi} satisfy
 * {@code cost + pi[src] - pi[dst] = 0} on tree arcs.
 */
final class NetworkSimplex {
  static final byte TREE = 0;
  static final byte LOWER = 1;
  static final byte UPPER = 2;
  static final long INF = Long.MAX_VALUE / 4;

  final int nodes;
  final long[] supply;
  int arcs;
  int[] src;
  int[] dst;
  long[] cap;
  long[] cost;
  long[] flow;
  byte[] state;

  final int[] parent;
  final int[] pred;
  private final int[] firstChild;
  private final int[] nextSib;
  private final int[] prevSib;
  final long[] pi;
  private final int[] stamp;
  private int gen;
  private int root = -1;
  long pivots;

  NetworkSimplex(int nodes, int expectedArcs) {
    this.nodes = nodes;
    this.supply = new long[nodes];
    int c = Math.max(16, expectedArcs);
    src = new int[c];
    dst = new int[c];
    cap = new long[c];
    cost = new long[c];
    flow = new long[c];
    state = new byte[c];
    parent = new int[nodes];
    pred = new int[nodes];
    firstChild = new int[nodes];
    nextSib = new int[nodes];
    prevSib = new int[nodes];
    pi = new long[nodes];
    stamp = new int[nodes];
    Arrays.fill(parent, -2);
  }

  int addArc(int u, int v, long capacity, long arcCost) {
    if (arcs == src.length) {
      int c = arcs * 2;
      src = Arrays.copyOf(src, c);
      dst = Arrays.copyOf(dst, c);
      cap = Arrays.copyOf(cap, c);
      cost = Arrays.copyOf(cost, c);
      flow = Arrays.copyOf(flow, c);
      state = Arrays.copyOf(state, c);
    }
    src[arcs] = u;
    dst[arcs] = v;
    cap[arcs] = capacity;
    cost[arcs] = arcCost;
    state[arcs] = LOWER;
    return arcs++;
  }

  void setRoot(int r) {
    root = r;
    parent[r] = -1;
    pred[r] = -1;
  }

  /** Puts {@code arc} (between node and parentNode) in the initial tree carrying {@code f}. */
  void treeArc(int node, int parentNode, int arc, long f) {
    parent[node] = parentNode;
    pred[node] = arc;
    state[arc] = TREE;
    flow[arc] = f;
  }

  /** Runs to optimality; throws IllegalStateException if the start is not a feasible spanning tree. */
  void solve(long maxPivots) {
    checkStart();
    Arrays.fill(firstChild, -1);
    for (int v = nodes - 1; v >= 0; v--) {
      if (v != root) {
        addChild(parent[v], v);
      }
    }
    pi[root] = 0;
    shiftSubtree(root, 0, true);
    int blockSize = Math.max(32, (int) Math.sqrt(arcs));
    int next = 0;
    while (true) {
      // Block search: scan blocks of arcs from where the last search stopped; take the most violating
      // arc of the first block that has one.
      int best = -1;
      long bestV = 0;
      int seen = 0;
      for (int k = 0; k < arcs; k++) {
        int a = next;
        next = next + 1 == arcs ? 0 : next + 1;
        byte s = state[a];
        if (s != TREE) {
          long rc = cost[a] + pi[src[a]] - pi[dst[a]];
          long v = s == LOWER ? rc : -rc;
          if (v < bestV) {
            bestV = v;
            best = a;
          }
        }
        if (++seen == blockSize) {
          if (best >= 0) {
            break;
          }
          seen = 0;
        }
      }
      if (best < 0) {
        return;
      }
      if (++pivots > maxPivots) {
        throw new IllegalStateException("network simplex: more than " + maxPivots + " pivots");
      }
      pivot(best);
    }
  }

  private void checkStart() {
    if (root < 0) {
      throw new IllegalStateException("no root");
    }
    long[] bal = new long[nodes];
    for (int a = 0; a < arcs; a++) {
      if (flow[a] < 0 || flow[a] > cap[a]) {
        throw new IllegalStateException("arc " + a + " flow out of bounds");
      }
      if (state[a] != TREE) {
        if (flow[a] == cap[a] && flow[a] > 0) {
          state[a] = UPPER;
        } else if (flow[a] != 0) {
          throw new IllegalStateException("non-tree arc " + a + " strictly inside its bounds");
        }
      }
      bal[src[a]] += flow[a];
      bal[dst[a]] -= flow[a];
    }
    for (int v = 0; v < nodes; v++) {
      if (bal[v] != supply[v]) {
        throw new IllegalStateException("node " + v + " does not balance");
      }
      if (v != root && (parent[v] < 0 || pred[v] < 0)) {
        throw new IllegalStateException("node " + v + " is not in the tree");
      }
    }
  }

  private void addChild(int p, int c) {
    int h = firstChild[p];
    nextSib[c] = h;
    prevSib[c] = -1;
    if (h >= 0) {
      prevSib[h] = c;
    }
    firstChild[p] = c;
  }

  private void removeChild(int p, int c) {
    int prev = prevSib[c];
    int nx = nextSib[c];
    if (prev >= 0) {
      nextSib[prev] = nx;
    } else {
      firstChild[p] = nx;
    }
    if (nx >= 0) {
      prevSib[nx] = prev;
    }
  }

  /**
   * Adds {@code sigma} to the potentials of the subtree at {@code top} (preorder walk), or, when
   * {@code fromParents}, sets every potential below {@code top} from its tree arc.
   */
  private void shiftSubtree(int top, long sigma, boolean fromParents) {
    int x = top;
    if (!fromParents) {
      pi[x] += sigma;
    }
    while (true) {
      int c = firstChild[x];
      if (c >= 0) {
        x = c;
      } else {
        while (x != top && nextSib[x] < 0) {
          x = parent[x];
        }
        if (x == top) {
          return;
        }
        x = nextSib[x];
      }
      if (fromParents) {
        int a = pred[x];
        pi[x] = src[a] == x ? pi[parent[x]] - cost[a] : pi[parent[x]] + cost[a];
      } else {
        pi[x] += sigma;
      }
    }
  }

  private int join(int u, int v) {
    gen++;
    for (int x = u; x >= 0; x = parent[x]) {
      stamp[x] = gen;
    }
    int x = v;
    while (stamp[x] != gen) {
      x = parent[x];
    }
    return x;
  }

  private void pivot(int e) {
    boolean up = state[e] == LOWER;
    int first = up ? src[e] : dst[e];
    int second = up ? dst[e] : src[e];
    int apex = join(first, second);

    // Walking the cycle from the apex in the direction of the change: down to first, along e, then
    // up from second to the apex. The leaving arc is the last blocking one on that walk.
    long minFirst = INF;
    int arcFirst = -1;
    int nodeFirst = -1;
    for (int w = first; w != apex; w = parent[w]) {
      int a = pred[w];
      long r = dst[a] == w ? cap[a] - flow[a] : flow[a];
      if (r < minFirst) {
        minFirst = r;
        arcFirst = a;
        nodeFirst = w;
      }
    }
    long delta = up ? cap[e] - flow[e] : flow[e];
    int leaving = e;
    int leavingNode = -1;
    boolean onFirst = false;
    if (minFirst < delta) {
      delta = minFirst;
      leaving = arcFirst;
      leavingNode = nodeFirst;
      onFirst = true;
    }
    for (int w = second; w != apex; w = parent[w]) {
      int a = pred[w];
      long r = src[a] == w ? cap[a] - flow[a] : flow[a];
      if (r <= delta) {
        delta = r;
        leaving = a;
        leavingNode = w;
        onFirst = false;
      }
    }

    if (delta > 0) {
      flow[e] += up ? delta : -delta;
      for (int w = first; w != apex; w = parent[w]) {
        int a = pred[w];
        flow[a] += dst[a] == w ? delta : -delta;
      }
      for (int w = second; w != apex; w = parent[w]) {
        int a = pred[w];
        flow[a] += src[a] == w ? delta : -delta;
      }
    }

    if (leaving == e) {
      state[e] = up ? UPPER : LOWER;
      return;
    }
    state[leaving] = flow[leaving] == 0 ? LOWER : UPPER;
    state[e] = TREE;

    // The subtree under leavingNode comes off and hangs from the other end of e instead.
    int uIn = onFirst ? first : second;
    int vIn = onFirst ? second : first;
    int prevNode = vIn;
    int prevArc = e;
    int x = uIn;
    while (true) {
      int oldParent = parent[x];
      int oldPred = pred[x];
      removeChild(oldParent, x);
      parent[x] = prevNode;
      pred[x] = prevArc;
      addChild(prevNode, x);
      if (x == leavingNode) {
        break;
      }
      prevNode = x;
      prevArc = oldPred;
      x = oldParent;
    }
    long target = src[e] == uIn ? pi[vIn] - cost[e] : pi[vIn] + cost[e];
    long sigma = target - pi[uIn];
    if (sigma != 0) {
      shiftSubtree(uIn, sigma, false);
    }
  }

  /** Total cost of the flow. */
  BigInteger primal() {
    BigInteger s = BigInteger.ZERO;
    for (int a = 0; a < arcs; a++) {
      if (flow[a] != 0 && cost[a] != 0) {
        s = s.add(BigInteger.valueOf(flow[a]).multiply(BigInteger.valueOf(cost[a])));
      }
    }
    return s;
  }

  /**
   * The dual objective of the potentials: {@code -sum_v supply_v pi_v - sum_a cap_a max(0, -rc_a)}
   * with {@code rc_a = cost_a + pi[src] - pi[dst]}. By weak duality it is a lower bound on the cost of
   * every feasible flow, whatever the potentials; at the optimum it equals the optimum.
   */
  BigInteger dual() {
    BigInteger s = BigInteger.ZERO;
    for (int v = 0; v < nodes; v++) {
      if (supply[v] != 0) {
        s = s.subtract(BigInteger.valueOf(supply[v]).multiply(BigInteger.valueOf(pi[v])));
      }
    }
    for (int a = 0; a < arcs; a++) {
      long rc = cost[a] + pi[src[a]] - pi[dst[a]];
      if (rc < 0) {
        s = s.add(BigInteger.valueOf(cap[a]).multiply(BigInteger.valueOf(rc)));
      }
    }
    return s;
  }
}
