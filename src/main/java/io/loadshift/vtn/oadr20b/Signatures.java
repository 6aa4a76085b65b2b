package io.loadshift.vtn.oadr20b;

import java.io.ByteArrayInputStream;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.xml.XMLConstants;
import javax.xml.crypto.dsig.CanonicalizationMethod;
import javax.xml.crypto.dsig.Reference;
import javax.xml.crypto.dsig.SignatureMethod;
import javax.xml.crypto.dsig.SignedInfo;
import javax.xml.crypto.dsig.XMLSignature;
import javax.xml.crypto.dsig.XMLSignatureFactory;
import javax.xml.crypto.dsig.dom.DOMValidateContext;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Checks the ds:Signature of a 2.0b message against the sender's certificate key, on the bytes
 * received: the signature must sit in oadrPayload next to oadrSignedObject, sign that element
 * (referenced by its Id) and a dsp:ReplayProtect (a second reference), use exclusive c14n and
 * RSA-SHA256 or ECDSA-SHA256, and validate with secure validation on. The ReplayProtect timestamp
 * must lie within the window of now, and its nonce must not have been seen within the window (held
 * in memory, at most {@code maxNonces}; when full of live nonces, messages are refused rather than
 * a nonce forgotten early).
 */
final class Signatures {
  private static final String DS = XMLSignature.XMLNS;
  private static final Set<String> METHODS = Set.of(SignatureMethod.RSA_SHA256, SignatureMethod.ECDSA_SHA256);

  private final DocumentBuilderFactory builders = hardenedBuilders();
  private final XMLSignatureFactory signatures = XMLSignatureFactory.getInstance("DOM");
  private final Duration window;
  private final int maxNonces;
  private final Clock clock;
  /** Nonce to when it may be forgotten; insertion order is expiry order (a fixed window from now). */
  private final LinkedHashMap<String, Instant> nonces = new LinkedHashMap<>();

  Signatures(Duration window, int maxNonces, Clock clock) {
    this.window = window;
    this.maxNonces = maxNonces;
    this.clock = clock;
  }

