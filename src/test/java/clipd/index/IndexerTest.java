package clipd.index;

import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.store.PhotoRecord;
import clipd.store.PhotoStore;
import clipd.testing.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pipeline on real photos with the tiny ONNX model: what is embedded, reused, skipped and removed. */
class IndexerTest {
    /** Image files in the shared folder (all but not-an-image.txt); none has the same content as another. */
    private static final int SHARED_IMAGES = 22;

    @TempDir
    Path tmp;
    private Path photos;
    private PhotoStore store;
    private ClipModel model;
    private Indexer indexer;

    @BeforeEach
    void setUp() throws Exception {
        photos = Fixtures.copyTree(Fixtures.SHARED_IMAGES, tmp.resolve("photos"));
        ModelDescriptor d = ModelDescriptor.load(Fixtures.TINY_MODEL);
        model = new ClipModel(d, 2);
        store = PhotoStore.open(tmp.resolve("data/index.db"));
        indexer = Fixtures.tinyIndexer(store, model, 2, 4);
    }

    @AfterEach
    void tearDown() {
        model.close();
        store.close();
    }

    private IndexStats index() throws Exception {
        IndexStats stats = new IndexStats();
        indexer.index(List.of(photos), stats);
        return stats;
    }

    private PhotoRecord record(String name) {
        return store.record(photos.resolve(name).toString()).orElseThrow();
    }

    @Test
    void indexesEveryReadableImageAndSkipsTheRest() throws Exception {
        IndexStats s = index();
        assertEquals(SHARED_IMAGES, s.found());
        assertEquals(SHARED_IMAGES, s.embedded());
        assertEquals(SHARED_IMAGES, store.recordCount());
        assertEquals(SHARED_IMAGES, store.vectorCount());
        assertEquals(1, s.skipped());
        IndexStats.Skip skip = s.skips().get(0);
        assertEquals(photos.resolve("not-an-image.txt"), skip.path());
        assertEquals(SkipReason.NOT_AN_IMAGE, skip.reason());
        float[] v = store.vector(record("cat.jpg").hash());
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        assertEquals(1.0, norm, 1e-4, "stored embeddings are normalised");
    }

    @Test
    void aSecondRunReadsNothing() throws Exception {
        index();
        IndexStats s = index();
        assertEquals(SHARED_IMAGES, s.unchanged());
        assertEquals(0, s.hashed());
        assertEquals(0, s.embedded());
    }

    @Test
    void renamesMovesAndCopiesReuseTheEmbedding() throws Exception {
        index();
        String hash = record("cat.jpg").hash();
        float[] vector = store.vector(hash);
        Files.createDirectories(photos.resolve("sub"));
        Files.move(photos.resolve("cat.jpg"), photos.resolve("sub/kitty.jpg"));
        Files.copy(photos.resolve("bee.jpg"), photos.resolve("bee copy.jpg"));
        IndexStats s = index();
        assertEquals(0, s.embedded(), "nothing new to embed");
        assertEquals(2, s.reused());
        assertEquals(1, s.renamed(), "the move is a rename; the copy is not");
        assertEquals(1, s.removed());
        assertTrue(store.record(photos.resolve("cat.jpg").toString()).isEmpty());
        assertEquals(hash, record("sub/kitty.jpg").hash());
        assertArrayEquals(vector, store.vector(hash));
        assertEquals(record("bee.jpg").hash(), record("bee copy.jpg").hash());
        assertEquals(SHARED_IMAGES, store.vectorCount());
    }

