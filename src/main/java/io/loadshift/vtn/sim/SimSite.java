package io.loadshift.vtn.sim;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One site of a running fleet: its building and DERs ({@link Site}), the VEN it speaks through
 * (3.1, or 2.0b with the 3.1 client for its credentials and resources), the events it knows,
 * what it has reported, and its battery's state of charge. Only the simulator's event-loop
 * thread touches it.
 */
final class SimSite {
  /** Battery energy kept back: a site does not discharge below this state of charge (%). */
  static final double RESERVE_PERCENT = 10;
  /** How far before an event a site's meter report starts when it has not reported those hours yet. */
  static final long REPORT_BEFORE_S = 4 * 3600;

  final Site site;
  final Oadr3Ven ven;
  final Oadr2bVen ven2b;
  final Map<String, Call> calls = new LinkedHashMap<>();
  /** When this site first saw each event (System.nanoTime()). */
  final Map<String, Long> firstSeenNs = new HashMap<>();
  final Set<String> reported = new HashSet<>();
  final Map<String, String> resourceIds = new HashMap<>();
  String clientId;
  String secret;
  /** The 3.1 site's webhook subscription, removed when the simulator stops. */
  String subscriptionId;
  /** Meter intervals before this epoch second are with the VTN (history, earlier reports). */
  long reportedUntil;
  double socPercent;
  boolean socChanged;
  int reports;
  long readings;
  /** The bearer token the VTN sends with this site's webhook notifications. */
  final String callbackToken = java.util.UUID.randomUUID().toString();
  boolean busy;
  boolean again;

  SimSite(Site site, Oadr3Ven ven, Oadr2bVen ven2b) {
    this.site = site;
    this.ven = ven;
    this.ven2b = ven2b;
    Site.Der b = battery();
    this.socPercent = b == null ? 0 : b.socPercent();
  }

  String protocol() {
    return ven2b == null ? "3.1" : "2.0b";
  }

  Site.Der battery() {
    return site.ders().stream().filter(d -> d.type().equals("BATTERY")).findFirst().orElse(null);
  }

  /**
   * Polls over the site's protocol and takes in its current events; fails (after taking them in)
   * when the site's answer to them did not get through.
   */
  Future<Void> poll(long nowS, long sinceS) {
    Future<List<Call>> f = ven2b != null ? ven2b.pollEvents(site.complies())
        : ven.events().map(events -> {
          List<Call> out = new ArrayList<>();
          events.forEach(e -> {
            Call c = Call.of3(e);
            if (c != null) {
              out.add(c);
            }
          });
          return out;
        });
    return f.map(current -> {
      if (current != null) {
        merge(current, nowS, sinceS);
      }
      Throwable answer = ven2b == null ? null : ven2b.takeAnswerFailure();
      if (answer != null) {
        throw new IllegalStateException("answering events: " + answer.getMessage(), answer);
      }
      return null;
    });
  }

  /**
   * The VTN's current list: new and changed events replace what the site knew; an event that
   * disappeared before it started counts as cancelled (one that ran stays, to be reported).
   * Events that ended before the simulation started are not the site's business.
   */
  void merge(List<Call> current, long nowS, long sinceS) {
    Set<String> present = new HashSet<>();
    for (Call c : current) {
      if (c.end() <= sinceS) {
        continue;
      }
      present.add(c.eventId());
      calls.put(c.eventId(), c);
      firstSeenNs.putIfAbsent(c.eventId(), System.nanoTime());
    }
    calls.replaceAll((id, c) -> present.contains(id) || c.cancelled() || c.start() <= nowS ? c : c.cancel());
  }

  /** Reduction (kW) the VTN asks of the site over {@code [t, t + seconds)}: its setpoints in force, averaged. */
  double askedKw(long t, int seconds) {
    double kw = 0;
    for (Call c : calls.values()) {
      kw += c.averageSetpoint(t, t + seconds);
    }
    return kw;
  }

