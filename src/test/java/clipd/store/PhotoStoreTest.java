package clipd.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PhotoStoreTest {
    @TempDir
    Path dir;

    @Test
    void keepsRecordsAndVectorsAcrossReopen() throws Exception {
        Path file = dir.resolve("index.db");
        try (PhotoStore store = PhotoStore.open(file)) {
            store.putVector("h1", new float[] {1, 2, 3});
            store.putRecord("/photos/a.jpg", new PhotoRecord("h1", 10, 1000));
            store.putRecord("/photos/copy of a.jpg", new PhotoRecord("h1", 10, 2000));
            store.commit();
        }
        try (PhotoStore store = PhotoStore.open(file)) {
            assertEquals(new PhotoRecord("h1", 10, 1000), store.record("/photos/a.jpg").orElseThrow());
            assertArrayEquals(new float[] {1, 2, 3}, store.vector("h1"));
            assertEquals(2, store.recordCount());
            assertEquals(1, store.vectorCount(), "copies share one embedding");
        }
    }

    @Test
    void uncommittedWorkIsNotVisibleAfterReopenButCommittedIs() throws Exception {
        Path file = dir.resolve("index.db");
        PhotoStore store = PhotoStore.open(file);
        store.putRecord("/a.jpg", new PhotoRecord("h", 1, 1));
        store.commit();
        store.close();
        try (PhotoStore reopened = PhotoStore.open(file)) {
            assertTrue(reopened.record("/a.jpg").isPresent());
        }
    }

    @Test
    void aSecondOpenOfTheSameStoreFailsClearly() throws Exception {
        Path file = dir.resolve("index.db");
        try (PhotoStore first = PhotoStore.open(file)) {
            StoreException e = assertThrows(StoreException.class, () -> PhotoStore.open(file));
            assertTrue(e.getMessage().contains("in use by another clipd"), e.getMessage());
            first.putRecord("/still/works.jpg", new PhotoRecord("h", 1, 1));
        }
    }

    /**
     * A thread still working when its store was closed (a decode worker of a run that ended on an error) must not
     * take the closed file for damage: that would move aside the file that the next command, or the next daemon, has
     * open meanwhile.
     */
    @Test
    void aStoreUsedAfterItWasClosedSaysSoAndLeavesTheFileToWhoeverOpenedItSince() throws Exception {
        Path file = dir.resolve("index.db");
        PhotoStore closed = PhotoStore.open(file);
        closed.putVector("h", new float[] {1, 0});
        closed.putRecord("/a.jpg", new PhotoRecord("h", 1, 1));
        closed.close();
        try (PhotoStore reopened = PhotoStore.open(file)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> closed.hasVector("h"));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> closed.putRecord("/b.jpg", new PhotoRecord("h", 1, 1)));
            assertEquals(null, closed.repair(), "no damage is reported");
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(), files.filter(p -> p.getFileName().toString().contains(".moved-")).toList());
            }
            assertTrue(reopened.record("/a.jpg").isPresent());
            reopened.putRecord("/c.jpg", new PhotoRecord("h", 1, 1));
            reopened.commit();
        }
        try (PhotoStore again = PhotoStore.open(file)) {
            assertEquals(2, again.recordCount());
        }
    }

    @Test
    void anUnreadableStoreIsMovedAsideNotDeleted() throws Exception {
        Path file = dir.resolve("index.db");
        byte[] garbage = new byte[8192];
        new java.util.Random(1).nextBytes(garbage);
        Files.write(file, garbage);
        try (PhotoStore store = PhotoStore.open(file)) {
            assertEquals(0, store.recordCount());
            store.putRecord("/new.jpg", new PhotoRecord("h", 1, 1));
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> moved = files.filter(p -> p.getFileName().toString().startsWith("index.db.moved-")).toList();
            assertEquals(1, moved.size(), "the old file is kept for the user");
            assertArrayEquals(garbage, Files.readAllBytes(moved.get(0)));
        }
    }

    @Test
    void aStoreOfAnotherSchemaIsMovedAsideAndRebuilt() throws Exception {
        Path file = dir.resolve("index.db");
        org.mapdb.DB db = org.mapdb.DBMaker.fileDB(file.toFile()).transactionEnable().make();
        db.hashMap("meta", org.mapdb.Serializer.STRING, org.mapdb.Serializer.STRING).createOrOpen().put("schema", "0");
        db.commit();
        db.close();
        try (PhotoStore store = PhotoStore.open(file)) {
            assertEquals(0, store.recordCount());
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.filter(p -> p.getFileName().toString().startsWith("index.db.moved-")).count());
        }
        try (PhotoStore store = PhotoStore.open(file)) {
            assertEquals(0, store.recordCount(), "the new store opens as itself");
        }
    }

    @Test
    void removesOnlyVectorsUnreferencedForADayAndListsByPrefix() throws Exception {
        try (PhotoStore store = PhotoStore.open(dir.resolve("index.db"))) {
            store.putVector("kept", new float[] {1});
            store.putVector("orphan", new float[] {2});
            store.putRecord("/a/1.jpg", new PhotoRecord("kept", 1, 1));
            store.putRecord("/a/2.jpg", new PhotoRecord("kept", 1, 1));
            store.putRecord("/ab/3.jpg", new PhotoRecord("kept", 1, 1));
            long now = System.currentTimeMillis();
            assertEquals(0, store.removeUnreferencedVectors(now), "an embedding nothing refers to is kept a while");
            assertEquals(0, store.removeUnreferencedVectors(now + PhotoStore.ORPHAN_GRACE_MILLIS - 1));
            assertTrue(store.hasVector("orphan"));
            assertEquals(1, store.removeUnreferencedVectors(now + PhotoStore.ORPHAN_GRACE_MILLIS));
            assertTrue(store.hasVector("kept"));
            assertFalse(store.hasVector("orphan"));
            List<String> under = new ArrayList<>();
            store.forEachRecord("/a/", (path, r) -> under.add(path));
            assertEquals(List.of("/a/1.jpg", "/a/2.jpg"), under);
        }
    }

    @Test
    void recordsRoundTripThroughBytes() throws IOException {
        PhotoRecord r = new PhotoRecord("ab".repeat(32), 123_456_789L, 1_700_000_000_123L);
        assertEquals(r, PhotoRecord.fromBytes(r.toBytes()));
    }

    @Test
    void aSecondOpenNamesTheProcessThatHoldsTheIndex() throws Exception {
        Path file = dir.resolve("index.db");
        try (PhotoStore held = PhotoStore.open(file)) {
            StoreException e = assertThrows(StoreException.class, () -> PhotoStore.open(file));
            assertTrue(e.getMessage().contains("(pid " + ProcessHandle.current().pid() + "); wait for it to finish, "
                    + "or stop it"), e.getMessage());
            assertFalse(e.getMessage().contains("clipd serve"), "it is not a serve that holds it: " + e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("index.db.holder")), "released on close");
    }
}
