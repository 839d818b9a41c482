package clipd.watch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Coalesces file-system events into batches of paths worth indexing. A batch is released once no event at all has
 * arrived for the settle time (or, under endless activity, once its oldest path has waited {@code maxWaitMillis}),
 * so that a camera import of thousands of files becomes one batch and both halves of a move (a delete and a create)
 * land in the same one. A path whose size or modification time still changed since its last event stays for the
 * next batch, so a half-written file is not embedded.
 *
 * <p>Concurrency: thread-safe. The watcher's thread calls {@link #changed} and {@link #requestRescan}; file
 * attributes are read outside the lock, so they never wait for each other or for the loop, which calls
 * {@link #await} and {@link #takeSettled}. Past {@code maxPending} paths the collector keeps none and asks for a
 * rescan instead (a full reconcile costs a walk, and memory stays bounded whatever arrives). Time comes from the
 * clock given, so tests advance a fake one.
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

    /** A path's state as of its last event, and when that event arrived. */
    private record Pending(FileState state, long eventNanos) {
    }

    public static final int DEFAULT_MAX_PENDING = 20_000;

    private final long settleNanos;
    private final long maxWaitNanos;
    private final int maxPending;
    private final LongSupplier clock;
    private final Map<Path, Pending> pending = new HashMap<>(); // guarded by this
    private long lastEventNanos; // guarded by this
    private long oldestPendingNanos; // guarded by this
    private boolean rescan; // guarded by this

    /** With the system clock, up to ten settle times under endless activity, {@value #DEFAULT_MAX_PENDING} paths. */
    public ChangeCollector(long settleMillis) {
        this(settleMillis, 10 * settleMillis, DEFAULT_MAX_PENDING, System::nanoTime);
    }

    public ChangeCollector(long settleMillis, long maxWaitMillis, int maxPending, LongSupplier clockNanos) {
        this.settleNanos = TimeUnit.MILLISECONDS.toNanos(settleMillis);
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(settleMillis, maxWaitMillis));
        this.maxPending = maxPending;
        this.clock = clockNanos;
    }

    public void changed(Path path) {
        FileState state = FileState.of(path);
        synchronized (this) {
            long now = clock.getAsLong();
            if (pending.isEmpty()) {
                oldestPendingNanos = now;
            }
            lastEventNanos = now;
            if (pending.size() >= maxPending && !pending.containsKey(path)) {
                pending.clear(); // a reconcile finds all of them, and more cheaply than one by one
                rescan = true;
            } else if (!rescan) { // else the reconcile to come sees it
                pending.put(path, new Pending(state, now));
            }
            notifyAll();
        }
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

    /** Forgets pending paths the library no longer holds (a folder that stopped being watched). */
    public synchronized void retainOnly(Predicate<Path> inLibrary) {
        pending.keySet().removeIf(inLibrary.negate());
    }

    /**
     * Sleeps until a batch may be due (the settle time after the last event, or the longest wait), a rescan is
     * requested, a new event arrives, or {@code maxMillis} pass; never returns at once only because paths wait.
     */
    public synchronized void await(long maxMillis) throws InterruptedException {
        if (rescan) {
            return;
        }
        long now = clock.getAsLong();
        long sleep = TimeUnit.MILLISECONDS.toNanos(Math.max(1, maxMillis));
        if (!pending.isEmpty()) {
            sleep = Math.min(sleep, Math.max(0, dueNanos() - now));
        }
        if (sleep > 0) {
            TimeUnit.NANOSECONDS.timedWait(this, sleep);
        }
    }

    private long dueNanos() {
        return Math.min(lastEventNanos + settleNanos, oldestPendingNanos + maxWaitNanos);
    }

    /** The batch of settled paths, or nothing while events are still arriving. */
    public Set<Path> takeSettled() {
        Map<Path, Pending> candidates;
        synchronized (this) {
            if (pending.isEmpty() || clock.getAsLong() < dueNanos()) {
                return Set.of();
            }
            candidates = Map.copyOf(pending);
        }
        Map<Path, FileState> now = new HashMap<>();
        candidates.forEach((path, p) -> now.put(path, FileState.of(path)));
        Set<Path> settled = new HashSet<>();
        synchronized (this) {
            long time = clock.getAsLong();
            boolean stillWritten = false;
            for (Map.Entry<Path, Pending> e : candidates.entrySet()) {
                Path path = e.getKey();
                Pending p = pending.get(path);
                if (p == null || p.eventNanos() != e.getValue().eventNanos()) {
                    continue; // forgotten, or a new event meanwhile: it waits for its own settle time
                }
                FileState current = now.get(path);
                if (current.equals(p.state())) {
                    settled.add(path);
                    pending.remove(path);
                } else {
                    pending.put(path, new Pending(current, time));
                    stillWritten = true;
                }
            }
            oldestPendingNanos = time;
            if (stillWritten) {
                lastEventNanos = time; // a full settle time again before it is looked at
            }
        }
        return settled;
    }
}
