package clipd.daemon;

import clipd.index.IndexStats;
import clipd.index.Indexer;
import clipd.store.DiskFullException;
import clipd.store.PhotoStore;
import clipd.store.StoreDamagedException;
import clipd.tags.PhotoTagger;
import clipd.tags.TagStats;
import clipd.util.DaemonThreads;
import clipd.util.Problems;
import clipd.watch.ChangeCollector;
import clipd.watch.LibraryWatcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The long-running service: reconciles the watched folders with the index at start, then follows file-system
 * events (coalesced until files settle) and reconciles again periodically and whenever events were lost. A folder
 * that is missing (an unmounted disk) keeps its photos in the index and is picked up again when it returns.
 */
public final class Daemon implements LibraryControl {
    public enum State { STARTING, SCANNING, INDEXING, TAGGING, IDLE, ERROR, STOPPED }

    /** How the daemon paces itself. */
    public record Pacing(long settleMillis, long rescanMillis) {
    }

    private static final System.Logger LOG = System.getLogger(Daemon.class.getName());
    /** Often enough for a progress display, cheap enough to not matter (one small file). */
    private static final long STATUS_INTERVAL_MILLIS = 1000;

    private final Indexer indexer;
    private final PhotoTagger tagger;
    private final PhotoStore store;
    private final List<Path> folders;
    private final Queue<Path> forgotten = new ConcurrentLinkedQueue<>();
    private final Map<String, Object> about;
    private final Pacing pacing;
    private final StatusFile status;
    private final IndexStats stats = new IndexStats();
    private final ChangeCollector changes;
    /** clipd's own data directory (status, thumbnails, the index), never watched even inside a watched folder. */
    private final Path dataDir;
    private final Instant started = Instant.now();
    private volatile State state = State.STARTING;
    private volatile boolean stopping;
    private volatile String lastError;
    /** Folders the last reconcile did not find, kept apart from lastError, which each successful pass clears. */
    private volatile String missingFolders;
    /** Set when the index's disk was full: writing resumes, with a full reconcile, once there is room again. */
    private volatile boolean waitingForSpace;
    /** When the next full reconcile is due; the first is at once. */
    private long nextRescanNanos;
    private List<Path> watched = List.of();
    private LibraryWatcher watcher;

    /**
     * @param tagger keeps the photos' XMP tags current after every change; null when tagging is off
     * @param about  facts for the status (model, version), listed first; a Supplier's value is read each time
     */
    public Daemon(Indexer indexer, PhotoTagger tagger, PhotoStore store, List<Path> folders, Pacing pacing,
                  Path statusFile, Map<String, Object> about) {
        this.indexer = indexer;
        this.tagger = tagger;
        this.store = store;
        this.folders = new CopyOnWriteArrayList<>(folders);
        this.about = Map.copyOf(about);
        this.pacing = pacing;
        this.status = new StatusFile(statusFile);
        this.changes = new ChangeCollector(pacing.settleMillis());
        this.dataDir = statusFile.toAbsolutePath().normalize().getParent();
    }

    public State state() {
        return state;
    }

    public IndexStats stats() {
        return stats;
    }

    @Override
    public List<Path> folders() {
        return List.copyOf(folders);
    }

    /** Compares every folder with the disk soon, as after lost events. */
    @Override
    public void requestRescan() {
        changes.requestRescan();
    }

    /**
     * Watches one more folder, by its real path, from the next loop on; refuses what {@link WatchableFolders}
     * refuses. Synchronized with {@link #removeFolder}, so two requests cannot add one folder twice.
     */
    @Override
    public synchronized void addFolder(Path folder) throws FolderRefusedException {
        folders.add(WatchableFolders.check(folder, status.file().toAbsolutePath().getParent(), folders));
        changes.requestRescan();
    }

    /** Stops watching a folder (named as it is watched, or by another name of it) and forgets its photos. */
    @Override
    public synchronized void removeFolder(Path folder) {
        Path real = WatchableFolders.realOrAsIs(folder);
        for (Path watched : folders) {
            if (watched.equals(folder) || WatchableFolders.realOrAsIs(watched).equals(real)) {
                folders.remove(watched);
                forgotten.add(watched);
                changes.retainOnly(p -> rootOf(p).isPresent());
                changes.requestRescan();
                return;
            }
        }
    }

