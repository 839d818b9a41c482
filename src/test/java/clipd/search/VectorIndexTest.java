package clipd.search;

import org.junit.jupiter.api.Test;

import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class VectorIndexTest {
    private static VectorIndex random(int n, int dim, long seed) {
        Random r = new Random(seed);
        float[] m = new float[n * dim];
        for (int i = 0; i < m.length; i++) {
            m[i] = (float) r.nextGaussian();
        }
        return new VectorIndex(IntStream.range(0, n).mapToObj(i -> "p" + i).toArray(String[]::new), m, dim);
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
        VectorIndex index = new VectorIndex(new String[] {"a", "b", "c"}, new float[] {1, 1, 1, 1, 2, 2}, 2);
        List<SearchHit> hits = index.top(new float[] {1, 0}, 10);
        assertEquals(List.of("c", "a", "b"), hits.stream().map(SearchHit::path).toList());
        assertEquals(List.of(), index.top(new float[] {1, 0}, 0));
        assertThrows(IllegalArgumentException.class, () -> index.top(new float[] {1}, 1));
    }
}
