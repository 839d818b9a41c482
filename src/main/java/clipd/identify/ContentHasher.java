package clipd.identify;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * A photo's identity: SHA-256 over its image content, not its metadata. A keyword added by another app, or the XMP
 * tags clipd writes itself, must not make a photo look new and cost a re-embed, so:
 * <ul>
 *   <li>JPEG: every segment except APPn (EXIF, XMP, ICC, IPTC…) and COM, plus the entropy-coded data up to EOI
 *   (bytes appended after EOI, such as a phone's motion-photo trailer, do not count);</li>
 *   <li>PNG: every chunk except the text, EXIF and time chunks (tEXt, zTXt, iTXt, eXIf, tIME), up to IEND;</li>
 *   <li>anything else, or a file whose structure does not parse: the whole file.</li>
 * </ul>
 * The EXIF orientation counts too, when it is not the default: it changes what the photo shows, and rotating a photo
 * in many apps changes only that tag.
 */
public final class ContentHasher {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final Set<String> PNG_METADATA_CHUNKS = Set.of("tEXt", "zTXt", "iTXt", "eXIf", "tIME");

    private ContentHasher() {
    }

    /** The identity of a photo whose EXIF orientation is the default (1). */
    public static String hash(byte[] data) {
        return hash(data, 1);
    }

    /** The identity of a photo shown with this EXIF orientation (1–8). */
    public static String hash(byte[] data, int orientation) {
        MessageDigest digest = sha256();
        boolean parsed = isJpeg(data) ? hashJpeg(data, digest) : isPng(data) && hashPng(data, digest);
        if (!parsed) {
            digest.reset();
            digest.update(data);
        }
        if (orientation != 1) {
            digest.update(("\0orientation " + orientation).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static boolean isJpeg(byte[] d) {
        return d.length >= 4 && (d[0] & 0xff) == 0xff && (d[1] & 0xff) == 0xd8;
    }

    static boolean isPng(byte[] d) {
        if (d.length < PNG_SIGNATURE.length) {
            return false;
        }
        for (int i = 0; i < PNG_SIGNATURE.length; i++) {
            if (d[i] != PNG_SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean hashJpeg(byte[] d, MessageDigest digest) {
        digest.update(d, 0, 2);
        int pos = 2;
        while (pos + 1 < d.length) {
            if ((d[pos] & 0xff) != 0xff) {
                return false;
            }
            int marker = d[pos + 1] & 0xff;
            if (marker == 0xff) {
                pos++; // fill byte
                continue;
            }
            if (marker == 0xd9) {
                digest.update(d, pos, 2);
                return true;
            }
            if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
                digest.update(d, pos, 2);
                pos += 2;
                continue;
            }
            if (pos + 3 >= d.length) {
                return false;
            }
            int length = ((d[pos + 2] & 0xff) << 8) | (d[pos + 3] & 0xff);
            int end = pos + 2 + length;
            if (length < 2 || end > d.length) {
                return false;
            }
            boolean metadata = (marker >= 0xe0 && marker <= 0xef) || marker == 0xfe;
            if (!metadata) {
                digest.update(d, pos, end - pos);
            }
            pos = end;
            if (marker == 0xda) {
                int scanEnd = endOfEntropyData(d, pos);
                digest.update(d, pos, scanEnd - pos);
                pos = scanEnd;
            }
        }
        return true; // truncated after a complete segment: what is there is the content
    }

    /** Entropy-coded data runs until a 0xFF that is neither a stuffed zero nor a restart marker. */
    private static int endOfEntropyData(byte[] d, int pos) {
        while (pos + 1 < d.length) {
            if ((d[pos] & 0xff) == 0xff) {
                int next = d[pos + 1] & 0xff;
                if (next != 0x00 && !(next >= 0xd0 && next <= 0xd7)) {
                    return pos;
                }
            }
            pos++;
        }
        return d.length;
    }

    private static boolean hashPng(byte[] d, MessageDigest digest) {
        digest.update(d, 0, PNG_SIGNATURE.length);
        int pos = PNG_SIGNATURE.length;
        while (pos + 8 <= d.length) {
            long length = ((d[pos] & 0xffL) << 24) | ((d[pos + 1] & 0xff) << 16) | ((d[pos + 2] & 0xff) << 8)
                    | (d[pos + 3] & 0xff);
            long end = pos + 12 + length;
            if (end > d.length) {
                return false;
            }
            String type = new String(d, pos + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (!PNG_METADATA_CHUNKS.contains(type)) {
                digest.update(d, pos, (int) (end - pos));
            }
            pos = (int) end;
            if (type.equals("IEND")) {
                return true;
            }
        }
        return pos == d.length;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
