package io.loadshift.vtn.oadr20b;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.glassfish.jaxb.runtime.marshaller.NamespacePrefixMapper;

/** The namespaces of OpenADR 2.0b messages and the prefixes this VTN writes them with. */
public final class OadrNamespaces {

  public static final String OADR = "http://openadr.org/oadr-2.0b/2012/07";
  public static final String EI = "http://docs.oasis-open.org/ns/energyinterop/201110";
  public static final String PYLD = "http://docs.oasis-open.org/ns/energyinterop/201110/payloads";
  public static final String EMIX = "http://docs.oasis-open.org/ns/emix/2011/06";
  public static final String POWER = "http://docs.oasis-open.org/ns/emix/2011/06/power";
  public static final String SCALE = "http://docs.oasis-open.org/ns/emix/2011/06/siscale";
  public static final String XCAL = "urn:ietf:params:xml:ns:icalendar-2.0";
  public static final String STRM = "urn:ietf:params:xml:ns:icalendar-2.0:stream";
  public static final String GML = "http://www.opengis.net/gml/3.2";
  public static final String ATOM = "http://www.w3.org/2005/Atom";
  public static final String DS = "http://www.w3.org/2000/09/xmldsig#";
  public static final String DSP = "http://openadr.org/oadr-2.0b/2012/07/xmldsig-properties";
  public static final String ISO4217 = "urn:un:unece:uncefact:codelist:standard:5:ISO42173A:2010-04-07";
  public static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";

  /** Namespace URI to the prefix written for it. */
  public static final Map<String, String> PREFIXES;

  static {
    Map<String, String> prefixes = new LinkedHashMap<>();
    prefixes.put(OADR, "oadr");
    prefixes.put(EI, "ei");
    prefixes.put(PYLD, "pyld");
    prefixes.put(EMIX, "emix");
    prefixes.put(XCAL, "xcal");
    prefixes.put(STRM, "strm");
    prefixes.put(POWER, "power");
    prefixes.put(SCALE, "scale");
    prefixes.put(GML, "gml");
    prefixes.put(ATOM, "atom");
    prefixes.put(DS, "ds");
    prefixes.put(DSP, "dsp");
    prefixes.put(ISO4217, "clm5ISO42173A");
    prefixes.put(XSI, "xsi");
    PREFIXES = Map.copyOf(prefixes);
  }

  /** Namespaces declared on the root of every written message, whether used or not. */
  private static final String[] PREDECLARED = {OADR, EI, PYLD, EMIX, XCAL, STRM, POWER, SCALE, XSI};

  /** A validator's list of expected names: {"uri":local, "uri":local, ...}, or a single name. */
  private static final Pattern NAME_LIST = Pattern.compile("\\{(\"[^\"]*\":[^,}]+(?:, *\"[^\"]*\":[^,}]+)*)}");
  private static final Pattern EXPANDED_NAME = Pattern.compile("\"([^\"]*)\":([^,}]+)");

  private OadrNamespaces() {
  }

  /**
   * Rewrites the <code>{"namespace-uri":local}</code> names in a schema validator's
   * message as <code>prefix:local</code>, which people read more easily.
   */
  static String shortenNames(String message) {
    if (message == null) {
      return "";
    }
    Matcher list = NAME_LIST.matcher(message);
    StringBuilder out = new StringBuilder();
    while (list.find()) {
      Matcher name = EXPANDED_NAME.matcher(list.group(1));
      StringBuilder names = new StringBuilder();
      while (name.find()) {
        String prefix = PREFIXES.get(name.group(1));
        String shown = prefix == null ? "{" + name.group(1) + "}" + name.group(2) : prefix + ":" + name.group(2);
        name.appendReplacement(names, Matcher.quoteReplacement(shown));
      }
      name.appendTail(names);
      list.appendReplacement(out, Matcher.quoteReplacement(names.toString()));
    }
    list.appendTail(out);
    return out.toString();
  }

  /** Gives the JAXB marshaller the prefixes above. */
  static final class PrefixMapper extends NamespacePrefixMapper {

    @Override
    public String getPreferredPrefix(String namespaceUri, String suggestion, boolean requirePrefix) {
      String prefix = PREFIXES.get(namespaceUri);
      return prefix != null ? prefix : suggestion;
    }

    @Override
    public String[] getPreDeclaredNamespaceUris() {
      return PREDECLARED.clone();
    }
  }
}
