package clipd.image;

/**
 * The largest image size a HEIF/AVIF file declares in its image spatial extents ({@code ispe}) properties, read from
 * the box structure without decoding: a grid's declared size is the whole picture, so a file that would need
 * gigabytes is refused before a converter is started.
 */
final class HeifSize {
    /** Boxes that hold other boxes on the way to ispe: meta (a full box) › iprp › ipco. */
    private static final String META = "meta";
    private static final String IPRP = "iprp";
    private static final String IPCO = "ipco";
    private static final String ISPE = "ispe";
    private static final int MAX_DEPTH = 8;

    private HeifSize() {
    }

    /** The declared pixel count of the largest image, or -1 when the file declares none. */
    static long maxDeclaredPixels(byte[] b) {
        return scan(b, 0, b.length, 0);
    }

    private static long scan(byte[] b, int from, int to, int depth) {
        long max = -1;
        int i = from;
        while (i + 8 <= to && depth < MAX_DEPTH) {
            long size = u32(b, i);
            String type = new String(b, i + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            int header = 8;
            if (size == 1) {
                if (i + 16 > to) {
                    break;
                }
                size = (u32(b, i + 8) << 32) | u32(b, i + 12);
                header = 16;
            } else if (size == 0) {
                size = to - i;
            }
            if (size < header || size > to - i) {
                break; // damaged: the converter will say so
            }
            int end = (int) (i + size);
            switch (type) {
                case META -> max = Math.max(max, scan(b, i + header + 4, end, depth + 1));
                case IPRP, IPCO -> max = Math.max(max, scan(b, i + header, end, depth + 1));
                case ISPE -> {
                    int p = i + header + 4; // after version and flags
                    if (p + 8 <= end) {
                        max = Math.max(max, u32(b, p) * u32(b, p + 4));
                    }
                }
                default -> {
                }
            }
            i = end;
        }
        return max;
    }

    private static long u32(byte[] b, int i) {
        return ((long) (b[i] & 0xff) << 24) | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
    }
}
