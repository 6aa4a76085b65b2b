package io.loadshift.vtn.oadr20b;

import io.loadshift.vtn.audit.Actor;
import io.loadshift.vtn.oadr20b.xml.ei.EiTargetType;
import io.loadshift.vtn.oadr20b.xml.ei.IntervalType;
import io.loadshift.vtn.oadr20b.xml.ei.PayloadFloatType;
import io.loadshift.vtn.oadr20b.xml.ei.ReportPayloadType;
import io.loadshift.vtn.oadr20b.xml.ei.ReportSpecifierType;
import io.loadshift.vtn.oadr20b.xml.ei.SpecifierPayloadType;
import io.loadshift.vtn.oadr20b.xml.emix.ItemBaseType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrCancelReportType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrCanceledReportType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrPayload;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrPendingReportsType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrRegisterReportType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrRegisteredReportType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrReportDescriptionType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrReportRequestType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrReportType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrUpdateReportType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrUpdatedReportType;
import io.loadshift.vtn.oadr20b.xml.power.EnergyItemType;
import io.loadshift.vtn.oadr20b.xml.power.PowerItemType;
import io.loadshift.vtn.telemetry.Reading;
import io.loadshift.vtn.telemetry.TelemetryService;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import jakarta.xml.bind.JAXBElement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * EiReport: what a VEN registers it can report (METADATA), the telemetry the VTN asks of it in
 * return (TELEMETRY_USAGE: energy per interval, and power where offered), and the updates it
 * sends, stored as readings where 3.1 reports and meter data land: energy rIDs as USAGE in kWh per
 * interval, power rIDs as DEMAND in kW.
 */
final class Reports {
  /** The granularity the VTN asks for when the VEN's sampling allows it. */
  static final Duration WANTED = Duration.ofMinutes(15);
  static final String SOURCE = "oadr20b-report";

  private static final String FORGET_SPECIFIER =
      "DELETE FROM oadr20b_report_descriptions WHERE ven_id = $1 AND report_specifier_id = $2";
  private static final String DESCRIBE = "INSERT INTO oadr20b_report_descriptions (ven_id, report_specifier_id, r_id, "
      + "resource_name, resource_id, report_name, report_type, reading_type, item, unit, scale, min_period_s, "
      + "max_period_s) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
      + "ON CONFLICT (ven_id, report_specifier_id, r_id) DO NOTHING";
  private static final String REQUEST = "INSERT INTO oadr20b_report_requests (ven_id, report_request_id, "
      + "report_specifier_id, r_ids, granularity_s) VALUES ($1, $2, $3, $4, $5)";
  private static final String CANCEL_OLD = "UPDATE oadr20b_report_requests SET cancelled_at = now() "
      + "WHERE ven_id = $1 AND report_specifier_id = $2 AND cancelled_at IS NULL";
  private static final String DESCRIPTIONS = "SELECT report_specifier_id, r_id, resource_id, item, scale "
      + "FROM oadr20b_report_descriptions WHERE ven_id = $1";
  private static final String CANCEL = "UPDATE oadr20b_report_requests SET cancelled_at = now() "
      + "WHERE ven_id = $1 AND report_request_id = ANY($2) AND cancelled_at IS NULL RETURNING report_request_id";
  private static final String PENDING = "SELECT report_request_id FROM oadr20b_report_requests "
      + "WHERE ven_id = $1 AND cancelled_at IS NULL ORDER BY created_at, report_request_id";

  private final Oadr20bStore store;
  private final TelemetryService telemetry;

  Reports(Oadr20bStore store, TelemetryService telemetry) {
    this.store = store;
    this.telemetry = telemetry;
  }

  /** One registered rID, as the VTN will read its updates. */
  private record Described(String specifierId, String rId, String resourceId, String item, String scale) {}

  /** A report the VTN asks for: the specifier, rIDs and their items, and the granularity. */
  private record Wanted(String specifierId, List<Described> rIds, Duration granularity) {}

  // --- oadrRegisterReport ------------------------------------------------------------------------

