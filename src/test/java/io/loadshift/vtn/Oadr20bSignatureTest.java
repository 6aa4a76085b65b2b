package io.loadshift.vtn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadshift.vtn.testing.Oadr20bTestVen;
import io.loadshift.vtn.testing.Oadr20bTestVen.Answer;
import io.loadshift.vtn.testing.TestDatabase;
import io.loadshift.vtn.testing.TestCerts;
import io.loadshift.vtn.testing.TestVtn;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.xml.XMLConstants;
import javax.xml.crypto.dom.DOMStructure;
import javax.xml.crypto.dsig.CanonicalizationMethod;
import javax.xml.crypto.dsig.DigestMethod;
import javax.xml.crypto.dsig.Reference;
import javax.xml.crypto.dsig.SignatureMethod;
import javax.xml.crypto.dsig.SignedInfo;
import javax.xml.crypto.dsig.Transform;
import javax.xml.crypto.dsig.XMLObject;
import javax.xml.crypto.dsig.XMLSignatureFactory;
import javax.xml.crypto.dsig.dom.DOMSignContext;
import javax.xml.crypto.dsig.spec.C14NMethodParameterSpec;
import javax.xml.crypto.dsig.spec.TransformParameterSpec;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * With VTN_OADR20B_VERIFY_SIGNATURES on and mutual TLS: messages of a certificate-identified VEN
 * are acted on only when signed with that certificate's key over the oadrSignedObject and a fresh
 * ReplayProtect; unsigned, tampered, wrongly keyed, replayed and stale messages are answered with
 * 403 and change nothing. A VEN identified by bearer token is not signature-checked.
 */
class Oadr20bSignatureTest {
  static final String V = "/openadr3/3.1.0";
  static final String OADR = "http://openadr.org/oadr-2.0b/2012/07";
  static final String DSP = "http://openadr.org/oadr-2.0b/2012/07/xmldsig-properties";
  @TempDir
  static Path certs;
  static Vertx vertx;
  static TestVtn vtn;
  static WebClient anonymous;
  static String admin;
  static String grid;
  static PrivateKey venKey;

  @BeforeAll
  static void start() throws Exception {
    TestCerts.generate(certs, "ven-1");
    vertx = Vertx.vertx();
    Map<String, String> env = Map.of(
        "VTN_TLS_CERT_FILE", certs.resolve("server.crt").toString(),
        "VTN_TLS_KEY_FILE", certs.resolve("server.key").toString(),
        "VTN_TLS_CLIENT_CA_FILE", certs.resolve("ca.crt").toString(),
        "VTN_TLS_CLIENT_AUTH", "request",
        "VTN_OADR20B_VERIFY_SIGNATURES", "true");
    vtn = TestVtn.start(TestDatabase.create(), env, List.of(), true);
    anonymous = tlsClient(null);
    admin = Oadr20bSecurityTest.token(anonymous, TestVtn.ADMIN_ID, TestVtn.ADMIN_SECRET);
    grid = client("utility", "Grid Co").getString("token");
    String pem = Files.readString(certs.resolve("ven-1.key"));
    byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    venKey = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
  }

  @AfterAll
  static void stop() throws Exception {
    vtn.close();
    vertx.close();
  }

