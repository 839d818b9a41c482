package clipd.store;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Refuses writes to the index while its disk is nearly full. The index is memory-mapped: a write into a page the
 * disk has no room for is a SIGBUS, which the JVM can only report as an InternalError in the middle of a commit.
 * Checking the free space first, before every write, turns a full disk into a clear, recoverable state instead.
 */
final class DiskSpace {
    /** A check costs a system call; writes come in bursts, so one answer is good for this long. */
    private static final long RECHECK_NANOS = 200_000_000L;

    private final Path dir;
    private final long minFreeBytes;
    private FileStore fileStore;
    private long checkedAt;
    private long free = Long.MAX_VALUE;

    DiskSpace(Path dir, long minFreeBytes) {
        this.dir = dir;
        this.minFreeBytes = minFreeBytes;
    }

    /** Throws when the disk has less than the minimum free; never when the free space cannot be told. */
    synchronized void require() {
        if (!enough()) {
            throw new DiskFullException(String.format(Locale.ROOT, "the disk holding the index (%s) is full: "
                    + "%.1f MB free, clipd keeps at least %.0f MB free; it writes again when there is room",
                    dir, free / 1e6, minFreeBytes / 1e6));
        }
    }

    synchronized boolean enough() {
        long now = System.nanoTime();
        if (now - checkedAt > RECHECK_NANOS || free < minFreeBytes) {
            try {
                if (fileStore == null) {
                    fileStore = Files.getFileStore(dir);
                }
                free = fileStore.getUsableSpace();
            } catch (IOException e) {
                free = Long.MAX_VALUE;
            }
            checkedAt = now;
        }
        return free >= minFreeBytes;
    }
}
