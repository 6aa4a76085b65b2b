package io.loadshift.vtn.oadr20b;

import io.loadshift.vtn.audit.Actor;
import io.loadshift.vtn.audit.AuditEntry;
import io.loadshift.vtn.audit.AuditService;
import io.loadshift.vtn.auth.Role;
import io.loadshift.vtn.oadr20b.xml.ei.EventResponses;
import io.loadshift.vtn.oadr20b.xml.ei.OptTypeType;
import io.loadshift.vtn.event.Event;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrCancelOptType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrCancelReportType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrRegisterReportType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrUpdateReportType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrCancelPartyRegistrationType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrCreateOptType;
import io.loadshift.vtn.oadr20b.xml.xcal.AvailableType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrCreatePartyRegistrationType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrCreatedEventType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrPayload;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrProfileType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrRequestEventType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrTransportType;
import io.loadshift.vtn.oadr20b.xml.pyld.EiCreatedEvent;
import io.loadshift.vtn.party.VenDraft;
import io.loadshift.vtn.party.VenService;
import io.loadshift.vtn.platform.db.Ids;
import io.loadshift.vtn.platform.http.Problem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * What the VTN does with each 2.0b message: registration, polls, event requests and responses,
 * and the messages it queues for a VEN. Knows nothing of HTTP; refusals are {@link OadrRefusal}s.
 */
final class Oadr20bService {
  /** What to answer, and what to do once the answer was (or could not be) written. */
  record Reply(OadrPayload payload, byte[] bytes, Runnable sent, Runnable unsent) {
    static Reply of(OadrPayload payload) {
      return new Reply(payload, null, null, null);
    }
  }

  private static final Runnable NOTHING = () -> { };

  private final Oadr20bStore store;
  private final Sessions sessions;
  private final EventSets eventSets;
  private final SentStates sentStates;
  private final Messages messages;
  private final Messages.NothingPending nothingPending;
  private final VenService vens;
  private final AuditService audit;
  private final boolean openRegistration;
  private final Reports reports;
  /** VENs with a queue claim in flight on this instance: a second poll meanwhile does not wait for it. */
  private final Set<String> claiming = ConcurrentHashMap.newKeySet();
  private final Counter pollsNothing;
  private final Counter pollsEvents;
  private final Counter pollsQueued;
  private final Counter pollsWithQuery;

  Oadr20bService(Oadr20bStore store, Sessions sessions, EventSets eventSets, SentStates sentStates, Messages messages,
                 Messages.NothingPending nothingPending, VenService vens, AuditService audit, boolean openRegistration,
                 Reports reports, MeterRegistry registry) {
    this.reports = reports;
    this.store = store;
    this.sessions = sessions;
    this.eventSets = eventSets;
    this.sentStates = sentStates;
    this.messages = messages;
    this.nothingPending = nothingPending;
    this.vens = vens;
    this.audit = audit;
    this.openRegistration = openRegistration;
    this.pollsNothing = polls(registry, "nothing");
    this.pollsEvents = polls(registry, "events");
    this.pollsQueued = polls(registry, "queued");
    this.pollsWithQuery = Counter.builder("vtn_oadr20b_polls_querying_total")
        .description("OpenADR 2.0b polls that queried PostgreSQL (the VEN's queue)").register(registry);
  }

  private static Counter polls(MeterRegistry registry, String answer) {
    return Counter.builder("vtn_oadr20b_polls_total").tag("answer", answer)
        .description("OpenADR 2.0b polls answered, by what they got").register(registry);
  }

  Messages messages() {
    return messages;
  }

  // ---------------------------------------------------------------------------------------------
  // Who is asking

  /**
   * The registered VEN a message is from: the caller's own, and the one its venID names. Refused
   * with 463 when the caller is no registered VEN, with 452 when the venID is not the caller's.
   */
  Session identify(Caller caller, String venId) {
    if (caller.principal() != null && caller.principal().role() != Role.VEN) {
      throw new OadrRefusal(ResponseCode.FORBIDDEN, "A 2.0b VEN authenticates as a VEN client; this token is a "
          + caller.principal().role().wire() + "'s.");
    }
    Session named = venId == null ? null : sessions.get(venId);
    if (named != null && owns(caller, named)) {
      return named;
    }
    if (caller.anonymous() && !openRegistration) {
      throw OadrRefusal.notAuthorized("No credentials: present the VEN's client certificate or its bearer token.");
    }
    if (venId == null) {
      return ownSession(caller).orElseThrow(Oadr20bService::notRegistered);
    }
    if (named != null || ownSession(caller).isPresent()) {
      throw OadrRefusal.invalidId("venID '" + venId + "' is not this VEN's.");
    }
    throw notRegistered();
  }