  /**
   * Stores the VEN's METADATA reports (each replaces what the VEN registered before under that
   * reportSpecifierID) and answers oadrRegisteredReport asking, for each TELEMETRY_USAGE report
   * whose rIDs name the VEN's resources, for their energy (and power) rIDs.
   */
  Future<Oadr20bService.Reply> register(Session s, OadrRegisterReportType m, Messages messages) {
    String requestId = m.getRequestID();
    return store.resourcesOf(s.venId).compose(own -> store.pool().withTransaction(tx -> {
      Future<Void> chain = Future.succeededFuture();
      List<Wanted> wanted = new ArrayList<>();
      for (OadrReportType report : m.getOadrReport()) {
        String specifier = report.getReportSpecifierID();
        if (specifier == null || specifier.isBlank()) {
          throw OadrRefusal.invalidData("Each oadrReport needs a reportSpecifierID.");
        }
        List<Described> usable = new ArrayList<>();
        Duration granularity = null;
        chain = chain.compose(v -> tx.preparedQuery(FORGET_SPECIFIER).execute(Tuple.of(s.venId, specifier)).mapEmpty());
        for (OadrReportDescriptionType d : report.getOadrReportDescription()) {
          String resourceName = firstResource(d.getReportDataSource());
          String resourceId = resourceName == null ? null : Oadr20bService.resolve(own, resourceName);
          String item = item(d.getItemBase());
          String unit = unit(d.getItemBase());
          String scale = scale(d.getItemBase());
          Duration min = d.getOadrSamplingRate() == null ? null
              : Oadr20bService.parseDuration(d.getOadrSamplingRate().getOadrMinPeriod());
          Duration max = d.getOadrSamplingRate() == null ? null
              : Oadr20bService.parseDuration(d.getOadrSamplingRate().getOadrMaxPeriod());
          chain = chain.compose(v -> tx.preparedQuery(DESCRIBE).execute(Tuple.from(new Object[] {s.venId, specifier,
              d.getRID(), resourceName, resourceId, report.getReportName(), d.getReportType(), d.getReadingType(), item,
              unit, scale, seconds(min), seconds(max)})).mapEmpty());
          boolean telemetryReport = report.getReportName() == null || report.getReportName().contains("TELEMETRY_USAGE");
          if (telemetryReport && resourceId != null && ("energyReal".equals(item) || "powerReal".equals(item))) {
            usable.add(new Described(specifier, d.getRID(), resourceId, item, scale));
            Duration g = granularity(min, max);
            granularity = granularity == null || g.compareTo(granularity) > 0 ? g : granularity;
          }
        }
        if (!usable.isEmpty()) {
          wanted.add(new Wanted(specifier, usable, granularity));
        }
      }
      List<OadrReportRequestType> requests = new ArrayList<>();
      for (Wanted w : wanted) {
        String reportRequestId = "RR-" + Messages.newRequestId();
        requests.add(reportRequest(reportRequestId, w));
        String[] rIds = w.rIds().stream().map(Described::rId).toArray(String[]::new);
        chain = chain.compose(v -> tx.preparedQuery(CANCEL_OLD).execute(Tuple.of(s.venId, w.specifierId())))
            .compose(v -> tx.preparedQuery(REQUEST).execute(Tuple.tuple().addString(s.venId).addString(reportRequestId)
                .addString(w.specifierId()).addArrayOfString(rIds).addInteger((int) w.granularity().getSeconds())))
            .mapEmpty();
      }
      return chain.map(v -> Oadr20bService.Reply.of(registered(messages, requestId, s.venId, requests)));
    }));
  }

  /**
   * The granularity asked for: 15 minutes when the VEN's sampling range allows it, else 1 minute
   * when that is offered, else the bound of its range nearest to 15 minutes.
   */
  static Duration granularity(Duration min, Duration max) {
    boolean minOk = min == null || min.compareTo(WANTED) <= 0;
    boolean maxOk = max == null || max.compareTo(WANTED) >= 0;
    if (minOk && maxOk) {
      return WANTED;
    }
    Duration minute = Duration.ofMinutes(1);
    if ((min == null || min.compareTo(minute) <= 0) && (max == null || max.compareTo(minute) >= 0)) {
      return minute;
    }
    return minOk ? max : min;
  }

