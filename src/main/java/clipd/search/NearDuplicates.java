package clipd.search;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

/**
 * Which photos look the same: every pair of embeddings whose cosine reaches a threshold, found without comparing
 * every photo with every other. Each photo gets a 128-bit random-hyperplane sketch (SimHash, Charikar 2002) of its
 * embedding minus the library's mean direction, and {@value #TABLES} tables each key it by {@value #BITS} of those
 * bits, drawn at random; only photos that share a key in at least one table are compared exactly. Two embeddings at
 * angle θ (after centring) agree on a bit with probability 1 − θ/π, so a re-encoded or resized copy (θ ≈ 15°) shares
 * a table's key with probability 0.92^16 ≈ 0.26 and is missed by all 32 with a probability near 10⁻⁴, a burst shot
 * at θ ≈ 25° by about 5%; two unrelated photos share a key with probability about 2⁻¹⁶, so the exact comparisons
 * grow as n²·2⁻¹¹ instead of n². Buckets are linked lists in flat int arrays (a bucket head per possible key), so a
 * photo costs 2 longs and {@value #TABLES} ints beyond its path. Photos are added and removed one at a time, as the
 * daemon indexes them; {@link #groups} links pairs into groups (connected components).
 *
 * <p>A candidate is first scored through an optional {@link Screen} (the search index's bfloat16 copy, in memory)
 * and its exact embedding is read only when that score comes within {@link #SCREEN_ERROR} of the threshold: reading
 * one from the store costs about 17 µs of CPU, a bfloat16 dot well under one, and nearly all candidates are
 * unrelated photos. The screen's error bound keeps the pairs exactly those an exact comparison of every candidate
 * would find.
 *
 * <p>Not thread-safe: the daemon calls it under its own lock.
 */
public final class NearDuplicates {
    /**
     * A stand-in for the cosine of a photo's embedding with a unit vector, within {@link #SCREEN_ERROR} of the exact
     * one; NaN for a photo it does not know (then the exact embedding is read).
     */
    public interface Screen {
        float cosine(String path, float[] unit);
    }

    /** No screen: every candidate's exact embedding is read (when embeddings are in memory anyway). */
    public static final Screen NO_SCREEN = (path, unit) -> Float.NaN;
    /**
     * Twice what bfloat16 can move a unit-vector cosine: rounding each component moves it by at most 2⁻⁸ of itself,
     * so the score by at most 2⁻⁸·Σ|q_i·v_i| ≤ 2⁻⁸.
     */
    public static final float SCREEN_ERROR = 1f / 128;
    static final int TABLES = 32;
    static final int BITS = 16;
    private static final int SKETCH_BITS = 128;
    /** A centre computed from fewer photos than this is recomputed once the library has doubled. */
    private static final int SETTLED_CENTRE = 100_000;
    private static final int NONE = -1;

    private final int dim;
    private final float threshold;
    private final Function<String, float[]> vectors;
    private final Screen screen;
    private final float[][] planes = new float[SKETCH_BITS][];
    private final int[][] keyBits = new int[TABLES][BITS];
    private float[] centre;
    private int centreFrom;
    private final Map<String, Integer> rowOf = new HashMap<>();
    private String[] pathOf = new String[64];
    private long[] sketches = new long[2 * 64];
    private final int[][] heads = new int[TABLES][1 << BITS];
    private int[][] next = new int[TABLES][64];
    private int rows;
    private final ArrayDeque<Integer> freeRows = new ArrayDeque<>();
    private final Map<String, Map<String, Float>> pairs = new HashMap<>();
    private long comparisons;
    private long exactReads;

    /**
     * @param vectors a photo's unit embedding by path (the store's), for the exact comparison of candidates
     */
    public NearDuplicates(int dim, float threshold, Function<String, float[]> vectors) {
        this(dim, threshold, vectors, NO_SCREEN);
    }

