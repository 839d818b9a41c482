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
 * every photo with every other. Each photo gets {@value #TABLES} signatures of {@value #BITS} random-hyperplane bits
 * (SimHash, Charikar 2002) of its embedding minus the library's mean direction; only photos that share a signature
 * in at least one table are compared exactly. Two embeddings at angle θ (after centring) share one table's signature
 * with probability (1 − θ/π)^16: a re-encoded or resized copy (θ ≈ 15°) is missed by all 32 tables with probability
 * below 10⁻⁴, a burst shot at θ ≈ 25° with about 5%; two unrelated photos collide in a table with probability about
 * 2⁻¹⁶, so the exact comparisons grow as n²·2⁻¹¹ instead of n². Photos are added and removed one at a time, as the
 * daemon indexes them; {@link #groups} links pairs into groups (connected components).
 *
 * <p>Not thread-safe: the daemon calls it under its own lock.
 */
public final class NearDuplicates {
    static final int TABLES = 32;
    static final int BITS = 16;
    /** A centre computed from fewer photos than this is recomputed once the library has doubled. */
    private static final int SETTLED_CENTRE = 100_000;

    private final int dim;
    private final float threshold;
    private final Function<String, float[]> vectors;
    private final float[][] planes;
    private float[] centre;
    private int centreFrom;
    private final Map<String, int[]> keys = new HashMap<>();
    private final List<Map<Integer, List<String>>> tables = new ArrayList<>(TABLES);
    private final Map<String, Map<String, Float>> pairs = new HashMap<>();
    private long comparisons;

    /**
     * @param vectors a photo's unit embedding by path (the search index's), for the exact comparison of candidates
     */
    public NearDuplicates(int dim, float threshold, Function<String, float[]> vectors) {
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("a duplicate threshold is a cosine in (0, 1], not " + threshold);
        }
        this.dim = dim;
        this.threshold = threshold;
        this.vectors = vectors;
        this.planes = new float[TABLES * BITS][dim];
        Random random = new Random(0x5eed_d0b1eL); // fixed, so groups do not change from one start to the next
        for (float[] plane : planes) {
            for (int i = 0; i < dim; i++) {
                plane[i] = (float) random.nextGaussian();
            }
        }
        this.centre = new float[dim];
        for (int t = 0; t < TABLES; t++) {
            tables.add(new HashMap<>());
        }
    }

    public float threshold() {
        return threshold;
    }

    public int size() {
        return keys.size();
    }

    /** Exact comparisons made so far, for the benchmark. */
    public long comparisons() {
        return comparisons;
    }

    /**
     * Adds every photo at once, with the centre taken from all of them: the way to build it for a whole library.
     */
    public void addAll(Iterable<String> paths) {
        float[] sum = new float[dim];
        int n = 0;
        for (String path : paths) {
            float[] v = vectors.apply(path);
            if (v != null) {
                for (int i = 0; i < dim; i++) {
                    sum[i] += v[i];
                }
                n++;
            }
        }
        if (keys.isEmpty() && n > 0) {
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
        int[] key = signatures(v);
        keys.put(path, key);
        Set<String> seen = new HashSet<>();
        for (int t = 0; t < TABLES; t++) {
            List<String> bucket = tables.get(t).computeIfAbsent(key[t], k -> new ArrayList<>(2));
            for (String other : bucket) {
                if (seen.add(other)) {
                    compare(path, v, other);
                }
            }
            bucket.add(path);
        }
        if (keys.size() >= 2 * centreFrom && centreFrom < SETTLED_CENTRE && keys.size() >= 16) {
            recentre();
        }
    }

    public void remove(String path) {
        int[] key = keys.remove(path);
        if (key == null) {
            return;
        }
        for (int t = 0; t < TABLES; t++) {
            List<String> bucket = tables.get(t).get(key[t]);
            bucket.remove(path);
            if (bucket.isEmpty()) {
                tables.get(t).remove(key[t]);
            }
        }
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
                for (String q : pairs.getOrDefault(p, Map.of()).keySet()) {
                    if (include.test(q) && done.add(q)) {
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
        float[] w = vectors.apply(other);
        if (w == null) {
            return;
        }
        comparisons++;
        float cos = VectorIndex.exactDot(v, w);
        if (cos >= threshold) {
            pairs.computeIfAbsent(path, k -> new LinkedHashMap<>()).put(other, cos);
            pairs.computeIfAbsent(other, k -> new LinkedHashMap<>()).put(path, cos);
        }
    }

    /** The library has grown past the photos its centre came from: take the centre again and re-hash. */
    private void recentre() {
        List<String> all = new ArrayList<>(keys.keySet());
        keys.clear();
        pairs.clear();
        tables.forEach(Map::clear);
        centreFrom = 0;
        addAll(all);
    }

    int[] signatures(float[] v) {
        int[] key = new int[TABLES];
        for (int t = 0; t < TABLES; t++) {
            int bits = 0;
            for (int b = 0; b < BITS; b++) {
                float[] plane = planes[t * BITS + b];
                float dot = 0;
                for (int i = 0; i < dim; i++) {
                    dot += (v[i] - centre[i]) * plane[i];
                }
                bits = bits << 1 | (dot >= 0 ? 1 : 0);
            }
            key[t] = bits;
        }
        return key;
    }
}