  private static OadrReportRequestType reportRequest(String reportRequestId, Wanted w) {
    ReportSpecifierType spec = new ReportSpecifierType();
    spec.setReportSpecifierID(w.specifierId());
    spec.setGranularity(Messages.duration(w.granularity()));
    // The VEN reports each interval as it completes.
    spec.setReportBackDuration(Messages.duration(w.granularity()));
    for (Described d : w.rIds()) {
      SpecifierPayloadType p = new SpecifierPayloadType();
      p.setRID(d.rId());
      p.setReadingType("Direct Read");
      spec.getSpecifierPayload().add(p);
    }
    OadrReportRequestType r = new OadrReportRequestType();
    r.setReportRequestID(reportRequestId);
    r.setReportSpecifier(spec);
    return r;
  }

  private static OadrPayload registered(Messages messages, String requestId, String venId,
                                        List<OadrReportRequestType> requests) {
    OadrRegisteredReportType r = new OadrRegisteredReportType();
    r.setSchemaVersion(Messages.SCHEMA_VERSION);
    r.setEiResponse(Messages.eiResponse(ResponseCode.OK, "OK", requestId));
    r.getOadrReportRequest().addAll(requests);
    r.setVenID(venId);
    return Messages.wrap(o -> o.setOadrRegisteredReport(r));
  }

  // --- oadrUpdateReport --------------------------------------------------------------------------

