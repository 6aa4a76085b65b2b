package io.loadshift.vtn.oadr20b;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.xml.XMLConstants;
import javax.xml.datatype.DatatypeFactory;
import javax.xml.datatype.XMLGregorianCalendar;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

import io.loadshift.vtn.oadr20b.OadrXmlException.Kind;
import io.loadshift.vtn.oadr20b.xml.dsp.ReplayProtectType;
import io.loadshift.vtn.oadr20b.xml.ei.CurrentValueType;
import io.loadshift.vtn.oadr20b.xml.ei.EiActivePeriodType;
import io.loadshift.vtn.oadr20b.xml.ei.EiEventSignalType;
import io.loadshift.vtn.oadr20b.xml.ei.EiEventSignalsType;
import io.loadshift.vtn.oadr20b.xml.ei.EiEventType;
import io.loadshift.vtn.oadr20b.xml.ei.EiResponseType;
import io.loadshift.vtn.oadr20b.xml.ei.EiTargetType;
import io.loadshift.vtn.oadr20b.xml.ei.EventDescriptorType;
import io.loadshift.vtn.oadr20b.xml.ei.EventResponses;
import io.loadshift.vtn.oadr20b.xml.ei.EventStatusEnumeratedType;
import io.loadshift.vtn.oadr20b.xml.ei.IntervalType;
import io.loadshift.vtn.oadr20b.xml.ei.OptTypeType;
import io.loadshift.vtn.oadr20b.xml.ei.PayloadFloatType;
import io.loadshift.vtn.oadr20b.xml.ei.SchemaVersionEnumeratedType;
import io.loadshift.vtn.oadr20b.xml.ei.SignalNameEnumeratedType;
import io.loadshift.vtn.oadr20b.xml.ei.SignalPayloadType;
import io.loadshift.vtn.oadr20b.xml.ei.SignalTypeEnumeratedType;
import io.loadshift.vtn.oadr20b.xml.iso4217.ISO3AlphaCurrencyCodeContentType;
import io.loadshift.vtn.oadr20b.xml.oadr.CurrencyItemDescriptionType;
import io.loadshift.vtn.oadr20b.xml.oadr.CurrencyType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrCreatePartyRegistrationType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrDistributeEventType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrPayload;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrPollType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrProfileType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrReportDescriptionType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrReportPayloadType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrReportType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrResponseType;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrSignedObject;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrTransportType;
import io.loadshift.vtn.oadr20b.xml.oadr.ResponseRequiredType;
import io.loadshift.vtn.oadr20b.xml.power.PowerAttributesType;
import io.loadshift.vtn.oadr20b.xml.power.PowerRealType;
import io.loadshift.vtn.oadr20b.xml.scale.SiScaleCodeType;
import io.loadshift.vtn.oadr20b.xml.strm.Intervals;
import io.loadshift.vtn.oadr20b.xml.xcal.Dtstart;
import io.loadshift.vtn.oadr20b.xml.xcal.DurationPropType;
import io.loadshift.vtn.oadr20b.xml.xcal.Properties;
import io.loadshift.vtn.oadr20b.xml.xcal.Uid;
import jakarta.xml.bind.JAXBElement;

/**
 * The OpenADR 2.0b schema in xsd/ and {@link OadrXml}: every sample message of every
 * service validates and round-trips; hostile and invalid input is refused with the
 * right kind and a useful message; what we write conforms to the schema, and (when the
 * official 2.0b schema files are present in /tmp/oadr-official) to the official one too.
 */
class Oadr20bSchemaTest {

  private static final String SAMPLES = "oadr20b/";
  private static final Path OFFICIAL = Paths.get("/tmp/oadr-official/oadr_20b.xsd");

  /** Every payload of EiRegisterParty, EiEvent, EiReport, EiOpt and OadrPoll. */
  private static final Set<String> MESSAGE_TYPES = Set.of(
      "oadrQueryRegistration", "oadrCreatePartyRegistration", "oadrCreatedPartyRegistration",
      "oadrCancelPartyRegistration", "oadrCanceledPartyRegistration", "oadrRequestReregistration",
      "oadrResponse",
      "oadrRequestEvent", "oadrDistributeEvent", "oadrCreatedEvent",
      "oadrRegisterReport", "oadrRegisteredReport", "oadrCreateReport", "oadrCreatedReport",
      "oadrUpdateReport", "oadrUpdatedReport", "oadrCancelReport", "oadrCanceledReport",
      "oadrCreateOpt", "oadrCreatedOpt", "oadrCancelOpt", "oadrCanceledOpt",
      "oadrPoll");

  private static OadrXml xml;

  @BeforeAll
  static void setUp() {
    long start = System.nanoTime();
    xml = OadrXml.shared();
    System.out.printf("OadrXml: JAXB context and schema built in %d ms%n",
        (System.nanoTime() - start) / 1_000_000);
  }

  // ---------------------------------------------------------------------------------------------
  // Samples: validity and round trip

