package clipd.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * A stored value with a checksum over its key and itself, because MapDB reads a damaged block as whatever it
 * holds: a record whose bytes or path changed in the file is recognised as damaged instead of being believed.
 * Values written before checksums (no marker byte) are read as they are.
 */
final class Sealed {
    /** Record and tag-state formats start with a small version number, never with this. */
    private static final byte MARKER = (byte) 0xC5;
    private static final int VECTOR_MARKER = 0x7f7fc11d;

    private Sealed() {
    }

    static byte[] seal(String key, byte[] value) {
        byte[] out = new byte[value.length + 5];
        out[0] = MARKER;
        System.arraycopy(value, 0, out, 1, value.length);
        ByteBuffer.wrap(out, value.length + 1, 4).putInt(crc(key, out, 1, value.length));
        return out;
    }

    /** The value; throws {@link IllegalStateException} when it does not match its checksum. */
    static byte[] open(String key, byte[] stored) {
        if (stored.length == 0 || stored[0] != MARKER) {
            return stored;
        }
        int n = stored.length - 5;
        if (n < 0 || ByteBuffer.wrap(stored, n + 1, 4).getInt() != crc(key, stored, 1, n)) {
            throw new IllegalStateException("the entry of " + key + " does not match its checksum");
        }
        return Arrays.copyOfRange(stored, 1, n + 1);
    }

    /**
     * An embedding with three more numbers: a marker no embedding holds (≈3.4e38, its elements are ≤ 1) and the CRC
     * as two 16-bit halves. Whole numbers below 65,536 are exact floats; a CRC kept as one float's raw bits would be
     * a NaN for one value in 256, and MapDB's float serializer writes every NaN as the same bits.
     */
    static float[] seal(String key, float[] v) {
        int crc = crc(key, v, v.length);
        float[] out = Arrays.copyOf(v, v.length + 3);
        out[v.length] = Float.intBitsToFloat(VECTOR_MARKER);
        out[v.length + 1] = crc >>> 16;
        out[v.length + 2] = crc & 0xffff;
        return out;
    }

    /** The embedding, or null when it does not match its checksum; one stored without a checksum as it is. */
    static float[] open(String key, float[] stored) {
        int n = stored.length - 3;
        if (n < 0 || Float.floatToRawIntBits(stored[n]) != VECTOR_MARKER) {
            return stored;
        }
        int crc = (int) stored[n + 1] << 16 | (int) stored[n + 2];
        return crc == crc(key, stored, n) ? Arrays.copyOf(stored, n) : null;
    }

    private static int crc(String key, float[] v, int length) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * length);
        for (int i = 0; i < length; i++) {
            bytes.putInt(Float.floatToRawIntBits(v[i]));
        }
        return crc(key, bytes.array(), 0, bytes.capacity());
    }

    private static int crc(String key, byte[] b, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        crc.update(b, from, length);
        return (int) crc.getValue();
    }
}
