package clipd.util;

import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The names of the temporary files clipd's writer puts next to a file it replaces: hidden, so the indexer and the
 * watcher pass them by, and carrying the writing process's id, so that one whose process is gone (killed
 * mid-write) is deleted by the next scan of its folder.
 */
public final class TempFiles {
    public static final String PREFIX = ".clipd-tmp-";

    private TempFiles() {
    }

    /** A new temporary name in the folder of {@code file}. */
    public static Path next(Path file) {
        // not named after the file: a name near the 255-byte limit would leave no room for a prefix
        return file.resolveSibling(PREFIX + ProcessHandle.current().pid() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    }

    /** Whether a file is a temporary file of a clipd process that no longer runs. */
    public static boolean abandoned(Path file) {
        String name = file.getFileName().toString();
        if (!name.startsWith(PREFIX)) {
            return false;
        }
        int dash = name.indexOf('-', PREFIX.length());
        try {
            long pid = Long.parseLong(name.substring(PREFIX.length(), dash < 0 ? name.length() : dash));
            return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return true; // written by a clipd from before temporary names carried the process id
        }
    }
}
