package clipd.index;

import clipd.embed.ClipModel;
import clipd.embed.ModelUnavailableException;
import clipd.identify.ContentHasher;
import clipd.identify.FactsReader;
import clipd.identify.PhotoFacts;
import clipd.identify.Sidecars;
import clipd.image.ImageDecoder;
import clipd.image.Preprocessor;
import clipd.image.RegularFiles;
import clipd.image.UnreadableImageException;
import clipd.store.PhotoRecord;
import clipd.store.PhotoStore;
import clipd.util.DaemonThreads;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Brings the index of some folders up to date: new and changed photos are hashed, and embedded only when their
 * content is new; deleted ones leave the index. Decoding runs on worker threads that feed batched inference on
 * the calling thread; a bounded queue between them keeps memory flat however large the folder is.
 */
public final class Indexer {
    /** Files are read whole (once, for hash and decode); anything bigger is no photo clipd can embed anyway. */
    static final long MAX_FILE_BYTES = 1L << 30;
    /**
     * Photos waiting in one batch, copies included: a folder of thousands of copies of one photo (one content, so
     * never a full batch of distinct ones) is still stored in steps, with bounded memory.
     */
    static final int MAX_WAITING = 256;
    private static final long TAKE_STEP_MILLIS = 500;
    /** Longer than the slowest bounded read of one photo (a HEIF conversion's 60 s timeout). */
    private static final long WORKER_STOP_SECONDS = 75;
    private static final System.Logger LOG = System.getLogger(Indexer.class.getName());

    private final PhotoStore store;
    private final ClipModel model;
    private final ImageDecoder decoder;
    private final Preprocessor preprocessor;
    private final FolderScanner scanner;
    private final int workers;
    private final int batchSize;
    private final SkippedFiles skipped = new SkippedFiles();
    private final RecentDepartures recentDepartures = new RecentDepartures(System::nanoTime);
    private volatile boolean cancelled;
    private volatile Departures departures = Departures.NONE;

    /**
     * Told, at the end of an update, about each indexed photo that the disk shows renamed or moved, or gone (not
     * about photos forgotten because their folder left the library): their sidecars follow them.
     */
    public interface Departures {
        Departures NONE = new Departures() {
            @Override
            public void moved(Path from, Path to) {
            }

            @Override
            public void deleted(Path photo) {
            }

            @Override
            public void stranded(Path sidecar) {
            }
        };

        void moved(Path from, Path to);

        void deleted(Path photo);

        /**
         * A sidecar named for a photo ({@code photo.jpg.xmp}) that is not there, seen in an update or beside a photo
         * path an update found gone: what a photo that left without its sidecar leaves behind when the folder
         * holding that sidecar moved too, or when the photo left before clipd had read it, so that no departure
         * names where the sidecar is now.
         */
        void stranded(Path sidecar);
    }
    private final Unseen unseen = new Unseen();

    public Indexer(PhotoStore store, ClipModel model, ImageDecoder decoder, Preprocessor preprocessor,
                   FolderScanner scanner, int workers, int batchSize) {
        this.store = store;
        this.model = model;
        this.decoder = decoder;
        this.preprocessor = preprocessor;
        this.scanner = scanner;
        this.workers = Math.max(1, workers);
        this.batchSize = Math.max(1, batchSize);
    }

    public void listen(Departures departures) {
        this.departures = departures;
    }

    /** The files of the library this indexer did not index, each counted once. */
    public SkippedFiles skipped() {
        return skipped;
    }

    /** A file or folder to bring up to date, and the watched folder it belongs to. */
    public record Target(Path root, Path path) {
        public static Target whole(Path root) {
            return new Target(root, root);
        }
    }

