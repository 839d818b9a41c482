package clipd.daemon;

import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.index.Indexer;
import clipd.store.PhotoStore;
import clipd.tags.PhotoTagger;
import clipd.tags.TagPolicy;
import clipd.tags.TagVocabulary;
import clipd.tags.XmpFiles;
import clipd.testing.Await;
import clipd.testing.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole tagged folders deleted, renamed and moved while the daemon runs with tags on (sidecars beside every photo):
 * the photos leave or follow at once, and the daemon stays idle without an error.
 */
class FolderOperationsTest {
    private static final List<String> PHOTOS = List.of("bee.jpg", "cat.jpg", "cake.jpg", "books.jpg",
            "boats on a lake.png");

    @TempDir
    Path tmp;
    private Path library;
    private PhotoStore store;
    private ClipModel model;
    private PhotoTagger tagger;
    private Daemon daemon;
    private Thread thread;

    @BeforeEach
    void start() throws Exception {
        library = Files.createDirectories(tmp.resolve("photos"));
        for (String trip : List.of("trip1", "trip2")) {
            for (String name : PHOTOS) {
                copy(name, library.resolve(trip).resolve("day 1").resolve(name));
                copy(name, library.resolve(trip).resolve(name));
            }
        }
        model = new ClipModel(ModelDescriptor.load(Fixtures.TINY_MODEL), 2);
        store = PhotoStore.open(tmp.resolve("data/index.db"));
        Indexer indexer = Fixtures.tinyIndexer(store, model, 2, 4);
        Path vocabulary = Files.writeString(tmp.resolve("vocabulary.txt"), "cat\nbee\nboat\nlake\nbooks\ncake\n");
        tagger = new PhotoTagger(store, model, TagVocabulary.load(vocabulary, null), new TagPolicy(0, 2),
                new XmpFiles(XmpFiles.Mode.SIDECAR, false, false));
        daemon = new Daemon(indexer, tagger, store, List.of(library), new Daemon.Pacing(300, 3_600_000),
                tmp.resolve("data/status.json"), Map.of());
        thread = new Thread(daemon::run, "daemon-under-test");
        thread.start();
        Await.until(() -> tagger.stats().written() == 20 && daemon.state() == Daemon.State.IDLE, "20 photos tagged");
        assertEquals(20, sidecars(library).size(), "a sidecar beside each photo");
    }

    @AfterEach
    void stop() throws Exception {
        daemon.stop();
        thread.join(10_000);
        store.close();
        model.close();
    }

    private static void copy(String name, Path to) throws Exception {
        Files.createDirectories(to.getParent());
        Files.copy(Fixtures.SHARED_IMAGES.resolve(name), to).toFile().setWritable(true);
    }

    private static List<Path> sidecars(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".xmp")).toList();
        }
    }

    private List<String> indexed() {
        List<String> paths = new ArrayList<>();
        store.forEachRecord("", (p, r) -> paths.add(p));
        return paths.stream().sorted().toList();
    }

    private List<String> onDisk() throws Exception {
        try (Stream<Path> files = Files.walk(library)) {
            return files.filter(Files::isRegularFile).map(Path::toString).filter(p -> !p.endsWith(".xmp")).sorted()
                    .toList();
        }
    }

    private void assertHealthy() {
        assertEquals(Daemon.State.IDLE, daemon.state());
        assertNull(daemon.status().get("last_error"), "no error");
    }

    private static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void aDeletedTaggedFolderLeavesTheIndexAndTheDaemonStaysIdle() throws Exception {
        deleteTree(library.resolve("trip1"));
        Await.until(() -> indexed().size() == 10 && daemon.state() == Daemon.State.IDLE, "trip1 out of the index", 10);
        Thread.sleep(800);
        assertHealthy();
        assertEquals(onDisk(), indexed());
    }

    @Test
    void aRenamedTaggedFolderKeepsItsEmbeddingsUnderTheNewName() throws Exception {
        long embedded = daemon.stats().embedded();
        long renamed = daemon.stats().renamed();
        Files.move(library.resolve("trip1"), library.resolve("trip 2024"));
        Await.until(() -> indexed().equals(uncheckedOnDisk()) && daemon.state() == Daemon.State.IDLE,
                "trip1 indexed as trip 2024", 10);
        Thread.sleep(800);
        assertHealthy();
        assertEquals(embedded, daemon.stats().embedded(), "a renamed folder computes no embedding");
        assertEquals(renamed + 10, daemon.stats().renamed(), "each photo renamed once");
    }

    @Test
    void aTaggedFolderMovedIntoAnotherAndOutOfTheLibrary() throws Exception {
        Files.move(library.resolve("trip1"), library.resolve("trip2/trip1"));
        Await.until(() -> indexed().equals(uncheckedOnDisk()) && daemon.state() == Daemon.State.IDLE,
                "trip1 moved into trip2", 10);
        Files.move(library.resolve("trip2"), tmp.resolve("outside"));
        Await.until(() -> indexed().isEmpty() && daemon.state() == Daemon.State.IDLE, "trip2 moved out", 10);
        Thread.sleep(800);
        assertHealthy();
    }

    @Test
    void aThousandTaggedPhotosInNestedFoldersDeletedAtOnce() throws Exception {
        Path big = library.resolve("big");
        byte[] bee = Files.readAllBytes(Fixtures.SHARED_IMAGES.resolve("bee.jpg"));
        for (int i = 0; i < 1000; i++) {
            Path f = big.resolve("d" + i % 10).resolve("e" + i % 7).resolve("bee " + i + ".jpg");
            Files.createDirectories(f.getParent());
            Files.write(f, bee);
        }
        Await.until(() -> indexed().size() == 1020 && sidecarCount(big) == 1000
                && daemon.state() == Daemon.State.IDLE, "1,000 more photos tagged", 60);
        deleteTree(big);
        Await.until(() -> indexed().size() == 20 && daemon.state() == Daemon.State.IDLE, "big out of the index", 15);
        Thread.sleep(800);
        assertHealthy();
        assertEquals(onDisk(), indexed());
    }

    private static long sidecarCount(Path dir) {
        try {
            return sidecars(dir).size();
        } catch (Exception e) {
            return -1;
        }
    }

    private List<String> uncheckedOnDisk() {
        try {
            return onDisk();
        } catch (Exception e) {
            return List.of();
        }
    }
}
