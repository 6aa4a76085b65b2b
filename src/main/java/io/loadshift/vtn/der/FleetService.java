package io.loadshift.vtn.der;

import io.loadshift.vtn.party.Reach;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Fleet figures for grid operators and aggregators: counts and capacity by type, status and zone;
 * the capacity available now (ONLINE, OPTIMIZED or EMERGENCY); and, from the status history over a
 * window, availability (share of resource-hours in an available status) and utilization (share of
 * available resource-hours spent dispatched: OPTIMIZED or EMERGENCY).
 */
public final class FleetService {
  private static final String REACH = "($1::text IS NULL OR client_id = $1) AND ($2::text IS NULL OR owner = $2)";
  private static final String BREAKDOWN = "SELECT der_type, status, zone, count(*), coalesce(sum(capacity_kw), 0), "
      + "GROUPING(der_type), GROUPING(status), GROUPING(zone) FROM resources WHERE " + REACH
      + " GROUP BY GROUPING SETS ((der_type), (status), (zone), ())";
  private static final String TIME_IN_STATUS_ALL = "SELECT status, sum(extract(epoch FROM "
      + "least(coalesce(until, now()), now()) - greatest(since, $1))) FROM resource_status_history "
      + "WHERE coalesce(until, now()) > $1 GROUP BY status";
  private static final String TIME_IN_STATUS_REACH = "SELECT h.status, sum(extract(epoch FROM "
      + "least(coalesce(h.until, now()), now()) - greatest(h.since, $3))) FROM resource_status_history h "
      + "JOIN resources r ON r.id = h.resource_id WHERE ($1::text IS NULL OR r.client_id = $1) "
      + "AND ($2::text IS NULL OR r.owner = $2) AND coalesce(h.until, now()) > $3 GROUP BY h.status";

  private final Pool pool;

  public FleetService(Pool pool) {
    this.pool = pool;
  }

  public Future<JsonObject> stats(Reach reach, Duration window) {
    OffsetDateTime to = OffsetDateTime.now(ZoneOffset.UTC);
    OffsetDateTime from = to.minus(window);
    Future<JsonObject> breakdown = pool.preparedQuery(BREAKDOWN).execute(Tuple.of(reach.clientId(), reach.owner()))
        .map(FleetService::breakdown);
    Future<JsonObject> time = (reach.everything()
        ? pool.preparedQuery(TIME_IN_STATUS_ALL).execute(Tuple.of(from))
        : pool.preparedQuery(TIME_IN_STATUS_REACH).execute(Tuple.of(reach.clientId(), reach.owner(), from)))
        .map(rows -> {
          double total = 0;
          double available = 0;
          double dispatched = 0;
          JsonObject hours = new JsonObject();
          for (Row r : rows) {
            double secs = r.getValue(1) == null ? 0 : ((Number) r.getValue(1)).doubleValue();
            DerStatus s = DerStatus.valueOf(r.getString(0));
            hours.put(s.name(), round(secs / 3600.0, 3));
            total += secs;
            if (DerStatus.AVAILABLE.contains(s)) {
              available += secs;
            }
            if (s == DerStatus.OPTIMIZED || s == DerStatus.EMERGENCY) {
              dispatched += secs;
            }
          }
          return new JsonObject()
              .put("from", from.toInstant().toString()).put("to", to.toInstant().toString())
              .put("resourceHoursByStatus", hours)
              .put("availability", total == 0 ? null : round(available / total, 4))
              .put("utilization", available == 0 ? null : round(dispatched / available, 4));
        });
    return Future.all(breakdown, time).map(v -> breakdown.result().put("window", time.result()));
  }

  private static JsonObject breakdown(Iterable<Row> rows) {
    JsonArray byType = new JsonArray();
    JsonArray byStatus = new JsonArray();
    JsonArray byZone = new JsonArray();
    JsonObject total = new JsonObject().put("count", 0).put("capacityKw", 0);
    BigDecimal availableKw = BigDecimal.ZERO;
    long availableCount = 0;
    for (Row r : rows) {
      long count = r.getLong(3);
      BigDecimal kw = r.getBigDecimal(4);
      JsonObject figures = new JsonObject().put("count", count).put("capacityKw", DerAttributes.number(kw));
      boolean typeRolledUp = r.getInteger(5) == 1;
      boolean statusRolledUp = r.getInteger(6) == 1;
      boolean zoneRolledUp = r.getInteger(7) == 1;
      if (typeRolledUp && statusRolledUp && zoneRolledUp) {
        total = figures;
      } else if (!typeRolledUp) {
        byType.add(figures.put("derType", r.getString(0)));
      } else if (!statusRolledUp) {
        byStatus.add(figures.put("status", r.getString(1)));
        if (DerStatus.AVAILABLE.contains(DerStatus.valueOf(r.getString(1)))) {
          availableKw = availableKw.add(kw);
          availableCount += count;
        }
      } else {
        byZone.add(figures.put("zone", r.getString(2)));
      }
    }
    return new JsonObject().put("total", total)
        .put("availableNow", new JsonObject().put("count", availableCount).put("capacityKw", DerAttributes.number(availableKw)))
        .put("byType", byType).put("byStatus", byStatus).put("byZone", byZone);
  }

  private static double round(double v, int places) {
    return BigDecimal.valueOf(v).setScale(places, RoundingMode.HALF_UP).doubleValue();
  }
}
