package clipd.tags;

import com.adobe.internal.xmp.XMPException;
import com.adobe.internal.xmp.XMPIterator;
import com.adobe.internal.xmp.XMPMeta;
import com.adobe.internal.xmp.XMPMetaFactory;
import com.adobe.internal.xmp.properties.XMPPropertyInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A packet as Adobe's XMP toolkit (xmpcore, which metadata-extractor uses, as Lightroom and Exiv2 use its C++ twin)
 * reads it: every property outside clipd's fields, with its path, value and form, sorted. Used only to compare two packets;
 * clipd never writes what the toolkit serialises, since the toolkit normalises as it parses.
 */
final class AdobeXmpView {
    private static final Set<String> OWNED_NAMESPACES = Set.of(XmpKeywords.NS_CLIPD);

    private AdobeXmpView() {
    }

    /** The statements, or null when the toolkit cannot parse the packet (so it cannot tell any difference). */
    static List<String> outsideOwnFields(String packet) {
        if (packet == null || packet.isBlank()) {
            return List.of();
        }
        try {
            XMPMeta meta = XMPMetaFactory.parseFromString(packet);
            List<String> out = new ArrayList<>();
            for (XMPIterator it = meta.iterator(); it.hasNext(); ) {
                XMPPropertyInfo p = (XMPPropertyInfo) it.next();
                if (p.getPath() == null || owned(p.getPath())) {
                    continue;
                }
                out.add(p.getNamespace() + " " + p.getPath() + " = " + p.getValue() + " " + p.getOptions());
            }
            out.sort(null); // the toolkit's order of schemas depends on the order it met them
            return out;
        } catch (XMPException | RuntimeException e) {
            return null;
        }
    }

    /** Whether the path's top-level property is one of clipd's (array items carry no namespace of their own). */
    private static boolean owned(String path) {
        int colon = path.indexOf(':');
        if (colon < 0) {
            return false;
        }
        String ns = XMPMetaFactory.getSchemaRegistry().getNamespaceURI(path.substring(0, colon));
        if (OWNED_NAMESPACES.contains(ns)) {
            return true;
        }
        int end = colon;
        while (end + 1 < path.length() && "[/?".indexOf(path.charAt(end + 1)) < 0) {
            end++;
        }
        String local = path.substring(colon + 1, end + 1);
        for (XmpKeywords.Field f : XmpKeywords.Field.values()) {
            if (f.ns.equals(ns) && f.name.equals(local)) {
                return true;
            }
        }
        return false;
    }
}