  /** Refuses (with {@link ResponseCode#FORBIDDEN}) a message not signed as described above. */
  void verify(byte[] bytes, PublicKey key) {
    Document doc = parse(bytes);
    Element root = doc.getDocumentElement();
    if (!OadrNamespaces.OADR.equals(root.getNamespaceURI()) || !"oadrPayload".equals(root.getLocalName())) {
      throw refused("the message is not an oadrPayload");
    }
    Element signature = null;
    Element signed = null;
    for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e) {
        if (DS.equals(e.getNamespaceURI()) && "Signature".equals(e.getLocalName()) && signature == null) {
          signature = e;
        } else if (OadrNamespaces.OADR.equals(e.getNamespaceURI()) && "oadrSignedObject".equals(e.getLocalName())
            && signed == null) {
          signed = e;
        } else {
          throw refused("oadrPayload holds an unexpected " + e.getLocalName());
        }
      }
    }
    if (signature == null) {
      throw refused("the message carries no ds:Signature");
    }
    if (signed == null) {
      throw refused("the message carries no oadrSignedObject");
    }
    Map<String, Element> ids = registerIds(root);
    String signedId = idOf(signed);
    if (signedId == null) {
      throw refused("oadrSignedObject has no Id for the signature to reference");
    }
    XMLSignature sig;
    boolean valid;
    try {
      DOMValidateContext context = new DOMValidateContext(key, signature);
      context.setProperty("org.jcp.xml.dsig.secureValidation", Boolean.TRUE);
      sig = signatures.unmarshalXMLSignature(context);
      SignedInfo info = sig.getSignedInfo();
      if (!CanonicalizationMethod.EXCLUSIVE.equals(info.getCanonicalizationMethod().getAlgorithm())) {
        throw refused("the signature must use exclusive canonicalization");
      }
      if (!METHODS.contains(info.getSignatureMethod().getAlgorithm())) {
        throw refused("the signature must be RSA-SHA256 or ECDSA-SHA256");
      }
      valid = sig.validate(context);
      if (!valid) {
        for (Object o : info.getReferences()) {
          Reference r = (Reference) o;
          if (!r.validate(context)) {
            throw refused("the digest of " + r.getURI() + " does not match what was signed");
          }
        }
      }
    } catch (OadrRefusal e) {
      throw e;
    } catch (Exception e) {
      throw refused("the signature could not be checked (" + e.getClass().getSimpleName() + ")");
    }
    if (!valid) {
      throw refused("the signature does not verify with the key of the client certificate");
    }
    boolean signsObject = false;
    Element replay = null;
    for (Object o : sig.getSignedInfo().getReferences()) {
      String uri = ((Reference) o).getURI();
      if (uri == null || !uri.startsWith("#")) {
        continue;
      }
      Element target = ids.get(uri.substring(1));
      if (target == signed) {
        signsObject = true;
      } else if (target != null && isInside(target, signature)) {
        NodeList found = target.getElementsByTagNameNS(OadrNamespaces.DSP, "ReplayProtect");
        if (DSP_REPLAY.equals(qname(target))) {
          replay = target;
        } else if (found.getLength() == 1) {
          replay = (Element) found.item(0);
        }
      }
    }
    if (!signsObject) {
      throw refused("the signature does not reference the oadrSignedObject");
    }
    if (replay == null) {
      throw refused("the signature does not reference a dsp:ReplayProtect");
    }
    checkReplay(replay);
  }

  private static final String DSP_REPLAY = "{" + OadrNamespaces.DSP + "}ReplayProtect";

  private static String qname(Element e) {
    return "{" + e.getNamespaceURI() + "}" + e.getLocalName();
  }

  private void checkReplay(Element replay) {
    String timestamp = text(replay, "timestamp");
    String nonce = text(replay, "nonce");
    if (timestamp == null || nonce == null || nonce.isEmpty()) {
      throw refused("dsp:ReplayProtect needs a timestamp and a nonce");
    }
    Instant at;
    try {
      at = OffsetDateTime.parse(timestamp).toInstant();
    } catch (DateTimeParseException e) {
      throw refused("the dsp:ReplayProtect timestamp is not a dateTime with an offset");
    }
    Instant now = clock.instant();
    if (at.isBefore(now.minus(window)) || at.isAfter(now.plus(window))) {
      throw refused("the dsp:ReplayProtect timestamp is not within " + window.toSeconds() + " seconds of now");
    }
    synchronized (nonces) {
      Iterator<Instant> it = nonces.values().iterator();
      while (it.hasNext() && !it.next().isAfter(now)) {
        it.remove();
      }
      if (nonces.containsKey(nonce)) {
        throw refused("the dsp:ReplayProtect nonce was used before");
      }
      if (nonces.size() >= maxNonces) {
        throw refused("too many signed messages in the replay window; try again later");
      }
      // Kept for twice the window: a timestamp may be up to one window ahead of now.
      nonces.put(nonce, now.plus(window).plus(window));
    }
  }

  private static String text(Element parent, String local) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && OadrNamespaces.DSP.equals(e.getNamespaceURI()) && local.equals(e.getLocalName())) {
        return e.getTextContent().trim();
      }
    }
    return null;
  }

  private static boolean isInside(Node node, Element ancestor) {
    for (Node n = node; n != null; n = n.getParentNode()) {
      if (n == ancestor) {
        return true;
      }
    }
    return false;
  }

  private static String idOf(Element e) {
    NamedNodeMap attrs = e.getAttributes();
    for (int i = 0; i < attrs.getLength(); i++) {
      Attr a = (Attr) attrs.item(i);
      if ("Id".equals(a.getLocalName())) {
        return a.getValue();
      }
    }
    return null;
  }

  /** Marks every Id attribute (unqualified or oadr:Id) as an ID; a value used twice is refused. */
  private static Map<String, Element> registerIds(Element root) {
    Map<String, Element> ids = new HashMap<>();
    Set<String> seen = new HashSet<>();
    NodeList all = root.getElementsByTagName("*");
    List<Element> elements = new java.util.ArrayList<>(all.getLength() + 1);
    elements.add(root);
    for (int i = 0; i < all.getLength(); i++) {
      elements.add((Element) all.item(i));
    }
    for (Element e : elements) {
      NamedNodeMap attrs = e.getAttributes();
      for (int i = 0; i < attrs.getLength(); i++) {
        Attr a = (Attr) attrs.item(i);
        if ("Id".equals(a.getLocalName())) {
          if (!seen.add(a.getValue())) {
            throw refused("the Id '" + a.getValue() + "' is used twice");
          }
          e.setIdAttributeNode(a, true);
          ids.put(a.getValue(), e);
        }
      }
    }
    return ids;
  }

  private Document parse(byte[] bytes) {
    try {
      DocumentBuilder builder = builders.newDocumentBuilder();
      builder.setErrorHandler(null);
      return builder.parse(new ByteArrayInputStream(bytes));
    } catch (Exception e) {
      throw refused("the message could not be read for its signature");
    }
  }

  private static DocumentBuilderFactory hardenedBuilders() {
    DocumentBuilderFactory f = DocumentBuilderFactory.newDefaultInstance();
    f.setNamespaceAware(true);
    f.setValidating(false);
    f.setXIncludeAware(false);
    f.setExpandEntityReferences(false);
    try {
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature("http://xml.org/sax/features/external-general-entities", false);
      f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("cannot harden the XML parser", e);
    }
    f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    return f;
  }

  private static OadrRefusal refused(String why) {
    return new OadrRefusal(ResponseCode.FORBIDDEN, "Signature refused: " + why + "; the message was not acted on.");
  }
}
