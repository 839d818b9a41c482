package clipd.watch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The collector on a fake clock: time passes only when the test says so. */
class ChangeCollectorTest {
    @TempDir
    Path dir;
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    private void advance(long millis) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    private ChangeCollector collector(long settleMillis, int maxPending) {
        return new ChangeCollector(settleMillis, 10 * settleMillis, maxPending, nanos::get);
    }

    @Test
    void releasesOneBatchOnlyAfterEventsStop() throws Exception {
        ChangeCollector c = collector(200, 100);
        Path a = Files.writeString(dir.resolve("a.jpg"), "a");
        Path b = dir.resolve("gone.jpg");
        c.changed(a);
        c.changed(b);
        assertTrue(c.takeSettled().isEmpty(), "events just arrived");
        advance(120);
        c.changed(a);
        advance(120);
        assertTrue(c.takeSettled().isEmpty(), "the last event is younger than the settle time");
        advance(80);
        assertEquals(Set.of(a, b), c.takeSettled(), "one batch, deleted paths included");
        assertEquals(0, c.pendingCount());
    }

    @Test
    void endlessActivityStillReleasesAfterTheLongestWait() throws Exception {
        ChangeCollector c = collector(100, 100);
        Path a = Files.writeString(dir.resolve("a.jpg"), "a");
        Path busy = dir.resolve("busy.log");
        c.changed(a);
        for (int i = 0; i < 9; i++) {
            advance(99);
            c.changed(busy);
            assertTrue(c.takeSettled().isEmpty());
        }
        advance(120);
        c.changed(busy);
        assertEquals(Set.of(a, busy), c.takeSettled(), "after ten settle times the batch goes, busy or not");
    }

    @Test
    void aFileStillBeingWrittenWaitsForTheNextBatch() throws Exception {
        ChangeCollector c = collector(100, 100);
        Path growing = Files.writeString(dir.resolve("import.jpg"), "partial");
        Path done = Files.writeString(dir.resolve("done.jpg"), "whole");
        c.changed(growing);
        c.changed(done);
        advance(150);
        Files.writeString(growing, " more data, no event delivered yet", StandardOpenOption.APPEND);
        assertEquals(Set.of(done), c.takeSettled(), "the growing file's size changed since its event");
        assertEquals(1, c.pendingCount());
        advance(50);
        assertTrue(c.takeSettled().isEmpty(), "a full settle time again");
        advance(60);
        assertEquals(Set.of(growing), c.takeSettled());
    }

    @Test
    void pastTheCapItAsksForARescanInsteadOfGrowing() {
        ChangeCollector c = collector(100, 3);
        for (int i = 0; i < 3; i++) {
            c.changed(dir.resolve(i + ".jpg"));
        }
        assertEquals(3, c.pendingCount());
        assertFalse(c.takeRescanRequest());
        c.changed(dir.resolve("3.jpg"));
        c.changed(dir.resolve("4.jpg"));
        assertEquals(0, c.pendingCount(), "nothing kept once a reconcile is due");
        assertTrue(c.takeRescanRequest());
        c.changed(dir.resolve("5.jpg"));
        assertEquals(1, c.pendingCount(), "after the reconcile started, events count again");
    }

    @Test
    void pathsThatLeftTheLibraryAreDropped() {
        ChangeCollector c = collector(100, 100);
        c.changed(dir.resolve("kept/a.jpg"));
        c.changed(dir.resolve("removed/b.jpg"));
        c.retainOnly(p -> p.startsWith(dir.resolve("kept")));
        advance(100);
        assertEquals(Set.of(dir.resolve("kept/a.jpg")), c.takeSettled());
    }

    @Test
    void awaitSleepsUntilTheBatchIsDueRatherThanReturningWhilePathsWait() throws Exception {
        ChangeCollector c = collector(300, 100);
        c.changed(dir.resolve("a.jpg"));
        long t0 = System.nanoTime();
        c.await(10_000);
        long slept = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(slept >= 250 && slept < 5_000, "slept " + slept + " ms for a batch due in 300 ms");
        advance(300);
        t0 = System.nanoTime();
        c.await(10_000);
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 1_000, "a due batch does not wait");
    }

    @Test
    void anEventOrARescanRequestWakesTheWaiter() throws Exception {
        ChangeCollector c = collector(100, 100);
        Thread waker = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            c.requestRescan();
        });
        long t0 = System.nanoTime();
        waker.start();
        c.await(20_000);
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 10_000);
        waker.join();
        c.await(20_000);
        assertTrue(c.takeRescanRequest());
    }

    @Test
    void rescanRequestsAreTakenOnce() {
        ChangeCollector c = collector(100, 100);
        assertFalse(c.takeRescanRequest());
        c.requestRescan();
        assertTrue(c.takeRescanRequest());
        assertFalse(c.takeRescanRequest());
    }
}