  private static OadrRefusal notRegistered() {
    return OadrRefusal.notAuthorized("This VEN is not registered; register with oadrCreatePartyRegistration first.");
  }

  private boolean owns(Caller caller, Session s) {
    Session.VenRecord ven = s.ven;
    if (caller.fingerprint() != null) {
      return caller.fingerprint().equals(ven.fingerprint());
    }
    if (caller.principal() != null) {
      return caller.principal().clientId().equals(ven.clientId());
    }
    // Anonymous (open registration): the venID speaks for itself, unless a certificate is provisioned.
    return openRegistration && ven.fingerprint() == null;
  }

  /** The caller's registered VEN, when its credentials point at one (certificate, or a token's single VEN). */
  private Optional<Session> ownSession(Caller caller) {
    if (caller.anonymous()) {
      return Optional.empty();
    }
    Session found = null;
    for (Session s : sessions.all()) {
      if (owns(caller, s)) {
        if (found != null) {
          return Optional.of(found.venId.compareTo(s.venId) < 0 ? found : s);
        }
        found = s;
      }
    }
    return Optional.ofNullable(found);
  }

  // ---------------------------------------------------------------------------------------------
  // OadrPoll

  /**
   * The next message for the VEN: a queued one first, then its events when their set changed
   * since it was last sent, else an oadrResponse. With nothing queued and no change this reads
   * memory only.
   */
  Future<Reply> poll(Caller caller, String venId) {
    Session s = identify(caller, venId);
    if (s.queued && claiming.add(s.venId)) {
      pollsWithQuery.increment();
      long mark = s.queueMark;
      return store.claim(s.venId).compose(claimed -> {
        if (claimed.isPresent()) {
          return Future.succeededFuture(claimed);
        }
        // Nothing could be taken: clear the flag only when nothing is pending at all.
        return store.pending(s.venId).map(newest -> {
          if (newest == null && s.queueMark == mark) {
            s.queued = false;
          }
          return Optional.<Oadr20bStore.Claimed>empty();
        });
      }).eventually(() -> {
        claiming.remove(s.venId);
        return Future.succeededFuture();
      }).map(claimed -> {
        if (claimed.isEmpty()) {
          return events(s);
        }
        Oadr20bStore.Claimed c = claimed.get();
        if (!c.more() && c.id() >= s.queueMark) {
          s.queued = false;
        }
        pollsQueued.increment();
        return new Reply(queued(s.venId, c), null, NOTHING, () -> store.release(c.id()).onSuccess(v -> {
          s.queued = true;
        }));
      });
    }
    return Future.succeededFuture(events(s));
  }

  private Reply events(Session s) {
    EventSets.Snapshot snapshot = eventSets.current(s, Instant.now());
    if (snapshot.digest() == s.sentDigest) {
      pollsNothing.increment();
      return new Reply(null, nothingPending.forVen(s.venId), null, null);
    }
    pollsEvents.increment();
    long digest = snapshot.digest();
    return new Reply(eventSets.distribute(s.venId, snapshot, null, null, Instant.now()), null,
        () -> markSent(s, digest), null);
  }

  /** The VEN's events when they changed since last sent (for a push VEN), with what marks them sent; or null. */
  Reply changedEvents(Session s) {
    EventSets.Snapshot snapshot = eventSets.current(s, Instant.now());
    if (snapshot.digest() == s.sentDigest) {
      return null;
    }
    long digest = snapshot.digest();
    return new Reply(eventSets.distribute(s.venId, snapshot, null, null, Instant.now()), null,
        () -> markSent(s, digest), null);
  }

  Sessions sessions() {
    return sessions;
  }

  void markSent(Session s, long digest) {
    s.sentDigest = digest;
    sentStates.record(s.venId, digest, s.registration.registeredAt());
  }

