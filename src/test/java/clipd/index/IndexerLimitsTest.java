package clipd.index;

import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.embed.ModelUnavailableException;
import clipd.identify.XmpLimitsTest;
import clipd.image.ImageDecoder;
import clipd.image.Preprocessor;
import clipd.store.PhotoStore;
import clipd.testing.ExifPhotos;
import clipd.testing.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every file has a deadline: no photo stops the run, and clipd's own failures are not blamed on the photo. */
class IndexerLimitsTest {
    @TempDir
    Path tmp;
    private Path photos;
    private PhotoStore store;
    private ClipModel model;

    @BeforeEach
    void setUp() throws Exception {
        photos = Files.createDirectories(tmp.resolve("photos"));
        model = new ClipModel(ModelDescriptor.load(Fixtures.TINY_MODEL), 2);
        store = PhotoStore.open(tmp.resolve("data/index.db"));
    }

    @AfterEach
    void tearDown() {
        model.close();
        store.close();
    }

    @Test
    void photosWithHangingXmpAreIndexedFromTheirPixelsAndCounted() throws Exception {
        byte[] cat = Files.readAllBytes(Fixtures.SHARED_IMAGES.resolve("cat.jpg"));
        Files.write(photos.resolve("deep.jpg"), XmpLimitsTest.withXmp(cat, XmpLimitsTest.nestedPacket(30)));
        Files.copy(Fixtures.SHARED_IMAGES.resolve("bee.jpg"), photos.resolve("bee.jpg"));
        Files.writeString(photos.resolve("bee.jpg.xmp"), XmpLimitsTest.nestedPacket(900));
        Files.copy(Fixtures.SHARED_IMAGES.resolve("cake.jpg"), photos.resolve("cake.jpg"));
        IndexStats stats = new IndexStats();
        assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> Fixtures.tinyIndexer(store, model, 2, 4).index(List.of(photos), stats));
        assertEquals(3, stats.embedded());
        assertEquals(2, stats.damagedMetadata());
        assertEquals(0, stats.skipped());
    }

    @Test
    void aFailureOfClipdItselfIsReportedAsSuchAndTheRunEnds() throws Exception {
        Files.copy(Fixtures.SHARED_IMAGES.resolve("cat.jpg"), photos.resolve("cat.jpg"));
        Files.copy(Fixtures.SHARED_IMAGES.resolve("bee.jpg"), photos.resolve("bee.jpg"));
        ModelDescriptor d = model.descriptor();
        // 3 × 100,000² pixels overflows an int: the worker fails in clipd's code, not in the photo
        Indexer broken = new Indexer(store, model, new ImageDecoder(150_000_000L, 4 * d.imageSize()),
                new Preprocessor(100_000, d.mean(), d.std()),
                new FolderScanner(FolderScanner.DEFAULT_EXCLUDED_DIRS, false), 2, 4);
        IndexStats stats = new IndexStats();
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> broken.index(List.of(photos), stats));
        assertEquals(2, stats.skipCounts().get(SkipReason.CLIPD_ERROR));
        assertTrue(stats.skips().get(0).detail().contains("NegativeArraySizeException"), stats.skips().toString());
    }

    /**
     * A run ended by an error (here the visual encoder, a web page saved as visual.onnx) returns only when its decode
     * workers have stopped: one still decoding would use the store after the command closed it.
     */
    @Test
    void aRunThatEndsOnAnErrorReturnsOnlyWhenItsDecodeWorkersHaveStopped() throws Exception {
        for (int i = 0; i < 16; i++) {
            ExifPhotos.write(photos.resolve("p" + i + ".jpg"), ExifPhotos.jpeg(i + 1, 2400, 1600));
        }
        Path brokenModel = Fixtures.tinyModelWithBrokenVisualEncoder(tmp.resolve("broken-model"));
        Set<Thread> before = decodeThreads();
        try (ClipModel broken = new ClipModel(ModelDescriptor.load(brokenModel), 2)) {
            Indexer indexer = Fixtures.tinyIndexer(store, broken, 2, 2);
            assertThrows(ModelUnavailableException.class, () -> indexer.index(List.of(photos), new IndexStats()));
            Set<Thread> left = decodeThreads();
            left.removeAll(before);
            assertEquals(Set.of(), left, "decode workers still running after the run returned");
        }
    }

    private static Set<Thread> decodeThreads() {
        Set<Thread> alive = new HashSet<>();
        Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("clipd-decode-"))
                .forEach(alive::add);
        return alive;
    }
}