    @Test
    void metadataEditsReuseButNewPixelsReembed() throws Exception {
        index();
        Path cat = photos.resolve("cat.jpg");
        byte[] original = Files.readAllBytes(cat);
        byte[] edited = new byte[original.length + 14];
        System.arraycopy(original, 0, edited, 0, 2);
        byte[] com = {(byte) 0xff, (byte) 0xfe, 0, 12, 'k', 'e', 'y', 'w', 'o', 'r', 'd', ':', 'c', 'a'};
        System.arraycopy(com, 0, edited, 2, com.length);
        System.arraycopy(original, 2, edited, 2 + com.length, original.length - 2);
        Files.write(cat, edited);
        Files.copy(photos.resolve("bee.jpg"), photos.resolve("books.jpg"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.write(photos.resolve("cake.jpg"), Files.readAllBytes(Fixtures.SHARED_PHOTOS.resolve("images unicode/鳥鳥.png")));
        IndexStats s = index();
        assertEquals(1, s.embedded(), "only the cake file has pixels the index has not seen");
        assertEquals(2, s.reused(), "the keyword edit and the overwrite with a known photo");
        assertEquals(record("bee.jpg").hash(), record("books.jpg").hash());
        assertEquals(SHARED_IMAGES + 1, store.vectorCount(), "one new embedding; the old books and cake ones are kept "
                + "for a day, in case their photos come back");
        assertEquals(2, store.removeUnreferencedVectors(System.currentTimeMillis() + PhotoStore.ORPHAN_GRACE_MILLIS));
    }

    @Test
    void deletedAndDamagedFilesLeaveTheIndexAndOneBadFileStopsNothing() throws Exception {
        index();
        Files.delete(photos.resolve("bee.jpg"));
        byte[] camera = Files.readAllBytes(photos.resolve("camera.jpg"));
        Files.write(photos.resolve("camera.jpg"), java.util.Arrays.copyOf(camera, 300));
        Files.write(photos.resolve("empty.png"), new byte[0]);
        Files.writeString(photos.resolve("fake.jpg"), "this is text");
        IndexStats s = index();
        assertEquals(1, s.removed());
        assertTrue(store.record(photos.resolve("bee.jpg").toString()).isEmpty());
        assertTrue(store.record(photos.resolve("camera.jpg").toString()).isEmpty(),
                "a photo that became unreadable is not found by its old embedding");
        assertEquals(SkipReason.EMPTY, skipOf(s, "empty.png"));
        assertEquals(SkipReason.NOT_AN_IMAGE, skipOf(s, "fake.jpg"));
        assertTrue(List.of(SkipReason.CORRUPT, SkipReason.NOT_AN_IMAGE).contains(skipOf(s, "camera.jpg")));
        assertEquals(SHARED_IMAGES - 2, store.recordCount());
        assertEquals(SHARED_IMAGES, store.vectorCount(), "the embeddings are kept for a day");
    }

    @Test
    void hiddenAndExcludedFoldersAreNotIndexed() throws Exception {
        Files.createDirectories(photos.resolve(".thumbnails"));
        Files.createDirectories(photos.resolve("@eaDir"));
        Files.copy(photos.resolve("bee.jpg"), photos.resolve(".thumbnails/bee.jpg"));
        Files.copy(photos.resolve("bee.jpg"), photos.resolve("@eaDir/bee.jpg"));
        Files.copy(photos.resolve("bee.jpg"), photos.resolve(".hidden.jpg"));
        IndexStats s = index();
        assertEquals(SHARED_IMAGES, s.found());
        assertFalse(store.record(photos.resolve("@eaDir/bee.jpg").toString()).isPresent());
    }

    @Test
    void targetedUpdatesFollowRenamedFoldersAndIgnoreExcludedOnes() throws Exception {
        Files.createDirectories(photos.resolve("2024/summer"));
        Files.move(photos.resolve("cat.jpg"), photos.resolve("2024/summer/cat.jpg"));
        Files.move(photos.resolve("bee.jpg"), photos.resolve("2024/bee.jpg"));
        index();
        Files.move(photos.resolve("2024"), photos.resolve("2024 trip"));
        Files.createDirectories(photos.resolve("@eaDir"));
        Files.copy(photos.resolve("cake.jpg"), photos.resolve("@eaDir/thumb.jpg"));
        IndexStats s = new IndexStats();
        indexer.update(List.of(new Indexer.Target(photos, photos.resolve("2024")),
                new Indexer.Target(photos, photos.resolve("2024 trip")),
                new Indexer.Target(photos, photos.resolve("@eaDir/thumb.jpg"))), s);
        assertEquals(0, s.embedded());
        assertEquals(2, s.renamed());
        assertEquals(2, s.removed());
        assertEquals(2, s.found(), "the excluded folder's file is not even looked at");
        assertTrue(store.record(photos.resolve("2024 trip/summer/cat.jpg").toString()).isPresent());
        assertTrue(store.record(photos.resolve("2024/bee.jpg").toString()).isEmpty());

        Files.copy(photos.resolve("cake.jpg"), photos.resolve("new cake.jpg"));
        IndexStats one = new IndexStats();
        indexer.update(List.of(new Indexer.Target(photos, photos.resolve("new cake.jpg"))), one);
        assertEquals(1, one.found());
        assertEquals(1, one.reused());
        assertEquals(0, one.renamed(), "a copy, not a rename");
    }

    @Test
    void anExifEditUpdatesTheFactsWithoutReembedding() throws Exception {
        Path photo = clipd.testing.ExifPhotos.write(photos.resolve("trip.jpg"), clipd.testing.ExifPhotos.withExif(
                clipd.testing.ExifPhotos.jpeg(4, 100, 70), new clipd.testing.ExifPhotos.Exif(
                        "2022:08:01 10:00:00", null, null, null, "Canon", "Canon EOS R6", null)));
        index();
        PhotoRecord before = record("trip.jpg");
        assertEquals("Canon EOS R6", before.facts().camera());
        byte[] retagged = clipd.testing.ExifPhotos.withExif(clipd.testing.ExifPhotos.jpeg(4, 100, 70),
                new clipd.testing.ExifPhotos.Exif("2022:08:02 11:00:00", "-04:00", 40.7128, -74.006, "Canon",
                        "Canon EOS R6", null));
        Files.write(photo, retagged);
        IndexStats s = index();
        assertEquals(0, s.embedded(), "the pixels did not change");
        assertEquals(1, s.reused());
        PhotoRecord after = record("trip.jpg");
        assertEquals(before.hash(), after.hash());
        assertEquals(-240, after.facts().offsetMinutes());
        assertEquals(40.7128, after.facts().latitude(), 1e-4);
    }

    @Test
    void anEditedSidecarUpdatesItsPhotosFactsAndIsNoSkippedFile() throws Exception {
        index();
        assertTrue(record("cat.jpg").facts().latitude() == null);
        Path sidecar = photos.resolve("cat.xmp");
        Files.writeString(sidecar, """
                <x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
                <rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/"
                  exif:GPSLatitude="51,30.0N" exif:GPSLongitude="0,7.5W"/></rdf:RDF></x:xmpmeta>""");
        IndexStats s = new IndexStats();
        indexer.update(List.of(new Indexer.Target(photos, sidecar)), s);
        assertEquals(0, s.embedded());
        assertEquals(0, s.skipped(), "a sidecar is not a skipped file");
        assertEquals(51.5, record("cat.jpg").facts().latitude(), 1e-9);
        assertEquals(Long.valueOf(1), index().skipCounts().get(SkipReason.NOT_AN_IMAGE),
                "a full scan counts only not-an-image.txt, not the sidecar");
    }

    @Test
    void thousandsOfCopiesOfOnePhotoAreStoredInStepsWithOneEmbedding() throws Exception {
        Path copies = Files.createDirectories(tmp.resolve("copies"));
        byte[] cat = Files.readAllBytes(photos.resolve("cat.jpg"));
        int n = 3 * Indexer.MAX_WAITING;
        for (int i = 0; i < n; i++) {
            Files.write(copies.resolve("cat " + i + ".jpg"), cat);
        }
        IndexStats stats = new IndexStats();
        long[] processedAtFirstRecord = {-1};
        store.listen(new PhotoStore.RecordListener() {
            @Override
            public void recordPut(String path, PhotoRecord record) {
                if (processedAtFirstRecord[0] < 0) {
                    processedAtFirstRecord[0] = stats.processed();
                }
            }

            @Override
            public void recordRemoved(String path) {
            }
        });
        indexer.index(List.of(copies), stats);
        assertEquals(n, store.recordCount());
        assertEquals(1, stats.embedded());
        assertEquals(n - 1, stats.reused());
        assertTrue(processedAtFirstRecord[0] <= Indexer.MAX_WAITING,
                "copies are stored as they come, not all held until the end: " + processedAtFirstRecord[0]);
    }

    @Test
    void rotatingAPhotoByItsExifOrientationAloneEmbedsItAgain() throws Exception {
        index();
        Path cat = photos.resolve("cat.jpg");
        String before = record("cat.jpg").hash();
        org.apache.commons.imaging.formats.tiff.write.TiffOutputSet exif =
                new org.apache.commons.imaging.formats.tiff.write.TiffOutputSet();
        exif.getOrCreateRootDirectory().add(
                org.apache.commons.imaging.formats.tiff.constants.TiffTagConstants.TIFF_TAG_ORIENTATION, (short) 6);
        java.io.ByteArrayOutputStream rotated = new java.io.ByteArrayOutputStream();
        new org.apache.commons.imaging.formats.jpeg.exif.ExifRewriter()
                .updateExifMetadataLossless(Files.readAllBytes(cat), rotated, exif);
        Files.write(cat, rotated.toByteArray());
        IndexStats again = index();
        assertEquals(1, again.embedded(), "shown turned by 90 degrees, it is another picture to CLIP");
        assertTrue(!record("cat.jpg").hash().equals(before));
        assertEquals(6, record("cat.jpg").facts().orientation());
    }

    private static SkipReason skipOf(IndexStats s, String name) {
        return s.skips().stream().filter(k -> k.path().getFileName().toString().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not skipped: " + s.skips())).reason();
    }
}