  static List<String> samples() {
    URL dir = Oadr20bSchemaTest.class.getClassLoader().getResource(SAMPLES);
    assertNotNull(dir, "sample directory on the test class path");
    try (Stream<Path> files = Files.list(Paths.get(dir.toURI()))) {
      return files.map(p -> p.getFileName().toString())
          .filter(name -> name.endsWith(".xml"))
          .sorted()
          .collect(Collectors.toList());
    } catch (IOException | URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest
  @MethodSource("samples")
  void sampleValidatesAndRoundTrips(String sample) {
    byte[] original = sample(sample);
    OadrPayload first = xml.parse(original);
    assertNotNull(first.getOadrSignedObject());
    assertEquals(1, presentMessages(first.getOadrSignedObject()).size(), "one message per payload");

    byte[] written = xml.write(first);
    OadrPayload second = xml.parse(written);
    byte[] rewritten = xml.write(second);

    // parse -> write -> parse gives the same message: same tree, names, attributes and values.
    assertEquals(canonical(original), canonical(written), "written form of " + sample);
    assertArrayEquals(written, rewritten, "writing is stable for " + sample);
  }

  @Test
  void everyMessageTypeHasASample() {
    Set<String> covered = new TreeSet<>();
    for (String sample : samples()) {
      covered.addAll(presentMessages(xml.parse(sample(sample)).getOadrSignedObject()));
    }
    assertEquals(new TreeSet<>(MESSAGE_TYPES), covered);
  }

  @Test
  void writtenMessagesUseTheProfilePrefixes() {
    String text = new String(xml.write(xml.parse(sample("oadrDistributeEvent.xml"))), StandardCharsets.UTF_8);
    assertTrue(text.startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\""), text.substring(0, 60));
    assertTrue(text.contains("<oadr:oadrPayload "), "root");
    for (Map.Entry<String, String> ns : Map.of(
        "oadr", OadrNamespaces.OADR, "ei", OadrNamespaces.EI, "pyld", OadrNamespaces.PYLD,
        "emix", OadrNamespaces.EMIX, "xcal", OadrNamespaces.XCAL, "strm", OadrNamespaces.STRM,
        "power", OadrNamespaces.POWER, "scale", OadrNamespaces.SCALE).entrySet()) {
      assertTrue(text.contains("xmlns:" + ns.getKey() + "=\"" + ns.getValue() + "\""), ns.getKey());
    }
    assertTrue(text.contains("<pyld:requestID>dist-0c55e1</pyld:requestID>"));
    assertTrue(text.contains("<ei:signalName>LOAD_DISPATCH</ei:signalName>"));
    assertTrue(text.contains("<power:powerReal>"));
    assertTrue(text.contains("<scale:siScaleCode>k</scale:siScaleCode>"));
    assertTrue(text.contains("<strm:intervals>"));
    assertTrue(text.contains("<xcal:dtstart>"));
    assertTrue(text.contains("oadr:Id=\"oadrSignedObject\""));
    assertTrue(text.contains("ei:schemaVersion=\"2.0b\""));
    assertFalse(text.contains("ns2:") || text.contains("ns3:"), "no generated prefixes");
  }

  // ---------------------------------------------------------------------------------------------
  // What the samples say, read through the generated classes

  @Test
  void createPartyRegistrationCarriesTheVensDetails() {
    OadrCreatePartyRegistrationType reg = xml.parse(sample("oadrCreatePartyRegistration.xml"))
        .getOadrSignedObject().getOadrCreatePartyRegistration();
    assertEquals("reg-0b8f41", reg.getRequestID());
    assertNull(reg.getVenID());
    assertEquals(OadrProfileType.V2_0B, reg.getOadrProfileName());
    assertEquals(OadrTransportType.SIMPLE_HTTP, reg.getOadrTransportName());
    assertEquals("https://ven-17.depot-north.example:8443/OpenADR2/Simple/2.0b", reg.getOadrTransportAddress());
    assertFalse(reg.isOadrReportOnly());
    assertTrue(reg.isOadrXmlSignature());
    assertEquals("Depot North charging hub", reg.getOadrVenName());
    assertEquals(Boolean.FALSE, reg.isOadrHttpPullModel());
    assertEquals(SchemaVersionEnumeratedType.V2_0B.value(), reg.getSchemaVersion());

    OadrCreatePartyRegistrationType again = xml.parse(sample("oadrCreatePartyRegistration-reregister.xml"))
        .getOadrSignedObject().getOadrCreatePartyRegistration();
    assertEquals("REG-2b1e9a44", again.getRegistrationID());
    assertEquals("VEN-3f09", again.getVenID());
    assertTrue(again.isOadrReportOnly());
    assertEquals(Boolean.TRUE, again.isOadrHttpPullModel());
  }

  @Test
  void distributeEventCarriesSignalsUnitsTargetsAndStatus() {
    OadrDistributeEventType dist = xml.parse(sample("oadrDistributeEvent.xml"))
        .getOadrSignedObject().getOadrDistributeEvent();
    assertEquals("req-ev-8812", dist.getEiResponse().getRequestID());
    assertEquals("loadshift-vtn", dist.getVtnID());
    assertEquals(3, dist.getOadrEvent().size());

    OadrDistributeEventType.OadrEvent simple = dist.getOadrEvent().get(0);
    EiEventType event = simple.getEiEvent();
    assertEquals(ResponseRequiredType.ALWAYS, simple.getOadrResponseRequired());
    assertEquals(EventStatusEnumeratedType.FAR, event.getEventDescriptor().getEventStatus());
    assertEquals(0L, event.getEventDescriptor().getModificationNumber());
    assertEquals("https://programs.loadshift.io/peak-relief",
        event.getEventDescriptor().getEiMarketContext().getMarketContext());
    Properties period = event.getEiActivePeriod().getProperties();
    assertEquals("PT3H", period.getDuration().getDuration());
    assertEquals("P1D", period.getXEiNotification().getDuration());
    assertEquals("PT5M", period.getTolerance().getTolerate().getStartafter());
    assertNull(event.getEiActivePeriod().getComponents(), "nil components");
    EiEventSignalType level = event.getEiEventSignals().getEiEventSignal().get(0);
    assertEquals(SignalNameEnumeratedType.SIMPLE.value(), level.getSignalName());
    assertEquals(SignalTypeEnumeratedType.LEVEL, level.getSignalType());
    List<Float> levels = level.getIntervals().getInterval().stream().map(Oadr20bSchemaTest::signalValue).toList();
    assertEquals(List.of(1.0f, 2.0f, 1.0f), levels);
    assertEquals(List.of("VEN-3f09"), event.getEiTarget().getVenID());

    EiEventType dispatch = dist.getOadrEvent().get(1).getEiEvent();
    assertEquals(EventStatusEnumeratedType.ACTIVE, dispatch.getEventDescriptor().getEventStatus());
    assertEquals(2L, dispatch.getEventDescriptor().getModificationNumber());
    EiEventSignalType setpoint = dispatch.getEiEventSignals().getEiEventSignal().get(0);
    assertEquals("LOAD_DISPATCH", setpoint.getSignalName());
    assertEquals(SignalTypeEnumeratedType.SETPOINT, setpoint.getSignalType());
    PowerRealType power = assertInstanceOf(PowerRealType.class, setpoint.getItemBase().getValue());
    assertEquals("powerReal", setpoint.getItemBase().getName().getLocalPart());
    assertEquals("W", power.getItemUnits());
    assertEquals(SiScaleCodeType.KILO, power.getSiScaleCode());
    assertEquals(50, power.getPowerAttributes().getHertz().intValue());
    assertEquals(-120.5f, setpoint.getCurrentValue().getPayloadFloat().getValue());
    assertEquals(List.of("battery-west-1", "battery-west-2"), dispatch.getEiTarget().getResourceID());
    assertEquals("Energy_Management_System", setpoint.getEiTarget().getEndDeviceAsset().get(0).getMrid());

    OadrDistributeEventType.OadrEvent priced = dist.getOadrEvent().get(2);
    assertEquals(ResponseRequiredType.NEVER, priced.getOadrResponseRequired());
    EiEventSignalsType signals = priced.getEiEvent().getEiEventSignals();
    CurrencyType currency = assertInstanceOf(CurrencyType.class, signals.getEiEventSignal().get(0).getItemBase().getValue());
    assertEquals("currencyPerKWh", signals.getEiEventSignal().get(0).getItemBase().getName().getLocalPart());
    assertEquals(ISO3AlphaCurrencyCodeContentType.EUR, currency.getItemUnits());
    assertEquals(EventStatusEnumeratedType.NEAR, priced.getEiEvent().getEventDescriptor().getEventStatus());
    assertEquals("BL-P-1", signals.getEiEventBaseline().getBaselineID());

    OadrDistributeEventType ended = xml.parse(sample("oadrDistributeEvent-completed-cancelled.xml"))
        .getOadrSignedObject().getOadrDistributeEvent();
    assertEquals(List.of(EventStatusEnumeratedType.COMPLETED, EventStatusEnumeratedType.CANCELLED),
        ended.getOadrEvent().stream().map(e -> e.getEiEvent().getEventDescriptor().getEventStatus()).toList());
    assertEquals("true", ended.getOadrEvent().get(1).getEiEvent().getEventDescriptor().getTestEvent());
  }

  @Test
  void createdEventCarriesOptInAndOptOut() {
    EventResponses responses = xml.parse(sample("oadrCreatedEvent.xml"))
        .getOadrSignedObject().getOadrCreatedEvent().getEiCreatedEvent().getEventResponses();
    assertEquals(List.of(OptTypeType.OPT_IN, OptTypeType.OPT_OUT),
        responses.getEventResponse().stream().map(EventResponses.EventResponse::getOptType).toList());
    assertEquals("EV-2025-0610-D", responses.getEventResponse().get(1).getQualifiedEventID().getEventID());
    assertEquals(2L, responses.getEventResponse().get(1).getQualifiedEventID().getModificationNumber());
  }

  @Test
  void registerReportCarriesMetadata() {
    List<OadrReportType> reports = xml.parse(sample("oadrRegisterReport.xml"))
        .getOadrSignedObject().getOadrRegisterReport().getOadrReport();
    assertEquals(List.of("METADATA_TELEMETRY_USAGE", "METADATA_TELEMETRY_STATUS"),
        reports.stream().map(OadrReportType::getReportName).toList());
    OadrReportDescriptionType power = reports.get(0).getOadrReportDescription().get(0);
    assertEquals("meter-main-power", power.getRID());
    assertEquals("meter-main", power.getReportSubject().getEndDeviceAsset().get(0).getMrid());
    assertEquals(List.of("meter-main"), power.getReportDataSource().getResourceID());
    assertInstanceOf(PowerRealType.class, power.getItemBase().getValue());
    assertEquals("Direct Read", power.getReadingType());
    assertEquals("PT10S", power.getOadrSamplingRate().getOadrMinPeriod());
    assertEquals("PT15M", power.getOadrSamplingRate().getOadrMaxPeriod());
    assertFalse(power.getOadrSamplingRate().isOadrOnChange());
    assertEquals("x-resourceStatus", reports.get(1).getOadrReportDescription().get(0).getReportType());
  }

  @Test
  void updateReportCarriesValuesQualityAndStatus() {
    List<OadrReportType> reports = xml.parse(sample("oadrUpdateReport.xml"))
        .getOadrSignedObject().getOadrUpdateReport().getOadrReport();
    IntervalType first = reports.get(0).getIntervals().getInterval().get(0);
    OadrReportPayloadType value = assertInstanceOf(OadrReportPayloadType.class,
        first.getStreamPayloadBase().get(0).getValue());
    assertEquals("meter-main-power", value.getRID());
    assertEquals(100L, value.getConfidence());
    assertEquals(0.5f, value.getAccuracy());
    assertEquals(42.7f, assertInstanceOf(PayloadFloatType.class, value.getPayloadBase().getValue()).getValue());
    assertEquals("Quality Good - Non Specific", value.getOadrDataQuality());

    IntervalType status = reports.get(1).getIntervals().getInterval().get(0);
    OadrReportPayloadType statusValue = (OadrReportPayloadType) status.getStreamPayloadBase().get(0).getValue();
    var resource = assertInstanceOf(io.loadshift.vtn.oadr20b.xml.oadr.OadrPayloadResourceStatusType.class,
        statusValue.getPayloadBase().getValue());
    assertTrue(resource.isOadrOnline());
    assertEquals(0.6f, resource.getOadrLoadControlState().getOadrCapacity().getOadrCurrent());
  }

  @Test
  void signatureAndReplayProtectionAreRead() {
    OadrPayload signed = xml.parse(sample("oadrPoll-signed.xml"));
    assertEquals("oadrSignedObject", signed.getOadrSignedObject().getId());
    assertEquals("#oadrSignedObject", signed.getSignature().getSignedInfo().getReference().get(0).getURI());
    Object property = signed.getSignature().getObject().get(0).getContent().stream()
        .filter(c -> c instanceof JAXBElement<?> || c instanceof io.loadshift.vtn.oadr20b.xml.dsig.SignaturePropertiesType)
        .findFirst().orElseThrow();
    var properties = (io.loadshift.vtn.oadr20b.xml.dsig.SignaturePropertiesType)
        (property instanceof JAXBElement<?> e ? e.getValue() : property);
    Object replay = properties.getSignatureProperty().get(0).getContent().stream()
        .filter(c -> !(c instanceof String)).findFirst().orElseThrow();
    ReplayProtectType protect = (ReplayProtectType) (replay instanceof JAXBElement<?> e ? e.getValue() : replay);
    assertEquals("8c1f0e7b55a94d0c9d2f6a3e11b0c4d7", protect.getNonce().getValue());
    assertEquals(2025, protect.getTimestamp().getYear());
  }

  // ---------------------------------------------------------------------------------------------
  // Messages built in code, as the VTN will build them

  @Test
  void builtMessagesAreWrittenAndReadBack() {
    OadrPayload built = distributeEvent();
    byte[] bytes = xml.write(built);
    OadrDistributeEventType back = xml.parse(bytes).getOadrSignedObject().getOadrDistributeEvent();
    EiEventSignalType signal = back.getOadrEvent().get(0).getEiEvent().getEiEventSignals().getEiEventSignal().get(0);
    assertEquals(-250.0f, signalValue(signal.getIntervals().getInterval().get(1)));
    assertEquals("2025-06-10T12:00:00Z",
        back.getOadrEvent().get(0).getEiEvent().getEiActivePeriod().getProperties().getDtstart().getDateTime().toXMLFormat());
    String text = new String(bytes, StandardCharsets.UTF_8);
    assertTrue(text.contains("<xcal:components xsi:nil=\"true\"/>"), text);
    assertTrue(text.contains("xmlns:xsi=\"" + OadrNamespaces.XSI + "\""), "xsi declared once, on the root");

    OadrPayload ack = xml.parse(xml.write(response("poll-1", "VEN-3f09")));
    assertEquals("200", ack.getOadrSignedObject().getOadrResponse().getEiResponse().getResponseCode());
  }

  @Test
  void writingAnIncompleteMessageIsRefused() {
    OadrPayload poll = payload(s -> s.setOadrPoll(new OadrPollType()));
    OadrXmlException e = assertThrows(OadrXmlException.class, () -> xml.write(poll));
    assertEquals(Kind.INVALID, e.kind());
    assertTrue(e.getMessage().contains("ei:venID"), e.getMessage());

    OadrPayload empty = new OadrPayload();
    empty.setOadrSignedObject(new OadrSignedObject());
    assertEquals(Kind.INVALID, assertThrows(OadrXmlException.class, () -> xml.write(empty)).kind());
  }

  // ---------------------------------------------------------------------------------------------
  // Hostile input

  @Test
  void externalEntityIsRefusedWithoutReadingTheFile() {
    String xxe = """
        <?xml version="1.0"?>
        <!DOCTYPE oadr:oadrPayload [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
        <oadr:oadrPayload xmlns:oadr="http://openadr.org/oadr-2.0b/2012/07">
          <oadr:oadrSignedObject>
            <oadr:oadrPoll xmlns:ei="http://docs.oasis-open.org/ns/energyinterop/201110">
              <ei:venID>&xxe;</ei:venID>
            </oadr:oadrPoll>
          </oadr:oadrSignedObject>
        </oadr:oadrPayload>
        """;
    OadrXmlException e = refused(Kind.MALFORMED, xxe);
    assertTrue(e.getMessage().contains("DOCTYPE"), e.getMessage());
    assertEquals(2, e.line());
    assertFalse(e.getMessage().contains("root:"), "no file content in the message");
  }

  @Test
  void noExternalResourceIsEverFetched() throws IOException {
    try (ServerSocket trap = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      String url = "http://127.0.0.1:" + trap.getLocalPort() + "/x";
      String poll = "<oadr:oadrSignedObject><oadr:oadrPoll xmlns:ei=\"" + OadrNamespaces.EI + "\">"
          + "<ei:venID>v</ei:venID></oadr:oadrPoll></oadr:oadrSignedObject>";
      String open = "<oadr:oadrPayload xmlns:oadr=\"" + OadrNamespaces.OADR + "\"";
      // General entity, parameter entity, external DTD.
      refused(Kind.MALFORMED, "<!DOCTYPE a [<!ENTITY e SYSTEM \"" + url + "\">]>" + open + ">&e;" + poll + "</oadr:oadrPayload>");
      refused(Kind.MALFORMED, "<!DOCTYPE a [<!ENTITY % p SYSTEM \"" + url + "\"> %p;]>" + open + ">" + poll + "</oadr:oadrPayload>");
      refused(Kind.MALFORMED, "<!DOCTYPE oadr:oadrPayload SYSTEM \"" + url + "\">" + open + ">" + poll + "</oadr:oadrPayload>");
      // XInclude is not processed: the include element is just content the schema refuses.
      refused(Kind.INVALID, open + " xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include href=\"" + url + "\"/>"
          + poll + "</oadr:oadrPayload>");
      // A schema location in the instance is ignored: the compiled schema is used, nothing is loaded.
      OadrPayload ok = xml.parse(bytes(open + " xmlns:xsi=\"" + OadrNamespaces.XSI + "\" xsi:schemaLocation=\""
          + OadrNamespaces.OADR + " " + url + "\">" + poll + "</oadr:oadrPayload>"));
      assertEquals("v", ok.getOadrSignedObject().getOadrPoll().getVenID());

      trap.setSoTimeout(300);
      assertThrows(SocketTimeoutException.class, () -> {
        try (Socket ignored = trap.accept()) {
          // a connection here would mean something was fetched
        }
      }, "the parser connected to " + url);
    }
  }

  @Test
  void billionLaughsIsRefusedQuickly() {
    StringBuilder doc = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
    for (int i = 1; i <= 9; i++) {
      doc.append("<!ENTITY lol").append(i).append(" \"");
      for (int j = 0; j < 10; j++) {
        doc.append(i == 1 ? "&lol;" : "&lol" + (i - 1) + ";");
      }
      doc.append("\">\n");
    }
    doc.append("]>\n<oadr:oadrPayload xmlns:oadr=\"").append(OadrNamespaces.OADR).append("\">&lol9;</oadr:oadrPayload>");
    long start = System.nanoTime();
    OadrXmlException e = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> refused(Kind.MALFORMED, doc.toString()));
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(millis < 500, "took " + millis + " ms");
    assertTrue(e.getMessage().contains("DOCTYPE"), e.getMessage());
  }

