package io.loadshift.vtn.oadr20b;

import io.loadshift.vtn.event.Durations;
import io.loadshift.vtn.event.Event;
import io.loadshift.vtn.event.EventCache;
import io.loadshift.vtn.oadr20b.xml.ei.CurrentValueType;
import io.loadshift.vtn.oadr20b.xml.ei.EiActivePeriodType;
import io.loadshift.vtn.oadr20b.xml.ei.EiEventSignalType;
import io.loadshift.vtn.oadr20b.xml.ei.EiEventSignalsType;
import io.loadshift.vtn.oadr20b.xml.ei.EiEventType;
import io.loadshift.vtn.oadr20b.xml.ei.EiTargetType;
import io.loadshift.vtn.oadr20b.xml.ei.EventDescriptorType;
import io.loadshift.vtn.oadr20b.xml.ei.EventStatusEnumeratedType;
import io.loadshift.vtn.oadr20b.xml.ei.IntervalType;
import io.loadshift.vtn.oadr20b.xml.ei.PayloadFloatType;
import io.loadshift.vtn.oadr20b.xml.ei.SignalNameEnumeratedType;
import io.loadshift.vtn.oadr20b.xml.ei.SignalPayloadType;
import io.loadshift.vtn.oadr20b.xml.ei.SignalTypeEnumeratedType;
import io.loadshift.vtn.oadr20b.xml.iso4217.ISO3AlphaCurrencyCodeContentType;
import io.loadshift.vtn.oadr20b.xml.oadr.CurrencyItemDescriptionType;
import io.loadshift.vtn.oadr20b.xml.oadr.CurrencyType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrDistributeEventType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrPayload;
import io.loadshift.vtn.oadr20b.xml.oadr.ResponseRequiredType;
import io.loadshift.vtn.oadr20b.xml.power.PowerAttributesType;
import io.loadshift.vtn.oadr20b.xml.power.PowerRealType;
import io.loadshift.vtn.oadr20b.xml.scale.SiScaleCodeType;
import io.loadshift.vtn.oadr20b.xml.strm.Intervals;
import io.loadshift.vtn.oadr20b.xml.xcal.Dtstart;
import io.loadshift.vtn.oadr20b.xml.xcal.Properties;
import io.loadshift.vtn.oadr20b.xml.xcal.Uid;
import io.loadshift.vtn.platform.config.Oadr20bConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A VEN's OpenADR 2.0b event set: the events of the {@link EventCache} its own view reaches
 * (cancelled ones too), each with its 2.0b status (far, near, active, completed, cancelled) and
 * the VEN's resources it targets; a digest of it, which tells whether a poll has anything new;
 * and the oadrDistributeEvent built from it.
 *
 * <p>Signals are mapped from the 3.1 interval payloads: {@code SIMPLE} to SIMPLE/level,
 * {@code DISPATCH_SETPOINT} (kW) to LOAD_DISPATCH/setpoint in kW of real power, {@code PRICE} to
 * ELECTRICITY_PRICE/price per kWh in the event's currency. An event with none of them (a utility's
 * aggregate reduction target, say) is sent as SIMPLE level 1 over its window.
 */
final class EventSets {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;
  /** Digest of the empty set: what a VEN that was never sent anything is taken to hold. */
  static final long EMPTY = FNV_OFFSET;

  /** One event as one VEN sees it now. */
  record Item(Event event, EventStatusEnumeratedType status, List<String> resourceIds) {}

  /** A VEN's event set, valid while the cache and the VEN record stay the same and until {@code validUntil}. */
  record Snapshot(long cacheVersion, Session.VenRecord ven, Instant validUntil, long digest, List<Item> items) {}

  private final EventCache cache;
  private final Duration near;
  private final String marketContextBase;
  private final Oadr20bConfig config;
  private final Messages messages;
  private final ISO3AlphaCurrencyCodeContentType defaultCurrency;

