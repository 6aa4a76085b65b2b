package io.loadshift.vtn;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.POST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.loadshift.vtn.testing.Oadr20bTestVen;
import io.loadshift.vtn.testing.Oadr20bTestVen.Answer;
import io.loadshift.vtn.testing.TestVtn;
import io.loadshift.vtn.testing.WebhookReceiver;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Completed and cancelled events leave a 2.0b VEN's oadrDistributeEvent once
 * VTN_OADR20B_ENDED_KEEP_MINUTES have passed (0 here): a VEN is not sent every event of the
 * retention period again and again, and a cancelled event is sent until its window is over.
 */
class Oadr20bEndedEventsTest {
  static final String V = "/openadr3/3.1.0";
  static TestVtn vtn;
  static String utility;

  @BeforeAll
  static void start() {
    vtn = TestVtn.start(Map.of("VTN_OADR20B_ENDED_KEEP_MINUTES", "0"));
    utility = vtn.clientWithToken("utility", "Grid Co").getString("token");
    Oadr20bEventsTest.programId = vtn.call(POST, V + "/programs", utility, new JsonObject().put("programName", "2b-ended"))
        .bodyAsJsonObject().getString("id");
  }

  @AfterAll
  static void stop() throws Exception {
    vtn.close();
    Oadr20bTestVen.checkAnswersAgainstOfficialSchema();
  }

  @Test
  void endedEventsLeaveTheDistributionAndCancelledOnesStayUntilTheirWindowIsOver() {
    Oadr20bTestVen ven = Oadr20bEventsTest.registered(vtn, utility, vtn.clientWithToken("ven", "ended client"), "ended-ven",
        "grp-ended");
    Instant soon = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
    String shortEvent = Oadr20bEventsTest.createEvent(vtn, utility, Oadr20bEventsTest.event(soon, "PT2S",
        List.of("grp-ended"), Oadr20bEventsTest.simple(1)));
    String later = Oadr20bEventsTest.createEvent(vtn, utility, Oadr20bEventsTest.event(
        Instant.now().plus(3, ChronoUnit.HOURS), "PT1H", List.of("grp-ended"), Oadr20bEventsTest.simple(2)));
    assertEquals(200, vtn.call(DELETE, V + "/events/" + later, utility, null).statusCode());

    Map<String, String>[] seen = new Map[1];
    WebhookReceiver.eventually(() -> {
      seen[0] = Oadr20bEventsTest.statuses(ven.poll());
      return seen[0].containsKey(shortEvent) && "cancelled".equals(seen[0].get(later));
    }, 5000, "both events sent, the later one cancelled");
    assertEquals("cancelled", seen[0].get(later));

    // Once the short one has ended, the next distribution leaves it out; the cancelled one, whose
    // window is hours away, is still sent as cancelled.
    WebhookReceiver.eventually(() -> {
      Answer a = ven.poll();
      if (a.message().getOadrDistributeEvent() == null) {
        return false;
      }
      seen[0] = Oadr20bEventsTest.statuses(a);
      return !seen[0].containsKey(shortEvent);
    }, 10_000, "a distribution without the ended event");
    assertEquals(Map.of(later, "cancelled"), seen[0]);
    assertFalse(Instant.now().isBefore(soon.plusSeconds(2)), "left out only after its end");
  }
}