  @Test
  void signedMessagesOfTheCertificateVenAreAcceptedAndBadOnesRefusedChangingNothing() throws Exception {
    String fingerprint = Files.readString(certs.resolve("ven-1.fingerprint")).trim();
    JsonObject venClient = client("ven", "signing ven client");
    HttpResponse<Buffer> made = TestVtn.await(anonymous.post(V + "/vens").bearerTokenAuthentication(grid)
        .sendJsonObject(new JsonObject().put("objectType", "BL_VEN_REQUEST").put("venName", "sig-ven-1")
            .put("clientID", venClient.getString("clientId")).put("attributes", new JsonArray()
                .add(new JsonObject().put("type", "OADR_CERT_FINGERPRINT").put("values", new JsonArray().add(fingerprint))))));
    assertEquals(201, made.statusCode(), made.bodyAsString());
    String venId = made.bodyAsJsonObject().getString("id");
    Oadr20bTestVen ven = new Oadr20bTestVen(tlsClient("ven-1"), null, "sig-ven-1");
    String register = Oadr20bTestVen.createPartyRegistration("sig-ven-1", null, null, true, null);
    PrivateKey other = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate();

    // Bad registrations: refused with 403, the VEN stays unregistered.
    assertRefused(ven.post("EiRegisterParty", register), "unsigned");
    assertRefused(ven.post("EiRegisterParty", tamper(sign(register, venKey, now(), nonce()))), "tampered");
    assertRefused(ven.post("EiRegisterParty", sign(register, other, now(), nonce())), "another key");
    assertRefused(ven.post("EiRegisterParty", sign(register, venKey, now().minusMinutes(10), nonce())), "stale");
    assertRefused(ven.post("EiRegisterParty", sign(register, venKey, now().plusMinutes(10), nonce())), "future");
    assertNull(registration(venId), "nothing stored by refused registrations");

    Answer registered = ven.post("EiRegisterParty", sign(register, venKey, now(), nonce()));
    assertEquals("200", registered.code(), registered.body());
    assertEquals(venId, registered.message().getOadrCreatedPartyRegistration().getVenID());
    String registrationId = registered.message().getOadrCreatedPartyRegistration().getRegistrationID();
    assertEquals(registrationId, registration(venId));

    // The same signed registration again: its nonce was seen.
    String once = sign(Oadr20bTestVen.createPartyRegistration("sig-ven-1", venId, registrationId, true, null),
        venKey, now(), nonce());
    assertEquals("200", ven.post("EiRegisterParty", once).code());
    assertRefused(ven.post("EiRegisterParty", once), "replayed registration");

    // Bad polls: refused, and the VTN's pending oadrRegisterReport is still there for the good one.
    String poll = Oadr20bTestVen.pollBody(venId);
    assertRefused(ven.post("OadrPoll", poll), "unsigned poll");
    assertRefused(ven.post("OadrPoll", tamper(sign(poll, venKey, now(), nonce()))), "tampered poll");
    assertRefused(ven.post("OadrPoll", sign(poll, other, now(), nonce())), "poll with another key");
    assertRefused(ven.post("OadrPoll", sign(poll, venKey, now().minusMinutes(6), nonce())), "stale poll");
    String signedPoll = sign(poll, venKey, now(), nonce());
    Answer first = ven.post("OadrPoll", signedPoll);
    assertNotNull(first.message().getOadrRegisterReport(), "the pending report, untouched by refusals: " + first.body());
    assertRefused(ven.post("OadrPoll", signedPoll), "replayed poll");
    Answer second = ven.post("OadrPoll", sign(poll, venKey, now(), nonce()));
    assertNotNull(second.message().getOadrResponse(), "a fresh signed poll, nothing more pending: " + second.body());
    assertEquals("200", second.code());
  }

  @Test
  void aVenIdentifiedByItsTokenIsNotSignatureChecked() {
    JsonObject venClient = client("ven", "token ven client");
    HttpResponse<Buffer> made = TestVtn.await(anonymous.post(V + "/vens").bearerTokenAuthentication(grid)
        .sendJsonObject(new JsonObject().put("objectType", "BL_VEN_REQUEST").put("venName", "sig-token-ven")
            .put("clientID", venClient.getString("clientId"))));
    assertEquals(201, made.statusCode(), made.bodyAsString());
    Oadr20bTestVen ven = new Oadr20bTestVen(anonymous, venClient.getString("token"), "sig-token-ven");
    Answer registered = ven.register();
    assertEquals("200", registered.code(), registered.body());
    assertNotNull(ven.poll().message().getOadrResponse());
  }

  // ---------------------------------------------------------------------------------------------

