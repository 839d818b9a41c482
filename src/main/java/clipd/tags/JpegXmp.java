package clipd.tags;

import org.apache.commons.imaging.ImagingException;
import org.apache.commons.imaging.formats.jpeg.xmp.JpegXmpRewriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The XMP packet inside a JPEG: read from its APP1 segment, and replaced with commons-imaging's lossless rewriter,
 * which leaves every other segment and the entropy-coded data byte for byte as they were.
 */
final class JpegXmp {
    private static final byte[] XMP_ID = "http://ns.adobe.com/xap/1.0/\0".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] EXTENDED_ID = "http://ns.adobe.com/xmp/extension/\0"
            .getBytes(StandardCharsets.ISO_8859_1);
    /**
     * The largest packet that fits one APP1 segment is 65,502 bytes, but commons-imaging 1.0.0-alpha6 writes a
     * corrupt JPEG without an error for packets of 65,505–65,535 bytes (shared/DEPENDENCIES.md); stay below both.
     */
    static final int MAX_PACKET_BYTES = 65_502 - XMP_ID.length;

    private JpegXmp() {
    }

    static boolean isJpeg(byte[] data) {
        return data.length > 3 && (data[0] & 0xff) == 0xff && (data[1] & 0xff) == 0xd8 && (data[2] & 0xff) == 0xff;
    }

    /** The standard XMP packet, or null when the JPEG has none. */
    static String read(byte[] jpeg) throws IOException {
        String[] packet = {null};
        forEachHeaderSegment(jpeg, (marker, start, end) -> {
            if (marker == 0xe1 && startsWith(jpeg, start, XMP_ID) && packet[0] == null) {
                int from = start + XMP_ID.length;
                packet[0] = new String(jpeg, from, end - from, StandardCharsets.UTF_8);
            }
        });
        return packet[0];
    }

    /** Extended XMP spans several segments that the rewriter does not manage; such photos get a sidecar. */
    static boolean hasExtendedXmp(byte[] jpeg) throws IOException {
        boolean[] found = {false};
        forEachHeaderSegment(jpeg, (marker, start, end) ->
                found[0] |= marker == 0xe1 && startsWith(jpeg, start, EXTENDED_ID));
        return found[0];
    }

    static byte[] write(byte[] jpeg, String packet) throws IOException {
        if (packet.getBytes(StandardCharsets.UTF_8).length > MAX_PACKET_BYTES) {
            throw new IOException("the XMP packet would exceed the " + MAX_PACKET_BYTES + " bytes one JPEG segment holds");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length + packet.length() + 64);
        try {
            new JpegXmpRewriter().updateXmpXml(jpeg, out, packet);
        } catch (ImagingException e) {
            throw new IOException("cannot rewrite the JPEG's XMP: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** Whether two JPEGs are the same but for their standard XMP segments: pixels, EXIF, ICC, everything. */
    static boolean sameButXmp(byte[] a, byte[] b) throws IOException {
        return Arrays.equals(withoutXmp(a), withoutXmp(b));
    }

    private static byte[] withoutXmp(byte[] jpeg) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length);
        out.write(jpeg, 0, 2);
        int scan = forEachHeaderSegment(jpeg, (marker, start, end) -> {
            if (!(marker == 0xe1 && startsWith(jpeg, start, XMP_ID))) {
                out.write(jpeg, start - 4, end - start + 4);
            }
        });
        out.write(jpeg, scan, jpeg.length - scan);
        return out.toByteArray();
    }

    private interface SegmentAction {
        /** A segment's marker and its payload's bounds (after the two length bytes). */
        void accept(int marker, int start, int end) throws IOException;
    }

    /** Walks the segments before the first scan; returns where the scan's header starts (or the end). */
    private static int forEachHeaderSegment(byte[] d, SegmentAction action) throws IOException {
        if (!isJpeg(d)) {
            throw new IOException("not a JPEG");
        }
        int pos = 2;
        while (pos + 3 < d.length) {
            if ((d[pos] & 0xff) != 0xff) {
                throw new IOException("malformed JPEG: no segment marker at byte " + pos);
            }
            int marker = d[pos + 1] & 0xff;
            if (marker == 0xff) {
                pos++;
                continue;
            }
            if (marker == 0xda || marker == 0xd9) {
                return pos;
            }
            int length = ((d[pos + 2] & 0xff) << 8) | (d[pos + 3] & 0xff);
            if (length < 2 || pos + 2 + length > d.length) {
                throw new IOException("malformed JPEG: a segment runs past the end of the file");
            }
            action.accept(marker, pos + 4, pos + 2 + length);
            pos += 2 + length;
        }
        throw new IOException("malformed JPEG: no image data");
    }

    private static boolean startsWith(byte[] data, int from, byte[] prefix) {
        return data.length - from >= prefix.length
                && Arrays.equals(data, from, from + prefix.length, prefix, 0, prefix.length);
    }
}
