package clipd.daemon;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A status file left by a daemon that is gone says so to whoever reads it. */
class StatusFileTest {
    @TempDir
    Path tmp;

    private StatusFile write(long pid, String started) throws Exception {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("state", "idle");
        f.put("pid", pid);
        f.put("started", started);
        f.put("updated", Instant.now().toString());
        StatusFile file = new StatusFile(tmp.resolve("status.json"));
        file.write(f);
        return file;
    }

    @Test
    void theLiveWriterIsAlive() throws Exception {
        StatusFile file = write(ProcessHandle.current().pid(), Instant.now().toString());
        StatusFile.Seen seen = StatusFile.read(file.file()).orElseThrow();
        assertTrue(seen.alive());
        assertEquals("idle", seen.state());
    }

    @Test
    void aKilledWritersFileIsStale() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        StatusFile file = write(gone.pid(), Instant.now().toString());
        assertFalse(StatusFile.read(file.file()).orElseThrow().alive(), "the pid no longer runs");
    }

    @Test
    void aReusedPidIsNotTakenForTheWriter() throws Exception {
        // this JVM started before "started": a process that began after the daemon cannot be the daemon
        StatusFile file = write(ProcessHandle.current().pid(), Instant.now().minusSeconds(86_400 * 365).toString());
        assertFalse(StatusFile.read(file.file()).orElseThrow().alive());
    }

    @Test
    void noFileIsNothing() {
        assertTrue(StatusFile.read(tmp.resolve("none.json")).isEmpty());
    }
}