  /** The XML of a queued message, built now. */
  OadrPayload queued(String venId, Oadr20bStore.Claimed c) {
    if ("oadrRequestReregistration".equals(c.type())) {
      return messages.requestReregistration(venId);
    }
    if ("oadrRegisterReport".equals(c.type())) {
      return messages.registerReport(venId);
    }
    // A kind this version does not send: answer as if nothing were queued.
    return messages.response(ResponseCode.OK, "OK", "", venId);
  }

  // ---------------------------------------------------------------------------------------------
  // EiEvent

  Future<Reply> requestEvent(Caller caller, OadrRequestEventType m) {
    String requestId = m.getEiRequestEvent().getRequestID();
    Session s = identify(caller, m.getEiRequestEvent().getVenID());
    Instant now = Instant.now();
    EventSets.Snapshot snapshot = eventSets.current(s, now);
    Long limit = m.getEiRequestEvent().getReplyLimit();
    boolean whole = limit == null || limit <= 0 || limit >= snapshot.items().size();
    long digest = snapshot.digest();
    return Future.succeededFuture(new Reply(eventSets.distribute(s.venId, snapshot, requestId, limit, now), null,
        whole ? () -> markSent(s, digest) : NOTHING, null));
  }

  /**
   * oadrCreatedEvent: each eventResponse's optIn or optOut is recorded for the VEN (source
   * {@code 2.0b}, with an audit row when it changes). Responses naming events the VEN was not
   * sent are refused (452) and nothing is stored for them; the others are recorded.
   */
  Future<Reply> createdEvent(Caller caller, OadrCreatedEventType m, String httpRequestId) {
    EiCreatedEvent created = m.getEiCreatedEvent();
    String requestId = created.getEiResponse() == null ? "" : created.getEiResponse().getRequestID();
    Session s = identify(caller, created.getVenID());
    EventSets.Snapshot snapshot = eventSets.current(s, Instant.now());
    Set<String> visible = snapshot.items().stream().map(i -> i.event().id()).collect(Collectors.toSet());
    Map<String, String> opts = new LinkedHashMap<>();
    List<String> unknown = new ArrayList<>();
    if (created.getEventResponses() != null) {
      for (EventResponses.EventResponse r : created.getEventResponses().getEventResponse()) {
        String eventId = r.getQualifiedEventID() == null ? null : r.getQualifiedEventID().getEventID();
        if (eventId == null || !visible.contains(eventId)) {
          unknown.add(String.valueOf(eventId));
        } else if (r.getOptType() != null) {
          opts.put(eventId, r.getOptType() == OptTypeType.OPT_OUT ? "optOut" : "optIn");
        }
      }
    }
    Actor actor = new Actor(caller.actorId(s.venId), "ven", httpRequestId);
    Future<Void> stored = opts.isEmpty() ? Future.succeededFuture()
        : store.pool().withTransaction(tx -> {
          Future<Void> chain = Future.succeededFuture();
          for (Map.Entry<String, String> o : opts.entrySet()) {
            chain = chain.compose(v -> store.recordOpt(tx, o.getKey(), s.venId, o.getValue()).compose(prev -> prev.isEmpty()
                ? Future.succeededFuture()
                : audit.record(tx, AuditEntry.of(actor, "event." + o.getValue().toLowerCase(java.util.Locale.ROOT), "event",
                    o.getKey(), prev.get().isEmpty() ? null : new JsonObject().put("venID", s.venId).put("opt", prev.get()),
                    new JsonObject().put("venID", s.venId).put("opt", o.getValue()).put("source", "2.0b")))));
          }
          return chain;
        });
    return stored.map(v -> {
      if (unknown.isEmpty()) {
        return Reply.of(messages.response(ResponseCode.OK, "OK", requestId, s.venId));
      }
      String recorded = opts.isEmpty() ? "nothing recorded" : opts.size() + " other response(s) recorded";
      return Reply.of(messages.response(ResponseCode.INVALID_ID, "Unknown event(s) for this VEN: "
          + String.join(", ", unknown) + "; " + recorded + ".", requestId, s.venId));
    });
  }

  // ---------------------------------------------------------------------------------------------
  // EiReport

  Future<Reply> registerReport(Caller caller, OadrRegisterReportType m) {
    return reports.register(identify(caller, m.getVenID()), m, messages);
  }

