package clipd.daemon;

import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.index.IndexStats;
import clipd.index.Indexer;
import clipd.store.PhotoStore;
import clipd.testing.Await;
import clipd.testing.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The daemon in this JVM, following real file-system events on temporary folders, with the tiny model. */
class DaemonTest {
    @TempDir
    Path tmp;
    private Path inbox;
    private Path archive;
    private PhotoStore store;
    private ClipModel model;
    private Daemon daemon;
    private Thread thread;

    @BeforeEach
    void start() throws Exception {
        inbox = Files.createDirectories(tmp.resolve("inbox"));
        archive = Files.createDirectories(tmp.resolve("archive"));
        copy("bee.jpg", inbox.resolve("bee.jpg"));
        copy("cat.jpg", inbox.resolve("cat.jpg"));
        ModelDescriptor d = ModelDescriptor.load(Fixtures.TINY_MODEL);
        model = new ClipModel(d, 2);
        store = PhotoStore.open(tmp.resolve("data/index.db"));
        Indexer indexer = Fixtures.tinyIndexer(store, model, 2, 4);
        daemon = new Daemon(indexer, null, store, List.of(inbox, archive), new Daemon.Pacing(300, 3_600_000),
                tmp.resolve("data/status.json"), java.util.Map.of());
        thread = new Thread(daemon::run, "daemon-under-test");
        thread.start();
        Await.until(() -> stats().embedded() == 2 && daemon.state() == Daemon.State.IDLE, "the initial scan");
    }

    @AfterEach
    void stop() throws Exception {
        daemon.stop();
        thread.join(10_000);
        assertEquals(Daemon.State.STOPPED, daemon.state());
        store.close();
        model.close();
    }

    private IndexStats stats() {
        return daemon.stats();
    }

