package clipd.search;

import org.junit.jupiter.api.Test;

import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class VectorIndexTest {
    /** An index whose exact vectors come from a map, as the daemon's come from the store. */
    private static VectorIndex index(int dim, java.util.Map<String, float[]> exact) {
        return new VectorIndex(dim, exact::get);
    }

    private static VectorIndex random(int n, int dim, long seed) {
        return random(n, dim, seed, new java.util.HashMap<>());
    }

    private static VectorIndex random(int n, int dim, long seed, java.util.Map<String, float[]> exact) {
        Random r = new Random(seed);
        VectorIndex index = index(dim, exact);
        for (int i = 0; i < n; i++) {
            float[] v = new float[dim];
            for (int k = 0; k < dim; k++) {
                v[k] = (float) r.nextGaussian();
            }
            exact.put("p" + i, v);
            index.put("p" + i, v);
        }
        return index;
    }

    private static VectorIndex of(String[] paths, float[] m, int dim) {
        java.util.Map<String, float[]> exact = new java.util.HashMap<>();
        VectorIndex index = index(dim, exact);
        for (int i = 0; i < paths.length; i++) {
            float[] v = java.util.Arrays.copyOfRange(m, i * dim, i * dim + dim);
            exact.put(paths[i], v);
            index.put(paths[i], v);
        }
        return index;
    }

    @Test
    void theAnswerIsTheExactRankingThoughTheScanReadsBfloat16() {
        int n = 40_000, dim = 512;
        java.util.Map<String, float[]> exact = new java.util.HashMap<>();
        VectorIndex index = random(n, dim, 11, exact);
        Random r = new Random(3);
        for (int t = 0; t < 5; t++) {
            float[] q = new float[dim];
            for (int i = 0; i < dim; i++) {
                q[i] = (float) r.nextGaussian();
            }
            List<SearchHit> expected = exact.entrySet().stream()
                    .map(e -> new SearchHit(e.getKey(), VectorIndex.exactDot(q, e.getValue())))
                    .sorted(Comparator.comparing(SearchHit::score).reversed()).limit(20).toList();
            assertEquals(expected, index.top(q, 20));
        }
    }

    @Test
    void theSimdAndScalarBfloat16DotsAgree() {
        Random r = new Random(9);
        for (int dim : new int[] {512, 768, 37}) {
            short[] m = new short[3 * dim];
            float[] q = new float[dim];
            for (int i = 0; i < m.length; i++) {
                m[i] = Bf16.of((float) r.nextGaussian());
            }
            for (int i = 0; i < dim; i++) {
                q[i] = (float) r.nextGaussian();
            }
            double reference = 0;
            for (int i = 0; i < dim; i++) {
                reference += (double) q[i] * Bf16.toFloat(m[dim + i]);
            }
            assertEquals(reference, Bf16.scalarDot(m, dim, q), 1e-3);
            org.junit.jupiter.api.Assumptions.assumeTrue(Bf16.VECTORIZED, "the test JVM runs without the Vector API");
            assertEquals(reference, Bf16Vectors.dot(m, dim, q), 1e-3);
        }
        assertEquals(1.0f, Bf16.toFloat(Bf16.of(1.0f)));
        assertEquals(0.33398438f, Bf16.toFloat(Bf16.of(1 / 3f)), "rounded to nearest, here up");
    }

    @Test
    void topKEqualsAFullSortAcrossManyScanTasks() {
        int n = 50_000, dim = 16;
        VectorIndex index = random(n, dim, 7);
        float[] q = new float[dim];
        for (int i = 0; i < dim; i++) {
            q[i] = (float) Math.sin(i);
        }
        List<SearchHit> all = index.top(q, n);
        assertEquals(n, all.size());
        for (int i = 1; i < all.size(); i++) {
            if (all.get(i).score() > all.get(i - 1).score()) {
                throw new AssertionError("not sorted at " + i);
            }
        }
        List<SearchHit> top = index.top(q, 25);
        assertEquals(all.subList(0, 25), top);
        List<SearchHit> expected = all.stream().sorted(Comparator.comparing(SearchHit::score).reversed()).limit(25)
                .toList();
        assertEquals(expected, top);
    }

    @Test
    void equalScoresKeepIndexOrderAndKIsBounded() {
        VectorIndex index = of(new String[] {"a", "b", "c"}, new float[] {1, 1, 1, 1, 2, 2}, 2);
        List<SearchHit> hits = index.top(new float[] {1, 0}, 10);
        assertEquals(List.of("c", "a", "b"), hits.stream().map(SearchHit::path).toList());
        assertEquals(List.of(), index.top(new float[] {1, 0}, 0));
        assertThrows(IllegalArgumentException.class, () -> index.top(new float[] {1}, 1));
    }

    @Test
    void followsPutsAndRemovesAndFiltersDuringTheScan() {
        java.util.Map<String, float[]> exact = new java.util.HashMap<>();
        VectorIndex index = index(2, exact);
        java.util.function.BiConsumer<String, float[]> put = (path, v) -> {
            exact.put(path, v); // the store is written first, as in the daemon
            index.put(path, v);
        };
        put.accept("/a/1", new float[] {1, 0});
        put.accept("/b/2", new float[] {2, 0});
        put.accept("/a/3", new float[] {3, 0});
        put.accept("/b/4", new float[] {4, 0});
        float[] q = {1, 0};
        assertEquals(List.of("/a/3", "/a/1"), index.top(q, 2, new PhotoFilter(null, null, null, null, "/a/", null, null)).stream().map(SearchHit::path).toList(),
                "a filter still fills its top k");
        index.remove("/b/2");
        put.accept("/a/1", new float[] {9, 0});
        put.accept("/c/5", new float[] {5, 0});
        assertEquals(4, index.size());
        assertEquals(List.of("/a/1", "/c/5", "/b/4", "/a/3"), index.top(q, 10).stream().map(SearchHit::path).toList());
        assertEquals(9f, index.vectorOf("/a/1")[0], "exact vectors come from their source");
        assertEquals("/c/5", index.pathOf(VectorIndex.idOf("/c/5")));
        assertEquals(null, index.pathOf(VectorIndex.idOf("/b/2")));
        assertEquals(16, VectorIndex.idOf("/a/1").length());
        index.remove("/c/5");
        index.remove("/a/1");
        index.remove("/b/4");
        index.remove("/a/3");
        assertEquals(List.of(), index.top(q, 3));
    }
}