  Future<Reply> updateReport(Caller caller, OadrUpdateReportType m, String httpRequestId) {
    Session s = identify(caller, m.getVenID());
    return reports.update(s, m, new Actor(caller.actorId(s.venId), "ven", httpRequestId), messages);
  }

  Future<Reply> cancelReport(Caller caller, OadrCancelReportType m) {
    return reports.cancel(identify(caller, m.getVenID()), m);
  }

  // ---------------------------------------------------------------------------------------------
  // EiOpt

  /** A window of an opt schedule, for one resource (null: the whole VEN). */
  private record Window(String resourceId, Instant start, Instant end) {}

  /**
   * oadrCreateOpt: the schedule's windows (vavailability components, or the event's active period
   * for an event-scoped opt of some resources) become availability rows of the VEN or of the
   * resources its eiTarget names; an event-scoped opt of the whole VEN is its opt of that event,
   * as oadrCreatedEvent records it. Sending an optID again replaces that schedule. Resources that
   * are not the VEN's, and events it was not sent, are refused (452) and nothing is stored.
   */
  Future<Reply> createOpt(Caller caller, OadrCreateOptType m, String httpRequestId) {
    String requestId = m.getRequestID();
    String optId = blankToNull(m.getOptID());
    return optReply(false, requestId, optId, () -> {
      Session s = identify(caller, m.getVenID());
      if (optId == null) {
        throw OadrRefusal.invalidData("optID is required.");
      }
      if (m.getOptType() == null) {
        throw OadrRefusal.invalidData("optType is required (optIn or optOut).");
      }
      String opt = m.getOptType() == OptTypeType.OPT_OUT ? "optOut" : "optIn";
      List<Window> windows = new ArrayList<>();
      if (m.getVavailability() != null && m.getVavailability().getComponents() != null) {
        for (AvailableType a : m.getVavailability().getComponents().getAvailable()) {
          windows.add(window(a));
        }
      }
      Event event = null;
      if (m.getQualifiedEventID() != null) {
        String eventId = m.getQualifiedEventID().getEventID();
        event = eventSets.current(s, Instant.now()).items().stream().map(EventSets.Item::event)
            .filter(e -> e.id().equals(eventId)).findFirst()
            .orElseThrow(() -> OadrRefusal.invalidId("Unknown event for this VEN: " + eventId + "; nothing stored."));
      }
      if (event == null && windows.isEmpty()) {
        throw OadrRefusal.invalidData("An opt schedule needs vavailability windows or a qualifiedEventID.");
      }
      List<String> named = m.getEiTarget() == null ? List.of() : m.getEiTarget().getResourceID();
      Event scoped = event;
      return store.resourcesOf(s.venId).compose(own -> {
        List<String> resourceIds = new ArrayList<>();
        List<String> foreign = new ArrayList<>();
        for (String r : named) {
          String id = resolve(own, r);
          if (id == null) {
            foreign.add(r);
          } else if (!resourceIds.contains(id)) {
            resourceIds.add(id);
          }
        }
        if (!foreign.isEmpty()) {
          throw OadrRefusal.invalidId("Not resources of this VEN: " + String.join(", ", foreign) + "; nothing stored.");
        }
        List<Window> rows = new ArrayList<>();
        List<Window> spans = new ArrayList<>(windows);
        if (spans.isEmpty() && !resourceIds.isEmpty()) {
          // An event-scoped opt of some resources: unavailable (or available) for the event's active period.
          Instant start = scoped.startsAt() != null ? scoped.startsAt() : scoped.createdAt().toInstant();
          Instant end = scoped.endsAt() != null ? scoped.endsAt() : start.plus(java.time.Duration.ofDays(3650));
          spans.add(new Window(null, start, end));
        }
        for (Window w : spans) {
          if (resourceIds.isEmpty()) {
            rows.add(w);
          } else {
            resourceIds.forEach(r -> rows.add(new Window(r, w.start(), w.end())));
          }
        }
        String[] res = rows.stream().map(Window::resourceId).toArray(String[]::new);
        java.time.OffsetDateTime[] starts = rows.stream().map(w -> utc(w.start())).toArray(java.time.OffsetDateTime[]::new);
        java.time.OffsetDateTime[] ends = rows.stream().map(w -> utc(w.end())).toArray(java.time.OffsetDateTime[]::new);
        String eventId = scoped == null ? null : scoped.id();
        boolean wholeVenEventOpt = scoped != null && resourceIds.isEmpty();
        Actor actor = new Actor(caller.actorId(s.venId), "ven", httpRequestId);
        JsonObject after = new JsonObject().put("venID", s.venId).put("opt", opt).put("eventID", eventId)
            .put("resourceIDs", new JsonArray(resourceIds)).put("windows", rows.size()).put("reason", m.getOptReason());
        return store.pool().withTransaction(tx -> store.optForUpdate(tx, s.venId, optId)
            .compose(prev -> store.saveOpt(tx, s.venId, optId, opt, eventId, m.getOptReason(), m.getMarketContext(),
                    res, starts, ends)
                .compose(v -> wholeVenEventOpt ? store.recordOpt(tx, eventId, s.venId, opt).mapEmpty()
                    : Future.<Void>succeededFuture())
                .compose(v -> audit.record(tx, AuditEntry.of(actor, prev.isEmpty() ? "oadr20b.opt_created"
                    : "oadr20b.opt_replaced", "ven", s.venId, prev.map(p -> new JsonObject().put("optID", optId)
                    .put("opt", p.opt()).put("eventID", p.eventId())).orElse(null), after.put("optID", optId))))))
            .map(v -> Reply.of(messages.createdOpt(ResponseCode.OK, "OK", requestId, optId)));
      });
    });
  }