  /**
   * Reduction (kW) the site gives in the interval {@code [t, t + seconds)}: nothing unless it
   * complies; else what it is asked, as far as its DERs can: flexible load and EV charging first,
   * then the battery while it holds more than the reserve ({@code soc[0]}, %, drops with what it gives).
   */
  double shed(long t, int seconds, double[] soc) {
    double asked = site.complies() ? askedKw(t, seconds) : 0;
    if (asked <= 0) {
      return 0;
    }
    double other = 0;
    Site.Der battery = null;
    for (Site.Der d : site.ders()) {
      if (d.type().equals("BATTERY")) {
        battery = d;
      } else {
        other += d.capacityKw();
      }
    }
    double shed = Math.min(asked, other);
    if (battery != null && asked > other) {
      double availableKwh = Math.max(0, (soc[0] - RESERVE_PERCENT) / 100 * battery.energyKwh());
      double fromBattery = Math.min(Math.min(asked - other, battery.capacityKw()), availableKwh * 3600 / seconds);
      if (fromBattery > 0) {
        soc[0] -= fromBattery * seconds / 3600 / battery.energyKwh() * 100;
        shed += fromBattery;
      }
    }
    return shed;
  }

  /**
   * Events that ended (and were not cancelled) that the site has not reported its meter for,
   * once the meter interval holding their end is over too.
   */
  List<Call> dueReports(long nowS, int meterSeconds) {
    List<Call> due = new ArrayList<>();
    for (Call c : calls.values()) {
      long over = c.end() + Math.floorMod(-c.end(), (long) meterSeconds);
      if (!c.cancelled() && over <= nowS && !reported.contains(c.eventId())) {
        due.add(c);
      }
    }
    due.sort(java.util.Comparator.comparingLong(Call::end).thenComparing(Call::eventId));
    return due;
  }

  /** A meter report made and not yet accepted: sent again as it is, so a retry changes nothing. */
  private record Pending(long from, double[] kwh, double socAfter) {}

  private final Map<String, Pending> pending = new HashMap<>();

  /**
   * Reports the meter for an event that ended: intervals of {@code meterSeconds} on the meter's
   * grid, from where the site's data with the VTN ends (at most 4 hours before the event) through
   * the interval holding the event's end.
   */
  Future<Void> report(Call c, int meterSeconds) {
    reported.add(c.eventId());
    Pending p = pending.get(c.eventId());
    if (p == null) {
      long from = Math.max(reportedUntil, c.start() - REPORT_BEFORE_S);
      from += Math.floorMod(-from, (long) meterSeconds);
      long to = c.end() + Math.floorMod(-c.end(), (long) meterSeconds);
      if (from >= to) {
        return Future.succeededFuture();
      }
      int n = (int) ((to - from) / meterSeconds);
      double[] kwh = new double[n];
      double[] soc = {socPercent};
      for (int k = 0; k < n; k++) {
        long t = from + (long) k * meterSeconds;
        double kw = Math.max(0, site.load().kw(Instant.ofEpochSecond(t)) - shed(t, meterSeconds, soc));
        kwh[k] = Math.round(kw * meterSeconds / 3600.0 * 10_000) / 10_000.0;
      }
      p = new Pending(from, kwh, soc[0]);
      pending.put(c.eventId(), p);
    }
    Pending sending = p;
    Instant start = Instant.ofEpochSecond(sending.from());
    Duration step = Duration.ofSeconds(meterSeconds);
    Future<?> sent = ven2b != null ? ven2b.reportUsage(start, step, sending.kwh())
        : ven.reportUsage(c.eventId(), Site.METER, start, step, sending.kwh());
    long until = sending.from() + (long) sending.kwh().length * meterSeconds;
    return sent.transform(ar -> {
      if (ar.failed()) {
        reported.remove(c.eventId()); // sent again, unchanged, after the next poll
        return Future.failedFuture(ar.cause());
      }
      pending.remove(c.eventId());
      reports++;
      readings += sending.kwh().length;
      reportedUntil = Math.max(reportedUntil, until);
      socChanged |= sending.socAfter() != socPercent;
      socPercent = sending.socAfter();
      return updateSoc().recover(e -> {
        socChanged = true; // told again after the next report
        return Future.failedFuture(e);
      });
    });
  }

  /** Tells the VTN the battery's new state of charge (its resource's STATE_OF_CHARGE), once it changed. */
  private Future<Void> updateSoc() {
    Site.Der b = battery();
    String id = b == null ? null : resourceIds.get(b.name());
    if (!socChanged || id == null) {
      return Future.succeededFuture();
    }
    socChanged = false;
    double soc = Math.round(socPercent * 10) / 10.0;
    Site.Der now = new Site.Der(b.name(), b.type(), b.capacityKw(), b.energyKwh(), soc, b.bidPerKw());
    JsonArray attributes = now.attributes(site.zone(), site.feeder());
    return ven.updateResource(id, b.name(), attributes);
  }
}
