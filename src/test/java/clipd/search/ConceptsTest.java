package clipd.search;

import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.embed.Vectors;
import clipd.image.ImageDecoder;
import clipd.image.Preprocessor;
import clipd.index.IndexStats;
import clipd.store.ConceptRecord;
import clipd.store.PhotoStore;
import clipd.testing.Fixtures;
import clipd.testing.ImageVariants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Concepts made from the stored embeddings of versions of one shared photo, among the other shared photos. The tiny
 * model's scores mean nothing; what is checked is exact: the ranking of a photo's own versions, the threshold by
 * its rule, the query terms, and that concepts outlive the process.
 */
class ConceptsTest {
    private static final List<String> OTHERS = List.of("cat.jpg", "books.jpg", "cake.jpg", "camera.jpg",
            "black kitty.jpeg", "boats on a lake.png", "chessboard with rocks.JPG", "camera lens.jpg");

    @TempDir
    static Path dir;
    private static ModelDescriptor d;
    private static ClipModel model;
    private static PhotoStore store;
    private static Path photos;

    /** Once for the class: indexing is what takes the time. */
    @BeforeAll
    static void indexVariantsAndOthers() throws Exception {
        d = ModelDescriptor.load(Fixtures.TINY_MODEL);
        model = new ClipModel(d, 1);
        store = PhotoStore.open(dir.resolve("data/index.db"));
        photos = Files.createDirectories(dir.resolve("photos"));
        ImageVariants.write(Fixtures.SHARED_IMAGES.resolve("bee.jpg"), photos, "bee");
        for (String name : OTHERS) {
            Files.copy(Fixtures.SHARED_IMAGES.resolve(name), photos.resolve(name));
        }
        Fixtures.tinyIndexer(store, model, 1, 8).index(List.of(photos), new IndexStats());
    }

    @AfterEach
    void forgetTheConcepts() {
        store.concepts().forEach(c -> store.removeConcept(c.name()));
    }

    @AfterAll
    static void close() {
        store.close();
        model.close();
    }

    private static String bee(String suffix) {
        return photos.resolve("bee" + suffix).toString();
    }

    private static QueryEmbedder embedder(ConceptVectors concepts) {
        return new QueryEmbedder(model, new ImageDecoder(50_000_000L, 4 * d.imageSize()),
                new Preprocessor(d.imageSize(), d.mean(), d.std()), concepts);
    }

    @Test
    void aConceptOfTwoVersionsOfAPhotoFindsItsOtherVersionsFirst() throws Exception {
        Concepts concepts = new Concepts(store, model);
        concepts.add(new Concepts.Change("Bee", List.of(bee("-original.jpg"), bee("-q60.jpg")), List.of(), null,
                null));
        Searcher searcher = new Searcher(embedder(concepts), VectorIndex.load(store, "", d.embeddingDim()));
        List<SearchHit> hits = searcher.text("Bee", 20, PhotoFilter.NONE);
        List<String> ranked = hits.stream().map(h -> Path.of(h.path()).getFileName().toString()).toList();
        System.out.println("concept Bee ranks: " + ranked);
        assertEquals(Set.of("bee-original.jpg", "bee-q60.jpg", "bee-half.jpg"), Set.copyOf(ranked.subList(0, 3)),
                "the examples and the half-size version come first: " + ranked);
        assertEquals("bee-crop90.jpg", ranked.get(3), "then the crop, before every other photo: " + ranked);
    }

    @Test
    void theThresholdFollowsItsRuleOnTheStoredEmbeddings() throws Exception {
        Concepts concepts = new Concepts(store, model);
        List<String> examples = List.of(bee("-original.jpg"), bee("-q60.jpg"), bee("-half.jpg"));
        ConceptRecord c = concepts.add(new Concepts.Change("Bee", examples, List.of(), null, null));
        List<float[]> positives = new ArrayList<>();
        Set<String> exampleHashes = new HashSet<>();
        for (String p : examples) {
            String hash = store.record(p).orElseThrow().hash();
            exampleHashes.add(hash);
            positives.add(store.vector(hash));
        }
        List<Float> library = new ArrayList<>();
        Set<String> seen = new HashSet<>(exampleHashes);
        store.forEachRecord("", (path, r) -> {
            if (seen.add(r.hash())) {
                library.add(Vectors.dot(c.vector(), store.vector(r.hash())));
            }
        });
        float[] scores = new float[library.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = library.get(i);
        }
        ConceptModel.Examples e = new ConceptModel.Examples(positives, List.of(), null);
        assertArrayEquals(ConceptModel.vector(e), c.vector(), 1e-6f);
        ConceptModel.Threshold expected = ConceptModel.threshold(e, scores);
        assertEquals(expected.value(), c.threshold(), 1e-6);
        assertEquals(expected.source(), c.thresholdSource());
        assertFalse(c.manual());
        assertEquals(OTHERS.size() + 1, scores.length, "every other photo, the crop among them");

        ConceptRecord manual = concepts.add(new Concepts.Change("Bee", List.of(), List.of(), null, "0.5"));
        assertEquals(0.5f, manual.threshold());
        assertTrue(manual.manual());
        assertEquals(3, manual.positives().size(), "adding nothing keeps the examples");
        ConceptRecord more = concepts.add(new Concepts.Change("Bee", List.of(bee("-crop90.jpg")), List.of(), null, null));
        assertEquals(0.5f, more.threshold(), "a threshold set by hand stays until it is set to auto");
        assertEquals(4, more.positives().size());
        assertFalse(concepts.add(new Concepts.Change("Bee", List.of(), List.of(), null, "auto")).manual());
    }