  EventSets(EventCache cache, Oadr20bConfig config, String publicUrl, Messages messages) {
    this.cache = cache;
    this.near = config.nearWindow();
    this.config = config;
    this.messages = messages;
    this.marketContextBase = publicUrl.replaceAll("/+$", "") + "/openadr3/3.1.0/programs/";
    this.defaultCurrency = currency(config.currency(), ISO3AlphaCurrencyCodeContentType.USD);
  }

  /** The VEN's event set now: the one computed before when nothing changed, else a new one. */
  Snapshot current(Session session, Instant now) {
    long version = cache.version();
    Session.VenRecord ven = session.ven;
    Snapshot memo = session.memo;
    if (memo != null && memo.cacheVersion() == version && memo.ven() == ven && now.isBefore(memo.validUntil())) {
      return memo;
    }
    Snapshot fresh = compute(version, ven, now);
    session.memo = fresh;
    return fresh;
  }

  private Snapshot compute(long version, Session.VenRecord ven, Instant now) {
    List<Item> items = new ArrayList<>();
    Instant validUntil = Instant.MAX;
    long digest = FNV_OFFSET;
    for (Event e : cache.all()) {
      if (e.historical() || !ven.view().sees(e.targets())) {
        continue;
      }
      EventStatusEnumeratedType status = status(e, now);
      Instant gone = leaves(e);
      if (gone != null && !now.isBefore(gone)) {
        continue; // completed or cancelled long enough ago: no longer sent
      }
      Instant change = nextChange(e, status);
      if (change != null && change.isBefore(validUntil)) {
        validUntil = change;
      }
      List<String> resources = resources(ven, e.targets());
      items.add(new Item(e, status, resources));
      digest = fnv(digest, e.id());
      digest = fnv(digest, "|" + e.modificationNumber() + "|" + status.value() + "|" + String.join(",", resources) + ";");
    }
    return new Snapshot(version, ven, validUntil, items.isEmpty() ? EMPTY : digest, List.copyOf(items));
  }

  EventStatusEnumeratedType status(Event e, Instant now) {
    if (e.cancelledAt() != null) {
      return EventStatusEnumeratedType.CANCELLED;
    }
    if (e.endsAt() != null && !now.isBefore(e.endsAt())) {
      return EventStatusEnumeratedType.COMPLETED;
    }
    if (e.startsAt() == null || !now.isBefore(e.startsAt())) {
      return EventStatusEnumeratedType.ACTIVE;
    }
    return now.isBefore(e.startsAt().minus(near)) ? EventStatusEnumeratedType.FAR : EventStatusEnumeratedType.NEAR;
  }

  /**
   * When the event leaves VENs' sets: {@code VTN_OADR20B_ENDED_KEEP_MINUTES} after it completed,
   * or after it was cancelled and its window is over (so a VEN that polls late still hears of
   * the cancellation of an event it may be waiting for); null while neither.
   */
  private Instant leaves(Event e) {
    Duration keep = config.endedKeep();
    if (e.cancelledAt() != null) {
      // An open-ended event's window is over for this purpose once it would have started.
      Instant over = e.endsAt() != null ? e.endsAt() : e.startsAt();
      Instant cancelled = e.cancelledAt().toInstant();
      return (over == null || cancelled.isAfter(over) ? cancelled : over).plus(keep);
    }
    return e.endsAt() == null ? null : e.endsAt().plus(keep);
  }

  /** When the event's status will next change by itself, or it leaves the set (null: never). */
  private Instant nextChange(Event e, EventStatusEnumeratedType status) {
    return switch (status) {
      case FAR -> e.startsAt().minus(near);
      case NEAR -> e.startsAt();
      case ACTIVE -> e.endsAt();
      default -> leaves(e); // completed or cancelled: it leaves the set
    };
  }