    /** Runs until {@link #stop()}; the store is committed when it returns. */
    public void run() {
        LOG.log(System.Logger.Level.INFO, "watching {0} ({1} photos in the index)", folders, store.recordCount());
        ScheduledExecutorService statusTimer =
                Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("clipd-status"));
        statusTimer.scheduleWithFixedDelay(this::writeStatus, 0, STATUS_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        try {
            prepareTags();
            while (!stopping) {
                try {
                    step();
                } catch (DiskFullException e) {
                    waitingForSpace = true; // what was not stored is found again by the reconcile once there is room
                    fail(e.getMessage());
                } catch (StoreDamagedException e) {
                    if (store.rebuilding()) { // rebuilt with what was readable, said in the log: a full scan finds the rest
                        changes.requestRescan();
                    } else {
                        fail(e.getMessage()); // the next periodic reconcile tries again
                    }
                }
                // until the next batch is due or an event comes; once a second while the disk is full
                long untilRescan = TimeUnit.NANOSECONDS.toMillis(nextRescanNanos - System.nanoTime());
                changes.await(waitingForSpace ? 1000 : Math.max(1, untilRescan));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            statusTimer.shutdownNow();
            awaitQuietly(statusTimer);
            closeWatcher();
            try {
                store.commit();
            } catch (DiskFullException e) {
                LOG.log(System.Logger.Level.WARNING, "stopping without the last changes: {0}", e.getMessage());
            }
            state = State.STOPPED;
            writeStatus();
            LOG.log(System.Logger.Level.INFO, "stopped");
        }
    }

    /**
     * Loads the tag vocabulary's embeddings from the store, or computes them when the model or vocabulary changed,
     * so that explanations answer from the start, not only after the first change that needs tagging.
     */
    private void prepareTags() {
        if (tagger == null || tagger.ready()) {
            return;
        }
        state = State.TAGGING;
        long start = System.nanoTime();
        try {
            tagger.prepare();
            LOG.log(System.Logger.Level.INFO, "tag vocabulary ready ({0} ms)",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        } catch (Exception e) {
            fail("the tag vocabulary's embeddings cannot be computed: " + Problems.describe(e));
        }
    }

    /** One turn of the loop: forgotten folders, a due reconcile, settled changes. */
    private void step() throws InterruptedException {
        for (Path folder; (folder = forgotten.poll()) != null; ) {
            indexer.forget(folder, stats);
            LOG.log(System.Logger.Level.INFO, "no longer watching {0}; its photos left the index", folder);
        }
        if (waitingForSpace && store.hasSpace()) {
            waitingForSpace = false;
            LOG.log(System.Logger.Level.INFO, "there is room on the index's disk again; catching up");
            changes.requestRescan();
        }
        if (changes.takeRescanRequest() || System.nanoTime() >= nextRescanNanos) {
            nextRescanNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pacing.rescanMillis());
            reconcileAll();
        }
        Set<Path> settled = changes.takeSettled();
        if (!settled.isEmpty() && !stopping) {
            update(settled);
        }
    }

    /** Asks {@link #run()} to finish: the photo in flight is abandoned, committed work stays. Returns at once. */
    public void stop() {
        stopping = true;
        indexer.cancel();
        if (tagger != null) {
            tagger.cancel();
        }
        changes.requestRescan(); // wakes the loop
    }

    /** Compares every present folder with the disk; (re)starts watching when the set of present folders changed. */
    private void reconcileAll() throws InterruptedException {
        List<Path> present = new ArrayList<>();
        List<Path> missing = new ArrayList<>();
        for (Path folder : folders) {
            if (Files.isDirectory(folder)) {
                present.add(folder);
            } else {
                missing.add(folder);
            }
        }
        missingFolders = missing.isEmpty() ? null : (missing.size() == 1 ? missing.get(0) + " is" : missing + " are")
                + " missing or not a folder (not mounted?); the photos indexed there stay in the index until it returns";
        if (missingFolders != null) {
            LOG.log(System.Logger.Level.WARNING, missingFolders);
        }
        if (!present.equals(watched)) {
            watch(present);
        }
        state = State.SCANNING;
        long before = stats.embedded();
        long rebuild = store.rebuildMark();
        indexer.checkStore();
        boolean whole = run(present.stream().map(Indexer.Target::whole).toList(), "reconciling " + present, Set.of());
        if (indexer.unseen().takeDeviceChange()) {
            watch(present); // the old watch is on the folder a mount covered, or on the unmounted disk
            changes.requestRescan(); // what arrived between the scan and the new watch had no event to say so
        }
        if (!stopping && present.size() == folders.size()) {
            int dropped = store.removeUnreferencedVectors(System.currentTimeMillis());
            store.commit();
            if (dropped > 0) {
                LOG.log(System.Logger.Level.INFO, "dropped {0} embeddings of photos gone from every folder for a day",
                        dropped);
            }
            if (whole) {
                store.rebuilt(rebuild);
            }
        }
        LOG.log(System.Logger.Level.INFO, "reconciled: {0} photos indexed, {1} embedded",
                store.recordCount(), stats.embedded() - before);
    }

    private void watch(List<Path> present) {
        closeWatcher();
        try {
            watcher = new LibraryWatcher(present, this::inDataDir, changes);
            watcher.start();
            watched = present;
        } catch (IOException e) {
            fail("cannot watch " + present + ": " + Problems.describe(e));
        }
    }

    private void update(Set<Path> paths) {
        List<Indexer.Target> targets = new ArrayList<>();
        for (Path p : paths) {
            if (!inDataDir(p)) {
                rootOf(p).ifPresent(root -> targets.add(new Indexer.Target(root, p)));
            }
        }
        if (targets.isEmpty()) {
            return; // the paths left the library while they settled
        }
        state = State.INDEXING;
        LOG.log(System.Logger.Level.TRACE, "changed: {0}", paths);
        ChangeSummary before = ChangeSummary.of(stats);
        run(targets, "indexing " + targets.size() + " changed paths", paths);
        ChangeSummary done = ChangeSummary.of(stats).minus(before);
        // events that changed nothing (clipd's own tag writes, say) are not worth a line in the log
        LOG.log(done.isEmpty() ? System.Logger.Level.DEBUG : System.Logger.Level.INFO, "{0} changed paths: {1}",
                paths.size(), done);
    }

    /**
     * Indexes, then tags; {@code changed} are the paths events named, whose XMP a person may have edited. Returns
     * whether it all went well.
     */
    private boolean run(List<Indexer.Target> targets, String doing, Set<Path> changed) {
        try {
            indexer.update(targets, stats);
            if (tagger != null && !stopping) {
                tagger.noticeChanged(changed); // after indexing, which reads the photos of edited sidecars
                state = State.TAGGING;
                tagger.tagStale("", PhotoTagger.Listener.NONE);
            }
            lastError = null;
            state = State.IDLE;
            return true;
        } catch (DiskFullException | StoreDamagedException e) {
            throw e; // the loop waits for room, or rescans the rebuilt store
        } catch (Exception e) {
            fail(doing + " failed: " + Problems.describe(e));
            return false;
        }
    }

    private static void awaitQuietly(ScheduledExecutorService timer) {
        try {
            timer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** In clipd's data directory, where that lies inside a watched folder (not where it holds one). */
    private boolean inDataDir(Path path) {
        return path.startsWith(dataDir) && rootOf(path).map(dataDir::startsWith).orElse(false);
    }

    private Optional<Path> rootOf(Path path) {
        return folders.stream().filter(path::startsWith).max(Comparator.comparingInt(Path::getNameCount));
    }

    private void fail(String message) {
        lastError = message;
        state = State.ERROR;
        LOG.log(System.Logger.Level.ERROR, message);
    }

    private void closeWatcher() {
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing the watcher: {0}", e.toString());
            }
            watcher = null;
            watched = List.of();
        }
    }

    /** State, folders and counters: what status.json and the HTTP status show. */
    @Override
    public Map<String, Object> status() {
        State now = state;
        Map<String, Object> f = new LinkedHashMap<>();
        about.forEach((k, v) -> f.put(k, v instanceof java.util.function.Supplier<?> live ? live.get() : v));
        f.put("state", now.name().toLowerCase(java.util.Locale.ROOT));
        f.put("uptime_seconds", java.time.Duration.between(started, Instant.now()).toSeconds());
        f.put("pid", ProcessHandle.current().pid());
        f.put("started", started.toString());
        f.put("updated", Instant.now().toString());
        f.put("folders", folders.stream().map(Path::toString).toList());
        f.put("photos", store.recordCount());
        // work of the run under way; finished or abandoned runs leave nothing queued
        long queue = now == State.SCANNING || now == State.INDEXING
                ? Math.max(0, stats.toProcess() - stats.processed()) : 0;
        f.put("queue", queue);
        f.put("settling", changes.pendingCount());
        double rate = stats.elapsedSeconds() > 0 ? stats.processed() / stats.elapsedSeconds() : 0;
        f.put("rate_per_second", rate);
        f.put("eta_seconds", rate > 0 && queue > 0 ? Math.round(queue / rate) : 0);
        f.put("embedded", stats.embedded());
        f.put("hashed", stats.hashed());
        f.put("reused", stats.reused());
        f.put("renamed", stats.renamed());
        f.put("removed", stats.removed());
        f.put("skipped", indexer.skipped().count());
        f.put("tags", tagger == null ? "off" : tagger.files().mode().name().toLowerCase(java.util.Locale.ROOT));
        if (tagger != null) {
            TagStats t = tagger.stats();
            f.put("tags_ready", tagger.ready());
            f.put("tag_vocabulary", t.vocabularyComputation());
            f.put("tagged", t.tagged());
            f.put("tag_writes", t.written());
            f.put("tag_failures", t.failed());
            f.put("tag_read_only", t.skippedReadOnly());
            Map<String, Long> refused = new LinkedHashMap<>();
            t.refused().forEach((reason, n) -> refused.put(reason.key(), n));
            f.put("tag_refused", refused);
            f.put("tag_changed_retry", t.changedWhileWriting());
        }
        f.put("damaged_metadata", stats.damagedMetadata());
        f.put("unseen", indexer.unseen().list());
        f.put("index_repair", store.repair());
        f.put("index_rebuilding", store.rebuilding());
        f.put("last_error", lastError != null ? lastError : missingFolders);
        return f;
    }

    private synchronized void writeStatus() {
        try {
            status.write(status());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot write {0}: {1}", status.file(), e.getMessage());
        }
    }
}