    @Test
    void conceptNamesAreQueryTermsAndWinOverTheirText() throws Exception {
        Concepts concepts = new Concepts(store, model);
        float[] bee = concepts.add(new Concepts.Change("Bee", List.of(bee("-original.jpg")), List.of(), null, null))
                .vector();
        QueryEmbedder embedder = embedder(concepts);
        float[][] text = model.embedTexts(List.of("Bee", "beach", "snow", "bee"));
        assertArrayEquals(bee, embedder.embed(QueryParser.parseText("Bee")), 1e-6f, "the concept, not the word");
        assertArrayEquals(bee, embedder.embed(QueryParser.parseText("\"Bee\"")), 1e-6f, "quoted too");
        assertFalse(java.util.Arrays.equals(text[0], bee));
        assertArrayEquals(sum(bee, 1, text[1], 1), embedder.embed(QueryParser.parseText("\"Bee\" + beach")), 1e-5f);
        assertArrayEquals(sum(bee, 1, text[2], -1), embedder.embed(QueryParser.parseText("Bee - snow")), 1e-5f);
        assertArrayEquals(sum(bee, 2, text[2], -1), embedder.embed(QueryParser.parse(List.of("2:Bee", "-", "snow"),
                Path.of("/"))), 1e-5f);
        assertArrayEquals(text[3], embedder.embed(QueryParser.parseText("bee")), 1e-6f, "an exact match only");
        assertArrayEquals(text[0], embedder(ConceptVectors.NONE).embed(QueryParser.parseText("Bee")), 1e-6f);
    }

    @Test
    void badExamplesAndNamesAreOneLineErrors() throws Exception {
        Concepts concepts = new Concepts(store, model);
        QueryException missing = assertThrows(QueryException.class, () -> concepts.add(new Concepts.Change("Bee",
                List.of(dir.resolve("nowhere.jpg").toString()), List.of(), null, null)));
        assertTrue(missing.getMessage().contains("nowhere.jpg is not indexed"), missing.getMessage());
        assertFalse(missing.getMessage().contains("\n"));
        for (String bad : List.of("", "a/b", "x - y", "2:x", "./x", "a|b", "\"q\"", "Rex ")) {
            assertThrows(QueryException.class, () -> concepts.add(new Concepts.Change(bad,
                    List.of(bee("-original.jpg")), List.of(), null, null)), bad);
        }
        assertThrows(QueryException.class, () -> concepts.add(new Concepts.Change("Bee", List.of(), List.of(), null,
                null)), "no example, no text");
        assertThrows(QueryException.class, () -> concepts.add(new Concepts.Change("Bee",
                List.of(bee("-original.jpg")), List.of(), null, "1.5")));
        assertTrue(concepts.list().isEmpty(), "nothing was kept");
    }

    @Test
    void conceptsSurviveARestart() throws Exception {
        Concepts concepts = new Concepts(store, model);
        ConceptRecord made = concepts.add(new Concepts.Change("Bee", List.of(bee("-original.jpg"), bee("-q60.jpg")),
                List.of(photos.resolve("cat.jpg").toString()), "a bee on a flower", null));
        concepts.add(new Concepts.Change("Cat", List.of(photos.resolve("cat.jpg").toString()), List.of(), null, "0.7"));
        store.close();
        store = PhotoStore.open(dir.resolve("data/index.db"));
        concepts = new Concepts(store, model);
        assertEquals(List.of("Bee", "Cat"), concepts.list().stream().map(ConceptRecord::name).toList());
        ConceptRecord again = concepts.get("Bee").orElseThrow();
        assertArrayEquals(made.vector(), again.vector());
        assertArrayEquals(made.textVector(), again.textVector());
        assertEquals(made.threshold(), again.threshold());
        assertEquals(made.thresholdSource(), again.thresholdSource());
        assertEquals(made.positives(), again.positives());
        assertEquals(made.negatives(), again.negatives());
        assertEquals("a bee on a flower", again.text());
        assertTrue(concepts.remove("Cat"));
        assertFalse(concepts.remove("Cat"));
        assertNull(concepts.vector("Cat"));
    }

    private static float[] sum(float[] a, float wa, float[] b, float wb) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = wa * a[i] + wb * b[i];
        }
        return out;
    }
}
