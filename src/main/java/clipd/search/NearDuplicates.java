package clipd.search;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Which photos look the same: every pair of embeddings whose cosine reaches a threshold, found without comparing
 * every photo with every other. Each distinct embedding gets a 128-bit random-hyperplane sketch (SimHash, Charikar
 * 2002) of itself minus the library's mean direction, and {@value #TABLES} tables each key it by {@value #BITS} of
 * those bits, drawn at random; only embeddings that share a key in at least one table are compared exactly. Two
 * embeddings at angle θ (after centring) agree on a bit with probability 1 − θ/π, so a re-encoded or resized copy
 * (θ ≈ 15°) shares a table's key with probability 0.92^16 ≈ 0.26 and is missed by all 32 with a probability near
 * 10⁻⁴, a burst shot at θ ≈ 25° by about 5%; two unrelated photos share a key with probability about 2⁻¹⁶, so the
 * exact comparisons grow as n²·2⁻¹¹ instead of n². Buckets are linked lists in flat int arrays (a bucket head per
 * possible key), so an embedding costs 2 longs and {@value #TABLES} ints beyond its paths.
 *
 * <p>Photos with the same embedding (copies of one file, or files that differ only in their metadata) share one
 * row, so a thousand copies cost one row and no pairs, not half a million pairs. In a crowd of near-identical
 * embeddings (a time-lapse, a long burst) each new one is linked to at most {@value #MAX_LINKS} of the others,
 * which is enough to join the crowd's group and keeps the pairs linear in the library; removing photos from such a
 * crowd can then split its group until the next start groups the library again. Photos are added and removed one
 * at a time, as the daemon indexes them; {@link #groups} links pairs into groups (connected components).
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
    static final int MAX_LINKS = 64;
    private static final int SKETCH_BITS = 128;
    /** A centre computed from fewer embeddings than this is recomputed once the library has doubled. */
    private static final int SETTLED_CENTRE = 100_000;
    private static final int CENTRE_SAMPLE = 4096;
    private static final int NONE = -1;

    private final int dim;
    private final float threshold;
    private final Function<String, float[]> vectors;
    private final Screen screen;
    private final float[][] planes = new float[SKETCH_BITS][];
    private final int[][] keyBits = new int[TABLES][BITS];
    private float[] centre;
    private int centreFrom;
    private final Map<String, Integer> rowOfPath = new HashMap<>();
    /** Rows by the hash of their embedding's components; a collision just makes a row of its own. */
    private final Map<Integer, Integer> rowOfHash = new HashMap<>();
    private int[] hashOf = new int[64];
    /** The photos of each row (null for a free row), all with the same embedding. */
    private final List<java.util.TreeSet<String>> pathsOf = new ArrayList<>();
    private long[] sketches = new long[2 * 64];
    private final int[][] heads = new int[TABLES][1 << BITS];
    private int[][] next = new int[TABLES][64];
    private final ArrayDeque<Integer> freeRows = new ArrayDeque<>();
    /** Pairs of rows, both ways: row → (row → cosine). */
    private final Map<Integer, Map<Integer, Float>> pairs = new HashMap<>();
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
     * Adds every photo at once, with the centre taken from an even sample of them (at most {@value #CENTRE_SAMPLE}:
     * its mean is the library's within what moves no candidate, and every embedding is then read only once, to be
     * added): the way to build it for a whole library.
     */
    public void addAll(java.util.Collection<String> paths) {
        float[] sum = new float[dim];
        int n = 0;
        int stride = Math.max(1, paths.size() / CENTRE_SAMPLE);
        int at = 0;
        for (String path : paths) {
            if (at++ % stride != 0) {
                continue;
            }
            float[] v = vectors.apply(path);
            if (v != null && v.length == dim) {
                for (int i = 0; i < dim; i++) {
                    sum[i] += v[i];
                }
                n++;
            }
        }
        if (rowOfPath.isEmpty() && n > 0) {
            for (int i = 0; i < dim; i++) {
                sum[i] /= n;
            }
            centre = sum;
            centreFrom = paths.size();
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
        int hash = java.util.Arrays.hashCode(v);
        Integer known = rowOfHash.get(hash);
        if (known != null && java.util.Arrays.equals(v, vectorOf(known))) {
            pathsOf.get(known).add(path);
            rowOfPath.put(path, known);
            return;
        }
        int row = newRow(hash);
        pathsOf.get(row).add(path);
        rowOfPath.put(path, row);
        sketch(v, row);
        java.util.BitSet seen = new java.util.BitSet();
        int links = 0;
        for (int t = 0; t < TABLES; t++) {
            int key = key(row, t);
            for (int other = heads[t][key]; other != NONE && links < MAX_LINKS; other = next[t][other]) {
                if (!seen.get(other)) {
                    seen.set(other);
                    links += compare(row, v, other) ? 1 : 0;
                }
            }
            next[t][row] = heads[t][key];
            heads[t][key] = row;
        }
        if (rowOfHash.size() >= 2 * centreFrom && centreFrom < SETTLED_CENTRE && rowOfHash.size() >= 16) {
            recentre();
        }
    }

    public void remove(String path) {
        Integer boxed = rowOfPath.remove(path);
        if (boxed == null) {
            return;
        }
        int row = boxed;
        pathsOf.get(row).remove(path);
        if (!pathsOf.get(row).isEmpty()) {
            return;
        }
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
        rowOfHash.remove(hashOf[row], row);
        pathsOf.set(row, null);
        freeRows.push(row);
        Map<Integer, Float> mine = pairs.remove(row);
        if (mine != null) {
            for (Integer other : mine.keySet()) {
                Map<Integer, Float> theirs = pairs.get(other);
                theirs.remove(row);
                if (theirs.isEmpty()) {
                    pairs.remove(other);
                }
            }
        }
    }

    /** The cosine of a linked pair (1 for photos with the same embedding), or null when they are not linked. */
    public Float score(String a, String b) {
        Integer ra = rowOfPath.get(a);
        Integer rb = rowOfPath.get(b);
        if (ra == null || rb == null) {
            return null;
        }
        if (ra.equals(rb)) {
            return 1f;
        }
        Map<Integer, Float> mine = pairs.get(ra);
        return mine == null ? null : mine.get(rb);
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
        java.util.BitSet done = new java.util.BitSet();
        for (int start = 0; start < pathsOf.size(); start++) {
            if (pathsOf.get(start) == null || done.get(start)) {
                continue;
            }
            done.set(start);
            List<String> group = new ArrayList<>();
            ArrayDeque<Integer> todo = new ArrayDeque<>(List.of(start));
            while (!todo.isEmpty()) {
                int r = todo.poll();
                List<String> included = pathsOf.get(r).stream().filter(include).toList();
                if (included.isEmpty()) {
                    continue; // a photo left out does not link the others
                }
                group.addAll(included);
                for (Map.Entry<Integer, Float> pair : pairs.getOrDefault(r, Map.of()).entrySet()) {
                    int q = pair.getKey();
                    if (pair.getValue() >= minScore && !done.get(q)) {
                        done.set(q);
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

    /** Links two rows when their embeddings are near enough; whether it did. */
    private boolean compare(int row, float[] v, int other) {
        comparisons++;
        if (screen.cosine(pathsOf.get(other).first(), v) < threshold - SCREEN_ERROR) {
            return false; // false for NaN: unknown to the screen, compared exactly
        }
        float[] w = vectorOf(other);
        if (w == null) {
            return false;
        }
        exactReads++;
        float cos = VectorIndex.exactDot(v, w);
        if (cos < threshold) {
            return false;
        }
        pairs.computeIfAbsent(row, k -> new HashMap<>()).put(other, cos);
        pairs.computeIfAbsent(other, k -> new HashMap<>()).put(row, cos);
        return true;
    }

    /** A row's embedding, read again by one of its paths: rows keep sketches, not vectors. */
    private float[] vectorOf(int row) {
        return vectors.apply(pathsOf.get(row).first());
    }

    /** The library has grown past the photos its centre came from: take the centre again and sketch again. */
    private void recentre() {
        List<String> all = new ArrayList<>(rowOfPath.keySet());
        rowOfPath.clear();
        rowOfHash.clear();
        freeRows.clear();
        pairs.clear();
        for (int[] h : heads) {
            java.util.Arrays.fill(h, NONE);
        }
        pathsOf.clear();
        centreFrom = 0;
        addAll(all);
    }

    private int newRow(int hash) {
        int row;
        if (!freeRows.isEmpty()) {
            row = freeRows.pop();
            pathsOf.set(row, new java.util.TreeSet<>());
        } else {
            row = pathsOf.size();
            pathsOf.add(new java.util.TreeSet<>());
            if (row == hashOf.length) {
                int capacity = hashOf.length * 2;
                hashOf = java.util.Arrays.copyOf(hashOf, capacity);
                sketches = java.util.Arrays.copyOf(sketches, 2 * capacity);
                for (int t = 0; t < TABLES; t++) {
                    next[t] = java.util.Arrays.copyOf(next[t], capacity);
                }
            }
        }
        hashOf[row] = hash;
        rowOfHash.putIfAbsent(hash, row);
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
