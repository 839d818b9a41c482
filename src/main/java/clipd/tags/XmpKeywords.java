package clipd.tags;

import com.adobe.internal.xmp.XMPConst;
import com.adobe.internal.xmp.XMPException;
import com.adobe.internal.xmp.XMPMeta;
import com.adobe.internal.xmp.XMPMetaFactory;
import com.adobe.internal.xmp.XMPSchemaRegistry;
import com.adobe.internal.xmp.options.IteratorOptions;
import com.adobe.internal.xmp.options.PropertyOptions;
import com.adobe.internal.xmp.options.SerializeOptions;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The keywords of one XMP packet, changed with Adobe's XMP toolkit so that every other property, and every keyword
 * a person or another app wrote, stays as it was. clipd writes each tag where the common readers look for it:
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
    static final String NS_LIGHTROOM = "http://ns.adobe.com/lightroom/1.0/";
    static final String NS_DIGIKAM = "http://www.digikam.org/ns/1.0/";
    static final String NS_MICROSOFT_PHOTO = "http://ns.microsoft.com/photo/1.0/";
    static final String NS_CLIPD = "https://clipd.dev/ns/xmp/1.0/";
    static final String ROOT = "clipd";

    /** A keyword array and how a tag is spelled in it. */
    private enum Field {
        SUBJECT(XMPConst.NS_DC, "subject", ""),
        HIERARCHICAL(NS_LIGHTROOM, "hierarchicalSubject", ROOT + "|"),
        DIGIKAM(NS_DIGIKAM, "TagsList", ROOT + "/"),
        WINDOWS(NS_MICROSOFT_PHOTO, "LastKeywordXMP", ""),
        OWN(NS_CLIPD, "Keywords", "");

        final String ns;
        final String name;
        final String prefix;

        Field(String ns, String name, String prefix) {
            this.ns = ns;
            this.name = name;
            this.prefix = prefix;
        }
    }

    /**
     * New arrays are unordered bags, as the XMP specification defines dc:subject and as exiftool, Lightroom and
     * digiKam write it; an existing array keeps its container, so a file whose dc:subject is a Seq (Apple's
     * Photos, or for PhotoPrism, which reads only Seq) stays a Seq. digiKam writes its TagsList as a Seq.
     */
    private static final PropertyOptions BAG = new PropertyOptions().setArray(true);
    private static final PropertyOptions SEQ = new PropertyOptions().setArray(true).setArrayOrdered(true);

    static {
        XMPSchemaRegistry registry = XMPMetaFactory.getSchemaRegistry();
        try {
            registry.registerNamespace(NS_LIGHTROOM, "lr");
            registry.registerNamespace(NS_DIGIKAM, "digiKam");
            registry.registerNamespace(NS_MICROSOFT_PHOTO, "MicrosoftPhoto");
            registry.registerNamespace(NS_CLIPD, "clipd");
        } catch (XMPException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final XMPMeta meta;

    private XmpKeywords(XMPMeta meta) {
        this.meta = meta;
    }

    /** Parses a packet (or a sidecar's whole text); null or blank gives an empty packet. */
    public static XmpKeywords parse(String packet) throws XMPException {
        return new XmpKeywords(packet == null || packet.isBlank() ? XMPMetaFactory.create()
                : XMPMetaFactory.parseFromString(packet));
    }

    /** The flat keywords (dc:subject), whoever wrote them. */
    public List<String> keywords() {
        return items(Field.SUBJECT);
    }

    /** The flat keywords clipd wrote. */
    public List<String> own() {
        return items(Field.OWN);
    }

    /** The lr:hierarchicalSubject entries, for checks and explanations. */
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
    public boolean retag(List<String> tags) throws XMPException {
        Set<String> own = new LinkedHashSet<>(own());
        Set<String> wanted = new LinkedHashSet<>(tags);
        boolean changed = false;
        Set<String> newOwn = new LinkedHashSet<>();
        for (String t : own) {
            if (wanted.contains(t)) {
                newOwn.add(t);
            }
        }
        List<String> subjectBefore = keywords();
        for (String t : wanted) {
            if (!subjectBefore.contains(t)) {
                newOwn.add(t); // not a person's keyword, so it is clipd's
            }
        }
        for (Field f : new Field[] {Field.SUBJECT, Field.WINDOWS}) {
            changed |= remove(f, own.stream().filter(t -> !wanted.contains(t)).toList());
            changed |= add(f, newOwn);
        }
        for (Field f : new Field[] {Field.HIERARCHICAL, Field.DIGIKAM}) {
            List<String> stale = items(f).stream()
                    .filter(v -> v.startsWith(f.prefix) && !wanted.contains(v.substring(f.prefix.length()))).toList();
            changed |= removeExact(f, stale);
            changed |= add(f, wanted);
        }
        changed |= setOwn(newOwn);
        return changed;
    }

    /** Removes every keyword clipd wrote; returns whether the packet changed. */
    public boolean untag() throws XMPException {
        return retag(List.of());
    }

    /** Whether the packet holds no property at all (a sidecar clipd may then delete). */
    public boolean isEmpty() {
        try {
            return !meta.iterator(new IteratorOptions().setJustChildren(true)).hasNext();
        } catch (XMPException e) {
            return false;
        }
    }

    /**
     * The packet as text: inside a file with the xpacket wrapper and its padding (so that other apps can edit it in
     * place); as a sidecar without, since the whole file is the packet.
     */
    public String serialize(boolean embedded) throws XMPException {
        SerializeOptions options = embedded ? new SerializeOptions().setPadding(2048)
                : new SerializeOptions().setOmitPacketWrapper(true);
        return XMPMetaFactory.serializeToString(meta, options);
    }

    private List<String> items(Field f) {
        List<String> values = new ArrayList<>();
        try {
            if (!meta.doesPropertyExist(f.ns, f.name)) {
                return values;
            }
            int n = meta.countArrayItems(f.ns, f.name);
            for (int i = 1; i <= n; i++) {
                values.add(meta.getArrayItem(f.ns, f.name, i).getValue());
            }
        } catch (XMPException e) {
            // a simple value where an array belongs: not a keyword list clipd can read
        }
        return values;
    }

    /** Adds the tags (spelled for the field) that are not there yet. */
    private boolean add(Field f, Set<String> tags) throws XMPException {
        List<String> present = items(f);
        boolean changed = false;
        for (String t : tags) {
            String value = f.prefix + t;
            if (!present.contains(value)) {
                meta.appendArrayItem(f.ns, f.name, f == Field.DIGIKAM ? SEQ : BAG, value, null);
                present.add(value);
                changed = true;
            }
        }
        return changed;
    }

    private boolean remove(Field f, List<String> tags) {
        return removeExact(f, tags.stream().map(t -> f.prefix + t).toList());
    }

    /** Deletes the items with these values; an array left empty goes too. */
    private boolean removeExact(Field f, List<String> values) {
        boolean changed = false;
        List<String> present = items(f);
        for (int i = present.size(); i >= 1; i--) {
            if (values.contains(present.get(i - 1))) {
                meta.deleteArrayItem(f.ns, f.name, i);
                changed = true;
            }
        }
        if (changed && items(f).isEmpty()) {
            meta.deleteProperty(f.ns, f.name);
        }
        return changed;
    }

    private boolean setOwn(Set<String> newOwn) throws XMPException {
        List<String> before = own();
        if (before.equals(new ArrayList<>(newOwn))) {
            return false;
        }
        meta.deleteProperty(Field.OWN.ns, Field.OWN.name);
        for (String t : newOwn) {
            meta.appendArrayItem(Field.OWN.ns, Field.OWN.name, BAG, t, null);
        }
        return true;
    }
}
