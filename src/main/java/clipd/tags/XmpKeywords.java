package clipd.tags;

import org.w3c.dom.Attr;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The keywords of one XMP packet, changed by editing the text of clipd's own properties and nothing else, so every
 * other property, prefix, list type, comment and byte stays as the other app wrote it. clipd writes each tag where
 * the common readers look for it:
 * <ul>
 *   <li>{@code dc:subject}: flat names, read by nearly everything (exiftool's XMP:Subject);</li>
 *   <li>{@code lr:hierarchicalSubject}: {@code clipd|tag}, read first by Lightroom and darktable;</li>
 *   <li>{@code digiKam:TagsList}: {@code clipd/tag}, read first by digiKam (and by Immich);</li>
 *   <li>{@code MicrosoftPhoto:LastKeywordXMP}: flat names, for Windows.</li>
 * </ul>
 * Which flat keywords are clipd's own is recorded in the packet itself ({@code clipd:Keywords}), so re-tagging and
 * untagging touch exactly those, even for a photo whose index was lost; the hierarchical entries under the
 * {@code clipd} root are clipd's by their name. A keyword a person already had is never claimed.
 */
public final class XmpKeywords {
    static final String NS_DC = "http://purl.org/dc/elements/1.1/";
    static final String NS_LIGHTROOM = "http://ns.adobe.com/lightroom/1.0/";
    static final String NS_DIGIKAM = "http://www.digikam.org/ns/1.0/";
    static final String NS_MICROSOFT_PHOTO = "http://ns.microsoft.com/photo/1.0/";
    static final String NS_CLIPD = "https://clipd.dev/ns/xmp/1.0/";
    static final String NS_META = "adobe:ns:meta/";
    static final String ROOT = "clipd";
    /** The toolkit named in packets clipd creates (an existing packet keeps the one that wrote it). */
    static final String TOOLKIT = "clipd";

    /** A keyword array: where it lives, the prefix clipd declares for it, and how a tag is spelled in it. */
    enum Field {
        SUBJECT(NS_DC, "dc", "subject", ""),
        HIERARCHICAL(NS_LIGHTROOM, "lr", "hierarchicalSubject", ROOT + "|"),
        DIGIKAM(NS_DIGIKAM, "digiKam", "TagsList", ROOT + "/"),
        WINDOWS(NS_MICROSOFT_PHOTO, "MicrosoftPhoto", "LastKeywordXMP", ""),
        OWN(NS_CLIPD, "clipd", "Keywords", ""),
        /** The photo's IPTC keywords that clipd copied into the dc:subject it created, so untag takes them out. */
        COPIED(NS_CLIPD, "clipd", "FromIptc", "");

        final String ns;
        final String prefix;
        final String name;
        final String spelling;

        Field(String ns, String prefix, String name, String spelling) {
            this.ns = ns;
            this.prefix = prefix;
            this.name = name;
            this.spelling = spelling;
        }

        /**
         * New arrays are unordered bags, as the XMP specification defines dc:subject and as exiftool, Lightroom and
         * digiKam write it; digiKam writes its TagsList as a Seq. An existing array keeps its container (a Seq
         * dc:subject from Apple's Photos, or for PhotoPrism, which reads only Seq, stays a Seq).
         */
        String newContainer() {
            return this == DIGIKAM ? "Seq" : "Bag";
        }

        static boolean owned(Node n) {
            if (NS_CLIPD.equals(n.getNamespaceURI())) {
                return true;
            }
            for (Field f : values()) {
                if (XmpText.is(n, f.ns, f.name)) {
                    return true;
                }
            }
            return false;
        }
    }

    private static final String NEW_BODY = "<x:xmpmeta xmlns:x=\"" + NS_META + "\" x:xmptk=\"" + TOOLKIT + "\">\n"
            + " <rdf:RDF xmlns:rdf=\"" + XmpText.NS_RDF + "\">\n"
            + "  <rdf:Description rdf:about=\"\">\n"
            + "  </rdf:Description>\n"
            + " </rdf:RDF>\n"
            + "</x:xmpmeta>";
    static final String PACKET_BEGIN = "<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n";
    static final String PACKET_END = "<?xpacket end=\"w\"?>";

    private final boolean created;
    private XmpText xml;

    private XmpKeywords(XmpText xml, boolean created) {
        this.xml = xml;
        this.created = created;
    }

    /**
     * Parses a packet (or a sidecar's whole text); null or blank gives a new packet. Only XML that is not
     * well-formed is refused here; what cannot be edited safely is refused when an edit is asked for.
     */
    public static XmpKeywords parse(String packet) throws IOException {
        boolean created = packet == null || packet.isBlank();
        return new XmpKeywords(XmpText.parse(created ? NEW_BODY : packet), created);
    }

    /** The flat keywords (dc:subject), whoever wrote them. */
    public List<String> keywords() {
        return items(Field.SUBJECT);
    }

    /** The flat keywords clipd wrote. */
    public List<String> own() {
        return items(Field.OWN);
    }

    List<String> hierarchical() {
        return items(Field.HIERARCHICAL);
    }

    List<String> digiKamTags() {
        return items(Field.DIGIKAM);
    }

    List<String> windowsKeywords() {
        return items(Field.WINDOWS);
    }

    /** Makes clipd's keywords exactly {@code tags}; returns whether the packet changed. */
    public boolean retag(List<String> tags) throws IOException {
        return retag(tags, List.of());
    }

    /**
     * Makes clipd's keywords exactly {@code tags}. {@code iptc} are the photo's IPTC keywords, a person's, never
     * claimed as clipd's. A reader following the Metadata Working Group's guidance (exiftool's MWG Keywords,
     * Lightroom) shows IPTC keywords only while the photo has no dc:subject; so when clipd creates dc:subject it
     * copies them in first (and records which, so untagging takes them out again). An existing dc:subject already
     * is what such readers show, and is left to its author.
     *
     * @throws RefusedException when the packet cannot be edited without changing anything else
     */
    public boolean retag(List<String> tags, List<String> iptc) throws IOException {
        Set<String> own = new LinkedHashSet<>(own());
        Set<String> wanted = new LinkedHashSet<>(tags);
        Set<String> personal = new LinkedHashSet<>(keywords());
        personal.addAll(iptc);
        Set<String> newOwn = new LinkedHashSet<>();
        for (String t : own) {
            if (wanted.contains(t)) {
                newOwn.add(t);
            }
        }
        for (String t : wanted) {
            if (!personal.contains(t)) {
                newOwn.add(t);
            }
        }
        boolean changed = false;
        for (Field f : new Field[] {Field.SUBJECT, Field.WINDOWS}) {
            List<String> values = new ArrayList<>(items(f));
            values.removeIf(v -> own.contains(v) && !wanted.contains(v));
            addMissing(values, newOwn, "");
            if (f == Field.SUBJECT) {
                changed |= set(Field.COPIED, copyIptc(values, newOwn, iptc));
            }
            changed |= set(f, values);
        }
        for (Field f : new Field[] {Field.HIERARCHICAL, Field.DIGIKAM}) {
            List<String> values = new ArrayList<>(items(f));
            values.removeIf(v -> v.startsWith(f.spelling) && !wanted.contains(v.substring(f.spelling.length())));
            addMissing(values, wanted, f.spelling);
            changed |= set(f, values);
        }
        changed |= set(Field.OWN, new ArrayList<>(newOwn));
        return changed;
    }

    /** Puts the IPTC keywords first into a dc:subject clipd creates, or takes them out with clipd's; the copies. */
    private List<String> copyIptc(List<String> subject, Set<String> newOwn, List<String> iptc) {
        List<String> copied = items(Field.COPIED);
        if (newOwn.isEmpty()) {
            subject.removeAll(copied);
            return List.of();
        }
        if (!keywords().isEmpty() || iptc.isEmpty()) {
            return copied;
        }
        List<String> copies = iptc.stream().filter(k -> !subject.contains(k)).toList();
        subject.addAll(0, copies);
        return copies;
    }

    /** Removes every keyword clipd wrote; returns whether the packet changed. */
    public boolean untag() throws IOException {
        return retag(List.of());
    }

    /** Whether clipd created this packet (its toolkit) and it is empty now: removing it restores the photo. */
    boolean createdByClipdAndEmpty() {
        Element meta = xml.doc.getDocumentElement();
        return XmpText.is(meta, NS_META, "xmpmeta") && TOOLKIT.equals(meta.getAttributeNS(NS_META, "xmptk"))
                && isEmpty();
    }

    /** Whether the packet holds no property at all (a sidecar clipd may then delete). */
    public boolean isEmpty() {
        Element rdf = xml.rdf();
        if (rdf == null) {
            return true;
        }
        for (Element d : XmpText.children(rdf)) {
            NamedNodeMap attributes = d.getAttributes();
            for (int i = 0; i < attributes.getLength(); i++) {
                Node a = attributes.item(i);
                if (!XmpText.NS_XMLNS.equals(a.getNamespaceURI()) && !XmpText.is(a, XmpText.NS_RDF, "about")) {
                    return false;
                }
            }
            if (!XmpText.children(d).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The packet as text. A packet clipd created gets the xpacket wrapper and padding inside a file (so that other
     * apps can edit it in place) and none as a sidecar, since the whole file is the packet; an existing packet
     * keeps its own.
     */
    public String serialize(boolean embedded) {
        if (!created) {
            return xml.text;
        }
        return embedded ? PACKET_BEGIN + xml.text + "\n" + JpegXmp.padding(JpegXmp.NEW_PADDING) + PACKET_END
                : xml.text + "\n";
    }

    /**
     * Every statement of the packet outside clipd's fields, in document order, with resolved namespaces and without
     * the whitespace between elements: two packets with the same text here mean the same to every reader.
     */
    String outsideOwnFields() {
        StringBuilder out = new StringBuilder();
        describe(xml.doc.getDocumentElement(), out, xml.rdf());
        return out.toString();
    }

    private static void describe(Element e, StringBuilder out, Element rdf) {
        out.append('<').append(e.getNamespaceURI()).append(' ').append(e.getLocalName());
        NamedNodeMap attributes = e.getAttributes();
        List<String> attrs = new ArrayList<>();
        boolean description = e.getParentNode() == rdf;
        for (int i = 0; i < attributes.getLength(); i++) {
            Attr a = (Attr) attributes.item(i);
            if (!XmpText.NS_XMLNS.equals(a.getNamespaceURI()) && !(description && Field.owned(a))) {
                attrs.add(a.getNamespaceURI() + " " + a.getLocalName() + "=" + a.getValue());
            }
        }
        attrs.sort(null);
        out.append(attrs).append('>');
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c) {
                if (!(description && Field.owned(c))) {
                    describe(c, out, rdf);
                }
            } else if (n.getNodeType() == Node.TEXT_NODE || n.getNodeType() == Node.CDATA_SECTION_NODE) {
                if (!n.getNodeValue().isBlank()) {
                    out.append('"').append(n.getNodeValue()).append('"');
                }
            }
        }
        out.append("</>");
    }

    private List<String> items(Field f) {
        List<String> values = new ArrayList<>();
        Element rdf = xml.rdf();
        if (rdf == null) {
            return values;
        }
        for (Element d : XmpText.children(rdf)) {
            for (Element p : XmpText.children(d)) {
                if (XmpText.is(p, f.ns, f.name)) {
                    for (Element container : XmpText.children(p)) {
                        for (Element li : XmpText.children(container)) {
                            values.add(li.getTextContent());
                        }
                    }
                }
            }
            if (d.hasAttributeNS(f.ns, f.name)) {
                values.add(d.getAttributeNS(f.ns, f.name));
            }
        }
        return values;
    }

    private static void addMissing(List<String> values, Iterable<String> tags, String spelling) {
        for (String t : tags) {
            if (!values.contains(spelling + t)) {
                values.add(spelling + t);
            }
        }
    }

    /** Makes the field hold exactly {@code values}, by replacing the text of that one property. */
    private boolean set(Field f, List<String> values) throws IOException {
        if (values.equals(items(f))) {
            return false;
        }
        Element rdf = xml.rdf();
        if (rdf == null) {
            throw new RefusedException("its XMP has no RDF, so clipd cannot tell where keywords go");
        }
        checkPlainXmp(rdf);
        Element property = property(rdf, f);
        String text = xml.text;
        String edited;
        if (property != null && values.isEmpty()) {
            XmpText.Span s = xml.span(property);
            int from = s.start();
            while (from > 0 && Character.isWhitespace(text.charAt(from - 1))) {
                from--;
            }
            edited = text.substring(0, from) + text.substring(s.end());
        } else if (property != null) {
            edited = replaceItems(property, values);
        } else {
            edited = insert(rdf, f, values);
        }
        xml = XmpText.parse(edited);
        if (!items(f).equals(values)) {
            throw new RefusedException("its XMP has a layout clipd cannot edit without changing it");
        }
        return true;
    }

    /**
     * XMP is a restricted RDF: one resource, described by rdf:Description elements that all have the same
     * rdf:about. Anything more general (node ids, typed nodes, several resources) is refused, since an edit could
     * not be placed without guessing what it describes.
     */
    private void checkPlainXmp(Element rdf) throws RefusedException {
        String about = null;
        for (Element d : XmpText.children(rdf)) {
            if (!XmpText.is(d, XmpText.NS_RDF, "Description") || d.hasAttributeNS(XmpText.NS_RDF, "nodeID")
                    || d.hasAttributeNS(XmpText.NS_RDF, "ID")) {
                throw new RefusedException(GENERAL_RDF);
            }
            String a = d.getAttributeNS(XmpText.NS_RDF, "about");
            if (about != null && !about.equals(a)) {
                throw new RefusedException(GENERAL_RDF);
            }
            about = a;
        }
        if (xml.text.contains("nodeID")) {
            List<Element> all = new ArrayList<>();
            collect(rdf, all);
            for (Element e : all) {
                if (e.hasAttributeNS(XmpText.NS_RDF, "nodeID")) {
                    throw new RefusedException(GENERAL_RDF);
                }
            }
        }
    }

    private static final String GENERAL_RDF = "its XMP is general RDF that clipd cannot edit without changing it";

    private static void collect(Element e, List<Element> out) {
        out.add(e);
        for (Element c : XmpText.children(e)) {
            collect(c, out);
        }
    }

    /** The one element holding the field, or null; refuses the forms clipd does not write into. */
    private Element property(Element rdf, Field f) throws RefusedException {
        Element found = null;
        for (Element d : XmpText.children(rdf)) {
            if (d.hasAttributeNS(f.ns, f.name)) {
                throw new RefusedException(unusual(f));
            }
            for (Element p : XmpText.children(d)) {
                if (XmpText.is(p, f.ns, f.name)) {
                    if (found != null) {
                        throw new RefusedException(unusual(f));
                    }
                    found = p;
                }
            }
        }
        if (found == null) {
            return null;
        }
        List<Element> containers = XmpText.children(found);
        if (containers.size() != 1 || nonNamespaceAttributes(found) > 0 || hasText(found)) {
            throw new RefusedException(unusual(f));
        }
        Element container = containers.get(0);
        if (!(XmpText.is(container, XmpText.NS_RDF, "Bag") || XmpText.is(container, XmpText.NS_RDF, "Seq"))
                || xml.span(container).selfClosing() || nonNamespaceAttributes(container) > 0) {
            throw new RefusedException(unusual(f));
        }
        for (Element li : XmpText.children(container)) {
            if (!XmpText.is(li, XmpText.NS_RDF, "li") || nonNamespaceAttributes(li) > 0
                    || !XmpText.children(li).isEmpty()) {
                throw new RefusedException(unusual(f));
            }
        }
        return found;
    }

    private static String unusual(Field f) {
        return "its XMP holds " + f.prefix + ":" + f.name + " in a form clipd does not edit";
    }

    private static int nonNamespaceAttributes(Element e) {
        int n = 0;
        NamedNodeMap attributes = e.getAttributes();
        for (int i = 0; i < attributes.getLength(); i++) {
            n += XmpText.NS_XMLNS.equals(attributes.item(i).getNamespaceURI()) ? 0 : 1;
        }
        return n;
    }

    private static boolean hasText(Element e) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeType() == Node.TEXT_NODE && !n.getNodeValue().isBlank()) {
                return true;
            }
        }
        return false;
    }

    /** Rewrites the items inside the array's container: kept items keep their text, new ones follow the last. */
    private String replaceItems(Element property, List<String> values) {
        String text = xml.text;
        Element container = XmpText.children(property).get(0);
        XmpText.Span c = xml.span(container);
        List<Element> items = XmpText.children(container);
        String indent;
        String closing;
        if (items.isEmpty()) {
            String line = lineIndent(property);
            indent = "\n" + line + "  ";
            closing = text.substring(c.startTagEnd(), c.endTagStart());
            closing = closing.isBlank() ? closing : "\n" + line + " ";
        } else {
            String before = text.substring(c.startTagEnd(), xml.span(items.get(0)).start());
            indent = before.isBlank() ? before : "";
            String after = text.substring(xml.span(items.get(items.size() - 1)).end(), c.endTagStart());
            closing = after.isBlank() ? after : "";
        }
        String li = container.getPrefix() == null ? "li" : container.getPrefix() + ":li";
        List<Element> unused = new ArrayList<>(items);
        StringBuilder inner = new StringBuilder();
        for (String v : values) {
            Element kept = unused.stream().filter(e -> e.getTextContent().equals(v)).findFirst().orElse(null);
            inner.append(indent);
            if (kept != null) {
                unused.remove(kept);
                XmpText.Span s = xml.span(kept);
                inner.append(text, s.start(), s.end());
            } else {
                inner.append('<').append(li).append('>').append(escape(v)).append("</").append(li).append('>');
            }
        }
        inner.append(closing);
        return text.substring(0, c.startTagEnd()) + inner + text.substring(c.endTagStart());
    }

    /** Adds the property, with its own namespace declaration, after the last property of the first description. */
    private String insert(Element rdf, Field f, List<String> values) throws RefusedException {
        String text = xml.text;
        List<Element> descriptions = XmpText.children(rdf);
        String rdfPrefix = rdf.getPrefix() == null ? "" : rdf.getPrefix() + ":";
        if (descriptions.isEmpty()) {
            XmpText.Span r = xml.span(rdf);
            if (r.selfClosing()) {
                throw new RefusedException("its XMP has a layout clipd cannot edit without changing it");
            }
            String line = lineIndent(rdf) + " ";
            String description = "\n" + line + "<" + rdfPrefix + "Description " + rdfPrefix + "about=\"\">"
                    + element(rdf, f, values, "\n" + line + " ", rdfPrefix) + "\n" + line + "</" + rdfPrefix
                    + "Description>";
            return text.substring(0, r.startTagEnd()) + description + text.substring(r.startTagEnd());
        }
        Element d = descriptions.get(0);
        XmpText.Span s = xml.span(d);
        String dPrefix = d.getPrefix() == null ? "" : d.getPrefix() + ":";
        List<Element> props = XmpText.children(d);
        if (s.selfClosing()) {
            String line = lineIndent(d);
            int slash = text.lastIndexOf("/>", s.end());
            return text.substring(0, slash) + ">" + element(d, f, values, "\n" + line + " ", dPrefix) + "\n" + line
                    + "</" + d.getTagName() + ">" + text.substring(s.end());
        }
        int at = props.isEmpty() ? s.startTagEnd() : xml.span(props.get(props.size() - 1)).end();
        String indent;
        if (props.isEmpty()) {
            indent = "\n" + lineIndent(d) + " ";
        } else {
            String before = text.substring(props.size() > 1 ? xml.span(props.get(props.size() - 2)).end()
                    : s.startTagEnd(), xml.span(props.get(props.size() - 1)).start());
            indent = before.isBlank() ? before : "\n" + lineIndent(props.get(props.size() - 1));
        }
        return text.substring(0, at) + element(d, f, values, indent, dPrefix) + text.substring(at);
    }

    /** The property's text, after {@code indent}, declaring its namespace on itself unless it is in scope. */
    private static String element(Element parent, Field f, List<String> values, String indent, String rdfPrefix) {
        String prefix = XmpText.prefixInScope(parent, f.ns);
        String declaration = "";
        if (prefix == null || prefix.isEmpty()) {
            prefix = f.prefix;
            while (parent.lookupNamespaceURI(prefix) != null) {
                prefix = prefix + "1";
            }
            declaration = " xmlns:" + prefix + "=\"" + f.ns + "\"";
        }
        String name = prefix + ":" + f.name;
        String container = rdfPrefix + f.newContainer();
        String li = rdfPrefix + "li";
        StringBuilder out = new StringBuilder();
        out.append(indent).append('<').append(name).append(declaration).append('>');
        out.append(indent).append(' ').append('<').append(container).append('>');
        for (String v : values) {
            out.append(indent).append("  <").append(li).append('>').append(escape(v)).append("</").append(li)
                    .append('>');
        }
        out.append(indent).append(" </").append(container).append('>');
        out.append(indent).append("</").append(name).append('>');
        return out.toString();
    }

    /** The spaces before the element on its line, when only spaces precede it there. */
    private String lineIndent(Element e) {
        String text = xml.text;
        int start = xml.span(e).start();
        int lineStart = text.lastIndexOf('\n', start - 1) + 1;
        String before = text.substring(lineStart, start);
        return before.isBlank() ? before : "";
    }

    private static String escape(String v) {
        return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
