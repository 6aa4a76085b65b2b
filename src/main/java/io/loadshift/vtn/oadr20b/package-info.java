/**
 * OpenADR 2.0b over XML: reading and writing oadrPayload messages.
 *
 * <p>The schema is in {@code xsd/} at the project root, one file per namespace
 * ({@code oadr.xsd} imports the rest). At build time Java classes are generated
 * from it into {@code target/generated-sources/oadr20b}, one package per namespace:
 * <ul>
 *   <li>{@code io.loadshift.vtn.oadr20b.xml.oadr}: oadrPayload, oadrSignedObject and
 *       every payload ({@code OadrDistributeEventType}, {@code OadrPollType}, ...),
 *       report and registration parts, OpenADR's own units (currency, ...)</li>
 *   <li>{@code ...xml.ei}: events, signals, targets, responses, opts, report payloads</li>
 *   <li>{@code ...xml.pyld}: requestID, eiRequestEvent, eiCreatedEvent</li>
 *   <li>{@code ...xml.emix}, {@code ...xml.power}, {@code ...xml.scale}: market context,
 *       grid locations and units (powerReal, energyReal, ...), SI scale</li>
 *   <li>{@code ...xml.xcal}, {@code ...xml.strm}: date-times, durations, intervals</li>
 *   <li>{@code ...xml.dsig}, {@code ...xml.dsp}: XML signature and ReplayProtect</li>
 *   <li>{@code ...xml.gml}, {@code ...xml.atom}, {@code ...xml.iso4217}: service areas,
 *       Green Button feeds, currency codes</li>
 * </ul>
 *
 * <p>{@link io.loadshift.vtn.oadr20b.OadrXml} parses a request body (size limit,
 * hardened parser, schema validation) and writes responses; a refusal is an
 * {@link io.loadshift.vtn.oadr20b.OadrXmlException} saying whether the body was too
 * large, malformed or not valid 2.0b. Units, signal payloads and report payloads are
 * substitution groups and come as {@code JAXBElement}s: build them with the
 * {@code ObjectFactory} of their package (for example
 * {@code new io.loadshift.vtn.oadr20b.xml.power.ObjectFactory().createPowerReal(unit)}).
 * Values the schema keeps open to {@code x-} extensions (signalName, reportType,
 * readingType, optReason, oadrDataQuality, schemaVersion) are strings; the
 * enumerations such as {@code SignalNameEnumeratedType} give the standard values.
 */
package io.loadshift.vtn.oadr20b;
