package clipd.search;

import org.junit.jupiter.api.Test;

import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class VectorIndexTest {
    private static VectorIndex random(int n, int dim, long seed) {
        Random r = new Random(seed);
        VectorIndex index = new VectorIndex(dim);
        for (int i = 0; i < n; i++) {
            float[] v = new float[dim];
            for (int k = 0; k < dim; k++) {
                v[k] = (float) r.nextGaussian();
            }
            index.put("p" + i, v);
        }
        return index;
    }

    private static VectorIndex of(String[] paths, float[] m, int dim) {
        VectorIndex index = new VectorIndex(dim);
        for (int i = 0; i < paths.length; i++) {
            index.put(paths[i], java.util.Arrays.copyOfRange(m, i * dim, i * dim + dim));
        }
        return index;
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
        VectorIndex index = of(new String[] {"/a/1", "/b/2", "/a/3", "/b/4"}, new float[] {1, 0, 2, 0, 3, 0, 4, 0}, 2);
        float[] q = {1, 0};
        assertEquals(List.of("/a/3", "/a/1"), index.top(q, 2, "/a/").stream().map(SearchHit::path).toList(),
                "a filter still fills its top k");
        index.remove("/b/2");
        index.put("/a/1", new float[] {9, 0});
        index.put("/c/5", new float[] {5, 0});
        assertEquals(4, index.size());
        assertEquals(List.of("/a/1", "/c/5", "/b/4", "/a/3"), index.top(q, 10).stream().map(SearchHit::path).toList());
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
