package clipd.search;

import clipd.embed.Vectors;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NearDuplicatesTest {
    private static final int DIM = 512;
    private final Random random = new Random(7);
    private final Map<String, float[]> vectors = new HashMap<>();

    private float[] randomUnit() {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return Vectors.normalize(v);
    }

    /** A unit vector at exactly cosine {@code cos} from {@code base}. */
    private float[] near(float[] base, double cos) {
        float[] noise = randomUnit();
        double along = VectorIndex.exactDot(noise, base);
        float[] orthogonal = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            orthogonal[i] = (float) (noise[i] - along * base[i]);
        }
        Vectors.normalize(orthogonal);
        float[] v = new float[DIM];
        double sin = Math.sqrt(1 - cos * cos);
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) (cos * base[i] + sin * orthogonal[i]);
        }
        return Vectors.normalize(v);
    }

    @Test
    void findsEveryPairAboveTheThresholdAndNoneBelowWithoutComparingAllPairs() {
        List<String> paths = new ArrayList<>();
        int n = 6_000;
        for (int i = 0; i < n; i++) {
            String p = "/photos/" + i + ".jpg";
            float[] v = randomUnit();
            vectors.put(p, v);
            paths.add(p);
            if (i % 30 == 0) {
                vectors.put(p + ".copy", near(v, 0.995));
                paths.add(p + ".copy");
            } else if (i % 30 == 1) {
                vectors.put(p + ".other", near(v, 0.97));
                paths.add(p + ".other");
            }
        }
        NearDuplicates near = new NearDuplicates(DIM, 0.99f, vectors::get);
        near.addAll(paths);
        List<List<String>> groups = near.groups(p -> true);
        assertEquals(n / 30, groups.size(), "one group per copied photo, none for the 0.97 pairs");
        for (List<String> g : groups) {
            assertEquals(2, g.size());
            assertEquals(g.get(0) + ".copy", g.get(1));
            assertTrue(near.score(g.get(0), g.get(1)) > 0.99f);
        }
        long allPairs = (long) paths.size() * (paths.size() - 1) / 2;
        assertTrue(near.comparisons() < allPairs / 100, near.comparisons() + " comparisons of " + allPairs + " pairs");
    }

    @Test
    void aPhotoAddedLaterIsLinkedAndARemovedOneLeavesItsGroup() {
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            vectors.put("/p/" + i, randomUnit());
            paths.add("/p/" + i);
        }
        NearDuplicates near = new NearDuplicates(DIM, 0.98f, vectors::get);
        near.addAll(paths);
        assertTrue(near.groups(p -> true).isEmpty());

        vectors.put("/p/7-resized", near(vectors.get("/p/7"), 0.999));
        vectors.put("/p/7-burst", near(vectors.get("/p/7-resized"), 0.99));
        near.add("/p/7-resized");
        near.add("/p/7-burst");
        assertEquals(List.of(List.of("/p/7", "/p/7-burst", "/p/7-resized")), near.groups(p -> true));
        assertEquals(List.of(List.of("/p/7", "/p/7-resized")), near.groups(p -> !p.endsWith("burst")),
                "a filter leaves photos out of groups");

        near.remove("/p/7-resized");
        assertNull(near.score("/p/7", "/p/7-resized"));
        List<List<String>> left = near.groups(p -> true);
        assertTrue(left.isEmpty() || left.equals(List.of(List.of("/p/7", "/p/7-burst"))), left.toString());
        assertNotNull(near.groups(p -> true));
    }

    @Test
    void theCentreFollowsAGrowingLibraryWithoutLosingPairs() {
        NearDuplicates near = new NearDuplicates(DIM, 0.99f, vectors::get);
        float[] shared = randomUnit(); // every photo leans the same way, as CLIP embeddings do
        for (int i = 0; i < 3_000; i++) {
            float[] v = randomUnit();
            for (int d = 0; d < DIM; d++) {
                v[d] = v[d] * 0.6f + shared[d] * 0.8f;
            }
            vectors.put("/a/" + i, Vectors.normalize(v));
            near.add("/a/" + i);
            if (i % 100 == 0) {
                vectors.put("/a/" + i + "c", near(vectors.get("/a/" + i), 0.997));
                near.add("/a/" + i + "c");
            }
        }
        assertEquals(30, near.groups(p -> true).size());
        assertTrue(near.comparisons() < 3_000L * 3_000 / 40, near.comparisons() + " comparisons");
    }

    @Test
    void copiesShareOneRowSoAThousandOfThemCostNoPairs() {
        float[] content = randomUnit();
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            String p = "/copies/" + i + ".jpg";
            vectors.put(p, content.clone()); // the store reads a fresh array each time
            paths.add(p);
        }
        for (int i = 0; i < 300; i++) {
            vectors.put("/other/" + i, randomUnit());
            paths.add("/other/" + i);
        }
        NearDuplicates near = new NearDuplicates(DIM, 0.99f, vectors::get);
        near.addAll(paths);
        List<List<String>> groups = near.groups(p -> true);
        assertEquals(1, groups.size());
        assertEquals(1_000, groups.get(0).size());
        assertEquals(1f, near.score("/copies/3.jpg", "/copies/999.jpg"));
        assertTrue(near.comparisons() < 1_000, near.comparisons() + " comparisons");
        assertEquals(List.of(List.of("/copies/1.jpg", "/copies/2.jpg")),
                near.groups(p -> p.equals("/copies/1.jpg") || p.equals("/copies/2.jpg")));

        for (int i = 0; i < 999; i++) {
            near.remove("/copies/" + i + ".jpg");
        }
        assertTrue(near.groups(p -> true).isEmpty(), "one copy left is no group");
        near.remove("/copies/999.jpg");
        assertNull(near.score("/copies/999.jpg", "/copies/999.jpg"));
    }

    @Test
    void aCrowdOfNearIdenticalPhotosStaysOneGroupWithLinksBoundedPerPhoto() {
        float[] scene = randomUnit();
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            vectors.put("/timelapse/" + i, near(scene, 0.998));
            paths.add("/timelapse/" + i);
        }
        List<String> all = new ArrayList<>(paths);
        for (int i = 0; i < 3_000; i++) { // the crowd is a part of the library, not its mean direction
            vectors.put("/other/" + i, randomUnit());
            all.add("/other/" + i);
        }
        NearDuplicates near = new NearDuplicates(DIM, 0.99f, vectors::get);
        near.addAll(all);
        List<List<String>> groups = near.groups(p -> true);
        assertEquals(1, groups.size());
        assertEquals(600, groups.get(0).size());
        long linked = 0;
        for (String a : paths) {
            for (String b : paths) {
                if (!a.equals(b) && near.score(a, b) != null) {
                    linked++;
                }
            }
        }
        assertTrue(linked <= 2L * NearDuplicates.MAX_LINKS * paths.size(), linked + " links");
        assertTrue(near.comparisons() < 40L * all.size(), near.comparisons() + " comparisons");
    }

    @Test
    void theBfloat16ScreenFindsTheSamePairsReadingFewExactEmbeddings() {
        List<String> paths = new ArrayList<>();
        VectorIndex index = new VectorIndex(DIM, vectors::get);
        for (int i = 0; i < 3_000; i++) {
            String p = "/s/" + i;
            vectors.put(p, randomUnit());
            paths.add(p);
            if (i % 20 == 0) { // just above the threshold, and just below: within bfloat16's error of it
                vectors.put(p + "-above", near(vectors.get(p), 0.9905));
                vectors.put(p + "-below", near(vectors.get(p), 0.9895));
                paths.add(p + "-above");
                paths.add(p + "-below");
            }
        }
        paths.forEach(p -> index.put(p, vectors.get(p)));
        NearDuplicates exact = new NearDuplicates(DIM, 0.99f, vectors::get);
        exact.addAll(paths);
        NearDuplicates screened = new NearDuplicates(DIM, 0.99f, vectors::get, index::approximateDot);
        screened.addAll(paths);

        List<List<String>> groups = screened.groups(p -> true);
        assertEquals(exact.groups(p -> true), groups);
        assertEquals(150, groups.size());
        groups.forEach(g -> assertEquals(List.of(g.get(0), g.get(0) + "-above"), g));
        assertEquals(exact.comparisons(), screened.comparisons());
        assertEquals(exact.comparisons(), exact.exactReads());
        assertTrue(screened.exactReads() < exact.exactReads() / 10,
                screened.exactReads() + " exact reads of " + exact.exactReads() + " candidates");
    }
}