    /**
     * Brings whole folders up to date (absolute, normalised paths) and drops embeddings nothing refers to any more.
     * A folder that does not exist is an error: its photos are not forgotten because a disk is not mounted.
     */
    public void index(List<Path> roots, IndexStats stats) throws IOException, ModelUnavailableException {
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                throw new NoSuchFileException(root.toString(), null, "not a folder");
            }
        }
        checkStore();
        update(roots.stream().map(Target::whole).toList(), stats);
        store.removeUnreferencedVectors(System.currentTimeMillis());
        store.commit();
    }

    /**
     * Before a full reconcile: every record must have a unit-length embedding of the model's size. Those without
     * one leave the index, and the reconcile that follows reads and embeds them again.
     */
    public void checkStore() {
        int bad = store.removeRecordsWithBadVectors(model.descriptor().embeddingDim());
        if (bad > 0) {
            store.commit();
            LOG.log(System.Logger.Level.WARNING, "{0} photos in the index had a missing or damaged embedding; "
                    + "embedding them again", bad);
        }
    }

    /**
     * Brings some files and folders up to date. A target that no longer exists leaves the index with everything
     * under it. Embeddings stay even when no path refers to them, so that a photo deleted here and re-created
     * elsewhere (a move reported as delete + create, in either order) is still recognised.
     */
    public void update(Collection<Target> targets, IndexStats stats) throws IOException, ModelUnavailableException {
        Set<String> forced = new HashSet<>();
        List<Target> expanded = new ArrayList<>();
        Set<Path> sidecars = new LinkedHashSet<>(); // a gone photo's sidecar may also be an event of its own
        for (Target t : targets) {
            if (FolderScanner.extension(t.path().getFileName().toString()).equals("xmp")) {
                List<Path> photos = photosDescribedBy(t.path());
                if (photos.isEmpty()) {
                    sidecars.add(t.path());
                }
                if (writtenByClipd(t.path(), photos)) {
                    continue;
                }
                for (Path photo : photos) {
                    forced.add(photo.toString());
                    expanded.add(new Target(t.root(), photo));
                }
            } else {
                expanded.add(t);
            }
        }
        Set<String> present = new HashSet<>();
        Set<String> seenSkipped = new HashSet<>();
        List<FolderScanner.Candidate> work = new ArrayList<>();
        Departed departed = new Departed();
        FolderScanner.Sink sink = new FolderScanner.Sink() {
            @Override
            public void photo(FolderScanner.Candidate c) {
                String key = c.path().toString();
                if (!present.add(key)) {
                    return; // seen already in this batch, through its folder
                }
                stats.countFound();
                if (!forced.contains(key)
                        && store.record(key).map(r -> r.sameFileState(c.size(), c.modifiedMillis())).orElse(false)) {
                    stats.countUnchanged();
                } else if (!forced.contains(key) && skipped.unchanged(key, c.size(), c.modifiedMillis())) {
                    seenSkipped.add(key); // read and refused before, as it is now
                } else {
                    work.add(c);
                }
            }

            @Override
            public void skipped(Path path, SkipReason reason, String detail) {
                seenSkipped.add(path.toString());
                if (skipped.remember(path, reason, detail, -1, -1)) {
                    stats.countSkip(path, reason, detail);
                }
            }

            @Override
            public void unseen(Path path, String reason) {
                unseen.add(path, reason);
            }

            @Override
            public void sidecar(Path file) {
                sidecars.add(file);
            }
        };
        expanded.forEach(t -> unseen.rescanning(t.path()));
        for (Target t : expanded) { // what left first, so that what arrived can be recognised as moved
            if (!Files.exists(t.path())) {
                removeGone(t.path(), departed);
                // a photo that left before clipd could read it (it came with its sidecar and moved on alone) has
                // no record to say where it went: only its sidecar, beside no photo, is left to tell
                sidecars.add(Sidecars.full(t.path()));
            }
        }
        List<Path> scannedFolders = new ArrayList<>();
        Set<Path> suspect = new HashSet<>();
        for (Target t : expanded) {
            if (t.path().equals(t.root()) && unseen.device(t.root(), store.rootDevice(t.root().toString()))) {
                suspect.add(t.root());
            }
            if (Files.exists(t.path())) {
                try {
                    scanner.scan(t.root(), t.path(), sink);
                } catch (NoSuchFileException e) {
                    removeGone(t.path(), departed); // deleted between the check and the scan
                    continue;
                }
                if (Files.isDirectory(t.path())) {
                    scannedFolders.add(t.path());
                }
            }
        }
        for (Path folder : scannedFolders) { // files about to be read again are remembered again if skipped
            skipped.forgetUnder(folder, seenSkipped);
        }
        for (Path folder : scannedFolders) { // what left them, before what arrived is matched with it
            boolean empty = nothingUnder(folder, present);
            if (suspect.contains(folder) && empty && store.hasRecordUnder(folder.toString() + File.separator)) {
                // a library folder that holds nothing on another file system than the one it last held photos on
                // is an empty mount point far more often than a library deleted whole: its photos stay until it
                // shows them again (or is removed from clipd); emptied on its own disk, its photos leave
                unseen.add(folder, "holds no photos any more (disk not mounted?)");
                continue;
            }
            String device = unseen.deviceNow(folder); // null for a folder that is not a library folder
            if (device != null && !empty && !device.equals(store.rootDevice(folder.toString()))) {
                store.putRootDevice(folder.toString(), device);
            }
            removeUnder(folder, present, departed);
        }
        List<String> arrivedKnown = new ArrayList<>();
        List<FolderScanner.Candidate> toRead = new ArrayList<>();
        long movedEarlier = 0; // their departure was an earlier update's, told and counted there
        work.forEach(departed::arrived);
        for (FolderScanner.Candidate c : work) {
            Map.Entry<String, PhotoRecord> from = forced.contains(c.path().toString()) ? null
                    : departed.movedHere(c, recentDepartures);
            PhotoRecord moved = from == null ? null : from.getValue();
            if (moved != null && store.hasVector(moved.hash())) {
                store.putRecord(c.path().toString(), moved);
                if (!departed.arrived(from.getKey(), c.path())) {
                    movedEarlier++;
                }
                stats.countReused();
                arrivedKnown.add(moved.hash());
            } else {
                toRead.add(c);
            }
        }
        stats.countToProcess(toRead.size());
        arrivedKnown.addAll(process(toRead, stats));
        for (FolderScanner.Candidate c : toRead) { // renamed: recognised by content
            store.record(c.path().toString()).ifPresent(r -> departed.arrivedWith(r.hash(), c.path()));
        }
        expanded.forEach(t -> unseen.scanned(t.path()));
        long renamed = arrivedKnown.stream().filter(departed.byHash::containsKey).count();
        stats.countRenamed(renamed + movedEarlier);
        stats.countRemoved(Math.max(0, departed.count - renamed)); // a rename is one change, not a removal too
        store.commit();
        departed.tell(departures);
        departed.leaveUnclaimedTo(recentDepartures);
        for (Path sidecar : sidecars) {
            if (namesMissingPhoto(sidecar, present)) {
                departures.stranded(sidecar);
            }
        }
    }

    /**
     * Whether a sidecar is named {@code photo.ext.xmp} for a photo format clipd reads, and that photo is not there
     * (a RAW's sidecar, {@code IMG_1.cr2.xmp}, is never clipd's; {@code IMG_1.xmp} may be a RAW's too).
     */
    private static boolean namesMissingPhoto(Path sidecar, Set<String> present) {
        Path photoPath = Sidecars.photoOf(sidecar);
        String photo = photoPath.getFileName().toString();
        return ImageDecoder.supportedExtensions().contains(FolderScanner.extension(photo))
                && !present.contains(photoPath.toString()) && !Files.exists(photoPath, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * The photos that left the index in this run: their contents, to count renames, and their records by name, size
     * and modification time, which a move or a renamed folder keeps, so that a moved file is recognised without
     * reading it (a folder of 2,000 photos renamed would otherwise be gigabytes read and hashed again). Only a key
     * that one departed photo and one arrived file have is trusted: same-size scans or BMPs with rounded times share
     * all three, and are read and hashed instead of taking one another's embeddings.
     */
    private static final class Departed {
        /** Content → the departed paths that had it. */
        final Map<String, List<String>> byHash = new HashMap<>();
        private final Map<String, Map.Entry<String, PhotoRecord>> byFileState = new HashMap<>();
        /** Departed path → where it went, or null: gone. */
        private final Map<String, Path> whereabouts = new LinkedHashMap<>();
        private final Set<String> shared = new HashSet<>();
        private final Map<String, Integer> arrivals = new HashMap<>();
        long count;

        void add(String path, PhotoRecord record) {
            count++;
            byHash.computeIfAbsent(record.hash(), h -> new ArrayList<>()).add(path);
            whereabouts.put(path, null);
            if (record.facts() != null) {
                String key = RecentDepartures.key(Path.of(path).getFileName().toString(), record.size(),
                        record.modifiedMillis());
                if (byFileState.putIfAbsent(key, Map.entry(path, record)) != null) {
                    shared.add(key);
                }
            }
        }

        /** Counts an arrived file, before {@link #movedHere} is asked about any. */
        void arrived(FolderScanner.Candidate c) {
            arrivals.merge(key(c), 1, Integer::sum);
        }

        /**
         * The departed path and record of the photo that a new one is, moved, else null: one that left in this
         * update, else one that left in an earlier one (taken from {@code earlier}).
         */
        Map.Entry<String, PhotoRecord> movedHere(FolderScanner.Candidate c, RecentDepartures earlier) {
            String key = key(c);
            if (shared.contains(key) || arrivals.getOrDefault(key, 0) > 1) {
                return null;
            }
            Map.Entry<String, PhotoRecord> here = byFileState.get(key);
            return here != null ? here : earlier.take(key);
        }

        private static String key(FolderScanner.Candidate c) {
            return RecentDepartures.key(c.path().getFileName().toString(), c.size(), c.modifiedMillis());
        }

        /** Where a photo that left in this update went (the first place it was seen); false: not one of them. */
        boolean arrived(String from, Path to) {
            if (!whereabouts.containsKey(from)) {
                return false;
            }
            whereabouts.putIfAbsent(from, to); // HashMap's putIfAbsent also replaces a null value
            return true;
        }

        /** The photos that left and were seen nowhere: a later update may see them arrive. */
        void leaveUnclaimedTo(RecentDepartures earlier) {
            byFileState.forEach((key, departure) -> {
                if (!shared.contains(key) && whereabouts.get(departure.getKey()) == null) {
                    earlier.add(key, departure.getKey(), departure.getValue());
                }
            });
        }

        /** A photo with this content arrived at {@code to}: the first departed one with it moved there. */
        void arrivedWith(String hash, Path to) {
            byHash.getOrDefault(hash, List.of()).stream().filter(p -> whereabouts.get(p) == null).findFirst()
                    .ifPresent(from -> arrived(from, to));
        }

        void tell(Departures departures) {
            whereabouts.forEach((from, to) -> {
                if (to == null) {
                    departures.deleted(Path.of(from));
                } else {
                    departures.moved(Path.of(from), to);
                }
            });
        }
    }

    /** Removes every photo under a folder that is no longer part of the library. */
    public void forget(Path folder, IndexStats stats) {
        unseen.forget(folder);
        Departed departed = new Departed();
        removeGone(folder, departed);
        stats.countRemoved(departed.count);
        store.commit();
    }

    /** The photos an XMP sidecar belongs to: photo.jpg for photo.jpg.xmp; photo.* for photo.xmp. */
    static List<Path> photosDescribedBy(Path sidecar) throws IOException {
        Path exact = Sidecars.photoOf(sidecar);
        String base = exact.getFileName().toString();
        if (!FolderScanner.extension(base).isEmpty() && Files.isRegularFile(exact)) {
            return List.of(exact);
        }
        List<Path> photos = new ArrayList<>();
        try (java.util.stream.Stream<Path> siblings = Files.list(sidecar.getParent())) {
            siblings.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(base + ".") && n.indexOf('.', base.length() + 1) < 0
                        && ImageDecoder.supportedExtensions().contains(FolderScanner.extension(n));
            }).forEach(photos::add);
        } catch (NoSuchFileException | NotDirectoryException e) {
            // the folder went with the sidecar (a deleted or moved folder): its photos' own events say what left
            return List.of();
        }
        return photos;
    }

    /** Whether a sidecar is exactly as clipd's tagging last wrote it for every photo it describes. */
    private boolean writtenByClipd(Path sidecar, List<Path> photos) {
        try {
            long size = Files.size(sidecar);
            long modified = Files.getLastModifiedTime(sidecar).toMillis();
            return !photos.isEmpty() && photos.stream().allMatch(photo -> store.tagState(photo.toString())
                    .filter(s -> sidecar.toString().equals(s.xmpFile()) && s.xmpSize() == size
                            && s.xmpModifiedMillis() == modified).isPresent());
        } catch (IOException e) {
            return false; // deleted or unreadable: a change to look at
        }
    }

    /** Stops a run between two photos; what is done so far stays committed. */
    public void cancel() {
        cancelled = true;
    }

    private static boolean nothingUnder(Path folder, Set<String> present) {
        String prefix = folder.toString() + File.separator;
        return present.stream().noneMatch(p -> p.startsWith(prefix));
    }

    /** What the scans could not see (and so kept), with the reasons. */
    public Unseen unseen() {
        return unseen;
    }

    /**
     * Removes the record at {@code path} and every record under it, except those in {@code keep} and those under
     * something the scan could not see.
     */
    private void removeUnder(Path path, Set<String> keep, Departed departed) {
        List<String> gone = new ArrayList<>();
        String key = path.toString();
        store.record(key).ifPresent(r -> {
            if (!keep.contains(key) && !unseen.covers(path)) {
                gone.add(key);
                departed.add(key, r);
            }
        });
        store.forEachRecord(key + File.separator, (p, record) -> {
            if (!keep.contains(p) && !unseen.covers(Path.of(p))) {
                gone.add(p);
                departed.add(p, record);
            }
        });
        gone.forEach(store::removeRecord);
    }

    /** A file or folder seen to be gone: its photos leave the index, and its skipped files the skip list. */
    private void removeGone(Path path, Departed departed) {
        removeUnder(path, Set.of(), departed);
        skipped.forgetUnder(path, Set.of());
    }

    /** What a worker made of one file. */
    private record Outcome(Path path, PhotoRecord record, float[] pixels, SkipReason skip, String detail) {
        static Outcome skipped(Path path, SkipReason reason, String detail) {
            return new Outcome(path, null, null, reason, detail);
        }

        Outcome withoutPixels() {
            return new Outcome(path, record, null, skip, detail);
        }
    }

    /** Returns the hashes of already-known content that appeared at a path new to it (moves and copies). */
    private List<String> process(List<FolderScanner.Candidate> work, IndexStats stats)
            throws ModelUnavailableException {
        List<String> arrivedKnown = new ArrayList<>();
        if (work.isEmpty()) {
            return arrivedKnown;
        }
        Map<String, FolderScanner.Candidate> candidates = new HashMap<>();
        work.forEach(c -> candidates.put(c.path().toString(), c));
        BlockingQueue<Outcome> outcomes = new ArrayBlockingQueue<>(2 * batchSize + workers);
        ExecutorService pool = Executors.newFixedThreadPool(workers, DaemonThreads.named("clipd-decode"));
        try {
            for (FolderScanner.Candidate c : work) {
                pool.execute(() -> {
                    try {
                        outcomes.put(read(c, stats));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            pool.shutdown(); // runs what was queued; isTerminated() then says that no outcome can come any more
            Map<String, List<Outcome>> batch = new LinkedHashMap<>();
            int waiting = 0;
            for (int i = 0; i < work.size() && !cancelled; i++) {
                Outcome o = take(outcomes, pool);
                if (o == null) {
                    break; // cancelled while waiting
                }
                stats.countProcessed();
                String path = o.path().toString();
                if (o.skip() == null) {
                    skipped.forget(path);
                }
                if (o.skip() != null) {
                    FolderScanner.Candidate c = candidates.get(path);
                    if (skipped.remember(o.path(), o.skip(), o.detail(), c.size(), c.modifiedMillis())) {
                        stats.countSkip(o.path(), o.skip(), o.detail());
                    }
                    store.removeRecord(path);
                } else if (o.pixels() == null || store.hasVector(o.record().hash())) {
                    boolean samePhoto = store.record(path).map(r -> r.hash().equals(o.record().hash())).orElse(false);
                    if (!samePhoto) {
                        arrivedKnown.add(o.record().hash());
                    }
                    store.putRecord(path, o.record());
                    stats.countReused();
                } else {
                    List<Outcome> same = batch.get(o.record().hash());
                    if (same == null) {
                        batch.put(o.record().hash(), new ArrayList<>(List.of(o)));
                    } else {
                        same.add(o.withoutPixels()); // a copy: one set of pixels per content is enough
                    }
                    if (batch.size() >= batchSize || ++waiting >= MAX_WAITING) {
                        embed(batch, stats);
                        waiting = 0;
                    }
                }
            }
            if (!cancelled) {
                embed(batch, stats);
            }
        } finally {
            pool.shutdownNow();
            awaitWorkers(pool);
            store.commit();
        }
        return arrivedKnown;
    }

    /**
     * A run that ends early (cancelled, or an error) returns when its workers have finished the photo each was
     * reading: one left running would use the store, and the model, after the caller closed them.
     */
    private static void awaitWorkers(ExecutorService pool) {
        try {
            if (!pool.awaitTermination(WORKER_STOP_SECONDS, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "a decode worker is still busy after {0} s; going on without it",
                        WORKER_STOP_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The next outcome; null when the run was cancelled meanwhile. Waits in steps, so that a stop is seen while a
     * slow photo decodes, and so that workers that ended without an outcome (which {@link #read} rules out) are an
     * error rather than a wait forever.
     */
    private Outcome take(BlockingQueue<Outcome> outcomes, ExecutorService pool) {
        try {
            while (!cancelled) {
                boolean finished = pool.isTerminated();
                Outcome o = outcomes.poll(TAKE_STEP_MILLIS, TimeUnit.MILLISECONDS);
                if (o != null) {
                    return o;
                }
                if (finished) {
                    throw new IllegalStateException("a decode worker ended without a result");
                }
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("indexing interrupted", e);
        }
    }

    /** Runs on a worker: read once, hash, and decode only when the content is not in the index yet. */
    private Outcome read(FolderScanner.Candidate c, IndexStats stats) {
        Path path = c.path();
        if (c.size() > MAX_FILE_BYTES) {
            return Outcome.skipped(path, SkipReason.TOO_LARGE, (c.size() >> 20) + " MB file");
        }
        long start = System.nanoTime();
        StageClock cpu = new StageClock();
        try {
            byte[] bytes = RegularFiles.read(path, MAX_FILE_BYTES);
            stats.addCpuNanos(IndexStats.Stage.READ, cpu.lap());
            if (bytes.length == 0) {
                return Outcome.skipped(path, SkipReason.EMPTY, "0 bytes");
            }
            PhotoFacts facts = FactsReader.read(bytes, path, c.modifiedMillis(), problem -> {
                stats.countDamagedMetadata();
                LOG.log(System.Logger.Level.WARNING, "{0}: {1}; indexed from its pixels", path, problem);
            });
            stats.addCpuNanos(IndexStats.Stage.METADATA, cpu.lap());
            String hash = ContentHasher.hash(bytes, facts.orientation());
            stats.addCpuNanos(IndexStats.Stage.HASH, cpu.lap());
            stats.countHashed();
            PhotoRecord record = new PhotoRecord(hash, bytes.length, c.modifiedMillis(), facts);
            long decodeStart = System.nanoTime();
            stats.addReadNanos(decodeStart - start);
            if (knownContent(hash)) {
                return new Outcome(path, record, null, null, null);
            }
            float[] pixels = new float[3 * preprocessor.size() * preprocessor.size()];
            var decoded = decoder.decode(bytes, facts.orientation());
            stats.addCpuNanos(IndexStats.Stage.DECODE, cpu.lap());
            preprocessor.preprocess(decoded, pixels, 0);
            stats.addCpuNanos(IndexStats.Stage.RESIZE, cpu.lap());
            stats.addDecodeNanos(System.nanoTime() - decodeStart);
            return new Outcome(path, record, pixels, null, null);
        } catch (UnreadableImageException e) {
            return Outcome.skipped(path, SkipReason.of(e.kind()), e.getMessage());
        } catch (RegularFiles.NotRegularFileException e) {
            return Outcome.skipped(path, SkipReason.NOT_A_FILE, e.getReason());
        } catch (NoSuchFileException e) {
            return Outcome.skipped(path, SkipReason.UNREADABLE, "deleted while indexing");
        } catch (IOException e) {
            return Outcome.skipped(path, SkipReason.UNREADABLE, String.valueOf(e.getMessage()));
        } catch (OutOfMemoryError e) {
            return Outcome.skipped(path, SkipReason.TOO_LARGE, "not enough memory to decode it");
        } catch (Throwable e) { // the decoders report damaged photos themselves: this is clipd's failure
            // and a worker must always post its outcome, or the run would wait for it forever
            LOG.log(System.Logger.Level.ERROR, "clipd failed on " + path + ": " + e, e);
            return Outcome.skipped(path, SkipReason.CLIPD_ERROR, e.toString());
        }
    }

    /** On a worker, a damaged store only costs a decode: the main thread meets the damage and handles it. */
    private boolean knownContent(String hash) {
        try {
            return store.hasVector(hash);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Embeds each distinct content of the batch once, stores the vectors and every path, commits, and clears. */
    private void embed(Map<String, List<Outcome>> batch, IndexStats stats) throws ModelUnavailableException {
        if (batch.isEmpty()) {
            return;
        }
        List<List<Outcome>> groups = new ArrayList<>(batch.values());
        int pixelsPerImage = 3 * preprocessor.size() * preprocessor.size();
        int chunk = Math.min(batchSize, model.maxImageBatch());
        for (int from = 0; from < groups.size(); from += chunk) {
            int n = Math.min(chunk, groups.size() - from);
            float[] pixels = new float[n * pixelsPerImage];
            for (int i = 0; i < n; i++) {
                System.arraycopy(groups.get(from + i).get(0).pixels(), 0, pixels, i * pixelsPerImage, pixelsPerImage);
            }
            long start = System.nanoTime();
            float[][] vectors = model.embedImages(pixels, n);
            stats.addInferenceNanos(System.nanoTime() - start);
            StageClock cpu = new StageClock();
            for (int i = 0; i < n; i++) {
                List<Outcome> same = groups.get(from + i);
                store.putVector(same.get(0).record().hash(), vectors[i]);
                for (Outcome o : same) {
                    store.putRecord(o.path().toString(), o.record());
                }
                stats.countEmbedded(1);
                for (int k = 1; k < same.size(); k++) {
                    stats.countReused();
                }
            }
            stats.addCpuNanos(IndexStats.Stage.STORE, cpu.lap());
        }
        StageClock cpu = new StageClock();
        store.commit();
        stats.addCpuNanos(IndexStats.Stage.STORE, cpu.lap());
        batch.clear();
    }
}
