package clipd.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The temporary files clipd's writer puts next to a file it replaces: hidden, so the indexer and the watcher pass
 * them by, and carrying the writing process's id, so that one whose process is gone (killed mid-write) is deleted by
 * the next scan of its folder. One of this process's own that no write holds is deleted too: a write whose folder
 * was moved under it could not delete its temporary file by the name it had.
 */
public final class TempFiles {
    public static final String PREFIX = ".clipd-tmp-";
    private static final long PID = ProcessHandle.current().pid();
    /** The names this process's writes are using now. */
    private static final Set<String> IN_USE = ConcurrentHashMap.newKeySet();

    private TempFiles() {
    }

    /** A temporary file's name, held until {@link #close()}, which deletes it by that name if it is still there. */
    public static final class Temp implements AutoCloseable {
        private final Path path;

        private Temp(Path path) {
            this.path = path;
        }

        public Path path() {
            return path;
        }

        @Override
        public void close() throws IOException {
            try {
                Files.deleteIfExists(path);
            } finally {
                IN_USE.remove(path.getFileName().toString());
            }
        }
    }

    /** A new temporary name in the folder of {@code file}. */
    public static Temp next(Path file) {
        // not named after the file: a name near the 255-byte limit would leave no room for a prefix
        String name = PREFIX + PID + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        IN_USE.add(name);
        return new Temp(file.resolveSibling(name));
    }

    /** Whether a file is a temporary file that no clipd write holds: its process is gone, or it is this one's. */
    public static boolean abandoned(Path file) {
        String name = file.getFileName().toString();
        if (!name.startsWith(PREFIX)) {
            return false;
        }
        int dash = name.indexOf('-', PREFIX.length());
        try {
            long pid = Long.parseLong(name.substring(PREFIX.length(), dash < 0 ? name.length() : dash));
            if (pid == PID) {
                return !IN_USE.contains(name);
            }
            return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return true; // written by a clipd from before temporary names carried the process id
        }
    }
}