    /** @param screen scores candidates before their exact embeddings are read */
    public NearDuplicates(int dim, float threshold, Function<String, float[]> vectors, Screen screen) {
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("a duplicate threshold is a cosine in (0, 1], not " + threshold);
        }
        this.dim = dim;
        this.threshold = threshold;
        this.vectors = vectors;
        this.screen = screen;
        Random random = new Random(0x5eed_d0b1eL); // fixed, so groups do not change from one start to the next
        for (int b = 0; b < SKETCH_BITS; b++) {
            planes[b] = new float[dim];
            for (int i = 0; i < dim; i++) {
                planes[b][i] = (float) random.nextGaussian();
            }
        }
        for (int[] bits : keyBits) {
            List<Integer> all = new ArrayList<>();
            for (int b = 0; b < SKETCH_BITS; b++) {
                all.add(b);
            }
            java.util.Collections.shuffle(all, random);
            for (int i = 0; i < BITS; i++) {
                bits[i] = all.get(i);
            }
        }
        for (int[] h : heads) {
            java.util.Arrays.fill(h, NONE);
        }
        this.centre = new float[dim];
    }

    /** Candidates compared so far, for the benchmark. */
    public long comparisons() {
        return comparisons;
    }

    /** Candidates whose exact embedding was read, after the screen, for the benchmark. */
    public long exactReads() {
        return exactReads;
    }

    /**
     * Adds every photo at once, with the centre taken from all of them: the way to build it for a whole library.
     */
    public void addAll(Iterable<String> paths) {
        float[] sum = new float[dim];
        int n = 0;
        for (String path : paths) {
            float[] v = vectors.apply(path);
            if (v != null && v.length == dim) {
                for (int i = 0; i < dim; i++) {
                    sum[i] += v[i];
                }
                n++;
            }
        }
        if (rowOf.isEmpty() && n > 0) {
            for (int i = 0; i < dim; i++) {
                sum[i] /= n;
            }
            centre = sum;
            centreFrom = n;
        }
        for (String path : paths) {
            add(path);
        }
    }

    /** Adds a photo (or updates one whose embedding changed) and links it with the photos it looks like. */
    public void add(String path) {
        remove(path);
        float[] v = vectors.apply(path);
        if (v == null || v.length != dim) {
            return;
        }
        int row = newRow(path);
        sketch(v, row);
        java.util.BitSet seen = new java.util.BitSet();
        for (int t = 0; t < TABLES; t++) {
            int key = key(row, t);
            for (int other = heads[t][key]; other != NONE; other = next[t][other]) {
                if (!seen.get(other)) {
                    seen.set(other);
                    compare(path, v, pathOf[other]);
                }
            }
            next[t][row] = heads[t][key];
            heads[t][key] = row;
        }
        if (rowOf.size() >= 2 * centreFrom && centreFrom < SETTLED_CENTRE && rowOf.size() >= 16) {
            recentre();
        }
    }

    public void remove(String path) {
        Integer boxed = rowOf.remove(path);
        if (boxed == null) {
            return;
        }
        int row = boxed;
        for (int t = 0; t < TABLES; t++) {
            int key = key(row, t);
            if (heads[t][key] == row) {
                heads[t][key] = next[t][row];
            } else {
                int at = heads[t][key];
                while (next[t][at] != row) {
                    at = next[t][at];
                }
                next[t][at] = next[t][row];
            }
        }
        pathOf[row] = null;
        freeRows.push(row);
        Map<String, Float> mine = pairs.remove(path);
        if (mine != null) {
            for (String other : mine.keySet()) {
                Map<String, Float> theirs = pairs.get(other);
                theirs.remove(path);
                if (theirs.isEmpty()) {
                    pairs.remove(other);
                }
            }
        }
    }

    /** The cosine of a linked pair, or null when the two are not near-duplicates. */
    public Float score(String a, String b) {
        Map<String, Float> mine = pairs.get(a);
        return mine == null ? null : mine.get(b);
    }

    /**
     * Groups of photos linked by near-duplicate pairs, members in path order, largest groups first. A photo joins a
     * group when it is near one member, so a slow drift (a burst panning across a scene) can join photos whose own
     * cosine is below the threshold; {@link #score} tells each pair.
     */
    public List<List<String>> groups(java.util.function.Predicate<String> include) {
        return groups(include, threshold);
    }

    /** The groups when only pairs with a cosine of at least {@code minScore} count. */
    public List<List<String>> groups(java.util.function.Predicate<String> include, float minScore) {
        List<List<String>> groups = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (String start : new java.util.TreeSet<>(pairs.keySet())) {
            if (!include.test(start) || !done.add(start)) {
                continue;
            }
            List<String> group = new ArrayList<>();
            ArrayDeque<String> todo = new ArrayDeque<>(List.of(start));
            while (!todo.isEmpty()) {
                String p = todo.poll();
                group.add(p);
                for (Map.Entry<String, Float> pair : pairs.getOrDefault(p, Map.of()).entrySet()) {
                    String q = pair.getKey();
                    if (pair.getValue() >= minScore && include.test(q) && done.add(q)) {
                        todo.add(q);
                    }
                }
            }
            if (group.size() > 1) {
                group.sort(Comparator.naturalOrder());
                groups.add(group);
            }
        }
        groups.sort(Comparator.comparingInt((List<String> g) -> -g.size()).thenComparing(g -> g.get(0)));
        return groups;
    }

    private void compare(String path, float[] v, String other) {
        comparisons++;
        if (screen.cosine(other, v) < threshold - SCREEN_ERROR) {
            return; // false for NaN: unknown to the screen, compared exactly
        }
        float[] w = vectors.apply(other);
        if (w == null) {
            return;
        }
        exactReads++;
        float cos = VectorIndex.exactDot(v, w);
        if (cos >= threshold) {
            pairs.computeIfAbsent(path, k -> new LinkedHashMap<>()).put(other, cos);
            pairs.computeIfAbsent(other, k -> new LinkedHashMap<>()).put(path, cos);
        }
    }

    /** The library has grown past the photos its centre came from: take the centre again and sketch again. */
    private void recentre() {
        List<String> all = new ArrayList<>(rowOf.keySet());
        rowOf.clear();
        freeRows.clear();
        rows = 0;
        pairs.clear();
        for (int[] h : heads) {
            java.util.Arrays.fill(h, NONE);
        }
        java.util.Arrays.fill(pathOf, null);
        centreFrom = 0;
        addAll(all);
    }

    private int newRow(String path) {
        int row;
        if (!freeRows.isEmpty()) {
            row = freeRows.pop();
        } else {
            row = rows++;
            if (row == pathOf.length) {
                int capacity = pathOf.length * 2;
                pathOf = java.util.Arrays.copyOf(pathOf, capacity);
                sketches = java.util.Arrays.copyOf(sketches, 2 * capacity);
                for (int t = 0; t < TABLES; t++) {
                    next[t] = java.util.Arrays.copyOf(next[t], capacity);
                }
            }
        }
        pathOf[row] = path;
        rowOf.put(path, row);
        return row;
    }

    private void sketch(float[] v, int row) {
        float[] x = new float[dim];
        for (int i = 0; i < dim; i++) {
            x[i] = v[i] - centre[i];
        }
        long low = 0;
        long high = 0;
        for (int b = 0; b < SKETCH_BITS; b++) {
            if (dot(x, planes[b]) >= 0) {
                if (b < 64) {
                    low |= 1L << b;
                } else {
                    high |= 1L << (b - 64);
                }
            }
        }
        sketches[2 * row] = low;
        sketches[2 * row + 1] = high;
    }

    private int key(int row, int table) {
        int key = 0;
        for (int b : keyBits[table]) {
            long word = sketches[2 * row + (b >> 6)];
            key = key << 1 | (int) (word >>> (b & 63)) & 1;
        }
        return key;
    }

    /** Four partial sums, so the JIT can overlap the multiplications. */
    private static float dot(float[] a, float[] b) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < a.length; i += 4) {
            s0 += a[i] * b[i];
            s1 += a[i + 1] * b[i + 1];
            s2 += a[i + 2] * b[i + 2];
            s3 += a[i + 3] * b[i + 3];
        }
        for (; i < a.length; i++) {
            s0 += a[i] * b[i];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
