package clipd.tags;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How a JPEG is laid out: its header segments, where the primary image ends, the secondary images its multi-picture
 * (MPF) index addresses, and any other data after the image (a trailer). Offsets into a file are what an edit can
 * break without changing a byte of what they point at, so clipd reads them before it writes.
 */
final class JpegLayout {
    /** A header segment: from its 0xFF marker, its payload (after the two length bytes), to its end. */
    record Segment(int marker, int start, int payload, int end) {
        boolean starts(byte[] data, byte[] id) {
            return end - payload >= id.length && Arrays.equals(data, payload, payload + id.length, id, 0, id.length);
        }
    }

    /** An image the MPF index addresses after the primary one: where it starts in the file, and its size. */
    record Image(long start, long size) {
    }

    private static final byte[] MPF_ID = "MPF\0".getBytes(StandardCharsets.ISO_8859_1);
    private static final int MP_ENTRY = 0xb002;

    final byte[] data;
    final List<Segment> header;
    /** Where the first scan's SOS marker is (everything before it is the header). */
    final int scan;
    /** Just after the primary image's EOI marker, or the file's end when there is none. */
    final int imageEnd;

    private JpegLayout(byte[] data, List<Segment> header, int scan, int imageEnd) {
        this.data = data;
        this.header = header;
        this.scan = scan;
        this.imageEnd = imageEnd;
    }

    static boolean isJpeg(byte[] data) {
        return data.length > 3 && (data[0] & 0xff) == 0xff && (data[1] & 0xff) == 0xd8 && (data[2] & 0xff) == 0xff;
    }

    static JpegLayout of(byte[] d) throws IOException {
        if (!isJpeg(d)) {
            throw new IOException("not a JPEG");
        }
        List<Segment> header = new ArrayList<>();
        int pos = 2;
        while (true) {
            if (pos + 3 >= d.length) {
                throw new IOException("malformed JPEG: no image data");
            }
            if ((d[pos] & 0xff) != 0xff) {
                throw new IOException("malformed JPEG: no segment marker at byte " + pos);
            }
            int marker = d[pos + 1] & 0xff;
            if (marker == 0xff) {
                pos++;
                continue;
            }
            if (marker == 0xda || marker == 0xd9) {
                break;
            }
            int end = pos + 2 + length(d, pos);
            header.add(new Segment(marker, pos, pos + 4, end));
            pos = end;
        }
        return new JpegLayout(d, List.copyOf(header), pos, imageEnd(d, pos));
    }

    private static int length(byte[] d, int pos) throws IOException {
        int length = ((d[pos + 2] & 0xff) << 8) | (d[pos + 3] & 0xff);
        if (length < 2 || pos + 2 + length > d.length) {
            throw new IOException("malformed JPEG: a segment runs past the end of the file");
        }
        return length;
    }

    /** Follows the scans (and the tables between them) to the EOI marker. */
    private static int imageEnd(byte[] d, int pos) throws IOException {
        while (pos + 1 < d.length) {
            if ((d[pos] & 0xff) != 0xff) {
                pos++;
                continue;
            }
            int marker = d[pos + 1] & 0xff;
            if (marker == 0xd9) {
                return pos + 2;
            }
            if (marker == 0x00 || marker == 0xff || (marker >= 0xd0 && marker <= 0xd7)) {
                pos += marker == 0xff ? 1 : 2; // stuffed byte, fill byte or restart marker: still in the scan
            } else if (pos + 3 < d.length) {
                pos += 2 + length(d, pos);
            } else {
                break;
            }
        }
        return d.length;
    }

    List<Segment> segments(int marker, byte[] id) {
        return header.stream().filter(s -> s.marker() == marker && s.starts(data, id)).toList();
    }

    /** The MPF segment, or null. */
    Segment mpf() {
        List<Segment> found = segments(0xe2, MPF_ID);
        return found.isEmpty() ? null : found.get(0);
    }

    /**
     * The images after the primary one that the MPF index addresses (relative to its own TIFF header, so they move
     * with it); empty without MPF.
     *
     * @throws RefusedException when the index cannot be read, so clipd cannot know what an edit would break
     */
    List<Image> secondaryImages() throws RefusedException {
        Segment s = mpf();
        if (s == null) {
            return List.of();
        }
        int base = s.payload() + MPF_ID.length;
        try {
            boolean little = data[base] == 'I';
            long ifd = base + u32(base + 4, little);
            int count = u16((int) ifd, little);
            List<Image> images = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int entry = (int) ifd + 2 + 12 * i;
                if (u16(entry, little) == MP_ENTRY) {
                    long bytes = u32(entry + 4, little);
                    int list = (int) (base + u32(entry + 8, little));
                    for (int e = 0; e < bytes / 16; e++) {
                        long size = u32(list + 16 * e + 4, little);
                        long offset = u32(list + 16 * e + 8, little);
                        if (offset != 0) {
                            images.add(new Image(base + offset, size));
                        }
                    }
                }
            }
            return images;
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new RefusedException("its multi-picture (MPF) index cannot be read, so clipd cannot keep it valid");
        }
    }

    /** The bytes of a secondary image as this file addresses it, or null when they lie outside the file. */
    byte[] bytes(Image image) {
        return image.start() < 0 || image.start() + image.size() > data.length ? null
                : Arrays.copyOfRange(data, (int) image.start(), (int) (image.start() + image.size()));
    }

    /**
     * What kind of data follows the primary image besides the MPF images (named as exiftool names trailers, by the
     * signature at the file's end), "unknown" for data clipd does not recognise, or null when nothing (or only zero
     * padding) does.
     */
    String trailer() throws RefusedException {
        boolean[] covered = new boolean[data.length - imageEnd];
        for (Image image : secondaryImages()) {
            for (long i = Math.max(image.start(), imageEnd); i < Math.min(image.start() + image.size(), data.length);
                 i++) {
                covered[(int) (i - imageEnd)] = true;
            }
        }
        boolean other = false;
        for (int i = 0; i < covered.length && !other; i++) {
            other = !covered[i] && data[imageEnd + i] != 0;
        }
        if (!other) {
            return null;
        }
        String tail = new String(data, Math.max(imageEnd, data.length - 64), Math.min(64, data.length - imageEnd),
                StandardCharsets.ISO_8859_1);
        if (tail.matches("(?s).*AXS[!*].{8}")) {
            return "AFCP";
        } else if (tail.endsWith("\u00a1\u00b2\u00c3\u00d4")) {
            return "FotoStation";
        } else if (tail.endsWith("cbipcbbl")) {
            return "PhotoMechanic";
        }
        return "unknown";
    }

    private int u16(int at, boolean little) {
        int a = data[at] & 0xff;
        int b = data[at + 1] & 0xff;
        return little ? a | b << 8 : a << 8 | b;
    }

    private long u32(int at, boolean little) {
        long hi = u16(at, little);
        long lo = u16(at + 2, little);
        return little ? lo << 16 | hi : hi << 16 | lo;
    }
}