  static void assertRefused(Answer a, String what) {
    assertEquals(200, a.status(), what + ": " + a.body());
    assertEquals("403", a.code(), what + ": " + a.body());
    assertTrue(a.description().startsWith("Signature refused"), what + ": " + a.body());
  }

  static OffsetDateTime now() {
    return OffsetDateTime.now(ZoneOffset.UTC);
  }

  static String nonce() {
    return UUID.randomUUID().toString();
  }

  /** Changes one byte inside the signed venName or venID (the last digit or letter before its end tag). */
  static String tamper(String signed) {
    int end = signed.indexOf("</ei:venID>");
    if (end < 0) {
      end = signed.indexOf("</oadrVenName>");
    }
    char c = signed.charAt(end - 1);
    return signed.substring(0, end - 1) + (c == 'x' ? 'y' : 'x') + signed.substring(end);
  }

  /** Signs as a 2.0b VEN does: the oadrSignedObject and a ReplayProtect, RSA-SHA256, exclusive c14n. */
  static String sign(String xml, PrivateKey key, OffsetDateTime timestamp, String nonce) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    Element root = doc.getDocumentElement();
    Element signed = (Element) root.getElementsByTagNameNS(OADR, "oadrSignedObject").item(0);
    // Declared as attributes, as a serializer writes them, so that what is signed is what is sent.
    signed.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:oadr", OADR);
    signed.setAttributeNS(OADR, "oadr:Id", "signedObject");
    Element replay = doc.createElementNS(DSP, "dsp:ReplayProtect");
    replay.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:dsp", DSP);
    Element ts = doc.createElementNS(DSP, "dsp:timestamp");
    ts.setTextContent(timestamp.toString());
    Element n = doc.createElementNS(DSP, "dsp:nonce");
    n.setTextContent(nonce);
    replay.appendChild(ts);
    replay.appendChild(n);

    XMLSignatureFactory fac = XMLSignatureFactory.getInstance("DOM");
    DigestMethod sha256 = fac.newDigestMethod(DigestMethod.SHA256, null);
    List<Transform> exc = List.of(fac.newTransform(CanonicalizationMethod.EXCLUSIVE, (TransformParameterSpec) null));
    Reference object = fac.newReference("#signedObject", sha256, exc, null, null);
    Reference props = fac.newReference("#prop", sha256, exc, null, null);
    SignedInfo info = fac.newSignedInfo(
        fac.newCanonicalizationMethod(CanonicalizationMethod.EXCLUSIVE, (C14NMethodParameterSpec) null),
        fac.newSignatureMethod(SignatureMethod.RSA_SHA256, null), List.of(object, props));
    XMLObject obj = fac.newXMLObject(List.of(fac.newSignatureProperties(List.of(
        fac.newSignatureProperty(List.of(new DOMStructure(replay)), "#sig", "prop")), null)), null, null, null);
    DOMSignContext context = new DOMSignContext(key, root, signed);
    context.setIdAttributeNS(signed, OADR, "Id");
    fac.newXMLSignature(info, null, List.of(obj), "sig", null).sign(context);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TransformerFactory.newInstance().newTransformer().transform(new DOMSource(doc), new StreamResult(out));
    return out.toString(StandardCharsets.UTF_8);
  }

  static String registration(String venId) {
    HttpResponse<Buffer> r = TestVtn.await(anonymous.get("/oadr20b/vens/" + venId).bearerTokenAuthentication(grid).send());
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("registrationID");
  }

  static JsonObject client(String role, String name) {
    HttpResponse<Buffer> r = TestVtn.await(anonymous.post("/admin/clients").bearerTokenAuthentication(admin)
        .sendJsonObject(new JsonObject().put("role", role).put("name", name)));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject c = r.bodyAsJsonObject();
    return c.put("token", Oadr20bSecurityTest.token(anonymous, c.getString("clientId"), c.getString("clientSecret")));
  }

  static WebClient tlsClient(String ven) {
    return TestCerts.client(vertx, certs, ven, vtn.port());
  }
}
