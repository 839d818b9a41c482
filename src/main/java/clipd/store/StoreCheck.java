package clipd.store;

import org.mapdb.BTreeMap;

import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Walks of a store's trees that end, whatever the file holds: keys must come in strictly increasing order (a block
 * that links back to an earlier one repeats keys) and there can be no more entries than the file has room for.
 */
final class StoreCheck {
    /** No entry takes less than this many bytes of the file (key, value, node slot). */
    private static final long MIN_ENTRY_BYTES = 8;

    private StoreCheck() {
    }

    /** The most entries a file of this size can hold. */
    static long limit(long fileBytes) {
        return fileBytes / MIN_ENTRY_BYTES + 1024;
    }

    /** Visits every entry of {@code tree} in order; throws {@link IllegalStateException} at a loop or past the limit. */
    static <V> long walk(BTreeMap<String, V> tree, long limit, BiConsumer<String, V> each) {
        return walk(tree.entrySet(), limit, 1, each);
    }

    /**
     * Visits entries as an iterator gives them; {@code order} 1 (a tree forwards) wants each key greater than the one
     * before, -1 (backwards) smaller, 0 (a hash map) any: then only the limit bounds the walk.
     */
    static <V> long walk(Iterable<Map.Entry<String, V>> entries, long limit, int order, BiConsumer<String, V> each) {
        long n = 0;
        String last = null;
        for (Map.Entry<String, V> e : entries) {
            String key = e.getKey();
            if (last != null && order != 0 && Integer.signum(key.compareTo(last)) != order) {
                throw new IllegalStateException("its tree loops back (" + key + " after " + last + ")");
            }
            if (++n > limit) {
                throw new IllegalStateException("it has more entries than its size allows");
            }
            each.accept(key, e.getValue());
            last = key;
        }
        return n;
    }

    /** Whether {@code v} is an embedding of {@code dim} numbers of length 1 (as every stored one is). */
    static boolean unitVector(float[] v, int dim) {
        if (v == null || v.length != dim) {
            return false;
        }
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        return Math.abs(sum - 1) < 1e-3; // also false for NaN
    }
}
