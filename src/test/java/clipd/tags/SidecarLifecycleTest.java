package clipd.tags;

import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.index.IndexStats;
import clipd.index.Indexer;
import clipd.store.PhotoStore;
import clipd.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sidecars clipd wrote follow their photos, as the indexer sees them renamed, moved and deleted (the updates
 * here are the ones the watcher's events make: the old path and the new one); a sidecar holding anyone else's data
 * is never moved or deleted.
 */
class SidecarLifecycleTest {
    @TempDir
    Path tmp;

    @Test
    void clipdsSidecarMovesWithItsPhotoAndGoesWithItButAPersonsStays() throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        for (String name : List.of("bee.jpg", "cat.jpg", "boats on a lake.png")) {
            Files.copy(Fixtures.SHARED_IMAGES.resolve(name), photos.resolve(name)).toFile().setWritable(true);
        }
        // a person's sidecar for bee.jpg, with a rating of theirs
        Path beeSidecar = photos.resolve("bee.jpg.xmp");
        Files.writeString(beeSidecar, XmpKeywords.parse(null).serialize(false).replace("<rdf:Description",
                "<rdf:Description xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmp:Rating=\"4\""));
        try (Library library = new Library(tmp, "cat\nbee\nboat\nlake\nflower\n")) {
            Indexer indexer = library.indexer;
            PhotoTagger tagger = library.tagger;
            IndexStats stats = library.stats;
            library.indexAndTag(photos);
            Path catSidecar = photos.resolve("cat.jpg.xmp");
            byte[] catTags = Files.readAllBytes(catSidecar);
            assertEquals(2, XmpKeywords.parse(new String(catTags, StandardCharsets.UTF_8)).own().size());
            long written = tagger.stats().written();

            // renamed: the sidecar is renamed with it, as the same file, and tagging finds nothing to do
            Path kitty = photos.resolve("kitty.jpg");
            Files.move(photos.resolve("cat.jpg"), kitty);
            indexer.update(List.of(new Indexer.Target(photos, photos.resolve("cat.jpg")),
                    new Indexer.Target(photos, kitty)), stats);
            assertFalse(Files.exists(catSidecar));
            assertArrayEquals(catTags, Files.readAllBytes(photos.resolve("kitty.jpg.xmp")));
            assertEquals(written + 1, tagger.stats().written(), "the move is counted as a write");
            tagger.tagStale("", PhotoTagger.Listener.NONE);
            assertEquals(written + 1, tagger.stats().written(), "and the moved tags are current");

            // moved into another folder
            Path album = Files.createDirectories(photos.resolve("2024 album"));
            Files.move(kitty, album.resolve("kitty.jpg"));
            indexer.update(List.of(new Indexer.Target(photos, kitty),
                    new Indexer.Target(photos, album.resolve("kitty.jpg"))), stats);
            assertFalse(Files.exists(photos.resolve("kitty.jpg.xmp")));
            assertArrayEquals(catTags, Files.readAllBytes(album.resolve("kitty.jpg.xmp")));

            // renamed while nothing watched: the next full index recognises it by content
            Files.move(album.resolve("kitty.jpg"), album.resolve("puss.jpg"));
            indexer.index(List.of(photos), stats);
            assertFalse(Files.exists(album.resolve("kitty.jpg.xmp")));
            assertArrayEquals(catTags, Files.readAllBytes(album.resolve("puss.jpg.xmp")));

            // deleted: clipd's sidecar goes, the person's (which clipd added its keywords to) stays
            Path boats = photos.resolve("boats on a lake.png");
            assertTrue(Files.exists(photos.resolve("boats on a lake.png.xmp")));
            byte[] beeBefore = Files.readAllBytes(beeSidecar);
            assertFalse(XmpKeywords.parse(new String(beeBefore, StandardCharsets.UTF_8)).own().isEmpty());
            Files.delete(boats);
            Files.delete(photos.resolve("bee.jpg"));
            indexer.update(List.of(new Indexer.Target(photos, boats),
                    new Indexer.Target(photos, photos.resolve("bee.jpg"))), stats);
            assertFalse(Files.exists(photos.resolve("boats on a lake.png.xmp")));
            assertArrayEquals(beeBefore, Files.readAllBytes(beeSidecar), "a person's sidecar is never deleted");

            // a folder that leaves the library is forgotten, and its photos' sidecars stay
            indexer.forget(album, stats);
            assertTrue(Files.exists(album.resolve("puss.jpg.xmp")));
        }
    }

    /**
     * A photo renamed without its sidecar, and its folder moved before clipd saw the rename (one batch of events):
     * the departed photo's old sidecar name is gone with the folder, so only the sidecar itself, found beside no
     * photo, tells clipd what to do. The same when the folder moves first and the photo is renamed in its new place,
     * and when the photo leaves the folder alone and the folder moves. Found by the soak (30 orphans in 226
     * operations).
     */
    @Test
    void aSidecarLeftBehindInAFolderThatMovedInTheSameBatchGoesAndItsPhotoIsTaggedWhereItIs() throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        Path trip = Files.createDirectories(photos.resolve("trip"));
        for (String name : List.of("bee.jpg", "cat.jpg", "cake.jpg")) {
            Files.copy(Fixtures.SHARED_IMAGES.resolve(name), trip.resolve(name)).toFile().setWritable(true);
        }
        try (Library library = new Library(tmp, "cat\nbee\ncake\nboat\n")) {
            Indexer indexer = library.indexer;
            PhotoTagger tagger = library.tagger;
            IndexStats stats = library.stats;
            library.indexAndTag(photos);
            byte[] catTags = Files.readAllBytes(trip.resolve("cat.jpg.xmp"));

            // renamed in its folder, then the folder moved
            Files.move(trip.resolve("cat.jpg"), trip.resolve("kitty.jpg"));
            Path trip2 = Files.move(trip, photos.resolve("trip2"));
            indexer.update(List.of(new Indexer.Target(photos, trip.resolve("cat.jpg")),
                    new Indexer.Target(photos, trip.resolve("kitty.jpg")), new Indexer.Target(photos, trip),
                    new Indexer.Target(photos, trip2)), stats);
            tagger.tagStale("", PhotoTagger.Listener.NONE);
            assertFalse(Files.exists(trip2.resolve("cat.jpg.xmp")), "no sidecar beside no photo");
            assertArrayEquals(catTags, Files.readAllBytes(trip2.resolve("kitty.jpg.xmp")));

            // the folder moved, then the photo renamed in its new place
            Path trip3 = Files.move(trip2, photos.resolve("trip3"));
            Files.move(trip3.resolve("bee.jpg"), trip3.resolve("bumblebee.jpg"));
            indexer.update(List.of(new Indexer.Target(photos, trip2), new Indexer.Target(photos, trip3),
                    new Indexer.Target(photos, trip3.resolve("bee.jpg")),
                    new Indexer.Target(photos, trip3.resolve("bumblebee.jpg"))), stats);
            tagger.tagStale("", PhotoTagger.Listener.NONE);
            assertFalse(Files.exists(trip3.resolve("bee.jpg.xmp")));
            assertTrue(Files.exists(trip3.resolve("bumblebee.jpg.xmp")));

            // the photo moved out alone, then its old folder moved
            Path cake = Files.move(trip3.resolve("cake.jpg"), photos.resolve("cake.jpg"));
            Path trip4 = Files.move(trip3, photos.resolve("trip4"));
            indexer.update(List.of(new Indexer.Target(photos, trip3.resolve("cake.jpg")),
                    new Indexer.Target(photos, cake), new Indexer.Target(photos, trip3),
                    new Indexer.Target(photos, trip4)), stats);
            tagger.tagStale("", PhotoTagger.Listener.NONE);
            assertFalse(Files.exists(trip4.resolve("cake.jpg.xmp")));
            assertTrue(Files.exists(photos.resolve("cake.jpg.xmp")));
            assertEquals(3, tagger.stats().tagged());

            // clipd's own sidecar left with two names (its folder moved between the link and the unlink of a move):
            // the stranded name goes, the other keeps the tags
            Path strandedName = trip4.resolve("gone-with-a-twin.jpg.xmp");
            Files.createLink(strandedName, trip4.resolve("kitty.jpg.xmp"));
            assertEquals(XmpFiles.Outcome.Kind.WRITTEN, tagger.files().sidecarStranded(strandedName).kind());
            assertFalse(Files.exists(strandedName));
            assertArrayEquals(catTags, Files.readAllBytes(trip4.resolve("kitty.jpg.xmp")));

            // a person's sidecar beside no photo, and a RAW's, are theirs
            Path theirs = Files.writeString(trip4.resolve("gone.jpg.xmp"), XmpKeywords.parse(null).serialize(false)
                    .replace("<rdf:Description", "<rdf:Description xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\""
                            + " xmp:Rating=\"4\""));
            Path raw = Files.copy(trip4.resolve("kitty.jpg.xmp"), trip4.resolve("IMG_1.cr2.xmp"));
            indexer.index(List.of(photos), stats);
            assertTrue(Files.exists(theirs));
            assertTrue(Files.exists(raw));
        }
    }

    /**
     * A photo moved in with its sidecar and moved on alone (or deleted) before clipd had read it: no record says
     * where it went, and the sidecar's own event came while the photo was still beside it. The photo's event of
     * leaving is all there is, and the sidecar named for it goes when it is only clipd's. Found by the soak (one
     * orphan at the library's top in 13,000 operations).
     */
    @Test
    void aSidecarOfAPhotoThatLeftBeforeClipdReadItGoesWithThePhotosDepartureEvent() throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        Path album = Files.createDirectories(photos.resolve("album"));
        Path cat = Files.copy(Fixtures.SHARED_IMAGES.resolve("cat.jpg"), album.resolve("cat.jpg"));
        try (Library library = new Library(tmp, "cat\nbee\n")) {
            library.indexAndTag(photos);
            List<String> tags = XmpKeywords.parse(Files.readString(album.resolve("cat.jpg.xmp"))).own();

            // moved up with its sidecar, as a photo manager does; the batch with their events dropped the old
            // record and passed the sidecar by (its photo was beside it), and the photo vanished before it was read
            Path up = Files.move(cat, photos.resolve("kitty.jpg"));
            Path sidecar = Files.move(album.resolve("cat.jpg.xmp"), photos.resolve("kitty.jpg.xmp"));
            library.store.removeRecord(cat.toString());

            // renamed alone, as mv does
            Path renamed = Files.move(up, album.resolve("puss.jpg"));
            library.update(photos, up, renamed);
            library.tagger.tagStale("", PhotoTagger.Listener.NONE);
            assertFalse(Files.exists(sidecar), "no sidecar stays beside no photo");
            assertEquals(tags, XmpKeywords.parse(Files.readString(album.resolve("puss.jpg.xmp"))).own(),
                    "tagged where it is");

            // a person's sidecar in the same place stays
            Path theirs = Files.writeString(photos.resolve("gone.jpg.xmp"), XmpKeywords.parse(null).serialize(false)
                    .replace("<rdf:Description", "<rdf:Description xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\""
                            + " xmp:Rating=\"4\""));
            library.update(photos, photos.resolve("gone.jpg"));
            assertTrue(Files.exists(theirs));
        }
    }

    @Test
    void aTagPassThatMeetsAPersonsEditCountsItAndTheNextPassWritesTheTags() throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        Path cat = Files.copy(Fixtures.SHARED_IMAGES.resolve("cat.jpg"), photos.resolve("cat.jpg"));
        cat.toFile().setWritable(true);
        Path vocabulary = Files.writeString(tmp.resolve("vocabulary.txt"), "cat\nbee\nboat\n");
        ModelDescriptor d = ModelDescriptor.load(Fixtures.TINY_MODEL);
        try (ClipModel model = new ClipModel(d, 2); PhotoStore store = PhotoStore.open(tmp.resolve("index.db"))) {
            Fixtures.tinyIndexer(store, model, 2, 4).index(List.of(photos), new IndexStats());
            XmpFiles racing = new XmpFiles(XmpFiles.Mode.EMBED, false, false, SafeWriterTest.racedBy(file ->
                    SafeWriterTest.exiftool("-overwrite_original", "-XMP-dc:Subject+=grandma", file.toString())));
            PhotoTagger tagger = new PhotoTagger(store, model, TagVocabulary.load(vocabulary, null),
                    new TagPolicy(0, 1), racing);
            tagger.tagStale("", PhotoTagger.Listener.NONE);
            assertEquals(1, tagger.stats().changedWhileWriting());
            assertEquals(0, tagger.stats().written());
            assertEquals(", 1 changed while clipd wrote; will retry", tagger.stats().refusalsAndRetries());
            assertTrue(store.tagState(cat.toString()).isEmpty(), "nothing remembered, so the next pass tries again");

            tagger.tagStale("", PhotoTagger.Listener.NONE);
            assertEquals(1, tagger.stats().written());
            XmpKeywords now = racing.current(cat);
            assertEquals("grandma", now.keywords().get(0), "the person's keyword kept: " + now.keywords());
            assertEquals(1, now.own().size());
        }
    }

    /**
     * A renamed folder that the watcher reports as deletions in one update and creations in a later one: the photos
     * are recognised as moved, and their sidecars, which moved with the folder, are left exactly as they were.
     */
    @Test
    void aFolderMoveSeenInTwoUpdatesLeavesTheSidecarsThatMovedWithItAsTheyWere() throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        Path trip = Files.createDirectories(photos.resolve("trip"));
        List<String> names = List.of("bee.jpg", "cat.jpg", "cake.jpg");
        for (String name : names) {
            Files.copy(Fixtures.SHARED_IMAGES.resolve(name), trip.resolve(name)).toFile().setWritable(true);
        }
        try (Library library = new Library(tmp, "cat\nbee\ncake\nboat\n")) {
            library.indexAndTag(photos);
            long written = library.tagger.stats().written();
            java.util.Map<String, byte[]> sidecars = new java.util.HashMap<>();
            java.util.Map<String, java.nio.file.attribute.FileTime> times = new java.util.HashMap<>();
            for (String name : names) {
                sidecars.put(name, Files.readAllBytes(trip.resolve(name + ".xmp")));
                times.put(name, Files.getLastModifiedTime(trip.resolve(name + ".xmp")));
            }
            Path renamed = Files.move(trip, photos.resolve("trip, renamed"));
            library.update(photos, names.stream().flatMap(n -> java.util.stream.Stream.of(trip.resolve(n),
                    trip.resolve(n + ".xmp"))).toArray(Path[]::new));
            library.tagger.tagStale("", PhotoTagger.Listener.NONE);
            library.update(photos, renamed);
            library.tagger.tagStale("", PhotoTagger.Listener.NONE);
            for (String name : names) {
                assertArrayEquals(sidecars.get(name), Files.readAllBytes(renamed.resolve(name + ".xmp")), name);
                assertEquals(times.get(name), Files.getLastModifiedTime(renamed.resolve(name + ".xmp")), name);
                assertTrue(library.store.tagState(renamed.resolve(name).toString()).isPresent(), name);
            }
            assertEquals(written, library.tagger.stats().written(), "nothing written again");
            assertFalse(Files.exists(trip));
        }
    }

    /** A store, the tiny model, and an indexer whose departures the tagger hears, as in {@code clipd serve}. */
    private static final class Library implements AutoCloseable {
        final ClipModel model;
        final PhotoStore store;
        final Indexer indexer;
        final PhotoTagger tagger;
        final IndexStats stats = new IndexStats();

        Library(Path tmp, String vocabulary) throws Exception {
            model = new ClipModel(ModelDescriptor.load(Fixtures.TINY_MODEL), 2);
            store = PhotoStore.open(tmp.resolve("index.db"));
            indexer = Fixtures.tinyIndexer(store, model, 2, 4);
            tagger = new PhotoTagger(store, model, TagVocabulary.load(Files.writeString(tmp.resolve("vocabulary.txt"),
                    vocabulary), null), new TagPolicy(0, 2), new XmpFiles(XmpFiles.Mode.SIDECAR, false, false));
            indexer.listen(tagger);
        }

        /** Indexes and tags the whole folder. */
        void indexAndTag(Path photos) throws Exception {
            indexer.index(List.of(photos), stats);
            tagger.tagStale("", PhotoTagger.Listener.NONE);
        }

        /** What the watcher's events for these paths make the daemon do. */
        void update(Path root, Path... paths) throws Exception {
            indexer.update(java.util.Arrays.stream(paths).map(p -> new Indexer.Target(root, p)).toList(), stats);
        }

        @Override
        public void close() {
            store.close();
            model.close();
        }
    }
}
