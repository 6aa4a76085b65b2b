package io.loadshift.vtn;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadshift.vtn.oadr20b.xml.ei.EiEventSignalType;
import io.loadshift.vtn.oadr20b.xml.ei.EiEventType;
import io.loadshift.vtn.oadr20b.xml.ei.IntervalType;
import io.loadshift.vtn.oadr20b.xml.ei.PayloadFloatType;
import io.loadshift.vtn.oadr20b.xml.ei.SignalPayloadType;
import io.loadshift.vtn.oadr20b.xml.oadr.CurrencyType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrDistributeEventType;
import io.loadshift.vtn.oadr20b.xml.power.PowerRealType;
import io.loadshift.vtn.platform.config.DbUri;
import io.loadshift.vtn.testing.Oadr20bTestVen;
import io.loadshift.vtn.testing.Oadr20bTestVen.Answer;
import io.loadshift.vtn.testing.Oadr20bTestVen.Opt;
import io.loadshift.vtn.testing.TestDatabase;
import io.loadshift.vtn.testing.TestVtn;
import io.loadshift.vtn.testing.WebhookReceiver;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Events created through OpenADR 3.1 reaching 2.0b VENs as oadrDistributeEvent: on a poll exactly
 * when the VEN's set changed, with statuses, modification numbers, signals mapped from the 3.1
 * payloads, cancellation; oadrRequestEvent; and optIn/optOut from oadrCreatedEvent recorded where
 * settlement and the operator's totals read them.
 */
class Oadr20bEventsTest {
  static final String V = "/openadr3/3.1.0";
  static TestVtn vtn;
  static String utility;
  static String programId;

  @BeforeAll
  static void start() {
    vtn = TestVtn.start();
    utility = vtn.clientWithToken("utility", "Grid Co").getString("token");
    HttpResponse<Buffer> p = vtn.call(POST, V + "/programs", utility, new JsonObject().put("programName", "2b-peak"));
    assertEquals(201, p.statusCode(), p.bodyAsString());
    programId = p.bodyAsJsonObject().getString("id");
  }

  @AfterAll
  static void stop() throws Exception {
    vtn.close();
    Oadr20bTestVen.checkAnswersAgainstOfficialSchema();
  }

