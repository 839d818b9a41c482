package clipd.search;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The bfloat16 dot product with SIMD (AVX2: eight lanes): shorts widened to ints, shifted into the top half,
 * reinterpreted as floats and multiplied-added. Loaded only when the incubator module is present (see Bf16).
 */
final class Bf16Vectors {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, FLOATS.vectorShape());
    private static final VectorSpecies<Short> SHORTS =
            VectorSpecies.of(short.class, VectorShape.forBitSize(FLOATS.vectorBitSize() / 2));
    private static final int LANES = FLOATS.length();

    private Bf16Vectors() {
    }

    static float dot(short[] m, int base, float[] q) {
        FloatVector a = FloatVector.zero(FLOATS);
        FloatVector b = FloatVector.zero(FLOATS);
        int n = q.length;
        int i = 0;
        for (; i + 2 * LANES <= n; i += 2 * LANES) {
            a = widen(m, base + i).fma(FloatVector.fromArray(FLOATS, q, i), a);
            b = widen(m, base + i + LANES).fma(FloatVector.fromArray(FLOATS, q, i + LANES), b);
        }
        float s = a.add(b).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += q[i] * Float.intBitsToFloat(m[base + i] << 16);
        }
        return s;
    }

    private static FloatVector widen(short[] m, int offset) {
        ShortVector s = ShortVector.fromArray(SHORTS, m, offset);
        IntVector widened = (IntVector) s.convertShape(VectorOperators.S2I, INTS, 0);
        return widened.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }
}
