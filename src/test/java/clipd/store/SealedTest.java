package clipd.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SealedTest {
    @TempDir
    Path tmp;

    /**
     * One CRC in 256 has the bits of a NaN; MapDB's float serializer writes every NaN alike, so a checksum kept in
     * one float's bits made about one embedding in 256 read back as "damaged" (seen as a photo missing from search).
     */
    @Test
    void everyEmbeddingReadsBackThroughTheStoreWhateverItsChecksum() throws Exception {
        Random random = new Random(3);
        try (PhotoStore store = PhotoStore.open(tmp.resolve("index.db"))) {
            float[][] vectors = new float[3000][];
            for (int i = 0; i < vectors.length; i++) {
                vectors[i] = new float[8];
                for (int d = 0; d < 8; d++) {
                    vectors[i][d] = (float) random.nextGaussian();
                }
                store.putVector("hash" + i, vectors[i]);
            }
            store.commit();
            for (int i = 0; i < vectors.length; i++) {
                assertArrayEquals(vectors[i], store.vector("hash" + i), "hash" + i);
            }
        }
    }

    @Test
    void aChangedNumberOrKeyIsCaught() {
        float[] v = {0.5f, -0.25f, 0.125f};
        float[] sealed = Sealed.seal("k", v);
        assertArrayEquals(v, Sealed.open("k", sealed));
        assertNull(Sealed.open("other key", sealed));
        sealed[1] = 0.26f;
        assertNull(Sealed.open("k", sealed));
        assertEquals(3, Sealed.open("k", v).length, "a vector stored before checksums is read as it is");
    }
}
