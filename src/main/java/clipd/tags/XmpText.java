package clipd.tags;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * An XMP packet's text together with its namespace-aware DOM and where each element lies in the text. clipd edits a
 * packet by replacing the text of its own properties only, so every other byte stays as the other app wrote it:
 * re-serialising through a toolkit would normalise the packet (aliases, prefixes, list types, general RDF).
 */
final class XmpText {
    static final String NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    static final String NS_XMLNS = XMLConstants.XMLNS_ATTRIBUTE_NS_URI;

    /** Where an element lies: from its '<' to after its start tag, and from its end tag's '<' to its end. */
    record Span(int start, int startTagEnd, int endTagStart, int end) {
        boolean selfClosing() {
            return startTagEnd == end;
        }
    }

    final String text;
    final Document doc;
    private final Map<Node, Span> spans;

    private XmpText(String text, Document doc, Map<Node, Span> spans) {
        this.text = text;
        this.doc = doc;
        this.spans = spans;
    }

    static XmpText parse(String text) throws RefusedException {
        if (text.indexOf('\0') >= 0) {
            throw new RefusedException("its XMP is written in UTF-16, which clipd does not edit");
        }
        Document doc;
        try {
            doc = builder().parse(new InputSource(new StringReader(text)));
        } catch (SAXException | IOException e) {
            throw new RefusedException("its XMP is not well-formed XML, which clipd does not edit");
        }
        List<Span> tags = tagSpans(text);
        List<Element> elements = new ArrayList<>();
        collect(doc.getDocumentElement(), elements);
        if (tags.size() != elements.size()) {
            throw new RefusedException("its XMP has a layout clipd cannot edit without changing it");
        }
        Map<Node, Span> spans = new IdentityHashMap<>();
        for (int i = 0; i < tags.size(); i++) {
            Span s = tags.get(i);
            String name = elements.get(i).getTagName();
            if (!text.startsWith(name, s.start() + 1)) {
                throw new RefusedException("its XMP has a layout clipd cannot edit without changing it");
            }
            spans.put(elements.get(i), s);
        }
        return new XmpText(text, doc, spans);
    }

    Span span(Element e) {
        return spans.get(e);
    }

    /** The rdf:RDF element, or null. */
    Element rdf() {
        List<Element> all = new ArrayList<>();
        collect(doc.getDocumentElement(), all);
        for (Element e : all) {
            if (NS_RDF.equals(e.getNamespaceURI()) && "RDF".equals(e.getLocalName())) {
                return e;
            }
        }
        return null;
    }

    static List<Element> children(Element parent) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                out.add(e);
            }
        }
        return out;
    }

    static boolean is(Node n, String ns, String local) {
        return ns.equals(n.getNamespaceURI()) && local.equals(n.getLocalName());
    }

    /** The prefix bound to {@code ns} where {@code e} is, or null. */
    static String prefixInScope(Element e, String ns) {
        String prefix = e.lookupPrefix(ns);
        return prefix != null && ns.equals(e.lookupNamespaceURI(prefix)) ? prefix : null;
    }

    private static void collect(Element e, List<Element> out) {
        out.add(e);
        for (Element c : children(e)) {
            collect(c, out);
        }
    }

    /** The start and end of every element, in document order, found by a scan that knows XML's lexical forms. */
    private static List<Span> tagSpans(String t) throws RefusedException {
        List<Span> spans = new ArrayList<>();
        List<Integer> open = new ArrayList<>();
        List<int[]> starts = new ArrayList<>(); // [start, startTagEnd] of each open element, by index in spans
        int i = 0;
        while ((i = t.indexOf('<', i)) >= 0) {
            if (t.startsWith("<!--", i)) {
                i = after(t, "-->", i);
            } else if (t.startsWith("<![CDATA[", i)) {
                i = after(t, "]]>", i);
            } else if (t.startsWith("<?", i)) {
                i = after(t, "?>", i);
            } else if (t.startsWith("<!", i)) {
                throw new RefusedException("its XMP has a document type declaration, which clipd does not edit");
            } else if (t.startsWith("</", i)) {
                int end = after(t, ">", i);
                if (open.isEmpty()) {
                    throw new RefusedException("its XMP is not well-formed XML, which clipd does not edit");
                }
                int index = open.remove(open.size() - 1);
                int[] s = starts.get(index);
                spans.set(index, new Span(s[0], s[1], i, end));
                i = end;
            } else {
                int end = startTagEnd(t, i);
                int index = spans.size();
                if (t.charAt(end - 2) == '/') {
                    spans.add(new Span(i, end, end, end));
                } else {
                    spans.add(null);
                    open.add(index);
                }
                starts.add(new int[] {i, end});
                i = end;
            }
        }
        if (!open.isEmpty()) {
            throw new RefusedException("its XMP is not well-formed XML, which clipd does not edit");
        }
        return spans;
    }

    private static int after(String t, String token, int from) throws RefusedException {
        int at = t.indexOf(token, from + 1);
        if (at < 0) {
            throw new RefusedException("its XMP is not well-formed XML, which clipd does not edit");
        }
        return at + token.length();
    }

    private static int startTagEnd(String t, int from) throws RefusedException {
        char quote = 0;
        for (int i = from + 1; i < t.length(); i++) {
            char c = t.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                return i + 1;
            }
        }
        throw new RefusedException("its XMP is not well-formed XML, which clipd does not edit");
    }

    private static DocumentBuilder builder() throws IOException {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(new DefaultHandler()); // errors are thrown, not printed
            return b;
        } catch (ParserConfigurationException e) {
            throw new IOException("no XML parser: " + e.getMessage(), e);
        }
    }
}
