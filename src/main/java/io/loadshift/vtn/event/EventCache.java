package io.loadshift.vtn.event;

import io.loadshift.vtn.party.VenViews;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The events VENs read, in memory: every event not recorded after the fact whose window has not
 * ended more than the retention period ago (cancelled ones too: 2.0b VENs are told of the
 * cancellation). Kept fresh by {@code event:<id>} notifications on channel {@code vtn_cache}, so a
 * VEN polling costs no query and every VTN instance serves a new event within milliseconds.
 */
public final class EventCache {
  private static final Logger LOG = Logger.getLogger(EventCache.class.getName());
  private static final Comparator<Event> ORDER = Comparator.comparing(Event::createdAt).thenComparing(Event::id);

  private final EventService events;
  private final Duration retention;
  private final Map<String, Event> byId = new ConcurrentHashMap<>();
  private volatile List<Event> ordered = List.of();
  private final java.util.concurrent.atomic.AtomicLong version = new java.util.concurrent.atomic.AtomicLong();

  public EventCache(EventService events, Duration retention) {
    this.events = events;
    this.retention = retention;
  }

  /** One event seen by a reader, with the targets it may see. */
  public record Seen(Event event, List<String> shownTargets) {}

  public Future<Void> resync() {
    return events.retained(Instant.now().minus(retention)).map(list -> {
      byId.clear();
      list.forEach(e -> byId.put(e.id(), e));
      rebuild();
      return null;
    });
  }

  /** A {@code vtn_cache} payload: reloads the event it names. */
  public void onMessage(String payload) {
    if (!payload.startsWith("event:")) {
      return;
    }
    String id = payload.substring(6);
    events.find(id).onSuccess(found -> {
      if (found.isEmpty() || found.get().historical()) {
        byId.remove(id);
      } else {
        // Reloads can finish out of order: never let an older version replace a newer one.
        byId.merge(id, found.get(), (old, fresh) -> fresh.modificationNumber() >= old.modificationNumber() ? fresh : old);
      }
      rebuild();
    }).onFailure(e -> LOG.warning("could not reload event " + id + ": " + e.getMessage()));
  }

  /**
   * Events for a VEN reader: not cancelled, meant for it (untargeted, or sharing a target with its
   * view), optionally of one program and not yet over. Query targets filter: only events carrying
   * one of them that the reader was also given.
   */
  public List<Seen> forReader(VenViews.View view, String programId, List<String> queryTargets, boolean activeOnly,
                              int skip, int limit) {
    VenViews.View effective = narrow(view, queryTargets);
    boolean filtering = queryTargets != null && !queryTargets.isEmpty();
    Instant now = Instant.now();
    List<Seen> out = new ArrayList<>(Math.min(limit, 64));
    int skipped = 0;
    for (Event e : ordered) {
      if (out.size() >= limit) {
        break;
      }
      if (e.cancelledAt() != null || (programId != null && !programId.equals(e.programId()))
          || (activeOnly && e.endsAt() != null && !e.endsAt().isAfter(now)) || !effective.sees(e.targets())
          || (filtering && e.targets().isEmpty())) {
        continue;
      }
      if (skipped++ < skip) {
        continue;
      }
      out.add(new Seen(e, effective.shown(e.targets())));
    }
    return out;
  }

  public Optional<Seen> get(String id, VenViews.View view) {
    Event e = byId.get(id);
    if (e == null || e.cancelledAt() != null || !view.sees(e.targets())) {
      return Optional.empty();
    }
    return Optional.of(new Seen(e, view.shown(e.targets())));
  }

  /**
   * Every event held, cancelled ones included, in creation order: what OpenADR 2.0b VENs are
   * told (a cancelled event stays in their oadrDistributeEvent, marked cancelled, until it ages out).
   */
  public List<Event> all() {
    return ordered;
  }

  /** Goes up whenever the events held change (read it before {@link #all()}). */
  public long version() {
    return version.get();
  }

  private static VenViews.View narrow(VenViews.View view, List<String> queryTargets) {
    if (queryTargets == null || queryTargets.isEmpty()) {
      return view;
    }
    return new VenViews.View(view.venIds(), view.targets().stream().filter(queryTargets::contains)
        .collect(java.util.stream.Collectors.toUnmodifiableSet()));
  }

  private synchronized void rebuild() {
    List<Event> list = new ArrayList<>(byId.values());
    list.sort(ORDER);
    ordered = List.copyOf(list);
    version.incrementAndGet();
  }
}
