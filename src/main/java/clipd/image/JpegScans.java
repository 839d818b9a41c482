package clipd.image;

/**
 * Counts the scans (SOS segments) of a JPEG without decoding it. A progressive JPEG needs a full pass over the
 * image for every scan, so a small file with thousands of repeated scans costs minutes of CPU (libjpeg-turbo's
 * answer is its scan limit, which the TurboJPEG 2 API does not expose, and ImageIO has none); a real photo has 1
 * (baseline) to about 12 scans.
 */
final class JpegScans {
    private static final int SOS = 0xda;
    private static final int EOI = 0xd9;

    private JpegScans() {
    }

    /** The number of scans, counting no further than {@code limit + 1}. */
    static int count(byte[] b, int limit) {
        int scans = 0;
        int i = 2; // after SOI
        while (i + 3 < b.length && scans <= limit) {
            if ((b[i] & 0xff) != 0xff) {
                i++; // stray byte: resynchronise on the next marker, as decoders do
                continue;
            }
            int marker = b[i + 1] & 0xff;
            if (marker == 0xff || marker == 0x00 || (marker >= 0xd0 && marker <= 0xd7) || marker == 0x01) {
                i++; // fill byte, stuffed zero, restart marker or TEM: no length
                continue;
            }
            if (marker == EOI) {
                break;
            }
            int length = (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
            i += 2 + length;
            if (marker == SOS) {
                scans++;
                // entropy-coded data runs to the next marker that is neither a stuffed zero nor a restart
                while (i + 1 < b.length) {
                    if ((b[i] & 0xff) == 0xff) {
                        int next = b[i + 1] & 0xff;
                        if (next != 0x00 && !(next >= 0xd0 && next <= 0xd7) && next != 0xff) {
                            break;
                        }
                    }
                    i++;
                }
            }
        }
        return scans;
    }
}
