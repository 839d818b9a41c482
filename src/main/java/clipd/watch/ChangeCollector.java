package clipd.watch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Coalesces file-system events into batches of paths worth indexing. A batch is released once no event at all has
 * arrived for the settle time (or, under endless activity, after ten settle times), so that a camera import of
 * thousands of files becomes one batch and both halves of a move (a delete and a create) land in the same one.
 * A path whose size or modification time still changed since its last event stays for the next batch, so a
 * half-written file is not embedded. Thread-safe; the watcher's thread only calls
 * {@link #changed} and {@link #requestRescan}, which never block on indexing.
 */
public final class ChangeCollector {
    /** Size and modification time, or the absence of the file. */
    private record FileState(boolean exists, long size, long modified) {
        static FileState of(Path path) {
            try {
                BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                return new FileState(true, a.size(), a.lastModifiedTime().toMillis());
            } catch (IOException e) {
                return new FileState(false, -1, -1);
            }
        }
    }

    private final long settleNanos;
    /** Each pending path with its state as of its last event. */
    private final Map<Path, FileState> pending = new HashMap<>();
    private long lastEventNanos;
    private long oldestPendingNanos;
    private boolean rescan;

    public ChangeCollector(long settleMillis) {
        this.settleNanos = TimeUnit.MILLISECONDS.toNanos(settleMillis);
    }

    public synchronized void changed(Path path) {
        long now = System.nanoTime();
        if (pending.isEmpty()) {
            oldestPendingNanos = now;
        }
        lastEventNanos = now;
        pending.put(path, FileState.of(path));
        notifyAll();
    }

    /** Events were lost (overflow, watcher failure): the whole library must be compared with the disk. */
    public synchronized void requestRescan() {
        rescan = true;
        notifyAll();
    }

    /** True once per request. */
    public synchronized boolean takeRescanRequest() {
        boolean r = rescan;
        rescan = false;
        return r;
    }

    public synchronized int pendingCount() {
        return pending.size();
    }

    /** Waits up to {@code millis} for an event; returns at once when something is pending. */
    public synchronized void await(long millis) throws InterruptedException {
        if (pending.isEmpty() && !rescan) {
            wait(millis);
        }
    }

    /** The batch of settled paths, or nothing while events are still arriving. */
    public synchronized Set<Path> takeSettled() {
        long now = System.nanoTime();
        Set<Path> settled = new HashSet<>();
        boolean quiet = now - lastEventNanos >= settleNanos;
        boolean waitedEnough = now - oldestPendingNanos >= 10 * settleNanos;
        if (pending.isEmpty() || !(quiet || waitedEnough)) {
            return settled;
        }
        for (Iterator<Map.Entry<Path, FileState>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Path, FileState> e = it.next();
            FileState current = FileState.of(e.getKey());
            if (current.equals(e.getValue())) {
                settled.add(e.getKey());
                it.remove();
            } else {
                e.setValue(current);
                lastEventNanos = now; // still being written: a full settle time again
            }
        }
        oldestPendingNanos = now;
        return settled;
    }
}