  @Test
  void anEventReachesTheVenOnPollExactlyWhenSomethingChanged() {
    Oadr20bTestVen ven = registered(vtn, "ev-site-a", "grp-a");
    assertNotNull(ven.poll().message().getOadrResponse(), "nothing for it yet");

    Instant start = Instant.now().plus(3, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
    String id = createEvent(event(start, "PT30M", List.of("grp-a"), simple(2), simple(1)).put("eventName", "evening peak")
        .put("priority", 0));
    OadrDistributeEventType d = awaitDistribute(ven);
    assertEquals("LOADSHIFT-VTN", d.getVtnID());
    assertNull(d.getEiResponse(), "a poll's oadrDistributeEvent answers no request");
    assertEquals(1, d.getOadrEvent().size());
    assertEquals("always", d.getOadrEvent().get(0).getOadrResponseRequired().value());
    EiEventType e = d.getOadrEvent().get(0).getEiEvent();
    assertEquals(id, e.getEventDescriptor().getEventID());
    assertEquals(0, e.getEventDescriptor().getModificationNumber());
    assertEquals(1L, e.getEventDescriptor().getPriority(), "3.1 priority 0 (highest) is 2.0b priority 1");
    assertEquals("far", e.getEventDescriptor().getEventStatus().value());
    assertEquals("false", e.getEventDescriptor().getTestEvent());
    assertEquals("evening peak", e.getEventDescriptor().getVtnComment());
    assertTrue(e.getEventDescriptor().getEiMarketContext().getMarketContext().endsWith("/openadr3/3.1.0/programs/" + programId));
    assertEquals(start.toString(), e.getEiActivePeriod().getProperties().getDtstart().getDateTime().toXMLFormat());
    assertEquals("PT1H", e.getEiActivePeriod().getProperties().getDuration().getDuration());
    EiEventSignalType signal = e.getEiEventSignals().getEiEventSignal().get(0);
    assertEquals("SIMPLE", signal.getSignalName());
    assertEquals("level", signal.getSignalType().value());
    assertEquals(List.of(2f, 1f), values(signal));
    assertEquals(List.of("PT30M", "PT30M"), signal.getIntervals().getInterval().stream()
        .map(i -> i.getDuration().getDuration()).toList());
    assertEquals(List.of(ven.venId), e.getEiTarget().getVenID());

    assertNotNull(ven.poll().message().getOadrResponse(), "the second poll: nothing new");

    HttpResponse<Buffer> updated = vtn.call(PUT, V + "/events/" + id, utility,
        event(start, "PT45M", List.of("grp-a"), simple(3), simple(1)));
    assertEquals(200, updated.statusCode(), updated.bodyAsString());
    EiEventType changed = awaitDistribute(ven).getOadrEvent().get(0).getEiEvent();
    assertEquals(1, changed.getEventDescriptor().getModificationNumber(), "every change bumps it");
    assertEquals(List.of(3f, 1f), values(changed.getEiEventSignals().getEiEventSignal().get(0)));
    assertNotNull(ven.poll().message().getOadrResponse());

    assertEquals(200, vtn.call(DELETE, V + "/events/" + id, utility, null).statusCode());
    EiEventType cancelled = awaitDistribute(ven).getOadrEvent().get(0).getEiEvent();
    assertEquals("cancelled", cancelled.getEventDescriptor().getEventStatus().value());
    assertEquals(2, cancelled.getEventDescriptor().getModificationNumber());
    assertNotNull(ven.poll().message().getOadrResponse());
  }

  @Test
  void statusFollowsTheClockAndTheNearWindow() {
    Oadr20bTestVen ven = registered(vtn, "ev-site-status", "grp-status");
    Instant now = Instant.now();
    String far = createEvent(event(now.plus(3, ChronoUnit.HOURS), "PT1H", List.of("grp-status"), simple(1)));
    String near = createEvent(event(now.plus(30, ChronoUnit.MINUTES), "PT1H", List.of("grp-status"), simple(1)));
    String active = createEvent(event(now.minus(10, ChronoUnit.MINUTES), "PT1H", List.of("grp-status"), simple(2)));
    String open = createEvent(event(now.minus(5, ChronoUnit.MINUTES), null, List.of("grp-status"), simple(1))
        .put("duration", "P9999Y"));
    WebhookReceiver.eventually(() -> statuses(ven.poll()).size() == 4 || statuses(ven.requestEvent("r")).size() == 4,
        5000, "all four events");
    Map<String, String> s = statuses(ven.requestEvent("status-1"));
    assertEquals("far", s.get(far));
    assertEquals("near", s.get(near), "within the 60-minute near window");
    assertEquals("active", s.get(active));
    assertEquals("active", s.get(open));
    OadrDistributeEventType d = ven.requestEvent("status-2").message().getOadrDistributeEvent();
    EiEventType openEvent = d.getOadrEvent().stream().map(o -> o.getEiEvent())
        .filter(e -> e.getEventDescriptor().getEventID().equals(open)).findFirst().orElseThrow();
    assertEquals("PT0S", openEvent.getEiActivePeriod().getProperties().getDuration().getDuration(),
        "an open-ended event has no end");
    EiEventType activeEvent = d.getOadrEvent().stream().map(o -> o.getEiEvent())
        .filter(e -> e.getEventDescriptor().getEventID().equals(active)).findFirst().orElseThrow();
    assertEquals(2f, activeEvent.getEiEventSignals().getEiEventSignal().get(0).getCurrentValue().getPayloadFloat().getValue(),
        "the current interval's value");
  }

  @Test
  void dispatchSetpointsReachOnlyTheirVenAsLoadDispatchInKilowatts() {
    Oadr20bTestVen a = registered(vtn, "ev-dispatch-a", "grp-dispatch");
    Oadr20bTestVen b = registered(vtn, "ev-dispatch-b", "grp-dispatch-b");
    a.poll();
    b.poll();
    String id = createEvent(event(Instant.now().plus(2, ChronoUnit.HOURS), "PT15M", List.of("loadshift:ven:" + a.venId),
        payload("DISPATCH_SETPOINT", 120.5), payload("DISPATCH_SETPOINT", 80)));
    EiEventType e = awaitDistribute(a).getOadrEvent().get(0).getEiEvent();
    assertEquals(id, e.getEventDescriptor().getEventID());
    EiEventSignalType s = e.getEiEventSignals().getEiEventSignal().get(0);
    assertEquals(1, e.getEiEventSignals().getEiEventSignal().size(), "no SIMPLE made up next to a real signal");
    assertEquals("LOAD_DISPATCH", s.getSignalName());
    assertEquals("setpoint", s.getSignalType().value());
    assertEquals(List.of(120.5f, 80f), values(s));
    PowerRealType unit = (PowerRealType) s.getItemBase().getValue();
    assertEquals("W", unit.getItemUnits());
    assertEquals("k", unit.getSiScaleCode().value());
    assertEquals("RealPower", unit.getItemDescription());
    assertNotNull(b.poll().message().getOadrResponse(), "the other VEN sees nothing");
  }

  @Test
  void pricesCarryTheirCurrencyAndTargetedResourcesAreNamed() {
    Oadr20bTestVen ven = registered(vtn, "ev-price", "grp-price");
    HttpResponse<Buffer> res = vtn.call(POST, V + "/resources", utility, new JsonObject()
        .put("objectType", "BL_RESOURCE_REQUEST").put("resourceName", "meter-1").put("venID", ven.venId)
        .put("targets", new JsonArray().add("feeder-p1")));
    assertEquals(201, res.statusCode(), res.bodyAsString());
    String resourceId = res.bodyAsJsonObject().getString("id");
    JsonObject body = event(Instant.now().plus(1, ChronoUnit.DAYS), "PT1H", List.of("feeder-p1"),
        payload("PRICE", 0.31), payload("PRICE", 0.42));
    body.put("payloadDescriptors", new JsonArray().add(new JsonObject().put("objectType", "EVENT_PAYLOAD_DESCRIPTOR")
        .put("payloadType", "PRICE").put("units", "KWH").put("currency", "EUR")));
    String id = createEvent(body);
    EiEventType e = awaitDistribute(ven).getOadrEvent().stream().map(o -> o.getEiEvent())
        .filter(x -> x.getEventDescriptor().getEventID().equals(id)).findFirst().orElseThrow();
    EiEventSignalType s = e.getEiEventSignals().getEiEventSignal().get(0);
    assertEquals("ELECTRICITY_PRICE", s.getSignalName());
    assertEquals("price", s.getSignalType().value());
    assertEquals(List.of(0.31f, 0.42f), values(s));
    CurrencyType unit = (CurrencyType) s.getItemBase().getValue();
    assertEquals("EUR", unit.getItemUnits().value());
    assertEquals("currencyPerKWh", unit.getItemDescription().value());
    assertEquals(List.of(resourceId), e.getEiTarget().getResourceID(), "reached through its resource");
    assertEquals(List.of(ven.venId), e.getEiTarget().getVenID());
  }

  @Test
  void whatAnEarlierRegistrationWasSentDoesNotCountForANewOne() throws Exception {
    Oadr20bTestVen ven = registered(vtn, "ev-rereg", "grp-rereg");
    String id = createEvent(event(Instant.now().plus(5, ChronoUnit.HOURS), "PT1H", List.of("grp-rereg"), simple(1)));
    WebhookReceiver.eventually(() -> statuses(ven.poll()).containsKey(id), 3000, "the event");
    // What it was sent is written in a batch, with the registration it was sent under.
    WebhookReceiver.eventually(() -> count("SELECT count(*) FROM oadr20b_event_state WHERE ven_id = '" + ven.venId
        + "' AND registered_at IS NOT NULL") == 1, 3000, "the sent state written");
    String sent = text("SELECT digest || '/' || registered_at FROM oadr20b_event_state WHERE ven_id = '" + ven.venId + "'");
    long digest = Long.parseLong(sent.substring(0, sent.indexOf('/')));

    assertEquals("200", ven.register(ven.venId, true, null, true).code());
    // That write landing only now (another instance's, late): stored, announced with the earlier
    // registration, which neither this instance's session nor a reload takes for the new one.
    TestVtn.await(vtn.app.pool().preparedQuery("INSERT INTO oadr20b_event_state (ven_id, digest, registered_at) "
        + "SELECT $1, $2, registered_at - interval '1 second' FROM oadr20b_registrations WHERE ven_id = $1 "
        + "ON CONFLICT (ven_id) DO UPDATE SET digest = excluded.digest, registered_at = excluded.registered_at")
        .execute(io.vertx.sqlclient.Tuple.of(ven.venId, digest)));
    Thread.sleep(200);
    OadrDistributeEventType d = ven.poll().message().getOadrDistributeEvent();
    assertNotNull(d, "the new registration is sent its events");
    assertEquals(id, d.getOadrEvent().get(0).getEiEvent().getEventDescriptor().getEventID());
  }

  @Test
  void requestEventAnswersWithTheVensEventsAndCountsAsSent() {
    Oadr20bTestVen ven = registered(vtn, "ev-request", "grp-request");
    String id = createEvent(event(Instant.now().plus(5, ChronoUnit.HOURS), "PT1H", List.of("grp-request"), simple(1)));
    WebhookReceiver.eventually(() -> statuses(ven.requestEvent("req-0")).containsKey(id), 3000, "the event");
    Answer a = ven.requestEvent("req-77");
    OadrDistributeEventType d = a.message().getOadrDistributeEvent();
    assertEquals("200", d.getEiResponse().getResponseCode());
    assertEquals("req-77", d.getEiResponse().getRequestID(), "it answers the request");
    assertEquals(id, d.getOadrEvent().get(0).getEiEvent().getEventDescriptor().getEventID());
    assertNotNull(ven.poll().message().getOadrResponse(), "what it asked for is not sent again on the poll");
    assertEquals("200", ven.register(ven.venId, true, null, true).code());
    assertNotNull(ven.poll().message().getOadrDistributeEvent(), "a VEN that registers again is sent its events again");
    assertNotNull(ven.poll().message().getOadrResponse());
  }

  @Test
  void optInAndOptOutAreRecordedWhereSettlementReadsThem() {
    Oadr20bTestVen ven = registered(vtn, "ev-opt", "grp-opt");
    String optOut = createEvent(event(Instant.now().plus(4, ChronoUnit.HOURS), "PT1H", List.of("grp-opt"), simple(1)));
    String optIn = createEvent(event(Instant.now().plus(6, ChronoUnit.HOURS), "PT1H", List.of("grp-opt"), simple(1)));
    WebhookReceiver.eventually(() -> statuses(ven.requestEvent("r")).size() == 2, 3000, "both events");
    String requestId = ven.requestEvent("opt-1").message().getOadrDistributeEvent().getRequestID();

    long before = count("SELECT count(*) FROM event_opts");
    Answer unknown = ven.createdEvent(requestId, List.of(new Opt("no-such-event", 0, "optOut")));
    assertEquals("452", unknown.code(), unknown.body());
    Oadr20bTestVen other = registered(vtn, "ev-opt-other", "grp-opt-other");
    assertEquals("452", other.createdEvent(requestId, List.of(new Opt(optOut, 0, "optOut"))).code(),
        "an event the VEN was not sent");
    assertEquals(before, count("SELECT count(*) FROM event_opts"), "nothing stored for those");

    Answer ok = ven.createdEvent(requestId, List.of(new Opt(optOut, 0, "optOut"), new Opt(optIn, 0, "optIn")));
    assertEquals("200", ok.code(), ok.body());
    assertEquals(requestId, ok.message().getOadrResponse().getEiResponse().getRequestID());
    assertEquals("optOut", text("SELECT opt || '/' || source FROM event_opts WHERE event_id = '" + optOut + "'")
        .split("/")[0]);
    assertEquals("2.0b", text("SELECT source FROM event_opts WHERE event_id = '" + optOut + "'"));
    JsonObject totals = vtn.call(GET, V + "/events/" + optOut, utility, null).bodyAsJsonObject()
        .getJsonObject("loadshift").getJsonObject("totals");
    assertEquals(1, totals.getInteger("optedOut"), totals.encode());
    assertEquals(0, totals.getInteger("optedIn"));
    assertEquals(1, vtn.call(GET, V + "/events/" + optIn, utility, null).bodyAsJsonObject()
        .getJsonObject("loadshift").getJsonObject("totals").getInteger("optedIn"));

    // The same answer again changes nothing; changing its mind is recorded (and audited).
    assertEquals("200", ven.createdEvent(requestId, List.of(new Opt(optOut, 0, "optOut"))).code());
    assertEquals("200", ven.createdEvent(requestId, List.of(new Opt(optOut, 0, "optIn"))).code());
    assertEquals("optIn", text("SELECT opt FROM event_opts WHERE event_id = '" + optOut + "'"));
    assertEquals(2L, count("SELECT count(*) FROM audit_log WHERE object_id = '" + optOut + "' AND action LIKE 'event.opt%'"));
  }

  @Test
  void aRestartNeitherLosesNorRepeatsWhatWasSent() {
    DbUri db = TestDatabase.create();
    JsonObject client;
    String venId;
    String grid;
    String id;
    try (TestVtn first = TestVtn.start(db, Map.of(), List.of(), false)) {
      grid = first.clientWithToken("utility", "Grid Co").getString("token");
      String program = first.call(POST, V + "/programs", grid, new JsonObject().put("programName", "restart"))
          .bodyAsJsonObject().getString("id");
      client = first.clientWithToken("ven", "restart client");
      Oadr20bTestVen ven = registered(first, grid, client, "ev-restart", "grp-restart");
      venId = ven.venId;
      id = createEvent(first, grid, event(Instant.now().plus(2, ChronoUnit.HOURS), "PT1H", List.of("grp-restart"),
          simple(1)).put("programID", program));
      awaitDistribute(ven);
      assertNotNull(ven.poll().message().getOadrResponse());
    }
    try (TestVtn second = TestVtn.start(db, Map.of(), List.of(), true)) {
      String token = TestVtn.await(second.token(client.getString("clientId"), client.getString("clientSecret")));
      Oadr20bTestVen ven = new Oadr20bTestVen(second.http, token, "ev-restart");
      ven.venId = venId;
      assertNotNull(ven.poll().message().getOadrResponse(), "already sent before the restart: not again");
      String grid2 = second.clientWithToken("utility", "Grid Co 2").getString("token");
      assertEquals(200, second.call(DELETE, V + "/events/" + id, grid2, null).statusCode());
      assertEquals("cancelled", awaitDistribute(ven).getOadrEvent().get(0).getEiEvent().getEventDescriptor()
          .getEventStatus().value(), "a change after the restart is sent");
    }
  }

  // --- helpers ---

  static Oadr20bTestVen registered(TestVtn on, String venName, String target) {
    return registered(on, utility, on.clientWithToken("ven", venName + " client"), venName, target);
  }

  /** A VEN provisioned by the utility in its own target group, registered through 2.0b. */
  static Oadr20bTestVen registered(TestVtn on, String grid, JsonObject client, String venName, String target) {
    HttpResponse<Buffer> r = on.call(POST, V + "/vens", grid, new JsonObject().put("objectType", "BL_VEN_REQUEST")
        .put("venName", venName).put("clientID", client.getString("clientId")).put("targets", new JsonArray().add(target)));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    Oadr20bTestVen ven = new Oadr20bTestVen(on.http, client.getString("token"), venName);
    Answer a = ven.register();
    assertEquals("200", a.code(), a.body());
    return ven;
  }

  /** Polls until the VEN gets an oadrDistributeEvent (what changed travels by NOTIFY). */
  static OadrDistributeEventType awaitDistribute(Oadr20bTestVen ven) {
    OadrDistributeEventType[] got = new OadrDistributeEventType[1];
    WebhookReceiver.eventually(() -> {
      Answer a = ven.poll();
      assertEquals(200, a.status(), a.body());
      got[0] = a.message().getOadrDistributeEvent();
      return got[0] != null;
    }, 5000, "an oadrDistributeEvent for " + ven.venName);
    return got[0];
  }

  static Map<String, String> statuses(Answer a) {
    OadrDistributeEventType d = a.message().getOadrDistributeEvent();
    if (d == null) {
      return Map.of();
    }
    return d.getOadrEvent().stream().collect(Collectors.toMap(o -> o.getEiEvent().getEventDescriptor().getEventID(),
        o -> o.getEiEvent().getEventDescriptor().getEventStatus().value()));
  }

  static List<Float> values(EiEventSignalType s) {
    return s.getIntervals().getInterval().stream().map(Oadr20bEventsTest::value).toList();
  }

  static float value(IntervalType i) {
    SignalPayloadType p = (SignalPayloadType) i.getStreamPayloadBase().get(0).getValue();
    return ((PayloadFloatType) p.getPayloadBase().getValue()).getValue();
  }

  static JsonObject event(Instant start, String intervalDuration, List<String> targets, JsonObject... intervalPayloads) {
    JsonArray intervals = new JsonArray();
    for (int i = 0; i < intervalPayloads.length; i++) {
      intervals.add(new JsonObject().put("id", i).put("payloads", new JsonArray().add(intervalPayloads[i])));
    }
    JsonObject period = new JsonObject().put("start", start.toString());
    if (intervalDuration != null) {
      period.put("duration", intervalDuration);
    }
    return new JsonObject().put("programID", programId).put("targets", new JsonArray(targets))
        .put("intervalPeriod", period).put("intervals", intervals);
  }

  static JsonObject simple(int level) {
    return payload("SIMPLE", level);
  }

  static JsonObject payload(String type, Object value) {
    return new JsonObject().put("type", type).put("values", new JsonArray().add(value));
  }

  static String createEvent(JsonObject body) {
    return createEvent(vtn, utility, body);
  }

  static String createEvent(TestVtn on, String grid, JsonObject body) {
    HttpResponse<Buffer> r = on.call(POST, V + "/events", grid, body);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  static long count(String sql) {
    return TestVtn.await(vtn.app.pool().query(sql).execute()).iterator().next().getLong(0);
  }

  static String text(String sql) {
    return TestVtn.await(vtn.app.pool().query(sql).execute()).iterator().next().getString(0);
  }
}