  /** The VEN's resources an event with these targets reaches (none for an untargeted event). */
  private static List<String> resources(Session.VenRecord ven, Collection<String> eventTargets) {
    if (eventTargets.isEmpty() || ven.resourceTargets().isEmpty()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, List<String>> r : ven.resourceTargets().entrySet()) {
      for (String t : r.getValue()) {
        if (eventTargets.contains(t)) {
          out.add(r.getKey());
          break;
        }
      }
    }
    out.sort(null);
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // oadrDistributeEvent

  /**
   * The oadrDistributeEvent of a snapshot: every event (or the first {@code replyLimit}), with
   * the VEN as target and an answer to {@code inReplyTo} when it answers an oadrRequestEvent.
   */
  OadrPayload distribute(String venId, Snapshot snapshot, String inReplyTo, Long replyLimit, Instant now) {
    OadrDistributeEventType d = new OadrDistributeEventType();
    d.setSchemaVersion(Messages.SCHEMA_VERSION);
    if (inReplyTo != null) {
      d.setEiResponse(Messages.eiResponse(ResponseCode.OK, "OK", inReplyTo));
    }
    d.setRequestID(Messages.newRequestId());
    d.setVtnID(messages.vtnId());
    long limit = replyLimit == null || replyLimit <= 0 ? Long.MAX_VALUE : replyLimit;
    for (Item item : snapshot.items()) {
      if (d.getOadrEvent().size() >= limit) {
        break;
      }
      OadrDistributeEventType.OadrEvent oe = new OadrDistributeEventType.OadrEvent();
      oe.setEiEvent(event(venId, item, now));
      oe.setOadrResponseRequired(ResponseRequiredType.ALWAYS);
      d.getOadrEvent().add(oe);
    }
    return Messages.wrap(s -> s.setOadrDistributeEvent(d));
  }

  private EiEventType event(String venId, Item item, Instant now) {
    Event e = item.event();
    Instant start = e.startsAt() != null ? e.startsAt() : e.createdAt().toInstant();
    EventDescriptorType descriptor = new EventDescriptorType();
    descriptor.setEventID(e.id());
    descriptor.setModificationNumber(e.modificationNumber());
    if (e.modificationNumber() > 0 && e.modifiedAt() != null) {
      descriptor.setModificationDateTime(Messages.dateTime(e.modifiedAt().toInstant()));
    }
    // 3.1: 0 is the highest priority, none the lowest. 2.0b: 1 is the highest, 0 means none.
    descriptor.setPriority(e.priority() == null ? 0L : e.priority() + 1L);
    EventDescriptorType.EiMarketContext market = new EventDescriptorType.EiMarketContext();
    market.setMarketContext(marketContextBase + e.programId());
    descriptor.setEiMarketContext(market);
    descriptor.setCreatedDateTime(Messages.dateTime(e.createdAt().toInstant()));
    descriptor.setEventStatus(item.status());
    descriptor.setTestEvent("false");
    if (e.body().getValue("eventName") instanceof String name && !name.isEmpty()) {
      descriptor.setVtnComment(name);
    }

    Properties properties = new Properties();
    Dtstart dtstart = new Dtstart();
    dtstart.setDateTime(Messages.dateTime(start));
    properties.setDtstart(dtstart);
    // An open-ended event has the duration zero (2.0b VENs read it as "no end").
    properties.setDuration(Messages.duration(e.endsAt() == null ? Duration.ZERO : Duration.between(start, e.endsAt())));
    EiActivePeriodType period = new EiActivePeriodType();
    period.setProperties(properties);

    EiEventType out = new EiEventType();
    out.setEventDescriptor(descriptor);
    out.setEiActivePeriod(period);
    out.setEiEventSignals(signals(e, start, item.status() == EventStatusEnumeratedType.ACTIVE ? now : null));
    EiTargetType target = new EiTargetType();
    target.getVenID().add(venId);
    target.getResourceID().addAll(item.resourceIds());
    out.setEiTarget(target);
    return out;
  }

  /** One interval of the 3.1 event: its window and payloads by type. */
  private record Slot(Instant start, Duration duration, Map<String, BigDecimal> values) {}

  private List<Slot> slots(Event e, Instant start) {
    JsonObject body = e.body();
    JsonObject period = body.getJsonObject("intervalPeriod");
    Durations.Span defaultDuration = span(period == null ? null : period.getString("duration"));
    Object raw = body.getValue("intervals");
    List<Slot> out = new ArrayList<>();
    Instant cursor = start;
    if (raw instanceof JsonArray intervals) {
      for (int i = 0; i < intervals.size(); i++) {
        if (!(intervals.getValue(i) instanceof JsonObject iv)) {
          continue;
        }
        Instant s = cursor;
        Durations.Span d = defaultDuration;
        JsonObject ip = iv.getJsonObject("intervalPeriod");
        if (ip != null) {
          if (ip.getValue("start") instanceof String at && !at.startsWith("0001-01-01")) {
            try {
              s = Durations.dateTime(at, start);
            } catch (IllegalArgumentException ignored) {
              // validated when stored; keep the running start
            }
          }
          if (ip.getValue("duration") instanceof String ds) {
            d = span(ds);
          }
        }
        Instant end = d == null || d.forever() ? e.endsAt() : d.addTo(s);
        Duration length = end == null || end.isBefore(s) ? Duration.ZERO : Duration.between(s, end);
        out.add(new Slot(s, length, values(iv.getJsonArray("payloads"))));
        cursor = end == null ? s : end;
      }
    }
    if (out.isEmpty()) {
      out.add(new Slot(start, e.endsAt() == null ? Duration.ZERO : Duration.between(start, e.endsAt()), Map.of()));
    }
    return out;
  }

  private static Durations.Span span(String iso) {
    if (iso == null) {
      return null;
    }
    try {
      return Durations.duration(iso);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Map<String, BigDecimal> values(JsonArray payloads) {
    Map<String, BigDecimal> out = new java.util.HashMap<>();
    if (payloads == null) {
      return out;
    }
    for (Object o : payloads) {
      if (o instanceof JsonObject p && p.getValue("type") instanceof String type
          && p.getValue("values") instanceof JsonArray vs && !vs.isEmpty() && vs.getValue(0) instanceof Number n) {
        out.putIfAbsent(type, new BigDecimal(n.toString()));
      }
    }
    return out;
  }

  private EiEventSignalsType signals(Event e, Instant start, Instant activeAt) {
    List<Slot> slots = slots(e, start);
    EiEventSignalsType signals = new EiEventSignalsType();
    boolean simple = slots.stream().anyMatch(s -> s.values().containsKey("SIMPLE"));
    boolean dispatch = slots.stream().anyMatch(s -> s.values().containsKey("DISPATCH_SETPOINT"));
    boolean price = slots.stream().anyMatch(s -> s.values().containsKey("PRICE"));
    if (simple || (!dispatch && !price)) {
      EiEventSignalType s = signal(slots, "SIMPLE", simple ? BigDecimal.ZERO : BigDecimal.ONE, simple, activeAt);
      s.setSignalName(SignalNameEnumeratedType.SIMPLE.value());
      s.setSignalType(SignalTypeEnumeratedType.LEVEL);
      s.setSignalID(e.id() + "-simple");
      signals.getEiEventSignal().add(s);
    }
    if (dispatch) {
      EiEventSignalType s = signal(slots, "DISPATCH_SETPOINT", null, true, activeAt);
      s.setSignalName(SignalNameEnumeratedType.LOAD_DISPATCH.value());
      s.setSignalType(SignalTypeEnumeratedType.SETPOINT);
      s.setSignalID(e.id() + "-dispatch");
      PowerRealType unit = new PowerRealType();
      unit.setItemDescription("RealPower");
      unit.setItemUnits("W");
      unit.setSiScaleCode(SiScaleCodeType.KILO);
      PowerAttributesType attributes = new PowerAttributesType();
      attributes.setHertz(config.gridHertz());
      attributes.setVoltage(config.gridVoltage());
      attributes.setAc(true);
      unit.setPowerAttributes(attributes);
      s.setItemBase(new io.loadshift.vtn.oadr20b.xml.power.ObjectFactory().createPowerReal(unit));
      signals.getEiEventSignal().add(s);
    }
    if (price) {
      EiEventSignalType s = signal(slots, "PRICE", null, true, activeAt);
      s.setSignalName(SignalNameEnumeratedType.ELECTRICITY_PRICE.value());
      s.setSignalType(SignalTypeEnumeratedType.PRICE);
      s.setSignalID(e.id() + "-price");
      CurrencyType unit = new CurrencyType();
      unit.setItemDescription(CurrencyItemDescriptionType.CURRENCY_PER_K_WH);
      unit.setItemUnits(priceCurrency(e));
      unit.setSiScaleCode(SiScaleCodeType.NONE);
      s.setItemBase(new io.loadshift.vtn.oadr20b.xml.oadr.ObjectFactory().createCurrencyPerKWh(unit));
      signals.getEiEventSignal().add(s);
    }
    return signals;
  }

  /**
   * One signal over the slots: an interval per slot carrying the payload (a slot without it gets
   * {@code missing}, or is left out when that is null), with its own start, so later intervals keep
   * their place. {@code activeAt}: the time whose interval's value is the signal's currentValue.
   */
  private static EiEventSignalType signal(List<Slot> slots, String type, BigDecimal missing, boolean fromPayload,
                                          Instant activeAt) {
    var ei = new io.loadshift.vtn.oadr20b.xml.ei.ObjectFactory();
    Intervals intervals = new Intervals();
    float current = 0f;
    for (int i = 0; i < slots.size(); i++) {
      Slot slot = slots.get(i);
      BigDecimal v = fromPayload ? slot.values().getOrDefault(type, missing) : missing;
      if (v == null) {
        continue;
      }
      IntervalType interval = new IntervalType();
      Dtstart dtstart = new Dtstart();
      dtstart.setDateTime(Messages.dateTime(slot.start()));
      interval.setDtstart(dtstart);
      interval.setDuration(Messages.duration(slot.duration()));
      Uid uid = new Uid();
      uid.setText(Integer.toString(i));
      interval.setUid(uid);
      PayloadFloatType value = new PayloadFloatType();
      value.setValue(v.floatValue());
      SignalPayloadType payload = new SignalPayloadType();
      payload.setPayloadBase(ei.createPayloadFloat(value));
      interval.getStreamPayloadBase().add(ei.createSignalPayload(payload));
      intervals.getInterval().add(interval);
      if (activeAt != null && !activeAt.isBefore(slot.start())
          && (slot.duration().isZero() || activeAt.isBefore(slot.start().plus(slot.duration())))) {
        current = v.floatValue();
      }
    }
    EiEventSignalType s = new EiEventSignalType();
    s.setIntervals(intervals);
    CurrentValueType currentValue = new CurrentValueType();
    PayloadFloatType cv = new PayloadFloatType();
    cv.setValue(current);
    currentValue.setPayloadFloat(cv);
    s.setCurrentValue(currentValue);
    return s;
  }

  /** The currency of the event's PRICE payload descriptor, else the configured one. */
  private ISO3AlphaCurrencyCodeContentType priceCurrency(Event e) {
    if (e.body().getValue("payloadDescriptors") instanceof JsonArray ds) {
      for (Object o : ds) {
        if (o instanceof JsonObject d && "PRICE".equals(d.getValue("payloadType"))
            && d.getValue("currency") instanceof String c) {
          return currency(c, defaultCurrency);
        }
      }
    }
    return defaultCurrency;
  }

  private static ISO3AlphaCurrencyCodeContentType currency(String code, ISO3AlphaCurrencyCodeContentType fallback) {
    try {
      return ISO3AlphaCurrencyCodeContentType.fromValue(code.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return fallback;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Digest: 64-bit FNV-1a over the set's canonical text; stable across instances and restarts.

  private static long fnv(long hash, String s) {
    long h = hash;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      h ^= c & 0xff;
      h *= FNV_PRIME;
      h ^= c >>> 8;
      h *= FNV_PRIME;
    }
    return h;
  }
}
