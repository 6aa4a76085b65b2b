package io.loadshift.vtn.oadr20b;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.ValidatorHandler;

import org.w3c.dom.ls.LSInput;
import org.w3c.dom.ls.LSResourceResolver;
import org.xml.sax.Attributes;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.Locator;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.XMLReader;
import org.xml.sax.helpers.XMLFilterImpl;

import io.loadshift.vtn.oadr20b.OadrXmlException.Kind;
import io.loadshift.vtn.oadr20b.xml.oadr.OadrPayload;
import jakarta.xml.bind.JAXBContext;
import jakarta.xml.bind.JAXBException;
import jakarta.xml.bind.MarshalException;
import jakarta.xml.bind.Marshaller;
import jakarta.xml.bind.Unmarshaller;
import jakarta.xml.bind.UnmarshallerHandler;
import jakarta.xml.bind.ValidationEvent;

/**
 * Reads and writes OpenADR 2.0b messages (oadrPayload documents).
 *
 * <p>Reading refuses a body over the size limit before looking at it, then parses
 * it with a hardened SAX parser (any DOCTYPE is refused, so no DTD, no entity of
 * any kind and no external access; secure processing on; entity, depth and
 * attribute limits set) while validating it against the schema in {@code xsd/}
 * and binding it to the generated classes, in one pass. Writing marshals with the
 * usual OpenADR prefixes (oadr:, ei:, pyld:, emix:, xcal:, strm:, power:,
 * scale:) and, unless turned off, validates what it writes against the same
 * schema.
 *
 * <p>An instance is thread-safe and meant to be shared: the JAXB context and the
 * compiled schema are built once (a few hundred milliseconds), and every call
 * uses its own parser, validator and (un)marshaller. {@link #shared()} gives one
 * with the default settings.
 *
 * <p>Signatures: the object read is a binding of the message, not its bytes; a
 * check of the ds:Signature must be made on the bytes received.
 */
public final class OadrXml {

  /** Default limit on the size of a message read: 1 MiB. */
  public static final int DEFAULT_MAX_BYTES = 1 << 20;

  /** Where the schema files are on the class path. */
  static final String SCHEMA_DIR = "oadr20b/xsd/";
  /** The schema file that imports all the others that validation uses. */
  static final String ROOT_SCHEMA = "oadr.xsd";
  private static final Set<String> SCHEMA_FILES = Set.of(
      "oadr.xsd", "ei.xsd", "pyld.xsd", "emix.xsd", "power.xsd", "siscale.xsd", "xcal.xsd",
      "strm.xsd", "gml.xsd", "atom.xsd", "xmldsig.xsd", "currency.xsd");

  /** Deepest nesting accepted; 2.0b messages nest about 15 deep, Green Button data a little more. */
  static final int MAX_ELEMENT_DEPTH = 100;
  /** Most attributes (namespace declarations included) on one element. */
  static final int MAX_ATTRIBUTES = 256;

  private static final String PREFIX_MAPPER_PROPERTY = "org.glassfish.jaxb.namespacePrefixMapper";
  private static final OadrNamespaces.PrefixMapper PREFIX_MAPPER = new OadrNamespaces.PrefixMapper();

  private final JAXBContext context;
  private final Schema schema;
  private final SAXParserFactory parsers;
  private final int maxBytes;
  private final boolean validateOnWrite;

  /** A reader/writer with the default size limit that validates what it writes. */
  public OadrXml() {
    this(DEFAULT_MAX_BYTES, true);
  }

