package clipd.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapdb.DB;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Concepts are part of what a store proves and salvages: a damaged one is found at open, the sound ones kept. */
class ConceptStoreTest {
    @TempDir
    Path dir;

    private static ConceptRecord concept(String name, float threshold) {
        return new ConceptRecord(name, List.of(new ConceptRecord.Example("h1", "/photos/a.jpg")),
                List.of(new ConceptRecord.Example("h2", "/photos/b.jpg")), "a dog", new float[] {0, 1},
                new float[] {0.6f, 0.8f}, threshold, false, "midway: …");
    }

    @Test
    void aConceptWhoseBytesChangedInTheFileIsDamageAndTheOthersAreSalvaged() throws Exception {
        Path file = dir.resolve("index.db");
        try (PhotoStore store = PhotoStore.open(file)) {
            store.putRecord("/photos/a.jpg", new PhotoRecord("h1", 10, 1000));
            store.putVector("h1", new float[] {1, 0});
            store.putConcept(concept("Rex", 0.8f));
            store.putConcept(concept("Tom", 0.7f));
            store.commit();
        }
        DB db = PhotoStore.maker(file).make();
        PhotoStore.Maps maps = PhotoStore.Maps.of(db);
        byte[] sealed = maps.concepts().get("Tom");
        sealed[sealed.length - 9] ^= 1; // one bit of its threshold, as a bad block would change it
        maps.concepts().put("Tom", sealed);
        db.commit();
        db.close();

        try (PhotoStore store = PhotoStore.open(file)) {
            assertTrue(store.repair() != null && store.repair().contains("1 concepts"), store.repair());
            assertEquals(List.of("Rex"), store.concepts().stream().map(ConceptRecord::name).toList());
            ConceptRecord rex = store.concept("Rex").orElseThrow();
            assertArrayEquals(new float[] {0.6f, 0.8f}, rex.vector());
            assertEquals(0.8f, rex.threshold());
            assertEquals("a dog", rex.text());
            assertEquals(List.of(new ConceptRecord.Example("h2", "/photos/b.jpg")), rex.negatives());
            assertTrue(store.record("/photos/a.jpg").isPresent(), "the records were salvaged with it");
        }
        try (PhotoStore store = PhotoStore.open(file)) {
            assertEquals(null, store.repair(), "the rebuilt store opens clean");
            assertEquals(1, store.concepts().size());
        }
    }
}
