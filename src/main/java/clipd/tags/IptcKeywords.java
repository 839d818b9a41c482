package clipd.tags;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The IPTC-IIM keywords (dataset 2:25) of a JPEG, from the IPTC-NAA resources in its APP13 Photoshop segments.
 * clipd only reads them: the Metadata Working Group's guidance is that a writer of dc:subject carries them over.
 */
final class IptcKeywords {
    private static final byte[] PHOTOSHOP_ID = "Photoshop 3.0\0".getBytes(StandardCharsets.ISO_8859_1);
    private static final int IPTC_NAA = 0x0404;

    private IptcKeywords() {
    }

    static List<String> read(JpegLayout jpeg) {
        List<String> keywords = new ArrayList<>();
        byte[] d = jpeg.data;
        for (JpegLayout.Segment s : jpeg.segments(0xed, PHOTOSHOP_ID)) {
            int pos = s.payload() + PHOTOSHOP_ID.length;
            while (pos + 12 <= s.end() && d[pos] == '8' && d[pos + 1] == 'B' && d[pos + 2] == 'I' && d[pos + 3] == 'M') {
                int id = (d[pos + 4] & 0xff) << 8 | d[pos + 5] & 0xff;
                int nameLength = d[pos + 6] & 0xff;
                int sizeAt = pos + 6 + ((nameLength + 2) & ~1);
                if (sizeAt + 4 > s.end()) {
                    break;
                }
                long size = ByteBuffer.wrap(d, sizeAt, 4).getInt() & 0xffffffffL;
                int data = sizeAt + 4;
                if (data + size > s.end()) {
                    break;
                }
                if (id == IPTC_NAA) {
                    datasets(d, data, data + (int) size, keywords);
                }
                pos = data + (int) ((size + 1) & ~1L);
            }
        }
        return keywords;
    }

    private static void datasets(byte[] d, int pos, int end, List<String> keywords) {
        while (pos + 5 <= end && d[pos] == 0x1c) {
            int record = d[pos + 1] & 0xff;
            int dataset = d[pos + 2] & 0xff;
            int size = (d[pos + 3] & 0xff) << 8 | d[pos + 4] & 0xff;
            if ((size & 0x8000) != 0) {
                return; // an extended dataset: never a keyword, and nothing clipd needs after it
            }
            int value = pos + 5;
            if (value + size > end) {
                return;
            }
            if (record == 2 && dataset == 25) {
                String k = text(d, value, size).trim();
                if (!k.isEmpty() && !keywords.contains(k)) {
                    keywords.add(k);
                }
            }
            pos = value + size;
        }
    }

    /** UTF-8 when the bytes are valid UTF-8 (as 1:90 usually declares), else Latin-1, as most readers guess. */
    private static String text(byte[] d, int from, int size) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(d, from, size)).toString();
        } catch (CharacterCodingException e) {
            return new String(d, from, size, StandardCharsets.ISO_8859_1);
        }
    }
}
