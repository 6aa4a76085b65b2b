package io.loadshift.vtn;

import static io.vertx.core.http.HttpMethod.POST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadshift.vtn.oadr20b.xml.ei.ReportSpecifierType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrRegisteredReportType;
import io.loadshift.vtn.testing.Oadr20bTestVen;
import io.loadshift.vtn.testing.Oadr20bTestVen.Answer;
import io.loadshift.vtn.testing.TestVtn;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * EiReport: a 2.0b VEN registers its METADATA, gets the VTN's TELEMETRY_USAGE request, and its
 * oadrUpdateReport intervals land in the telemetry store as USAGE (kWh) and DEMAND (kW) readings
 * of its resources, idempotently; unknown rIDs are refused with nothing stored.
 */
class Oadr20bReportsTest {
  static final String V = "/openadr3/3.1.0";
  static final String NS = "xmlns:xcal=\"urn:ietf:params:xml:ns:icalendar-2.0\" "
      + "xmlns:strm=\"urn:ietf:params:xml:ns:icalendar-2.0:stream\" "
      + "xmlns:power=\"http://docs.oasis-open.org/ns/emix/2011/06/power\" "
      + "xmlns:scale=\"http://docs.oasis-open.org/ns/emix/2011/06/siscale\"";
  static TestVtn vtn;
  static String utility;

  @BeforeAll
  static void start() {
    vtn = TestVtn.start();
    utility = vtn.clientWithToken("utility", "Grid Co").getString("token");
  }

  @AfterAll
  static void stop() throws Exception {
    vtn.close();
    Oadr20bTestVen.checkAnswersAgainstOfficialSchema();
  }

  static String description(String rId, String resource, String item, String units, String scale, String min,
                            String max) {
    String desc = "energyReal".equals(item) ? "RealEnergy" : "RealPower";
    return "<oadr:oadrReportDescription><ei:rID>" + rId + "</ei:rID><ei:reportDataSource><ei:resourceID>" + resource
        + "</ei:resourceID></ei:reportDataSource><ei:reportType>usage</ei:reportType><power:" + item
        + "><power:itemDescription>" + desc + "</power:itemDescription><power:itemUnits>" + units
        + "</power:itemUnits><scale:siScaleCode>" + scale + "</scale:siScaleCode>"
        + ("powerReal".equals(item) ? "<power:powerAttributes><power:hertz>50</power:hertz><power:voltage>230"
            + "</power:voltage><power:ac>true</power:ac></power:powerAttributes>" : "")
        + "</power:" + item + "><ei:readingType>Direct Read</ei:readingType><oadr:oadrSamplingRate><oadr:oadrMinPeriod>"
        + min + "</oadr:oadrMinPeriod><oadr:oadrMaxPeriod>" + max + "</oadr:oadrMaxPeriod><oadr:oadrOnChange>false"
        + "</oadr:oadrOnChange></oadr:oadrSamplingRate></oadr:oadrReportDescription>";
  }

  static String registerReport(String venId, String specifier, String... descriptions) {
    return Oadr20bTestVen.payload("<oadr:oadrRegisterReport ei:schemaVersion=\"2.0b\" " + NS + "><pyld:requestID>reg-"
        + specifier + "</pyld:requestID><oadr:oadrReport><xcal:duration><xcal:duration>PT2H</xcal:duration>"
        + "</xcal:duration>" + String.join("", descriptions) + "<ei:reportRequestID>0</ei:reportRequestID>"
        + "<ei:reportSpecifierID>" + specifier + "</ei:reportSpecifierID><ei:reportName>METADATA_TELEMETRY_USAGE"
        + "</ei:reportName><ei:createdDateTime>" + Instant.now().truncatedTo(ChronoUnit.SECONDS)
        + "</ei:createdDateTime></oadr:oadrReport><ei:venID>" + venId + "</ei:venID></oadr:oadrRegisterReport>");
  }

