package clipd.daemon;

import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.store.PhotoStore;
import clipd.testing.Await;
import clipd.testing.Fixtures;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A watched folder that is a mount point (a tmpfs the test mounts as root): unmounted, its photos stay in the index
 * and the status says why; mounted again, they are found without embedding anything, and the daemon watches the
 * mounted file system, not the folder it covers: a photo added afterwards is indexed from its event alone. (A photo
 * added just as the scan after a remount ended, before the new watch, was missed until the hourly rescan: 1 run in 3.)
 */
class RemountTest {
    private static final List<String> PHOTOS = List.of("cat.jpg", "bee.jpg", "cake.jpg");

    @TempDir
    Path tmp;

    @Test
    void aRemountedFolderIsWatchedAgain() throws Exception {
        Path disk = Files.createDirectories(tmp.resolve("disk"));
        try {
            mount(disk);
        } catch (Exception e) {
            Assumptions.abort("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN): " + e.getMessage());
        }
        ClipModel model = new ClipModel(ModelDescriptor.load(Fixtures.TINY_MODEL), 2);
        PhotoStore store = PhotoStore.open(tmp.resolve("data/index.db"));
        Daemon daemon = new Daemon(Fixtures.tinyIndexer(store, model, 2, 4), null, store, List.of(disk),
                new Daemon.Pacing(300, 3_600_000), tmp.resolve("data/status.json"), Map.of());
        Thread thread = new Thread(daemon::run, "daemon-under-test");
        try {
            copyPhotos(disk);
            thread.start();
            Await.until(() -> daemon.stats().embedded() == 3 && daemon.state() == Daemon.State.IDLE, "indexed");

            run("umount", disk.toString());
            daemon.requestRescan();
            String unseen = disk + ": holds no photos any more (disk not mounted?)";
            Await.until(() -> daemon.status().get("unseen").equals(List.of(unseen))
                    && daemon.state() == Daemon.State.IDLE, "the unmount noticed");
            assertEquals(3, store.recordCount(), "an empty mount point is not a deleted library");
            assertEquals(0, daemon.stats().removed());

            mount(disk);
            copyPhotos(disk);
            daemon.requestRescan();
            Await.until(() -> daemon.status().get("unseen").equals(List.of())
                    && daemon.state() == Daemon.State.IDLE, "the remount noticed");
            assertEquals(3, daemon.stats().embedded(), "nothing embedded again");

            // found by the scan that follows a new watch (it may have come between the scan and the watch) ...
            Files.copy(Fixtures.SHARED_IMAGES.resolve("books.jpg"), disk.resolve("books.jpg"));
            Await.until(() -> store.record(disk.resolve("books.jpg").toString()).isPresent()
                    && daemon.state() == Daemon.State.IDLE, "a photo added to the remounted disk");
            // ... and this one only by its event: no rescan is due for an hour
            Files.copy(Fixtures.SHARED_IMAGES.resolve("camera.jpg"), disk.resolve("camera.jpg"));
            Await.until(() -> store.record(disk.resolve("camera.jpg").toString()).isPresent(),
                    "a photo added to the remounted disk, indexed from its event (the next rescan is an hour away)");
            assertEquals(5, daemon.stats().embedded());
            assertTrue(daemon.status().get("last_error") == null, daemon.status().toString());
        } finally {
            daemon.stop();
            thread.join(10_000);
            store.close();
            model.close();
            new ProcessBuilder("umount", disk.toString()).start().waitFor();
        }
    }

    private static void copyPhotos(Path disk) throws Exception {
        for (String name : PHOTOS) {
            Files.copy(Fixtures.SHARED_IMAGES.resolve(name), disk.resolve(name));
        }
    }

    private static void mount(Path at) throws Exception {
        run("mount", "-t", "tmpfs", "-o", "size=16m", "clipd-test", at.toString());
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + ": " + out.strip());
        }
    }
}
