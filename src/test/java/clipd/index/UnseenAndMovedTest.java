package clipd.index;

import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.store.PhotoStore;
import clipd.testing.ExifPhotos;
import clipd.testing.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What cannot be seen is not deleted, and moved photos that look alike keep their own records. */
class UnseenAndMovedTest {
    @TempDir
    Path tmp;
    private PhotoStore store;
    private ClipModel model;
    private Indexer indexer;

    @BeforeEach
    void setUp() throws Exception {
        model = new ClipModel(ModelDescriptor.load(Fixtures.TINY_MODEL), 2);
        store = PhotoStore.open(tmp.resolve("data/index.db"));
        indexer = Fixtures.tinyIndexer(store, model, 2, 4);
    }

    @AfterEach
    void tearDown() {
        model.close();
        store.close();
    }

    private IndexStats index(Path root) throws Exception {
        IndexStats stats = new IndexStats();
        indexer.index(List.of(root), stats);
        return stats;
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + ": " + out.strip());
        }
    }

    @Test
    void anUnmountedDiskKeepsItsPhotosAndIsPickedUpWhenItReturns() throws Exception {
        Path mount = Files.createDirectories(tmp.resolve("disk"));
        try {
            run("mount", "-t", "tmpfs", "-o", "size=16m", "clipd-test", mount.toString());
        } catch (Exception e) {
            Assumptions.abort("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN): " + e.getMessage());
        }
        try {
            for (String name : List.of("cat.jpg", "bee.jpg", "cake.jpg")) {
                Files.copy(Fixtures.SHARED_IMAGES.resolve(name), mount.resolve(name));
            }
            assertEquals(3, index(mount).embedded());
            run("umount", mount.toString());
            IndexStats unmounted = index(mount);
            assertEquals(0, unmounted.removed(), "an empty mount point is not a deleted library");
            assertEquals(3, store.recordCount());
            assertEquals(List.of(mount + ": holds no photos any more (disk not mounted?)"), indexer.unseen().list());
            run("mount", "-t", "tmpfs", "-o", "size=16m", "clipd-test", mount.toString());
            for (String name : List.of("cat.jpg", "bee.jpg", "cake.jpg")) {
                Files.copy(Fixtures.SHARED_IMAGES.resolve(name), mount.resolve(name));
            }
            IndexStats back = index(mount);
            assertEquals(0, back.embedded(), "the embeddings were kept");
            assertEquals(3, store.recordCount());
            assertEquals(List.of(), indexer.unseen().list());
            assertTrue(indexer.unseen().takeDeviceChange(), "the remount was noticed (the watch is made anew)");
        } finally {
            new ProcessBuilder("umount", mount.toString()).start().waitFor();
        }
    }

    @Test
    void aLibraryEmptiedOnTheDiskItWasIndexedOnLosesItsPhotosEvenInALaterProcess() throws Exception {
        Path library = Files.createDirectories(tmp.resolve("emptied"));
        for (String name : List.of("cat.jpg", "bee.jpg")) {
            Files.copy(Fixtures.SHARED_IMAGES.resolve(name), library.resolve(name));
        }
        assertEquals(2, index(library).embedded());
        for (String name : List.of("cat.jpg", "bee.jpg")) {
            Files.delete(library.resolve(name));
        }
        indexer = Fixtures.tinyIndexer(store, model, 2, 4); // what a new clipd index or a restarted daemon knows
        IndexStats emptied = index(library);
        assertEquals(2, emptied.removed(), "same file system as when it held photos: the photos were deleted");
        assertEquals(0, store.recordCount());
        assertEquals(List.of(), indexer.unseen().list());
    }

    @Test
    void photosSharingNameSizeAndTimeKeepTheirOwnEmbeddingsWhenTheirFolderMoves() throws Exception {
        Path library = tmp.resolve("library");
        Path before = library.resolve("scans");
        FileTime time = FileTime.fromMillis(1_600_000_000_000L); // FAT and zip round to 2 s: same for all
        for (int i = 0; i < 4; i++) {
            Path photo = Files.createDirectories(before.resolve("box " + i)).resolve("scan.bmp");
            BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
            for (int x = 0; x < 64; x++) {
                image.setRGB(x, (i * 11 + x) % 48, 0xffffff >> i);
            }
            ImageIO.write(image, "bmp", photo.toFile());
            Files.setLastModifiedTime(photo, time);
        }
        index(library);
        String[] hashes = new String[4];
        for (int i = 0; i < 4; i++) {
            hashes[i] = store.record(before.resolve("box " + i + "/scan.bmp").toString()).orElseThrow().hash();
        }
        assertEquals(Files.size(before.resolve("box 0/scan.bmp")), Files.size(before.resolve("box 3/scan.bmp")));
        assertNotEquals(hashes[0], hashes[1]);
        Path after = library.resolve("scans, sorted");
        Files.move(before, after);
        IndexStats moved = index(library);
        for (int i = 0; i < 4; i++) {
            assertEquals(hashes[i], store.record(after.resolve("box " + i + "/scan.bmp").toString()).orElseThrow()
                    .hash(), "box " + i);
        }
        assertEquals(4, moved.hashed(), "alike files are read, not matched by name, size and time");
        assertEquals(0, moved.embedded());
        assertEquals(4, moved.renamed(), "each moved photo counts once, as renamed");
        assertEquals(0, moved.removed());
        assertEquals(4, store.recordCount());
    }

    /**
     * A renamed folder of many photos is reported by the watcher as their deletions first and, once it has walked the
     * new folder, as their creations; on a busy machine the two can be updates apart. The photos are recognised as
     * moved all the same, without reading them.
     */
    @Test
    void aFolderMoveSeenInTwoUpdatesDeletionsFirstIsRecognisedWithoutReadingThePhotos() throws Exception {
        Path library = tmp.resolve("library");
        Path trip = Files.createDirectories(library.resolve("trip"));
        List<Path> photos = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            photos.add(ExifPhotos.write(trip.resolve("IMG_" + i + ".jpg"), ExifPhotos.jpeg(i + 1, 96, 64)));
        }
        index(library);
        List<String> hashes = photos.stream().map(p -> store.record(p.toString()).orElseThrow().hash()).toList();
        Path renamed = library.resolve("trip, renamed");
        Files.move(trip, renamed);

        IndexStats deletions = new IndexStats();
        indexer.update(photos.stream().map(p -> new Indexer.Target(library, p)).toList(), deletions);
        assertEquals(6, deletions.removed());
        assertEquals(0, store.recordCount());
        IndexStats creations = new IndexStats();
        indexer.update(List.of(new Indexer.Target(library, renamed)), creations);
        assertEquals(0, creations.hashed(), "recognised by name, size and time, not read");
        assertEquals(0, creations.embedded());
        assertEquals(6, creations.renamed());
        for (int i = 0; i < 6; i++) {
            assertEquals(hashes.get(i), store.record(renamed.resolve("IMG_" + i + ".jpg").toString()).orElseThrow()
                    .hash());
        }
    }

    /**
     * A renamed folder that only a full reconcile sees (the watcher lost the events): what left the library folder is
     * known before what arrived in it is read, so the photos are recognised as moved without reading them.
     */
    @Test
    void aFolderMoveSeenByAFullReconcileIsRecognisedWithoutReadingThePhotos() throws Exception {
        Path library = tmp.resolve("library");
        Path trip = Files.createDirectories(library.resolve("trip"));
        for (int i = 0; i < 6; i++) {
            ExifPhotos.write(trip.resolve("IMG_" + i + ".jpg"), ExifPhotos.jpeg(i + 1, 96, 64));
        }
        index(library);
        Files.move(trip, library.resolve("trip, renamed"));
        IndexStats reconcile = index(library);
        assertEquals(0, reconcile.hashed(), "recognised by name, size and time, not read");
        assertEquals(6, reconcile.renamed());
        assertEquals(0, reconcile.removed());
        assertEquals(6, store.recordCount());
    }
}
