package clipd.tags;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The standard XMP packet inside a JPEG: read from its APP1 segment, and written so that nothing addressed by an
 * offset moves. A changed packet keeps its segment's size when its padding allows, which moves nothing at all. A new
 * packet goes directly after the EXIF segment (else after the leading APP0 segments), before any APP2 multi-picture
 * (MPF) index, as exiftool puts it, so the EXIF and its thumbnail stay where they were. A change of size is refused
 * when something after it is addressed by its position in the file: the secondary images of an MPF index (they would
 * keep their relative offsets, but not their place), an EXIF segment, or a trailer not found from the file's end
 * (AFCP, or data clipd does not recognise). exiftool adjusts such offsets; clipd does not guess at them.
 */
final class JpegXmp {
    private static final byte[] XMP_ID = "http://ns.adobe.com/xap/1.0/\0".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] EXTENDED_ID = "http://ns.adobe.com/xmp/extension/\0"
            .getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] EXIF_ID = "Exif\0".getBytes(StandardCharsets.ISO_8859_1);
    /** The most one APP1 segment holds after its identifier. */
    static final int MAX_PACKET_BYTES = 65_533 - XMP_ID.length;
    /** Padding given to a packet that has to grow anyway, so that the next edits fit in place (as Adobe's 2 KB). */
    static final int NEW_PADDING = 2048;
    /** Trailers found from the file's end, which a size change before them does not break. */
    private static final Set<String> END_RELATIVE = Set.of("FotoStation", "PhotoMechanic");

    private JpegXmp() {
    }

    static boolean isJpeg(byte[] data) {
        return JpegLayout.isJpeg(data);
    }

    /** The standard XMP packet, or null when the JPEG has none. */
    static String read(byte[] jpeg) throws IOException {
        List<JpegLayout.Segment> found = JpegLayout.of(jpeg).segments(0xe1, XMP_ID);
        return found.isEmpty() ? null : packet(jpeg, found.get(0));
    }

    /** How many standard (not extended) XMP segments the JPEG has. */
    static int standardPackets(byte[] jpeg) throws IOException {
        return JpegLayout.of(jpeg).segments(0xe1, XMP_ID).size();
    }

    /** Extended XMP spans several segments that must stay consistent; such photos get a sidecar. */
    static boolean hasExtendedXmp(byte[] jpeg) throws IOException {
        return !JpegLayout.of(jpeg).segments(0xe1, EXTENDED_ID).isEmpty();
    }

    static List<String> iptcKeywords(byte[] jpeg) throws IOException {
        return IptcKeywords.read(JpegLayout.of(jpeg));
    }

    /** The JPEG with its standard XMP packet replaced by {@code packet}, or with it added when it had none. */
    static byte[] write(byte[] jpeg, String packet) throws IOException {
        JpegLayout layout = JpegLayout.of(jpeg);
        JpegLayout.Segment old = single(layout);
        byte[] bytes;
        int at;
        int oldEnd;
        if (old != null) {
            int oldBytes = old.end() - old.payload() - XMP_ID.length;
            String fitted = withPaddingOf(packet, oldBytes);
            if (fitted == null) {
                int unpadded = utf8(packet) - paddingBytes(packet);
                fitted = paddingBytes(packet) < 0 ? packet : withPaddingOf(packet, unpadded + NEW_PADDING);
            }
            bytes = fitted.getBytes(StandardCharsets.UTF_8);
            at = old.start();
            oldEnd = old.end();
            if (bytes.length != oldBytes) {
                checkSizeMayChange(layout, at, packet(jpeg, old));
            }
        } else {
            bytes = packet.getBytes(StandardCharsets.UTF_8);
            at = insertionPoint(layout);
            oldEnd = at;
            checkSizeMayChange(layout, at, null);
        }
        if (bytes.length > MAX_PACKET_BYTES) {
            throw new RefusedException("its XMP would grow beyond the 64 KB one JPEG segment holds");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length + bytes.length + 64);
        out.write(jpeg, 0, at);
        int length = 2 + XMP_ID.length + bytes.length;
        out.write(0xff);
        out.write(0xe1);
        out.write(length >> 8);
        out.write(length & 0xff);
        out.write(XMP_ID);
        out.write(bytes);
        out.write(jpeg, oldEnd, jpeg.length - oldEnd);
        return out.toByteArray();
    }

    /** The JPEG without its standard XMP segment (one clipd added, holding nothing any more). */
    static byte[] remove(byte[] jpeg) throws IOException {
        JpegLayout layout = JpegLayout.of(jpeg);
        JpegLayout.Segment old = single(layout);
        if (old == null) {
            return jpeg;
        }
        checkSizeMayChange(layout, old.start(), packet(jpeg, old));
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length);
        out.write(jpeg, 0, old.start());
        out.write(jpeg, old.end(), jpeg.length - old.end());
        return out.toByteArray();
    }

    /**
     * Checks a rewritten JPEG against the original: every segment but the standard XMP one, the image data and
     * everything after it byte for byte; every MPF image byte-identical where the index says it is; and an
     * offset-addressed trailer where it was.
     */
    static void checkIntact(byte[] before, byte[] after) throws IOException {
        if (!sameButXmp(before, after)) {
            throw new IOException("the rewritten JPEG differs from the original beyond its XMP");
        }
        JpegLayout a = JpegLayout.of(before);
        JpegLayout b = JpegLayout.of(after);
        List<JpegLayout.Image> was = a.secondaryImages();
        List<JpegLayout.Image> now = b.secondaryImages();
        if (was.size() != now.size()) {
            throw new IOException("the rewritten JPEG's multi-picture index changed");
        }
        for (int i = 0; i < was.size(); i++) {
            byte[] image = a.bytes(was.get(i));
            if (image != null && !Arrays.equals(image, b.bytes(now.get(i)))) {
                throw new IOException("image " + (i + 2) + " of the multi-picture JPEG is no longer where its index"
                        + " says");
            }
        }
        String trailer = a.trailer();
        if (trailer != null && !END_RELATIVE.contains(trailer) && a.imageEnd != b.imageEnd
                && !isMotionPhoto(read(before))) {
            throw new IOException("the data after the image moved");
        }
    }

    /** Whether two JPEGs are the same but for their standard XMP segments: pixels, EXIF, ICC, everything. */
    static boolean sameButXmp(byte[] a, byte[] b) throws IOException {
        return Arrays.equals(withoutXmp(a), withoutXmp(b));
    }

    /** Lines of spaces, {@code bytes} long, as the XMP specification pads a packet. */
    static String padding(int bytes) {
        StringBuilder out = new StringBuilder(bytes);
        while (out.length() < bytes) {
            int line = Math.min(100, bytes - out.length());
            out.append(" ".repeat(line - 1)).append('\n');
        }
        return out.toString();
    }

    private static JpegLayout.Segment single(JpegLayout layout) throws RefusedException {
        List<JpegLayout.Segment> found = layout.segments(0xe1, XMP_ID);
        if (found.size() > 1) {
            throw new RefusedException(severalPackets(found.size()));
        }
        return found.isEmpty() ? null : found.get(0);
    }

    static String severalPackets(int n) {
        return "it has " + n + " standard XMP packets, which clipd cannot merge without losing one";
    }

    /** Directly after the EXIF segment, else after the leading APP0 segments (JFIF must come first). */
    private static int insertionPoint(JpegLayout layout) {
        List<JpegLayout.Segment> exif = layout.segments(0xe1, EXIF_ID);
        if (!exif.isEmpty()) {
            return exif.get(exif.size() - 1).end();
        }
        int at = 2;
        for (JpegLayout.Segment s : layout.header) {
            if (s.marker() != 0xe0) {
                break;
            }
            at = s.end();
        }
        return at;
    }

    /** Refuses a change of size at {@code at} that would break an offset clipd does not adjust. */
    private static void checkSizeMayChange(JpegLayout layout, int at, String packet) throws RefusedException {
        if (!layout.secondaryImages().isEmpty()) {
            throw new RefusedException("it is a multi-picture JPEG (MPF) whose XMP has no room to grow in place, and"
                    + " clipd does not move the images its index addresses");
        }
        if (layout.segments(0xe1, EXIF_ID).stream().anyMatch(s -> s.start() >= at)) {
            throw new RefusedException("its XMP lies before its EXIF with no room to grow, and clipd does not move"
                    + " the EXIF");
        }
        String trailer = layout.trailer();
        if (trailer == null || END_RELATIVE.contains(trailer) || isMotionPhoto(packet)) {
            return;
        }
        throw new RefusedException(trailer.equals("unknown")
                ? "it has data after the image that clipd does not know, which other apps may address by offset"
                : "it has an " + trailer + " trailer whose offsets clipd cannot adjust");
    }

    /** Google's motion photos locate their appended video from the file's end (Container:Directory lengths). */
    private static boolean isMotionPhoto(String packet) {
        return packet != null && (packet.contains("http://ns.google.com/photos/1.0/container/")
                || packet.contains("MicroVideoOffset"));
    }

    /** The packet with its trailing padding resized so it is {@code bytes} long in UTF-8, or null if it cannot be. */
    private static String withPaddingOf(String packet, int bytes) {
        int padding = paddingBytes(packet);
        int diff = bytes - utf8(packet);
        if (diff == 0) {
            return packet;
        }
        if (padding < 0 || padding + diff < 1) {
            return null;
        }
        int end = packet.lastIndexOf("<?xpacket end");
        String pad = padding(padding + diff);
        return packet.substring(0, end - padding) + pad + packet.substring(end);
    }

    /** The whitespace before the closing xpacket instruction, or -1 when the packet has no wrapper. */
    private static int paddingBytes(String packet) {
        int end = packet.lastIndexOf("<?xpacket end");
        if (end < 0) {
            return -1;
        }
        int from = end;
        while (from > 0 && Character.isWhitespace(packet.charAt(from - 1))) {
            from--;
        }
        return end - from;
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String packet(byte[] jpeg, JpegLayout.Segment s) {
        int from = s.payload() + XMP_ID.length;
        return new String(jpeg, from, s.end() - from, StandardCharsets.UTF_8);
    }

    private static byte[] withoutXmp(byte[] jpeg) throws IOException {
        JpegLayout layout = JpegLayout.of(jpeg);
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length);
        out.write(jpeg, 0, 2);
        for (JpegLayout.Segment s : layout.header) {
            if (!(s.marker() == 0xe1 && s.starts(jpeg, XMP_ID))) {
                out.write(jpeg, s.start(), s.end() - s.start());
            }
        }
        out.write(jpeg, layout.scan, jpeg.length - layout.scan);
        return out.toByteArray();
    }
}