  /** oadrCancelOpt: removes the schedule with that optID (its windows, its event opt); an unknown one is 452. */
  Future<Reply> cancelOpt(Caller caller, OadrCancelOptType m, String httpRequestId) {
    String requestId = m.getRequestID();
    String optId = blankToNull(m.getOptID());
    return optReply(true, requestId, optId, () -> {
      Session s = identify(caller, m.getVenID());
      Actor actor = new Actor(caller.actorId(s.venId), "ven", httpRequestId);
      return store.pool().withTransaction(tx -> store.optForUpdate(tx, s.venId, String.valueOf(optId)).compose(prev -> {
        if (prev.isEmpty()) {
          throw OadrRefusal.invalidId("No opt schedule '" + optId + "' of this VEN.");
        }
        return store.deleteOpt(tx, s.venId, optId, prev.get().eventId())
            .compose(v -> audit.record(tx, AuditEntry.of(actor, "oadr20b.opt_cancelled", "ven", s.venId,
                new JsonObject().put("optID", optId).put("opt", prev.get().opt()).put("eventID", prev.get().eventId()),
                null)));
      })).map(v -> Reply.of(messages.canceledOpt(ResponseCode.OK, "OK", requestId, optId)));
    });
  }

  /** Refusals of opt messages are answered in their own reply type (oadrCreatedOpt, oadrCanceledOpt). */
  private Future<Reply> optReply(boolean cancel, String requestId, String optId,
                                 java.util.function.Supplier<Future<Reply>> work) {
    Future<Reply> f;
    try {
      f = work.get();
    } catch (OadrRefusal e) {
      f = Future.failedFuture(e);
    }
    return f.recover(e -> e instanceof OadrRefusal r
        ? Future.succeededFuture(Reply.of(cancel ? messages.canceledOpt(r.code(), r.getMessage(), requestId, optId)
            : messages.createdOpt(r.code(), r.getMessage(), requestId, optId)))
        : Future.failedFuture(e));
  }

  /** A resource of the VEN named by its id or its resourceName, or null. */
  static String resolve(Map<String, String> own, String named) {
    if (named == null) {
      return null;
    }
    if (own.containsKey(named)) {
      return named;
    }
    return own.entrySet().stream().filter(e -> e.getValue().equals(named)).map(Map.Entry::getKey).findFirst()
        .orElse(null);
  }

  private static Window window(AvailableType a) {
    if (a.getProperties() == null || a.getProperties().getDtstart() == null
        || a.getProperties().getDtstart().getDateTime() == null || a.getProperties().getDuration() == null) {
      throw OadrRefusal.invalidData("Each vavailability component needs a dtstart and a duration.");
    }
    Instant start = a.getProperties().getDtstart().getDateTime().toGregorianCalendar().toInstant();
    java.time.Duration d = parseDuration(a.getProperties().getDuration().getDuration());
    if (d == null || d.isZero() || d.isNegative()) {
      throw OadrRefusal.invalidData("Not a positive duration: " + a.getProperties().getDuration().getDuration() + ".");
    }
    return new Window(null, start, start.plus(d));
  }