  @Test
  void oversizedBodyIsRefusedBeforeParsing() {
    byte[] poll = sample("oadrPoll.xml");
    byte[] atLimit = Arrays.copyOf(poll, xml.maxBytes());
    Arrays.fill(atLimit, poll.length, atLimit.length, (byte) ' ');
    assertEquals("VEN-3f09", xml.parse(atLimit).getOadrSignedObject().getOadrPoll().getVenID());

    byte[] over = Arrays.copyOf(atLimit, xml.maxBytes() + 1);
    over[over.length - 1] = ' ';
    OadrXmlException e = assertThrows(OadrXmlException.class, () -> xml.parse(over));
    assertEquals(Kind.TOO_LARGE, e.kind());
    assertTrue(e.getMessage().contains(Integer.toString(xml.maxBytes())), e.getMessage());
    assertEquals(Kind.TOO_LARGE, assertThrows(OadrXmlException.class, () -> xml.parse(new byte[64 << 20])).kind());
  }

  @Test
  void deepNestingAndAttributeFloodsAreRefused() {
    // ds:Object admits any content, so only the parser's own limits stop these.
    String head = "<oadr:oadrPayload xmlns:oadr=\"" + OadrNamespaces.OADR + "\" xmlns:ds=\"" + OadrNamespaces.DS + "\">"
        + "<ds:Signature><ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"urn:c\"/>"
        + "<ds:SignatureMethod Algorithm=\"urn:s\"/><ds:Reference><ds:DigestMethod Algorithm=\"urn:d\"/>"
        + "<ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:SignedInfo>"
        + "<ds:SignatureValue>AAAA</ds:SignatureValue><ds:Object>";
    String tail = "</ds:Object></ds:Signature><oadr:oadrSignedObject><oadr:oadrPoll xmlns:ei=\"" + OadrNamespaces.EI
        + "\"><ei:venID>v</ei:venID></oadr:oadrPoll></oadr:oadrSignedObject></oadr:oadrPayload>";
    assertNotNull(xml.parse(bytes(head + "<x><y/></x>" + tail)), "shallow content in ds:Object is fine");

    String deep = "<x>".repeat(5000) + "</x>".repeat(5000);
    OadrXmlException tooDeep = refused(Kind.MALFORMED, head + deep + tail);
    assertTrue(tooDeep.getMessage().contains("maxElementDepth") || tooDeep.getMessage().contains("depth"),
        tooDeep.getMessage());

    StringBuilder flood = new StringBuilder("<x");
    for (int i = 0; i < 2000; i++) {
      flood.append(" a").append(i).append("=\"1\"");
    }
    flood.append("/>");
    refused(Kind.MALFORMED, head + flood + tail);
  }

