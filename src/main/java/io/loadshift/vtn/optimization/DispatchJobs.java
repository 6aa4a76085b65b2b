package io.loadshift.vtn.optimization;

import io.loadshift.vtn.audit.Actor;
import io.loadshift.vtn.audit.AuditEntry;
import io.loadshift.vtn.audit.AuditService;
import io.loadshift.vtn.der.DerStatus;
import io.loadshift.vtn.der.ResourceService;
import io.loadshift.vtn.event.EventService;
import io.loadshift.vtn.platform.jobs.Serial;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * What dispatch does on its own, every few seconds and whenever resources change: re-plans the
 * rest of an event whose plan counted on a resource that went OFFLINE (or into maintenance or an
 * emergency, or was deleted) or on a VEN that opted out; releases resources when a plan's window
 * is over; ends emergencies. One instance at a time does it (a transaction-level advisory lock).
 */
public final class DispatchJobs {
  private static final Logger LOG = Logger.getLogger(DispatchJobs.class.getName());
  static final Actor OPTIMIZER = new Actor("optimizer", "system", null);
  private static final String LOCK = "SELECT pg_try_advisory_xact_lock(7215, 2)";
  /** Plans in force counting, from the current interval on, on a resource or VEN that is no longer there for them. */
  private static final String BROKEN = "SELECT p.id, p.event_id, greatest(0, floor(extract(epoch FROM now() - p.starts_at) "
      + "/ p.interval_seconds))::int AS cur FROM dispatch_plans p WHERE p.status = 'ACCEPTED' "
      + "AND p.starts_at + p.intervals * p.interval_seconds * interval '1 second' > now() "
      + "AND EXISTS (SELECT 1 FROM dispatch_schedules s LEFT JOIN resources r ON r.id = s.resource_id "
      + "WHERE s.plan_id = p.id "
      + "AND EXISTS (SELECT 1 FROM unnest(s.power_kw[greatest(1, floor(extract(epoch FROM now() - p.starts_at) "
      + "/ p.interval_seconds)::int + 1):]) x WHERE x <> 0) "
      + "AND (r.id IS NULL OR r.status NOT IN ('ONLINE', 'OPTIMIZED') OR EXISTS (SELECT 1 FROM event_opts o "
      + "WHERE o.event_id = p.event_id AND o.ven_id = s.ven_id AND o.opt = 'optOut'))) ORDER BY p.created_at LIMIT 5";
  private static final String OVER = "UPDATE dispatch_plans SET status = 'RELEASED', released_at = now() "
      + "WHERE status = 'ACCEPTED' AND starts_at + intervals * interval_seconds * interval '1 second' <= now() "
      + "RETURNING id";
  /** Resources of released plans that no plan still in force dispatches. */
  private static final String RELEASED_RESOURCES = "SELECT DISTINCT s.resource_id FROM dispatch_schedules s "
      + "WHERE s.plan_id = ANY ($1::uuid[]) AND NOT EXISTS (SELECT 1 FROM dispatch_schedules o JOIN dispatch_plans p "
      + "ON p.id = o.plan_id WHERE p.status = 'ACCEPTED' AND o.resource_id = s.resource_id)";
  private static final String EMERGENCIES_OVER = "UPDATE emergencies SET ended_at = now() WHERE ended_at IS NULL "
      + "AND ends_at <= now() RETURNING id, resources";
  private static final String STILL_IN_EMERGENCY = "SELECT DISTINCT r FROM emergencies, unnest(resources) r "
      + "WHERE ended_at IS NULL AND r = ANY ($1)";

  private final Vertx vertx;
  private final Pool pool;
  private final EventService events;
  private final DispatchService dispatch;
  private final ResourceService resources;
  private final AuditService audit;
  private final Serial serial;
  private Context context;
  private long timer = -1;
  private boolean kickPending;
  private volatile boolean stopped;

  public DispatchJobs(Vertx vertx, Pool pool, EventService events, DispatchService dispatch, ResourceService resources,
                      AuditService audit) {
    this.vertx = vertx;
    this.pool = pool;
    this.events = events;
    this.dispatch = dispatch;
    this.resources = resources;
    this.audit = audit;
    this.serial = new Serial(() -> round().map(false), () -> stopped,
        e -> LOG.warning("dispatch jobs: " + e.getMessage()));
  }

  public void start() {
    context = vertx.getOrCreateContext();
    timer = vertx.setPeriodic(5000, id -> run());
  }

