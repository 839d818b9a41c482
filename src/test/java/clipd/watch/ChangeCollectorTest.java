package clipd.watch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChangeCollectorTest {
    @TempDir
    Path dir;

    @Test
    void releasesOneBatchOnlyAfterEventsStop() throws Exception {
        ChangeCollector c = new ChangeCollector(200);
        Path a = Files.writeString(dir.resolve("a.jpg"), "a");
        Path b = dir.resolve("gone.jpg");
        c.changed(a);
        c.changed(b);
        assertTrue(c.takeSettled().isEmpty(), "events just arrived");
        Thread.sleep(120);
        c.changed(a);
        Thread.sleep(120);
        assertTrue(c.takeSettled().isEmpty(), "the last event is younger than the settle time");
        Thread.sleep(150);
        assertEquals(Set.of(a, b), c.takeSettled(), "one batch, deleted paths included");
        assertEquals(0, c.pendingCount());
    }

    @Test
    void aFileStillBeingWrittenWaitsForTheNextBatch() throws Exception {
        ChangeCollector c = new ChangeCollector(100);
        Path growing = Files.writeString(dir.resolve("import.jpg"), "partial");
        c.changed(growing);
        Thread.sleep(150);
        Files.writeString(growing, " more data, no event delivered yet", StandardOpenOption.APPEND);
        assertTrue(c.takeSettled().isEmpty(), "its size changed since the event");
        assertEquals(1, c.pendingCount());
        Thread.sleep(150);
        assertEquals(Set.of(growing), c.takeSettled());
    }

    @Test
    void rescanRequestsAreTakenOnce() {
        ChangeCollector c = new ChangeCollector(100);
        assertFalse(c.takeRescanRequest());
        c.requestRescan();
        assertTrue(c.takeRescanRequest());
        assertFalse(c.takeRescanRequest());
    }
}
