package clipd.reliability;

import clipd.daemon.Daemon;
import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.index.Indexer;
import clipd.store.PhotoStore;
import clipd.testing.Await;
import clipd.testing.ExifPhotos;
import clipd.testing.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The index's disk fills up while the daemon indexes: it says so in its status, stops writing (and never crashes
 * on a memory-mapped write the disk has no room for), and catches up by itself when space returns, with the store
 * intact. The data directory is a small tmpfs the test mounts where it may (as root); elsewhere the disk the test
 * runs on, with the free-space floor set just below what it has.
 */
class DiskFullTest {
    private static final int PHOTOS = 1000;
    private static final long MARGIN = 4L << 20;

    @TempDir
    Path tmp;
    private Path mounted;

    @AfterEach
    void unmount() throws Exception {
        if (mounted != null) {
            BadFiles.run("umount", mounted.toString());
        }
    }

    @Test
    void aFullDiskIsReportedAndIndexingResumesWhenSpaceReturns() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        try {
            BadFiles.run("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", data.toString());
            mounted = data;
        } catch (Exception e) {
            System.out.println("tmpfs not permitted here (" + e.getMessage().strip() + "); using the test's own disk");
        }
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        for (int i = 0; i < PHOTOS; i++) {
            Files.write(photos.resolve("IMG_" + i + ".jpg"), ExifPhotos.jpeg(i + 1, 64, 48));
        }
        ModelDescriptor d = ModelDescriptor.load(Fixtures.TINY_MODEL);
        long free = Files.getFileStore(data).getUsableSpace();
        long minFree = mounted != null ? MARGIN : free - 2 * MARGIN;
        try (ClipModel model = new ClipModel(d, 2);
             PhotoStore store = PhotoStore.open(data.resolve("index.db"), minFree)) {
            // leave the store room for a few hundred photos, not a thousand
            Path filler = data.resolve("filler");
            long room = Files.getFileStore(data).getUsableSpace() - minFree;
            Files.write(filler, new byte[(int) Math.max(0, room - (1L << 20))]);
            Indexer indexer = Fixtures.tinyIndexer(store, model, 2, 8);
            Daemon daemon = new Daemon(indexer, null, store, List.of(photos), new Daemon.Pacing(300, 3_600_000),
                    tmp.resolve("status.json"), Map.of());
            Thread thread = new Thread(daemon::run, "daemon-on-a-full-disk");
            thread.start();
            try {
                Await.until(() -> daemon.state() == Daemon.State.ERROR, "the full disk noticed");
                String error = String.valueOf(daemon.status().get("last_error"));
                assertTrue(error.contains("is full") && error.contains("MB free"), error);
                long stored = store.recordCount();
                assertTrue(stored < PHOTOS, "stopped writing at " + stored);
                Thread.sleep(1000);
                assertEquals(Daemon.State.ERROR, daemon.state(), "waits while the disk is full");

                Files.delete(filler);
                Await.until(() -> daemon.state() == Daemon.State.IDLE && store.recordCount() == PHOTOS,
                        "catching up once there is room");
                assertEquals(null, daemon.status().get("last_error"));
                System.out.printf("disk full: stopped at %d of %d photos with \"%s\", resumed and finished when "
                        + "space returned%n", stored, PHOTOS, error);
            } finally {
                daemon.stop();
                thread.join(10_000);
            }
        }
        try (PhotoStore reopened = PhotoStore.open(data.resolve("index.db"), 0)) {
            assertEquals(PHOTOS, reopened.recordCount(), "the store is intact");
            java.util.Set<String> contents = new java.util.HashSet<>();
            for (int i = 0; i < PHOTOS; i++) {
                contents.add(clipd.identify.ContentHasher.hash(Files.readAllBytes(photos.resolve("IMG_" + i + ".jpg"))));
            }
            assertEquals(contents.size(), reopened.vectorCount(), "one embedding per content, none lost");
            reopened.forEachRecord("", (path, r) -> assertTrue(reopened.hasVector(r.hash()), path));
        }
    }
}