  public void stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** Something changed that may break a plan (from any thread); runs within half a second, once for many kicks. */
  public void kick() {
    if (context != null) {
      context.runOnContext(v -> {
        if (!kickPending) {
          kickPending = true;
          vertx.setTimer(500, id -> {
            kickPending = false;
            run();
          });
        }
      });
    }
  }

  private void run() {
    serial.run();
  }

  /** Runs the jobs once; public for tests that do not want to wait for the timer. */
  public Future<Void> round() {
    return endEmergencies().compose(x -> releaseOver()).compose(x -> replanBroken());
  }

  private Future<Void> replanBroken() {
    return pool.preparedQuery(BROKEN).execute().compose(rows -> {
      Future<Void> chain = Future.succeededFuture();
      for (Row r : rows) {
        String planId = r.getUUID(0).toString();
        String eventId = r.getString(1);
        int current = r.getInteger(2);
        chain = chain.compose(x -> replan(planId, eventId, current).recover(e -> {
          LOG.warning("re-planning event " + eventId + " failed: " + e.getMessage());
          return Future.succeededFuture();
        }));
      }
      return chain;
    });
  }

  private Future<Void> replan(String planId, String eventId, int current) {
    return events.get(eventId).compose(event -> dispatch.schedules(pool, planId).compose(old -> {
      Map<String, DispatchService.Schedule> kept = new HashMap<>();
      old.forEach(s -> kept.put(s.resourceId(), s));
      TargetProfile profile = TargetProfile.of(event);
      return dispatch.planFrom(OPTIMIZER, event, profile, Math.min(current, profile.targetKw().length - 1), "REPLAN",
          planId, kept);
    })).compose(plan -> dispatch.accept(OPTIMIZER, plan.id())).mapEmpty();
  }

  private Future<Void> releaseOver() {
    return pool.withTransaction(tx -> tx.query(LOCK).execute().compose(lock -> {
      if (!lock.iterator().next().getBoolean(0)) {
        return Future.succeededFuture();
      }
      return tx.query(OVER).execute().compose(over -> {
        if (over.rowCount() == 0) {
          return Future.succeededFuture();
        }
        List<java.util.UUID> ids = new ArrayList<>();
        over.forEach(r -> ids.add(r.getUUID(0)));
        return tx.preparedQuery(RELEASED_RESOURCES).execute(Tuple.of((Object) ids.toArray(java.util.UUID[]::new)))
            .compose(rs -> {
              List<String> free = new ArrayList<>();
              rs.forEach(r -> free.add(r.getString(0)));
              return resources.setStatusMany(tx, OPTIMIZER, free, DerStatus.ONLINE,
                  Set.of(DerStatus.EMERGENCY, DerStatus.OFFLINE, DerStatus.MAINTENANCE), "dispatch window over");
            })
            .compose(moved -> audit.record(tx, AuditEntry.of(OPTIMIZER, "dispatch_plans_released", "dispatch_plan",
                ids.get(0).toString(), null, new JsonObject().put("plans", ids.size()).put("resources", moved.size()))));
      });
    }));
  }

  private Future<Void> endEmergencies() {
    return pool.withTransaction(tx -> tx.query(EMERGENCIES_OVER).execute().compose(over -> {
      if (over.rowCount() == 0) {
        return Future.succeededFuture();
      }
      List<String> ids = new ArrayList<>();
      List<String> affected = new ArrayList<>();
      for (Row r : over) {
        ids.add(r.getUUID(0).toString());
        affected.addAll(List.of(r.getArrayOfStrings(1)));
      }
      return tx.preparedQuery(STILL_IN_EMERGENCY).execute(Tuple.of((Object) affected.toArray(String[]::new)))
          .compose(still -> {
            Set<String> keep = new java.util.HashSet<>();
            still.forEach(r -> keep.add(r.getString(0)));
            List<String> free = affected.stream().filter(a -> !keep.contains(a)).distinct().toList();
            return resources.setStatusMany(tx, OPTIMIZER, free, DerStatus.ONLINE,
                Set.of(DerStatus.OPTIMIZED, DerStatus.OFFLINE, DerStatus.MAINTENANCE), "emergency over");
          })
          .compose(moved -> audit.recordAll(tx, OPTIMIZER, "emergency_ended", "emergency", ids,
              ids.stream().map(i -> new JsonObject().put("resourcesReleased", moved.size()).encode()).toList()));
    }));
  }
}