  @Test
  void nonXmlIsRefused() {
    for (String body : List.of("hello", "{\"venID\": \"VEN-3f09\"}", "<oadr:oadrPayload", "   ",
        "<oadr:oadrPayload xmlns:oadr=\"" + OadrNamespaces.OADR + "\"></oadr:oadrPayloadX>")) {
      OadrXmlException e = refused(Kind.MALFORMED, body);
      assertFalse(e.detail().isBlank());
    }
    assertEquals(Kind.MALFORMED, assertThrows(OadrXmlException.class, () -> xml.parse(new byte[0])).kind());
    assertEquals(Kind.MALFORMED, assertThrows(OadrXmlException.class, () -> xml.parse(null)).kind());
    byte[] binary = new byte[256];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) (i * 37 + 11);
    }
    assertEquals(Kind.MALFORMED, assertThrows(OadrXmlException.class, () -> xml.parse(binary)).kind());

    // Not UTF-8 although it says so.
    byte[] latin = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><oadr:oadrPayload xmlns:oadr=\"" + OadrNamespaces.OADR
        + "\"><!-- caf\u00e9 --></oadr:oadrPayload>").getBytes(StandardCharsets.ISO_8859_1);
    assertEquals(Kind.MALFORMED, assertThrows(OadrXmlException.class, () -> xml.parse(latin)).kind());

    // Truncated in the middle of a message: position given.
    String poll = text("oadrPoll.xml");
    OadrXmlException cut = refused(Kind.MALFORMED, poll.substring(0, poll.indexOf("</ei:venID>")));
    assertTrue(cut.line() > 1, "line " + cut.line());
  }

  @Test
  void schemaInvalidMessagesAreRefusedWithAClearMessage() {
    // Unknown element.
    OadrXmlException unknown = refused(Kind.INVALID,
        text("oadrPoll.xml").replace("<ei:venID>", "<ei:nickname>x</ei:nickname><ei:venID>"));
    assertTrue(unknown.getMessage().contains("ei:nickname"), unknown.getMessage());
    assertEquals(6, unknown.line());
    assertTrue(unknown.column() > 0);

    // Wrong order (transport name before profile name).
    OadrXmlException order = refused(Kind.INVALID, text("oadrCreatePartyRegistration.xml")
        .replace("<oadr:oadrProfileName>2.0b</oadr:oadrProfileName>", "PLACEHOLDER")
        .replace("<oadr:oadrTransportName>simpleHttp</oadr:oadrTransportName>",
            "<oadr:oadrTransportName>simpleHttp</oadr:oadrTransportName><oadr:oadrProfileName>2.0b</oadr:oadrProfileName>")
        .replace("PLACEHOLDER", ""));
    assertTrue(order.getMessage().contains("oadr:oadrTransportName"), order.getMessage());
    assertTrue(order.getMessage().contains("oadr:oadrProfileName"), order.getMessage());

    // Missing requestID.
    OadrXmlException noRequest = refused(Kind.INVALID, text("oadrQueryRegistration.xml")
        .replaceAll("<requestID[^>]*>[^<]*</requestID>", ""));
    assertTrue(noRequest.getMessage().contains("pyld:requestID"), noRequest.getMessage());

    // Missing venID.
    OadrXmlException noVen = refused(Kind.INVALID, text("oadrPoll.xml").replace("<ei:venID>VEN-3f09</ei:venID>", ""));
    assertTrue(noVen.getMessage().contains("ei:venID"), noVen.getMessage());
    OadrXmlException noVenInRequest = refused(Kind.INVALID,
        text("oadrRequestEvent.xml").replace("<ei:venID>VEN-3f09</ei:venID>", ""));
    assertTrue(noVenInRequest.getMessage().contains("ei:venID"), noVenInRequest.getMessage());

    // Values outside their types.
    OadrXmlException status = refused(Kind.INVALID, text("oadrDistributeEvent.xml").replace(">far<", ">started<"));
    assertTrue(status.getMessage().contains("'started'"), status.getMessage());
    assertTrue(status.getMessage().contains("/ei:eiEvent/ei:eventDescriptor/ei:eventStatus"), status.getMessage());
    refused(Kind.INVALID, text("oadrDistributeEvent.xml").replace(">level<", ">x-level<"));
    refused(Kind.INVALID, text("oadrDistributeEvent.xml").replace(">EUR<", ">EURO<"));
    refused(Kind.INVALID, text("oadrDistributeEvent.xml").replace("<ei:value>2.0</ei:value>", "<ei:value>two</ei:value>"));
    refused(Kind.INVALID, text("oadrDistributeEvent.xml").replace(">2025-06-11T16:00:00Z<", ">2025-06-11T16:00:00+02:00<"));
    refused(Kind.INVALID, text("oadrResponse.xml").replace(">200<", ">OK<"));
    refused(Kind.INVALID, text("oadrUpdateReport.xml").replace(">100<", ">101<"));
    refused(Kind.INVALID, text("oadrDistributeEvent.xml").replace(">always<", ">sometimes<"));
    refused(Kind.INVALID, text("oadrUpdateReport.xml").replace("Quality Good - Non Specific", "fine"));

    // Two messages in one signed object; a duplicated ID.
    refused(Kind.INVALID, text("oadrPoll.xml").replace("</oadr:oadrPoll>",
        "</oadr:oadrPoll><oadr:oadrPoll><ei:venID>again</ei:venID></oadr:oadrPoll>"));
    refused(Kind.INVALID, text("oadrPoll-signed.xml").replace("Id=\"replay-1\"", "Id=\"oadrSignedObject\""));

    // Right content, wrong namespace.
    refused(Kind.INVALID, text("oadrPoll.xml").replace("energyinterop/201110", "energyinterop/201111"));

    // Another root element, even a declared one.
    OadrXmlException root = refused(Kind.INVALID,
        "<ei:eiResponse xmlns:ei=\"" + OadrNamespaces.EI + "\"><ei:responseCode>200</ei:responseCode></ei:eiResponse>");
    assertTrue(root.getMessage().contains("oadr:oadrPayload"), root.getMessage());
    refused(Kind.INVALID, "<oadrPayload><oadrSignedObject/></oadrPayload>");
  }

  @Test
  void concurrentUseIsSafe() throws Exception {
    List<String> names = samples();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> runs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int offset = t;
        runs.add(pool.submit(() -> {
          int done = 0;
          for (int i = 0; i < 60; i++) {
            String name = names.get((i + offset) % names.size());
            byte[] written = xml.write(xml.parse(sample(name)));
            assertEquals(canonical(sample(name)), canonical(written), name);
            done++;
          }
          return done;
        }));
      }
      for (Future<Integer> run : runs) {
        assertEquals(60, run.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Timings

  @Test
  void timings() {
    OadrXml unvalidatedWriter = new OadrXml(OadrXml.DEFAULT_MAX_BYTES, false);
    Map<String, String> lines = new TreeMap<>();
    for (String sample : List.of("oadrDistributeEvent.xml", "oadrPoll.xml")) {
      byte[] body = sample(sample);
      OadrPayload payload = xml.parse(body);
      Validator validator = xml.schema().newValidator();
      double parse = micros(() -> xml.parse(body));
      double validate = micros(() -> {
        try {
          validator.validate(new StreamSource(new ByteArrayInputStream(body)));
          return null;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      double write = micros(() -> xml.write(payload));
      double writeUnchecked = micros(() -> unvalidatedWriter.write(payload));
      lines.put(sample, String.format(
          "%-24s %6d bytes: parse+validate+bind %7.1f us, validate only %7.1f us, write+validate %7.1f us, write only %7.1f us",
          sample, body.length, parse, validate, write, writeUnchecked));
      assertTrue(parse < 20_000 && write < 20_000, lines.get(sample));
    }
    lines.values().forEach(System.out::println);
  }

  private static double micros(Supplier<?> work) {
    // Warm up until the JIT has compiled the paths, as in a running VTN.
    for (int i = 0; i < 3000; i++) {
      work.get();
    }
    int rounds = 2000;
    long start = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      work.get();
    }
    return (System.nanoTime() - start) / 1000.0 / rounds;
  }

  // ---------------------------------------------------------------------------------------------
  // Cross-check with the official OpenADR 2.0b schema (only where its files were put in /tmp)

  @Test
  void officialSchemaAcceptsTheSamplesAndWhatWeWrite() throws Exception {
    Assumptions.assumeTrue(Files.isRegularFile(OFFICIAL), "official 2.0b schema not in " + OFFICIAL.getParent());
    SchemaFactory factory = SchemaFactory.newDefaultInstance();
    Schema official = factory.newSchema(OFFICIAL.toFile());
    Map<String, byte[]> documents = new TreeMap<>();
    for (String sample : samples()) {
      documents.put("sample " + sample, sample(sample));
      documents.put("written " + sample, xml.write(xml.parse(sample(sample))));
    }
    documents.put("built oadrDistributeEvent", xml.write(distributeEvent()));
    documents.put("built oadrResponse", xml.write(response("poll-1", "VEN-3f09")));

    List<String> failures = new ArrayList<>();
    for (Map.Entry<String, byte[]> doc : documents.entrySet()) {
      try {
        official.newValidator().validate(new StreamSource(new ByteArrayInputStream(doc.getValue())));
      } catch (Exception e) {
        failures.add(doc.getKey() + ": " + e.getMessage());
      }
    }
    System.out.printf("official 2.0b schema: %d of %d documents valid%n",
        documents.size() - failures.size(), documents.size());
    failures.forEach(System.out::println);
    assertEquals(List.of(), failures);

    // And what the official schema refuses, ours refuses too.
    for (String bad : List.of(
        text("oadrPoll.xml").replace("<ei:venID>VEN-3f09</ei:venID>", ""),
        text("oadrDistributeEvent.xml").replace(">far<", ">started<"),
        text("oadrDistributeEvent.xml").replace(">PT3H<", ">P1W<"),
        text("oadrCreatedPartyRegistration.xml").replace(">EUR<", ">XYZ<").replace("<oadr:oadrProfiles>", "<oadr:oadrProfilez>"))) {
      assertThrows(Exception.class,
          () -> official.newValidator().validate(new StreamSource(new ByteArrayInputStream(bytes(bad)))));
      assertThrows(OadrXmlException.class, () -> xml.parse(bytes(bad)));
    }
  }

  /**
   * Every sample mutated every way we can think of (each element removed, duplicated, swapped
   * with its next sibling, or its text replaced): ours and the official schema must agree on
   * every variant. The one allowed difference: inside an Atom feed (Green Button data) ours
   * accepts what the official schema's ESPI rules refuse.
   */
  @Test
  void officialSchemaAndOursAgreeOnMutatedSamples() throws Exception {
    Assumptions.assumeTrue(Files.isRegularFile(OFFICIAL), "official 2.0b schema not in " + OFFICIAL.getParent());
    Schema official = SchemaFactory.newDefaultInstance().newSchema(OFFICIAL.toFile());
    Schema ours = xml.schema();
    int variants = 0;
    List<String> disagreements = new ArrayList<>();
    for (String sample : samples()) {
      byte[] original = sample(sample);
      int count = elements(dom(original)).size();
      for (int index = 1; index < count; index++) {
        for (Mutation mutation : Mutation.values()) {
          Document doc = dom(original);
          Element target = elements(doc).get(index);
          if (!mutation.apply(target)) {
            continue;
          }
          byte[] variant = serialize(doc);
          boolean officialAccepts = validates(official, variant);
          boolean oursAccepts = validates(ours, variant);
          variants++;
          boolean inFeed = insideAtomFeed(target);
          if (officialAccepts != oursAccepts && !(inFeed && oursAccepts)) {
            disagreements.add(sample + ": " + mutation + " " + target.getLocalName()
                + " -> official " + officialAccepts + ", ours " + oursAccepts);
          }
        }
      }
    }
    System.out.printf("mutated samples: %d variants, %d disagreements with the official schema%n",
        variants, disagreements.size());
    assertTrue(variants > 2000, "variants " + variants);
    assertEquals(List.of(), disagreements);
  }

  private enum Mutation {
    REMOVE, DUPLICATE, SWAP_WITH_NEXT, RETEXT;

    boolean apply(Element e) {
      Node parent = e.getParentNode();
      switch (this) {
        case REMOVE -> parent.removeChild(e);
        case DUPLICATE -> parent.insertBefore(e.cloneNode(true), e);
        case SWAP_WITH_NEXT -> {
          Node next = e.getNextSibling();
          while (next != null && next.getNodeType() != Node.ELEMENT_NODE) {
            next = next.getNextSibling();
          }
          if (next == null) {
            return false;
          }
          parent.insertBefore(next, e);
        }
        case RETEXT -> {
          if (e.getElementsByTagNameNS("*", "*").getLength() > 0 || e.getTextContent().isBlank()) {
            return false;
          }
          e.setTextContent("x-bogus value");
        }
      }
      return true;
    }
  }

  private static boolean insideAtomFeed(Element e) {
    for (Node n = e; n != null; n = n.getParentNode()) {
      if (OadrNamespaces.ATOM.equals(n.getNamespaceURI())) {
        return true;
      }
    }
    return false;
  }

  private static boolean validates(Schema schema, byte[] doc) {
    try {
      schema.newValidator().validate(new StreamSource(new ByteArrayInputStream(doc)));
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static List<Element> elements(Document doc) {
    org.w3c.dom.NodeList all = doc.getElementsByTagNameNS("*", "*");
    List<Element> out = new ArrayList<>(all.getLength());
    for (int i = 0; i < all.getLength(); i++) {
      out.add((Element) all.item(i));
    }
    return out;
  }

  private static byte[] serialize(Document doc) throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    javax.xml.transform.TransformerFactory.newDefaultInstance().newTransformer()
        .transform(new javax.xml.transform.dom.DOMSource(doc), new javax.xml.transform.stream.StreamResult(out));
    return out.toByteArray();
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static OadrPayload distributeEvent() {
    var ei = new io.loadshift.vtn.oadr20b.xml.ei.ObjectFactory();
    var power = new io.loadshift.vtn.oadr20b.xml.power.ObjectFactory();
    var oadr = new io.loadshift.vtn.oadr20b.xml.oadr.ObjectFactory();

    EventDescriptorType descriptor = new EventDescriptorType();
    descriptor.setEventID("EV-built-1");
    descriptor.setModificationNumber(0);
    EventDescriptorType.EiMarketContext market = new EventDescriptorType.EiMarketContext();
    market.setMarketContext("https://programs.loadshift.io/flex-dispatch");
    descriptor.setEiMarketContext(market);
    descriptor.setCreatedDateTime(utc("2025-06-10T11:00:00Z"));
    descriptor.setEventStatus(EventStatusEnumeratedType.NEAR);

    Properties properties = new Properties();
    properties.setDtstart(dtstart("2025-06-10T12:00:00Z"));
    properties.setDuration(duration("PT1H"));
    properties.setXEiNotification(duration("PT30M"));
    EiActivePeriodType period = new EiActivePeriodType();
    period.setProperties(properties);

    Intervals intervals = new Intervals();
    float[] setpoints = {-100f, -250f};
    for (int i = 0; i < setpoints.length; i++) {
      PayloadFloatType value = new PayloadFloatType();
      value.setValue(setpoints[i]);
      SignalPayloadType payload = new SignalPayloadType();
      payload.setPayloadBase(ei.createPayloadFloat(value));
      IntervalType interval = new IntervalType();
      interval.setDuration(duration("PT30M"));
      Uid uid = new Uid();
      uid.setText(Integer.toString(i));
      interval.setUid(uid);
      interval.getStreamPayloadBase().add(ei.createSignalPayload(payload));
      intervals.getInterval().add(interval);
    }
    PowerRealType unit = new PowerRealType();
    unit.setItemDescription("RealPower");
    unit.setItemUnits("W");
    unit.setSiScaleCode(SiScaleCodeType.KILO);
    PowerAttributesType attributes = new PowerAttributesType();
    attributes.setHertz(new java.math.BigDecimal("50"));
    attributes.setVoltage(new java.math.BigDecimal("230"));
    attributes.setAc(true);
    unit.setPowerAttributes(attributes);

    EiEventSignalType signal = new EiEventSignalType();
    signal.setIntervals(intervals);
    signal.setSignalName(SignalNameEnumeratedType.LOAD_DISPATCH.value());
    signal.setSignalType(SignalTypeEnumeratedType.SETPOINT);
    signal.setSignalID("SIG-built-1");
    signal.setItemBase(power.createPowerReal(unit));
    CurrentValueType current = new CurrentValueType();
    PayloadFloatType zero = new PayloadFloatType();
    current.setPayloadFloat(zero);
    signal.setCurrentValue(current);

    EiEventSignalsType signals = new EiEventSignalsType();
    signals.getEiEventSignal().add(signal);
    EiTargetType target = new EiTargetType();
    target.getVenID().add("VEN-3f09");
    target.getResourceID().add("battery-west-1");

    EiEventType event = new EiEventType();
    event.setEventDescriptor(descriptor);
    event.setEiActivePeriod(period);
    event.setEiEventSignals(signals);
    event.setEiTarget(target);

    OadrDistributeEventType.OadrEvent wrapped = new OadrDistributeEventType.OadrEvent();
    wrapped.setEiEvent(event);
    wrapped.setOadrResponseRequired(ResponseRequiredType.ALWAYS);

    CurrencyType price = new CurrencyType();
    price.setItemDescription(CurrencyItemDescriptionType.CURRENCY_PER_K_WH);
    price.setItemUnits(ISO3AlphaCurrencyCodeContentType.EUR);
    price.setSiScaleCode(SiScaleCodeType.NONE);
    JAXBElement<CurrencyType> priceUnit = oadr.createCurrencyPerKWh(price);
    assertNotNull(priceUnit);

    OadrDistributeEventType distribute = new OadrDistributeEventType();
    distribute.setSchemaVersion(SchemaVersionEnumeratedType.V2_0B.value());
    distribute.setRequestID("dist-built-1");
    distribute.setVtnID("loadshift-vtn");
    distribute.getOadrEvent().add(wrapped);
    return payload(s -> s.setOadrDistributeEvent(distribute));
  }

  private static OadrPayload response(String requestId, String venId) {
    EiResponseType result = new EiResponseType();
    result.setResponseCode("200");
    result.setResponseDescription("OK");
    result.setRequestID(requestId);
    OadrResponseType response = new OadrResponseType();
    response.setSchemaVersion("2.0b");
    response.setEiResponse(result);
    response.setVenID(venId);
    return payload(s -> s.setOadrResponse(response));
  }

  private static OadrPayload payload(java.util.function.Consumer<OadrSignedObject> message) {
    OadrSignedObject signed = new OadrSignedObject();
    signed.setId("oadrSignedObject");
    message.accept(signed);
    OadrPayload payload = new OadrPayload();
    payload.setOadrSignedObject(signed);
    return payload;
  }

  private static Dtstart dtstart(String instant) {
    Dtstart start = new Dtstart();
    start.setDateTime(utc(instant));
    return start;
  }

  private static DurationPropType duration(String value) {
    DurationPropType duration = new DurationPropType();
    duration.setDuration(value);
    return duration;
  }

  private static XMLGregorianCalendar utc(String instant) {
    try {
      return DatatypeFactory.newInstance().newXMLGregorianCalendar(instant);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static float signalValue(IntervalType interval) {
    SignalPayloadType payload = (SignalPayloadType) interval.getStreamPayloadBase().get(0).getValue();
    return ((PayloadFloatType) payload.getPayloadBase().getValue()).getValue();
  }

  /** Names of the messages set in a signed object (exactly one in a valid payload). */
  private static Set<String> presentMessages(OadrSignedObject signed) {
    Set<String> present = new TreeSet<>();
    for (var method : OadrSignedObject.class.getMethods()) {
      String name = method.getName();
      if (name.startsWith("getOadr") && method.getParameterCount() == 0) {
        try {
          if (method.invoke(signed) != null) {
            present.add("o" + name.substring(4));
          }
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return present;
  }

  private static OadrXmlException refused(Kind kind, String body) {
    OadrXmlException e = assertThrows(OadrXmlException.class, () -> xml.parse(bytes(body)));
    assertEquals(kind, e.kind(), e.getMessage());
    return e;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(String sample) {
    return new String(sample(sample), StandardCharsets.UTF_8);
  }

  private static byte[] sample(String name) {
    try (InputStream in = Oadr20bSchemaTest.class.getClassLoader().getResourceAsStream(SAMPLES + name)) {
      assertNotNull(in, name);
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A form of a document that two semantically equal messages share: element and attribute
   * names by namespace (not prefix), in order; namespace declarations, comments and
   * indentation left out; numbers compared as numbers; base64 without line breaks.
   */
  static String canonical(byte[] document) {
    StringBuilder out = new StringBuilder();
    canonical(dom(document).getDocumentElement(), out, 0);
    return out.toString();
  }

  private static Document dom(byte[] document) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newDefaultInstance();
      factory.setNamespaceAware(true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      return factory.newDocumentBuilder().parse(new ByteArrayInputStream(document));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void canonical(Element element, StringBuilder out, int depth) {
    String indent = "  ".repeat(depth);
    out.append(indent).append('{').append(String.valueOf(element.getNamespaceURI())).append('}')
        .append(element.getLocalName());
    NamedNodeMap attributes = element.getAttributes();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < attributes.getLength(); i++) {
      Attr attr = (Attr) attributes.item(i);
      if (!XMLConstants.XMLNS_ATTRIBUTE_NS_URI.equals(attr.getNamespaceURI())) {
        names.add("{" + attr.getNamespaceURI() + "}" + attr.getLocalName() + "=" + attr.getValue());
      }
    }
    names.sort(null);
    out.append(' ').append(names).append('\n');
    StringBuilder text = new StringBuilder();
    for (Node child = element.getFirstChild(); child != null; child = child.getNextSibling()) {
      if (child.getNodeType() == Node.ELEMENT_NODE) {
        canonical((Element) child, out, depth + 1);
      } else if (child.getNodeType() == Node.TEXT_NODE || child.getNodeType() == Node.CDATA_SECTION_NODE) {
        text.append(child.getNodeValue());
      }
    }
    String value = OadrNamespaces.DS.equals(element.getNamespaceURI())
        ? text.toString().replaceAll("\\s+", "")
        : text.toString().trim().replaceAll("\\s+", " ");
    if (value.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?") && !value.matches("\\d{5,}")) {
      value = Float.toString(Float.parseFloat(value));
    }
    if (!value.isEmpty()) {
      out.append(indent).append("  = ").append(value).append('\n');
    }
  }
}