  /**
   * @param maxBytes largest body {@link #parse} accepts
   * @param validateOnWrite whether {@link #write} validates what it writes
   */
  public OadrXml(int maxBytes, boolean validateOnWrite) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
    }
    this.maxBytes = maxBytes;
    this.validateOnWrite = validateOnWrite;
    this.schema = compileSchema();
    this.parsers = hardenedParsers();
    try {
      this.context = JAXBContext.newInstance(
          io.loadshift.vtn.oadr20b.xml.oadr.ObjectFactory.class,
          io.loadshift.vtn.oadr20b.xml.ei.ObjectFactory.class,
          io.loadshift.vtn.oadr20b.xml.pyld.ObjectFactory.class,
          io.loadshift.vtn.oadr20b.xml.emix.ObjectFactory.class,
          io.loadshift.vtn.oadr20b.xml.power.ObjectFactory.class,
          io.loadshift.vtn.oadr20b.xml.scale.ObjectFactory.class,
          io.loadshift.vtn.oadr20b.xml.xcal.ObjectFactory.class,
          io.loadshift.vtn.oadr20b.xml.strm.ObjectFactory.class,
          io.loadshift.vtn.oadr20b.xml.gml.ObjectFactory.class,
          io.loadshift.vtn.oadr20b.xml.atom.ObjectFactory.class,
          io.loadshift.vtn.oadr20b.xml.dsig.ObjectFactory.class,
          io.loadshift.vtn.oadr20b.xml.dsp.ObjectFactory.class,
          io.loadshift.vtn.oadr20b.xml.iso4217.ObjectFactory.class);
    } catch (JAXBException e) {
      throw new IllegalStateException("cannot build the OpenADR 2.0b JAXB context", e);
    }
  }

  /** One instance with the default settings, built on first use. */
  public static OadrXml shared() {
    return Shared.INSTANCE;
  }

  private static final class Shared {
    static final OadrXml INSTANCE = new OadrXml();
  }

  public int maxBytes() {
    return maxBytes;
  }

  /** The compiled 2.0b schema (thread-safe), for callers that validate other XML. */
  public Schema schema() {
    return schema;
  }

  public JAXBContext context() {
    return context;
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  /**
   * Parses, validates and binds one message.
   *
   * @throws OadrXmlException if the body is too large, not well-formed XML, carries a DOCTYPE,
   *     or is not a schema-valid oadrPayload
   */
  public OadrPayload parse(byte[] body) {
    if (body == null || body.length == 0) {
      throw new OadrXmlException(Kind.MALFORMED, "empty body", -1, -1, null);
    }
    if (body.length > maxBytes) {
      throw new OadrXmlException(Kind.TOO_LARGE,
          "body of " + body.length + " bytes exceeds the limit of " + maxBytes + " bytes", -1, -1, null);
    }
    UnmarshallerHandler binder;
    ValidatorHandler validator;
    RootFilter filter;
    try {
      Unmarshaller unmarshaller = context.createUnmarshaller();
      // Validation comes first; anything JAXB still objects to is refused too.
      unmarshaller.setEventHandler(event -> event.getSeverity() == ValidationEvent.WARNING);
      binder = unmarshaller.getUnmarshallerHandler();
      validator = schema.newValidatorHandler();
      validator.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      validator.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
      filter = new RootFilter(newReader());
      validator.setErrorHandler(new Refuser(Kind.INVALID, filter));
      validator.setContentHandler(binder);
      filter.setContentHandler(validator);
      filter.setErrorHandler(new Refuser(Kind.MALFORMED, null));
      // Set on the filter: parsing through it installs the filter as the reader's resolver.
      filter.setEntityResolver((publicId, systemId) -> {
        throw new SAXException("external entities are not allowed (" + systemId + ")");
      });
    } catch (JAXBException | SAXException | ParserConfigurationException e) {
      throw new IllegalStateException("cannot set up the OpenADR 2.0b parser", e);
    }

    try {
      filter.parse(new InputSource(new ByteArrayInputStream(body)));
      Object result = binder.getResult();
      if (result instanceof OadrPayload payload) {
        return payload;
      }
      throw new OadrXmlException(Kind.INVALID, "the root element is not oadr:oadrPayload", -1, -1, null);
    } catch (Refusal refusal) {
      throw refusal.error;
    } catch (SAXParseException e) {
      // Reported without going through an error handler: treat as the parser's.
      throw new OadrXmlException(Kind.MALFORMED, readable(e.getMessage()),
          e.getLineNumber(), e.getColumnNumber(), e);
    } catch (SAXException e) {
      if (e.getException() instanceof Refusal refusal) {
        throw refusal.error;
      }
      Locator at = filter.locator();
      throw new OadrXmlException(Kind.INVALID, readable(e.getMessage()),
          at == null ? -1 : at.getLineNumber(), at == null ? -1 : at.getColumnNumber(), e);
    } catch (IOException e) {
      // Bytes that are not text in the declared (or detected) encoding.
      Locator at = filter.locator();
      throw new OadrXmlException(Kind.MALFORMED, "unreadable characters: " + e.getMessage(),
          at == null ? -1 : at.getLineNumber(), at == null ? -1 : at.getColumnNumber(), e);
    } catch (JAXBException | IllegalStateException e) {
      throw new OadrXmlException(Kind.INVALID, "could not bind the message: " + e.getMessage(), -1, -1, e);
    }
  }

  private XMLReader newReader() throws SAXException, ParserConfigurationException {
    SAXParser parser;
    synchronized (parsers) {
      parser = parsers.newSAXParser();
    }
    XMLReader reader = parser.getXMLReader();
    reader.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    reader.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    // With DOCTYPE refused no entity can be declared; these limits hold even so.
    reader.setProperty("jdk.xml.entityExpansionLimit", "100");
    reader.setProperty("jdk.xml.entityReplacementLimit", "10000");
    reader.setProperty("jdk.xml.maxGeneralEntitySizeLimit", "10000");
    reader.setProperty("jdk.xml.maxParameterEntitySizeLimit", "10000");
    reader.setProperty("jdk.xml.totalEntitySizeLimit", "100000");
    reader.setProperty("jdk.xml.maxElementDepth", Integer.toString(MAX_ELEMENT_DEPTH));
    reader.setProperty("jdk.xml.elementAttributeLimit", Integer.toString(MAX_ATTRIBUTES));
    return reader;
  }

  private static SAXParserFactory hardenedParsers() {
    // The JDK's own parser, whatever else is on the class path: the limits above are its properties.
    SAXParserFactory factory = SAXParserFactory.newDefaultInstance();
    factory.setNamespaceAware(true);
    factory.setValidating(false);
    factory.setXIncludeAware(false);
    try {
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
      factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    } catch (ParserConfigurationException | SAXException e) {
      throw new IllegalStateException("cannot harden the XML parser", e);
    }
    return factory;
  }

  /** Validator messages name elements as {"uri":local}; this shows prefix:local instead. */
  private static String readable(String message) {
    if (message != null && message.contains("disallow-doctype-decl")) {
      return "DOCTYPE declarations (DTDs, entities) are not allowed";
    }
    return OadrNamespaces.shortenNames(message);
  }

  /** Carries a refusal out of the SAX pipeline. */
  private static final class Refusal extends SAXException {
    private static final long serialVersionUID = 1L;
    private final transient OadrXmlException error;

    Refusal(OadrXmlException error) {
      super(error.getMessage());
      this.error = error;
    }
  }

  /** Turns the first error reported by the parser or by the validator into a refusal. */
  private static final class Refuser implements ErrorHandler {
    private final Kind kind;
    private final RootFilter where;

    /** @param where when given, the element path it tracks is added to the message */
    Refuser(Kind kind, RootFilter where) {
      this.kind = kind;
      this.where = where;
    }

    @Override
    public void warning(SAXParseException e) {
      // Warnings do not make a message unacceptable.
    }

    @Override
    public void error(SAXParseException e) throws SAXException {
      throw refusal(e);
    }

    @Override
    public void fatalError(SAXParseException e) throws SAXException {
      throw refusal(e);
    }

    private Refusal refusal(SAXParseException e) {
      String detail = readable(e.getMessage());
      if (where != null && !where.path.isEmpty()) {
        detail = detail + " (in " + where.path() + ")";
      }
      return new Refusal(new OadrXmlException(kind, detail, e.getLineNumber(), e.getColumnNumber(), e));
    }
  }

  /**
   * Refuses any root element but oadr:oadrPayload as soon as it starts, and keeps the path
   * of open elements for error messages.
   */
  private static final class RootFilter extends XMLFilterImpl {
    private final ArrayDeque<String> path = new ArrayDeque<>();
    private Locator locator;
    private boolean rootSeen;

    RootFilter(XMLReader parent) {
      super(parent);
    }

    Locator locator() {
      return locator;
    }

    /** The open elements, as /oadr:oadrPayload/oadr:oadrSignedObject/... */
    String path() {
      StringBuilder out = new StringBuilder();
      for (Iterator<String> names = path.descendingIterator(); names.hasNext(); ) {
        out.append('/').append(names.next());
      }
      return out.toString();
    }

    @Override
    public void setDocumentLocator(Locator locator) {
      this.locator = locator;
      super.setDocumentLocator(locator);
    }

    @Override
    public void startElement(String uri, String localName, String qName, Attributes atts)
        throws SAXException {
      if (!rootSeen) {
        rootSeen = true;
        if (!OadrNamespaces.OADR.equals(uri) || !"oadrPayload".equals(localName)) {
          String found = uri == null || uri.isEmpty() ? localName : "{" + uri + "}" + localName;
          throw new Refusal(new OadrXmlException(Kind.INVALID,
              "the root element must be oadr:oadrPayload (" + OadrNamespaces.OADR + "), not " + found,
              locator == null ? -1 : locator.getLineNumber(),
              locator == null ? -1 : locator.getColumnNumber(), null));
        }
      }
      String prefix = OadrNamespaces.PREFIXES.get(uri);
      path.push(prefix != null ? prefix + ":" + localName : qName);
      super.startElement(uri, localName, qName, atts);
    }

    @Override
    public void endElement(String uri, String localName, String qName) throws SAXException {
      super.endElement(uri, localName, qName);
      path.pop();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  /**
   * Writes one message as UTF-8 XML.
   *
   * @throws OadrXmlException of kind INVALID if the message does not conform to the schema
   *     (checked unless this instance was built not to)
   */
  public byte[] write(OadrPayload payload) {
    Objects.requireNonNull(payload, "payload");
    AtomicReference<ValidationEvent> firstProblem = new AtomicReference<>();
    try {
      Marshaller marshaller = context.createMarshaller();
      marshaller.setProperty(Marshaller.JAXB_ENCODING, "UTF-8");
      marshaller.setProperty(PREFIX_MAPPER_PROPERTY, PREFIX_MAPPER);
      if (validateOnWrite) {
        marshaller.setSchema(schema);
      }
      marshaller.setEventHandler(event -> {
        if (event.getSeverity() == ValidationEvent.WARNING) {
          return true;
        }
        firstProblem.compareAndSet(null, event);
        return false;
      });
      ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
      marshaller.marshal(payload, out);
      return out.toByteArray();
    } catch (MarshalException e) {
      ValidationEvent problem = firstProblem.get();
      String detail = problem != null ? problem.getMessage() : e.getMessage();
      if (detail == null && e.getLinkedException() != null) {
        detail = e.getLinkedException().getMessage();
      }
      throw new OadrXmlException(Kind.INVALID, "refusing to write: " + readable(detail), -1, -1, e);
    } catch (JAXBException e) {
      throw new IllegalStateException("cannot write an OpenADR 2.0b message", e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Schema

  private static Schema compileSchema() {
    SchemaFactory factory = SchemaFactory.newDefaultInstance();
    try {
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      factory.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    } catch (SAXException e) {
      throw new IllegalStateException("cannot harden the schema factory", e);
    }
    // Imports are served from the class path, and from nowhere else.
    factory.setResourceResolver(new ClassPathSchemas());
    URL root = schemaResource(ROOT_SCHEMA);
    try (InputStream in = root.openStream()) {
      return factory.newSchema(new StreamSource(in, root.toExternalForm()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + root, e);
    } catch (SAXException e) {
      throw new IllegalStateException("the OpenADR 2.0b schema does not compile", e);
    }
  }

  private static URL schemaResource(String file) {
    URL url = OadrXml.class.getClassLoader().getResource(SCHEMA_DIR + file);
    if (url == null) {
      throw new IllegalStateException("schema file " + SCHEMA_DIR + file + " is not on the class path");
    }
    return url;
  }

  /** Resolves the schema's imports to its own files on the class path. */
  private static final class ClassPathSchemas implements LSResourceResolver {
    @Override
    public LSInput resolveResource(String type, String namespaceUri, String publicId, String systemId,
        String baseUri) {
      if (systemId == null) {
        return null;
      }
      String file = systemId.substring(systemId.lastIndexOf('/') + 1);
      if (!SCHEMA_FILES.contains(file)) {
        return null;
      }
      URL url = schemaResource(file);
      try {
        return new SchemaInput(url.toExternalForm(), publicId, url.openStream().readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + url, e);
      }
    }
  }

  /** A schema document held in memory. */
  private static final class SchemaInput implements LSInput {
    private final String systemId;
    private final String publicId;
    private final byte[] bytes;

    SchemaInput(String systemId, String publicId, byte[] bytes) {
      this.systemId = systemId;
      this.publicId = publicId;
      this.bytes = bytes;
    }

    @Override public Reader getCharacterStream() { return null; }
    @Override public void setCharacterStream(Reader characterStream) { }
    @Override public InputStream getByteStream() { return new ByteArrayInputStream(bytes); }
    @Override public void setByteStream(InputStream byteStream) { }
    @Override public String getStringData() { return null; }
    @Override public void setStringData(String stringData) { }
    @Override public String getSystemId() { return systemId; }
    @Override public void setSystemId(String systemId) { }
    @Override public String getPublicId() { return publicId; }
    @Override public void setPublicId(String publicId) { }
    @Override public String getBaseURI() { return systemId; }
    @Override public void setBaseURI(String baseUri) { }
    @Override public String getEncoding() { return null; }
    @Override public void setEncoding(String encoding) { }
    @Override public boolean getCertifiedText() { return false; }
    @Override public void setCertifiedText(boolean certifiedText) { }
  }
}