  /**
   * Stores every interval value of the update as a reading (idempotent: the same values again
   * change nothing). rIDs the VEN did not register for one of its resources, or of another kind
   * than energy or power, refuse the whole update (452) and nothing is stored.
   */
  Future<Oadr20bService.Reply> update(Session s, OadrUpdateReportType m, Actor actor, Messages messages) {
    String requestId = m.getRequestID();
    return store.pool().preparedQuery(DESCRIPTIONS).execute(Tuple.of(s.venId)).compose(rows -> {
      Map<String, Described> byRid = new HashMap<>();
      for (Row r : rows) {
        Described d = new Described(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4));
        if (d.resourceId() != null && ("energyReal".equals(d.item()) || "powerReal".equals(d.item()))) {
          byRid.putIfAbsent(d.rId(), d);
        }
      }
      List<Reading> readings = new ArrayList<>();
      List<String> unknown = new ArrayList<>();
      for (OadrReportType report : m.getOadrReport()) {
        Instant next = report.getDtstart() == null || report.getDtstart().getDateTime() == null ? null
            : report.getDtstart().getDateTime().toGregorianCalendar().toInstant();
        Duration reportDuration = report.getDuration() == null ? null
            : Oadr20bService.parseDuration(report.getDuration().getDuration());
        if (report.getIntervals() == null) {
          continue;
        }
        for (IntervalType interval : report.getIntervals().getInterval()) {
          Instant start = interval.getDtstart() != null && interval.getDtstart().getDateTime() != null
              ? interval.getDtstart().getDateTime().toGregorianCalendar().toInstant() : next;
          Duration duration = interval.getDuration() != null
              ? Oadr20bService.parseDuration(interval.getDuration().getDuration()) : reportDuration;
          if (start == null || duration == null || duration.isZero() || duration.isNegative()) {
            throw OadrRefusal.invalidData("Each interval needs a dtstart (its own or the report's) and a positive "
                + "duration; nothing stored.");
          }
          next = start.plus(duration);
          for (JAXBElement<?> e : interval.getStreamPayloadBase()) {
            if (!(e.getValue() instanceof ReportPayloadType p)) {
              continue;
            }
            Described d = byRid.get(p.getRID());
            if (d == null) {
              if (!unknown.contains(p.getRID())) {
                unknown.add(p.getRID());
              }
              continue;
            }
            if (!(p.getPayloadBase() != null && p.getPayloadBase().getValue() instanceof PayloadFloatType f)) {
              throw OadrRefusal.invalidData("rID " + p.getRID() + ": only payloadFloat values are read; nothing stored.");
            }
            double value = f.getValue() * factor(d.scale());
            boolean energy = "energyReal".equals(d.item());
            readings.add(new Reading(d.resourceId(), energy ? Reading.USAGE : "DEMAND", start,
                (int) duration.getSeconds(), value));
          }
        }
      }
      if (!unknown.isEmpty()) {
        throw OadrRefusal.invalidId("rIDs not registered for this VEN's resources: " + String.join(", ", unknown)
            + "; nothing stored.");
      }
      return store.pool().withTransaction(tx -> telemetry.store(tx, actor, SOURCE, readings))
          .map(outcome -> {
            OadrUpdatedReportType r = new OadrUpdatedReportType();
            r.setSchemaVersion(Messages.SCHEMA_VERSION);
            r.setEiResponse(Messages.eiResponse(ResponseCode.OK, "OK", requestId));
            r.setVenID(s.venId);
            return Oadr20bService.Reply.of(Messages.wrap(o -> o.setOadrUpdatedReport(r)));
          });
    });
  }

  /** kilo units (kWh, kW) from the item's unit times its scale. */
  static double factor(String scale) {
    if (scale == null || "k".equals(scale)) {
      return 1;
    }
    return switch (scale) {
      case "none" -> 0.001;
      case "M" -> 1000;
      case "G" -> 1_000_000;
      case "m" -> 0.000_001;
      default -> 1;
    };
  }

  // --- oadrCancelReport --------------------------------------------------------------------------

  Future<Oadr20bService.Reply> cancel(Session s, OadrCancelReportType m) {
    String requestId = m.getRequestID();
    String[] ids = m.getReportRequestID().toArray(String[]::new);
    return store.pool().withTransaction(tx -> tx.preparedQuery(CANCEL)
            .execute(Tuple.tuple().addString(s.venId).addArrayOfString(ids))
            .compose(cancelled -> {
              if (cancelled.size() < ids.length && !(ids.length == 1 && "0".equals(ids[0]))) {
                throw OadrRefusal.invalidId("Unknown reportRequestID(s) for this VEN; nothing cancelled.");
              }
              return pending(tx, s.venId);
            }))
        .map(pending -> {
          OadrCanceledReportType r = new OadrCanceledReportType();
          r.setSchemaVersion(Messages.SCHEMA_VERSION);
          r.setEiResponse(Messages.eiResponse(ResponseCode.OK, "OK", requestId));
          r.setOadrPendingReports(pending);
          r.setVenID(s.venId);
          return Oadr20bService.Reply.of(Messages.wrap(o -> o.setOadrCanceledReport(r)));
        });
  }

  private static Future<OadrPendingReportsType> pending(SqlClient tx, String venId) {
    return tx.preparedQuery(PENDING).execute(Tuple.of(venId)).map(rows -> {
      OadrPendingReportsType p = new OadrPendingReportsType();
      rows.forEach(r -> p.getReportRequestID().add(r.getString(0)));
      return p;
    });
  }

  // --- item bases --------------------------------------------------------------------------------

  private static String firstResource(EiTargetType source) {
    return source == null || source.getResourceID().isEmpty() ? null : source.getResourceID().get(0);
  }

  private static String item(JAXBElement<? extends ItemBaseType> e) {
    return e == null ? null : e.getName().getLocalPart();
  }

  private static String unit(JAXBElement<? extends ItemBaseType> e) {
    if (e == null) {
      return null;
    }
    if (e.getValue() instanceof EnergyItemType x) {
      return x.getItemUnits();
    }
    if (e.getValue() instanceof PowerItemType x) {
      return x.getItemUnits();
    }
    return null;
  }

  private static String scale(JAXBElement<? extends ItemBaseType> e) {
    if (e == null) {
      return null;
    }
    if (e.getValue() instanceof EnergyItemType x && x.getSiScaleCode() != null) {
      return x.getSiScaleCode().value();
    }
    if (e.getValue() instanceof PowerItemType x && x.getSiScaleCode() != null) {
      return x.getSiScaleCode().value();
    }
    return null;
  }

  private static Integer seconds(Duration d) {
    return d == null ? null : (int) Math.min(Integer.MAX_VALUE, d.getSeconds());
  }
}
