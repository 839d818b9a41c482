package clipd.search;

/**
 * bfloat16: the top half of a float32 (8 exponent bits, 7 mantissa bits). Half the bytes of a float, so a scan
 * over a million embeddings moves 1 GB instead of 2; about three significant digits, so the index re-scores its
 * best candidates with the exact vectors before it answers.
 */
final class Bf16 {
    /** The Vector API is an incubator module in Java 17: present only when the JVM was started with it. */
    static final boolean VECTORIZED = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private Bf16() {
    }

    /** Rounds to the nearest bfloat16, ties to even. */
    static short of(float f) {
        int bits = Float.floatToRawIntBits(f);
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    static float toFloat(short h) {
        return Float.intBitsToFloat(h << 16);
    }

    /** The dot product of row {@code base} of a bfloat16 matrix with a float query. */
    static float dot(short[] m, int base, float[] q) {
        return VECTORIZED ? Bf16Vectors.dot(m, base, q) : scalarDot(m, base, q);
    }

    static float scalarDot(short[] m, int base, float[] q) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        int n = q.length;
        for (; i + 3 < n; i += 4) {
            s0 += q[i] * Float.intBitsToFloat(m[base + i] << 16);
            s1 += q[i + 1] * Float.intBitsToFloat(m[base + i + 1] << 16);
            s2 += q[i + 2] * Float.intBitsToFloat(m[base + i + 2] << 16);
            s3 += q[i + 3] * Float.intBitsToFloat(m[base + i + 3] << 16);
        }
        for (; i < n; i++) {
            s0 += q[i] * Float.intBitsToFloat(m[base + i] << 16);
        }
        return (s0 + s1) + (s2 + s3);
    }
}
