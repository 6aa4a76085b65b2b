package io.loadshift.vtn.party;

import io.loadshift.vtn.auth.Principal;
import io.loadshift.vtn.auth.Role;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a VEN (or an aggregator, for its fleet) is targeted by: the targets a utility granted its
 * VEN objects and their resources. (Not its venName: a VEN chooses that itself, so it could name
 * itself after any target.) Programs and events with no targets reach everyone; targeted ones reach a reader whose
 * set meets theirs. A VEN client's view is kept in memory and dropped when PostgreSQL announces a
 * change to its VENs or resources (channel {@code vtn_cache}, payload {@code client:<id>}), so
 * polling costs no query while nothing changes.
 */
public final class VenViews {
  private static final String BY_CLIENT = "SELECT v.id, v.ven_name, v.targets, "
      + "coalesce((SELECT array_agg(DISTINCT t) FROM resources r, unnest(r.targets) t WHERE r.ven_id = v.id), '{}') "
      + "FROM vens v WHERE v.client_id = $1";
  private static final String BY_OWNER = BY_CLIENT.replace("v.client_id = $1", "v.registered_by = $1");

  /** A reader's VEN ids and target set. */
  public record View(Set<String> venIds, Set<String> targets) {
    public static final View NONE = new View(Set.of(), Set.of());

    /** True when an object with these targets is meant for this reader. */
    public boolean sees(Collection<String> objectTargets) {
      if (objectTargets.isEmpty()) {
        return true;
      }
      for (String t : objectTargets) {
        if (targets.contains(t)) {
          return true;
        }
      }
      return false;
    }

    /** The object's targets this reader may see (target hiding). */
    public List<String> shown(Collection<String> objectTargets) {
      return objectTargets.stream().filter(targets::contains).toList();
    }
  }

  private final Pool pool;
  private final Map<String, View> byClient = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong invalidations = new java.util.concurrent.atomic.AtomicLong();

  public VenViews(Pool pool) {
    this.pool = pool;
  }

  /** The reader's view, or null for business logic (utility, admin), which sees everything. */
  public Future<View> of(Principal p) {
    if (p.role() == Role.VEN) {
      return ofVenClient(p.clientId());
    }
    if (p.role() == Role.AGGREGATOR) {
      return load(BY_OWNER, p.clientId());
    }
    return Future.succeededFuture(null);
  }

  /** The view of a VEN client by id (for fan-out decisions about a subscriber). */
  public Future<View> ofVenClient(String clientId) {
    View cached = byClient.get(clientId);
    if (cached != null) {
      // A plain succeeded future runs its callbacks on the caller's event loop. (Caching the
      // loading future instead would pull every later request onto the loop that loaded it.)
      return Future.succeededFuture(cached);
    }
    long seen = invalidations.get();
    return load(BY_CLIENT, clientId).onSuccess(v -> {
      if (invalidations.get() == seen) { // nothing changed while loading: safe to keep
        byClient.put(clientId, v);
      }
    });
  }

  public Future<View> ofOwner(String clientId) {
    return load(BY_OWNER, clientId);
  }

  /** A {@code vtn_cache} payload: drops the view it names. */
  public void onMessage(String payload) {
    if (payload.startsWith("client:")) {
      invalidations.incrementAndGet();
      byClient.remove(payload.substring(7));
    }
  }

  /**
   * The target every VEN is in by itself, for signals meant for that VEN alone (its dispatch
   * setpoints). Only the VTN's own publications use it; no client can put a VEN in another's.
   */
  public static String venTarget(String venId) {
    return "loadshift:ven:" + venId;
  }

  public Future<Void> resync() {
    invalidations.incrementAndGet();
    byClient.clear();
    return Future.succeededFuture();
  }

  private Future<View> load(String sql, String id) {
    return pool.preparedQuery(sql).execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) {
        return View.NONE;
      }
      Set<String> ids = new HashSet<>();
      Set<String> targets = new HashSet<>();
      for (Row r : rows) {
        ids.add(r.getString(0));
        targets.add(venTarget(r.getString(0)));
        targets.addAll(List.of(r.getArrayOfStrings(2)));
        targets.addAll(List.of(r.getArrayOfStrings(3)));
      }
      return new View(Set.copyOf(ids), Set.copyOf(targets));
    });
  }
}