  /** Values: per interval, rID=value pairs. */
  static String updateReport(String venId, String requestId, String reportRequestId, String specifier, Instant start,
                             List<List<String[]>> intervals) {
    StringBuilder body = new StringBuilder();
    for (int k = 0; k < intervals.size(); k++) {
      body.append("<ei:interval><xcal:dtstart><xcal:date-time>").append(start.plus(15L * k, ChronoUnit.MINUTES))
          .append("</xcal:date-time></xcal:dtstart><xcal:duration><xcal:duration>PT15M</xcal:duration></xcal:duration>");
      for (String[] v : intervals.get(k)) {
        body.append("<oadr:oadrReportPayload><ei:rID>").append(v[0]).append("</ei:rID><ei:payloadFloat><ei:value>")
            .append(v[1]).append("</ei:value></ei:payloadFloat><oadr:oadrDataQuality>Quality Good - Non Specific")
            .append("</oadr:oadrDataQuality></oadr:oadrReportPayload>");
      }
      body.append("</ei:interval>");
    }
    return Oadr20bTestVen.payload("<oadr:oadrUpdateReport ei:schemaVersion=\"2.0b\" " + NS + "><pyld:requestID>"
        + requestId + "</pyld:requestID><oadr:oadrReport><xcal:dtstart><xcal:date-time>" + start
        + "</xcal:date-time></xcal:dtstart><xcal:duration><xcal:duration>PT" + 15 * intervals.size()
        + "M</xcal:duration></xcal:duration><strm:intervals>" + body + "</strm:intervals><ei:eiReportID>RP-" + requestId
        + "</ei:eiReportID><ei:reportRequestID>" + reportRequestId + "</ei:reportRequestID><ei:reportSpecifierID>"
        + specifier + "</ei:reportSpecifierID><ei:reportName>TELEMETRY_USAGE</ei:reportName><ei:createdDateTime>"
        + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "</ei:createdDateTime></oadr:oadrReport><ei:venID>" + venId
        + "</ei:venID></oadr:oadrUpdateReport>");
  }

  static List<String> readings(String resourceId) {
    List<String> out = new ArrayList<>();
    for (Row r : TestVtn.await(vtn.app.pool().preparedQuery("SELECT quantity, interval_start, duration_s, value, revision "
        + "FROM readings WHERE resource_id = $1 ORDER BY quantity, interval_start").execute(Tuple.of(resourceId)))) {
      out.add(r.getString(0) + "@" + r.getOffsetDateTime(1).toInstant() + "/" + r.getInteger(2) + "=" + r.getDouble(3)
          + " r" + r.getInteger(4));
    }
    return out;
  }