  /** An RFC 5545 duration (weeks included), or null. */
  static java.time.Duration parseDuration(String text) {
    if (text == null) {
      return null;
    }
    String t = text.trim();
    try {
      java.util.regex.Matcher w = java.util.regex.Pattern.compile("^([+-]?)P(\\d+)W$").matcher(t);
      if (w.matches()) {
        java.time.Duration d = java.time.Duration.ofDays(7L * Long.parseLong(w.group(2)));
        return "-".equals(w.group(1)) ? d.negated() : d;
      }
      return java.time.Duration.parse(t);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static java.time.OffsetDateTime utc(Instant t) {
    return java.time.OffsetDateTime.ofInstant(t, java.time.ZoneOffset.UTC);
  }

  // ---------------------------------------------------------------------------------------------
  // EiRegisterParty

  /** oadrQueryRegistration: the VTN's profiles and poll interval, and the caller's registration if it has one. */
  Future<Reply> queryRegistration(Caller caller, String requestId) {
    Optional<Session> own = caller.principal() != null && caller.principal().role() != Role.VEN ? Optional.empty()
        : ownSession(caller);
    return Future.succeededFuture(Reply.of(messages.createdPartyRegistration(ResponseCode.OK, "OK", requestId,
        own.map(s -> s.registration.registrationId()).orElse(null), own.map(s -> s.venId).orElse(null))));
  }

  /**
   * oadrCreatePartyRegistration: only a provisioned VEN registers (its certificate's fingerprint,
   * or its client's token, and its venName), unless open registration lets anyone in by venName.
   */
  Future<Reply> createRegistration(Caller caller, OadrCreatePartyRegistrationType m, String httpRequestId) {
    String requestId = m.getRequestID();
    if (m.getOadrProfileName() != OadrProfileType.V2_0B) {
      throw OadrRefusal.invalidData("This VTN serves the 2.0b profile; " + m.getOadrProfileName().value() + " is not offered.");
    }
    if (m.getOadrTransportName() != OadrTransportType.SIMPLE_HTTP) {
      throw OadrRefusal.invalidData("This VTN serves simpleHttp; " + m.getOadrTransportName().value() + " is not offered.");
    }
    boolean pull = m.isOadrHttpPullModel() == null || m.isOadrHttpPullModel();
    String given = blankToNull(m.getOadrTransportAddress());
    if (!pull && given == null) {
      throw OadrRefusal.invalidData("A push VEN (oadrHttpPullModel false) must give its oadrTransportAddress.");
    }
    String unusable = given == null ? null : addressProblem(given);
    if (unusable != null && !pull) {
      throw OadrRefusal.invalidData(unusable);
    }
    // A pull VEN's address is never used: one that cannot be is dropped (OpenLEADR sends the text "None").
    String address = unusable == null ? given : null;
    String venName = m.getOadrVenName();
    if (venName == null || venName.isBlank()) {
      throw OadrRefusal.invalidData("oadrVenName is required: the venName the VEN was provisioned with.");
    }
    return registrant(caller, m.getVenID(), venName, httpRequestId).compose(ven -> {
      Actor actor = new Actor(caller.actorId(ven.id()), "ven", httpRequestId);
      return store.pool().withTransaction(tx -> store.registrationForUpdate(tx, ven.id()).compose(current -> {
        String asked = blankToNull(m.getRegistrationID());
        if (asked != null && !asked.equals(current.orElse(null))) {
          throw OadrRefusal.invalidId("registrationID '" + asked + "' is not this VEN's registration.");
        }
        String registrationId = asked != null ? asked : Ids.newId();
        Session.Registration r = new Session.Registration(registrationId, venName, pull, address, m.isOadrXmlSignature(),
            m.isOadrReportOnly(), null);
        JsonObject after = new JsonObject().put("registrationID", registrationId).put("venName", venName)
            .put("httpPull", pull).put("transportAddress", address).put("xmlSignature", r.xmlSignature())
            .put("reportOnly", r.reportOnly());
        return store.register(tx, ven.id(), r)
            // The VTN's own reports (METADATA) go to the VEN on its next poll, as the profile's
            // registration sequence has it.
            .compose(v -> store.enqueueOnce(tx, ven.id(), "oadrRegisterReport", new JsonObject(), actor.id()))
            .compose(v -> audit.record(tx, AuditEntry.of(actor, "oadr20b.registered", "ven", ven.id(),
                current.map(id -> new JsonObject().put("registrationID", id)).orElse(null), after)))
            .map(registrationId);
      })).compose(registrationId -> sessions.reload(List.of(ven.id())).map(registrationId))
          .map(registrationId -> Reply.of(messages.createdPartyRegistration(ResponseCode.OK, "OK", requestId,
              registrationId, ven.id())));
    });
  }

  /** The VEN a registration is for, checked against the caller's credentials. */
  private Future<Oadr20bStore.VenRow> registrant(Caller caller, String venId, String venName, String httpRequestId) {
    if (caller.fingerprint() != null) {
      return store.venByFingerprint(caller.fingerprint()).map(found -> {
        Oadr20bStore.VenRow ven = found.orElseThrow(() -> OadrRefusal.notAuthorized(
            "No VEN is provisioned with this certificate (fingerprint " + caller.fingerprint() + ")."));
        return checked(ven, venId, venName);
      });
    }
    if (caller.principal() != null) {
      if (caller.principal().role() != Role.VEN) {
        throw new OadrRefusal(ResponseCode.FORBIDDEN, "A 2.0b VEN registers as a VEN client; this token is a "
            + caller.principal().role().wire() + "'s.");
      }
      return store.vensOfClient(caller.principal().clientId()).map(own -> {
        Optional<Oadr20bStore.VenRow> ven = own.stream()
            .filter(v -> venId != null ? v.id().equals(venId) : v.venName().equals(venName)).findFirst();
        if (ven.isEmpty() && venId != null) {
          throw OadrRefusal.invalidId("venID '" + venId + "' is not this client's VEN.");
        }
        return checked(ven.orElseThrow(() -> OadrRefusal.notAuthorized(
            "No VEN named '" + venName + "' is provisioned for this client.")), venId, venName);
      });
    }
    if (!openRegistration) {
      throw OadrRefusal.notAuthorized("No credentials: present the VEN's client certificate or its bearer token.");
    }
    Future<Optional<Oadr20bStore.VenRow>> found = venId != null ? store.venById(venId) : store.venByName(venName);
    return found.compose(existing -> {
      if (existing.isPresent()) {
        Oadr20bStore.VenRow ven = existing.get();
        if (ven.fingerprint() != null) {
          throw OadrRefusal.notAuthorized("This VEN is provisioned with a certificate; register over TLS with it.");
        }
        return Future.succeededFuture(checked(ven, venId, venName));
      }
      if (venId != null) {
        throw OadrRefusal.invalidId("There is no VEN '" + venId + "'.");
      }
      // Open registration: the VEN record is made here, as /vens would show it.
      Actor system = new Actor("oadr20b", "system", httpRequestId);
      return vens.create(system, new VenDraft(venName, null, null, new JsonArray()), "oadr20b-open:" + Ids.newId())
          .recover(e -> Future.failedFuture(e instanceof Problem p
              ? OadrRefusal.invalidData("The VEN record could not be made: " + p.detail()) : e))
          .map(v -> new Oadr20bStore.VenRow(v.id(), v.venName(), v.clientId(), null));
    });
  }

  private static Oadr20bStore.VenRow checked(Oadr20bStore.VenRow ven, String venId, String venName) {
    if (venId != null && !venId.equals(ven.id())) {
      throw OadrRefusal.invalidId("venID '" + venId + "' is not this VEN's.");
    }
    if (!ven.venName().equals(venName)) {
      throw OadrRefusal.notAuthorized("oadrVenName '" + venName + "' is not the venName this VEN was provisioned with.");
    }
    return ven;
  }

  /** Why a transport address cannot be posted to, or null when it can. */
  private static String addressProblem(String address) {
    try {
      URI uri = new URI(address);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
          || uri.getUserInfo() != null || address.length() > 2048) {
        return "oadrTransportAddress must be an http(s) URL without user info.";
      }
      return null;
    } catch (java.net.URISyntaxException e) {
      return "oadrTransportAddress is not a URL: " + e.getMessage();
    }
  }

  /** oadrCancelPartyRegistration: the VEN's current registration ends. */
  Future<Reply> cancelRegistration(Caller caller, OadrCancelPartyRegistrationType m, String httpRequestId) {
    Session s = identify(caller, blankToNull(m.getVenID()));
    String asked = m.getRegistrationID();
    Actor actor = new Actor(caller.actorId(s.venId), "ven", httpRequestId);
    return store.pool().withTransaction(tx -> store.registrationForUpdate(tx, s.venId).compose(current -> {
      if (current.isEmpty() || !current.get().equals(asked)) {
        throw OadrRefusal.invalidId("registrationID '" + asked + "' is not this VEN's registration.");
      }
      return store.cancel(tx, s.venId).compose(v -> audit.record(tx, AuditEntry.of(actor, "oadr20b.cancelled", "ven",
          s.venId, new JsonObject().put("registrationID", asked), null)));
    })).compose(v -> sessions.reload(List.of(s.venId)))
        .map(v -> Reply.of(messages.canceledPartyRegistration(ResponseCode.OK, "OK", m.getRequestID(), asked, s.venId)));
  }

  /** An oadrResponse (a VEN acknowledging what it was sent): checked, answered, nothing stored. */
  Future<Reply> acknowledged(Caller caller, String venId, String requestId) {
    Session s = venId == null && caller.anonymous() ? null : identify(caller, venId);
    return Future.succeededFuture(Reply.of(messages.response(ResponseCode.OK, "OK", requestId,
        s == null ? venId : s.venId)));
  }

  // ---------------------------------------------------------------------------------------------
  // For operators

  /** Queues an oadrRequestReregistration for a registered VEN; its id. */
  Future<Long> requestReregistration(Actor actor, String venId) {
    Session s = sessions.get(venId);
    if (s == null) {
      return store.venById(venId).compose(v -> Future.failedFuture(v.isEmpty()
          ? Problem.notFound("No VEN '" + venId + "'.")
          : Problem.conflict("The VEN is not registered through OpenADR 2.0b; there is nobody to ask.")));
    }
    return store.pool().withTransaction(tx -> store.enqueue(tx, venId, "oadrRequestReregistration", new JsonObject(),
            actor.id())
        .compose(id -> audit.record(tx, AuditEntry.of(actor, "oadr20b.reregistration_requested", "ven", venId, null,
            new JsonObject().put("queueID", id))).map(id)))
        .onSuccess(id -> {
          // This instance knows at once; the others by the announcement.
          s.queueMark = Math.max(s.queueMark, id);
          s.queued = true;
        });
  }

  /** A VEN's 2.0b state for operators. */
  Future<JsonObject> describe(String venId) {
    Session s = sessions.get(venId);
    if (s == null) {
      return store.venById(venId).map(v -> {
        if (v.isEmpty()) {
          throw Problem.notFound("No VEN '" + venId + "'.");
        }
        return new JsonObject().put("venID", venId).put("registered", false)
            .put("certificateFingerprint", v.get().fingerprint());
      });
    }
    Session.Registration r = s.registration;
    return store.queueLength(venId).map(queued -> new JsonObject()
        .put("venID", venId)
        .put("registered", true)
        .put("registrationID", r.registrationId())
        .put("oadrVenName", r.oadrVenName())
        .put("httpPull", r.httpPull())
        .put("transportAddress", r.transportAddress())
        .put("xmlSignature", r.xmlSignature())
        .put("reportOnly", r.reportOnly())
        .put("certificateFingerprint", s.ven.fingerprint())
        .put("queuedMessages", queued)
        .put("eventsSent", eventsSent(s)));
  }

  private JsonArray eventsSent(Session s) {
    EventSets.Snapshot snapshot = eventSets.current(s, Instant.now());
    JsonArray out = new JsonArray();
    if (snapshot.digest() != s.sentDigest) {
      return out;
    }
    for (EventSets.Item i : snapshot.items()) {
      out.add(new JsonObject().put("eventID", i.event().id()).put("modificationNumber", i.event().modificationNumber())
          .put("eventStatus", i.status().value()));
    }
    return out;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