    private static void copy(String sharedName, Path to) throws Exception {
        Files.copy(Fixtures.SHARED_IMAGES.resolve(sharedName), to, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The index holds exactly the photos on disk. */
    private void assertIndexMatchesDisk() throws Exception {
        List<String> onDisk = new ArrayList<>();
        for (Path folder : List.of(inbox, archive)) {
            try (Stream<Path> files = Files.walk(folder)) {
                files.filter(Files::isRegularFile).forEach(p -> onDisk.add(p.toString()));
            }
        }
        List<String> indexed = new ArrayList<>();
        store.forEachRecord("", (path, r) -> indexed.add(path));
        assertEquals(onDisk.stream().sorted().toList(), indexed.stream().sorted().toList());
    }

    @Test
    void followsCopiesRenamesMovesDeletesAndEdits() throws Exception {
        copy("cake.jpg", inbox.resolve("cake.jpg"));
        copy("books.jpg", inbox.resolve("books.jpg"));
        Await.until(() -> stats().embedded() == 4 && store.recordCount() == 4, "two new photos");

        Files.move(inbox.resolve("cat.jpg"), inbox.resolve("kitty.jpg"));
        Await.until(() -> stats().renamed() == 1 && store.record(inbox.resolve("kitty.jpg").toString()).isPresent(),
                "a rename");
        assertEquals(4, stats().embedded(), "a rename computes no embedding");

        Files.createDirectories(inbox.resolve("trip/day 1"));
        Files.move(inbox.resolve("cake.jpg"), inbox.resolve("trip/day 1/cake.jpg"));
        Files.move(inbox.resolve("books.jpg"), inbox.resolve("trip/books.jpg"));
        Await.until(() -> stats().renamed() == 3, "moves into a new folder");
        Files.move(inbox.resolve("trip"), inbox.resolve("trip 2024"));
        Await.until(() -> store.record(inbox.resolve("trip 2024/day 1/cake.jpg").toString()).isPresent()
                && store.record(inbox.resolve("trip/books.jpg").toString()).isEmpty(), "a renamed folder");
        Files.move(inbox.resolve("bee.jpg"), archive.resolve("bee.jpg"));
        Await.until(() -> store.record(archive.resolve("bee.jpg").toString()).isPresent()
                && store.record(inbox.resolve("bee.jpg").toString()).isEmpty(), "a move to another watched folder");
        assertEquals(4, stats().embedded(), "no move or rename computes an embedding");

        String before = store.record(inbox.resolve("kitty.jpg").toString()).orElseThrow().hash();
        byte[] jpeg = Files.readAllBytes(inbox.resolve("kitty.jpg"));
        byte[] tagged = new byte[jpeg.length + 10];
        System.arraycopy(jpeg, 0, tagged, 0, 2);
        System.arraycopy(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 8, 't', 'a', 'g', 'g', 'e', 'd'}, 0, tagged, 2, 10);
        System.arraycopy(jpeg, 2, tagged, 12, jpeg.length - 2);
        long reused = stats().reused();
        Files.write(inbox.resolve("kitty.jpg"), tagged);
        Await.until(() -> stats().reused() == reused + 1, "a metadata-only edit");
        assertEquals(before, store.record(inbox.resolve("kitty.jpg").toString()).orElseThrow().hash());
        assertEquals(4, stats().embedded(), "a metadata-only change computes no embedding");

        copy("duck.jp2", inbox.resolve("kitty.jpg"));
        Await.until(() -> stats().embedded() == 5, "new pixels");

        Files.delete(archive.resolve("bee.jpg"));
        Await.until(() -> store.record(archive.resolve("bee.jpg").toString()).isEmpty(), "a delete");
        assertIndexMatchesDisk();
        // the status file is rewritten once a second: it may still say what the daemon did a moment ago
        Await.until(() -> statusFile().contains("\"state\": \"idle\""), "idle in status.json");
    }

    private String statusFile() {
        try {
            return Files.readString(tmp.resolve("data/status.json"));
        } catch (java.io.IOException e) {
            return ""; // between two writes
        }
    }

    @Test
    void aMissingFolderIsInTheStatusUntilItReturns() throws Exception {
        Files.delete(archive);
        daemon.requestRescan();
        Await.until(() -> String.valueOf(daemon.status().get("last_error")).startsWith(archive
                + " is missing or not a folder (not mounted?)"), "the missing folder in last_error");
        assertEquals(2L, store.recordCount(), "its photos are not forgotten");
        Files.createDirectories(archive);
        daemon.requestRescan();
        Await.until(() -> daemon.status().get("last_error") == null, "the error cleared once it is back");
    }

    @Test
    void aSymlinkLoopNeitherHangsNorDuplicates() throws Exception {
        Files.createDirectories(inbox.resolve("album"));
        copy("cake.jpg", inbox.resolve("album/cake.jpg"));
        Files.createSymbolicLink(inbox.resolve("album/back to inbox"), inbox);
        Await.until(() -> stats().embedded() == 3 && daemon.state() == Daemon.State.IDLE, "the album");
        copy("books.jpg", inbox.resolve("books.jpg"));
        Await.until(() -> stats().embedded() == 4 && daemon.state() == Daemon.State.IDLE, "the daemon still following");
        assertTrue(stats().skips().stream().anyMatch(s -> s.reason() == clipd.index.SkipReason.LINK_INSIDE_LIBRARY));
        List<String> paths = new ArrayList<>();
        store.forEachRecord("", (path, r) -> paths.add(path));
        assertEquals(4, paths.size(), "no photo indexed a second time through the link: " + paths);
    }

    @Test
    void aBurstOfFilesBecomesFewBatches() throws Exception {
        String[] names = {"black cat at night.jpg", "black kitty.jpeg", "boats on a lake.png", "books.jpg", "cake.jpg",
                "camera lens.jpg", "camera.jpg", "cautious cat.jpg", "chess-knight.tiff", "chess-pawns.bmp"};
        for (int round = 0; round < 5; round++) {
            for (String n : names) {
                copy(n, inbox.resolve(round + " " + n));
            }
        }
        Await.until(() -> store.recordCount() == 52 && daemon.state() == Daemon.State.IDLE, "50 copied photos");
        assertEquals(12, stats().embedded(), "each distinct photo once");
        assertIndexMatchesDisk();
    }
}