  @Test
  void registeredTelemetryIsRequestedAndItsUpdatesBecomeReadings() {
    Oadr20bTestVen ven = Oadr20bEventsTest.registered(vtn, utility, vtn.clientWithToken("ven", "rep client"),
        "rep-site", "grp-rep");
    assertEquals(0, ven.vtnReports.getOadrReport().size(), "the VTN's METADATA came on the first poll: none offered");
    assertEquals(ven.venId, ven.vtnReports.getVenID());
    HttpResponse<Buffer> res = vtn.call(POST, V + "/resources", utility, new JsonObject()
        .put("objectType", "BL_RESOURCE_REQUEST").put("resourceName", "meter-1").put("venID", ven.venId));
    assertEquals(201, res.statusCode(), res.bodyAsString());
    String meter = res.bodyAsJsonObject().getString("id");

    Answer reg = ven.post("EiReport", registerReport(ven.venId, "TU-1",
        description("m1-energy", "meter-1", "energyReal", "Wh", "k", "PT1M", "PT1H"),
        description("m1-power", "meter-1", "powerReal", "W", "none", "PT10S", "PT15M"),
        description("elsewhere", "not-my-meter", "energyReal", "Wh", "k", "PT1M", "PT1H")));
    assertEquals("200", reg.code(), reg.body());
    OadrRegisteredReportType registered = reg.message().getOadrRegisteredReport();
    assertEquals(1, registered.getOadrReportRequest().size(), reg.body());
    String reportRequestId = registered.getOadrReportRequest().get(0).getReportRequestID();
    ReportSpecifierType spec = registered.getOadrReportRequest().get(0).getReportSpecifier();
    assertEquals("TU-1", spec.getReportSpecifierID());
    assertEquals("PT15M", spec.getGranularity().getDuration());
    assertEquals("PT15M", spec.getReportBackDuration().getDuration());
    assertEquals(List.of("m1-energy", "m1-power"), spec.getSpecifierPayload().stream().map(p -> p.getRID()).toList(),
        "only rIDs of the VEN's own resources");

    Answer created = ven.post("EiReport", Oadr20bTestVen.payload("<oadr:oadrCreatedReport ei:schemaVersion=\"2.0b\">"
        + "<ei:eiResponse><ei:responseCode>200</ei:responseCode><ei:responseDescription>OK</ei:responseDescription>"
        + "<pyld:requestID>cr-1</pyld:requestID></ei:eiResponse><oadr:oadrPendingReports><ei:reportRequestID>"
        + reportRequestId + "</ei:reportRequestID></oadr:oadrPendingReports><ei:venID>" + ven.venId
        + "</ei:venID></oadr:oadrCreatedReport>"));
    assertEquals("200", created.code(), created.body());
    assertTrue(created.message().getOadrResponse() != null);

    Instant start = Instant.parse("2026-03-02T10:00:00Z");
    String update = updateReport(ven.venId, "up-1", reportRequestId, "TU-1", start, List.of(
        List.of(new String[] {"m1-energy", "1.5"}, new String[] {"m1-power", "6000"}),
        List.<String[]>of(new String[] {"m1-energy", "2.25"})));
    Answer u = ven.post("EiReport", update);
    assertEquals("200", u.code(), u.body());
    assertTrue(u.message().getOadrUpdatedReport() != null);
    List<String> expected = List.of("DEMAND@2026-03-02T10:00:00Z/900=6.0 r0", "USAGE@2026-03-02T10:00:00Z/900=1.5 r0",
        "USAGE@2026-03-02T10:15:00Z/900=2.25 r0");
    assertEquals(expected, readings(meter), "kWh per interval, and W scaled to kW");

    assertEquals("200", ven.post("EiReport", update).code());
    assertEquals(expected, readings(meter), "the same update again changes nothing");

    Answer bad = ven.post("EiReport", updateReport(ven.venId, "up-2", reportRequestId, "TU-1",
        start.plus(1, ChronoUnit.HOURS), List.of(List.of(new String[] {"m1-energy", "9"}, new String[] {"nope", "1"}))));
    assertEquals("452", bad.code(), bad.body());
    assertTrue(bad.description().contains("nope"), bad.description());
    assertEquals(expected, readings(meter), "nothing stored");
    Answer foreign = ven.post("EiReport", updateReport(ven.venId, "up-3", reportRequestId, "TU-1",
        start.plus(2, ChronoUnit.HOURS), List.of(List.<String[]>of(new String[] {"elsewhere", "1"}))));
    assertEquals("452", foreign.code(), "an rID of no resource of the VEN");

    Answer cancel = ven.post("EiReport", Oadr20bTestVen.payload("<oadr:oadrCancelReport ei:schemaVersion=\"2.0b\">"
        + "<pyld:requestID>cancel-1</pyld:requestID><ei:reportRequestID>" + reportRequestId + "</ei:reportRequestID>"
        + "<pyld:reportToFollow>false</pyld:reportToFollow><ei:venID>" + ven.venId + "</ei:venID></oadr:oadrCancelReport>"));
    assertEquals("200", cancel.code(), cancel.body());
    assertEquals(List.of(), cancel.message().getOadrCanceledReport().getOadrPendingReports().getReportRequestID());
    Answer again = ven.post("EiReport", Oadr20bTestVen.payload("<oadr:oadrCancelReport ei:schemaVersion=\"2.0b\">"
        + "<pyld:requestID>cancel-2</pyld:requestID><ei:reportRequestID>RR-unknown</ei:reportRequestID>"
        + "<pyld:reportToFollow>false</pyld:reportToFollow><ei:venID>" + ven.venId + "</ei:venID></oadr:oadrCancelReport>"));
    assertEquals("452", again.code(), again.body());
  }

  @Test
  void theGranularityFollowsWhatTheVenOffers() {
    Oadr20bTestVen ven = Oadr20bEventsTest.registered(vtn, utility, vtn.clientWithToken("ven", "rep client 2"),
        "rep-site-2", "grp-rep-2");
    assertEquals(201, vtn.call(POST, V + "/resources", utility, new JsonObject().put("objectType", "BL_RESOURCE_REQUEST")
        .put("resourceName", "meter-2").put("venID", ven.venId)).statusCode());
    Answer fine = ven.post("EiReport", registerReport(ven.venId, "TU-2",
        description("e", "meter-2", "energyReal", "Wh", "k", "PT1M", "PT5M")));
    assertEquals("PT1M", fine.message().getOadrRegisteredReport().getOadrReportRequest().get(0).getReportSpecifier()
        .getGranularity().getDuration(), "1 minute when 15 are not offered");
    Answer coarse = ven.post("EiReport", registerReport(ven.venId, "TU-3",
        description("e3", "meter-2", "energyReal", "Wh", "k", "PT30M", "PT1H")));
    assertEquals("PT30M", coarse.message().getOadrRegisteredReport().getOadrReportRequest().get(0).getReportSpecifier()
        .getGranularity().getDuration(), "the nearest it offers");
  }
}
