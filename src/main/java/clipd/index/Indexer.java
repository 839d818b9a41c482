package clipd.index;

import clipd.embed.ClipModel;
import clipd.embed.ModelUnavailableException;
import clipd.identify.ContentHasher;
import clipd.identify.FactsReader;
import clipd.identify.PhotoFacts;
import clipd.image.ImageDecoder;
import clipd.image.Preprocessor;
import clipd.image.UnreadableImageException;
import clipd.store.PhotoRecord;
import clipd.store.PhotoStore;
import clipd.util.DaemonThreads;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

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

    private final PhotoStore store;
    private final ClipModel model;
    private final ImageDecoder decoder;
    private final Preprocessor preprocessor;
    private final FolderScanner scanner;
    private final int workers;
    private final int batchSize;
    private volatile boolean cancelled;

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
        update(roots.stream().map(Target::whole).toList(), stats);
        store.removeUnreferencedVectors();
        store.commit();
    }

    /**
     * Brings some files and folders up to date. A target that no longer exists leaves the index with everything
     * under it. Embeddings stay even when no path refers to them, so that a photo deleted here and re-created
     * elsewhere (a move reported as delete + create, in either order) is still recognised.
     */
    public void update(Collection<Target> targets, IndexStats stats) throws IOException, ModelUnavailableException {
        Set<String> forced = new HashSet<>();
        List<Target> expanded = new ArrayList<>();
        for (Target t : targets) {
            if (FolderScanner.extension(t.path().getFileName().toString()).equals("xmp")) {
                List<Path> photos = photosDescribedBy(t.path());
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
                } else {
                    work.add(c);
                }
            }

            @Override
            public void skipped(Path path, SkipReason reason, String detail) {
                stats.countSkip(path, reason, detail);
            }
        };
        for (Target t : expanded) { // what left first, so that what arrived can be recognised as moved
            if (!Files.exists(t.path())) {
                removeUnder(t.path(), Set.of(), departed, stats);
            }
        }
        List<Path> scannedFolders = new ArrayList<>();
        for (Target t : expanded) {
            if (Files.exists(t.path())) {
                scanner.scan(t.root(), t.path(), sink);
                if (Files.isDirectory(t.path())) {
                    scannedFolders.add(t.path());
                }
            }
        }
        List<String> arrivedKnown = new ArrayList<>();
        List<FolderScanner.Candidate> toRead = new ArrayList<>();
        for (FolderScanner.Candidate c : work) {
            PhotoRecord moved = forced.contains(c.path().toString()) ? null : departed.movedHere(c);
            if (moved != null && store.hasVector(moved.hash())) {
                store.putRecord(c.path().toString(), moved);
                stats.countReused();
                arrivedKnown.add(moved.hash());
            } else {
                toRead.add(c);
            }
        }
        stats.countToProcess(toRead.size());
        arrivedKnown.addAll(process(toRead, stats));
        for (Path folder : scannedFolders) {
            removeUnder(folder, present, departed, stats);
        }
        stats.countRenamed(arrivedKnown.stream().filter(departed.hashes::contains).count());
        store.commit();
    }

    /**
     * The photos that left the index in this run: their contents, to count renames, and their records by name, size
     * and modification time, which a move or a renamed folder keeps, so that a moved file is recognised without
     * reading it (a folder of 2,000 photos renamed would otherwise be gigabytes read and hashed again).
     */
    private static final class Departed {
        final Set<String> hashes = new HashSet<>();
        private final Map<String, PhotoRecord> byFileState = new HashMap<>();

        void add(String path, PhotoRecord record) {
            hashes.add(record.hash());
            if (record.facts() != null) {
                byFileState.put(key(Path.of(path).getFileName().toString(), record.size(), record.modifiedMillis()),
                        record);
            }
        }

        PhotoRecord movedHere(FolderScanner.Candidate c) {
            return byFileState.get(key(c.path().getFileName().toString(), c.size(), c.modifiedMillis()));
        }

        private static String key(String name, long size, long modifiedMillis) {
            return name + '\0' + size + '\0' + modifiedMillis;
        }
    }

    /** Removes every photo under a folder that is no longer part of the library. */
    public void forget(Path folder, IndexStats stats) {
        removeUnder(folder, Set.of(), new Departed(), stats);
        store.commit();
    }

    /** The photos an XMP sidecar belongs to: photo.jpg for photo.jpg.xmp; photo.* for photo.xmp. */
    static List<Path> photosDescribedBy(Path sidecar) throws IOException {
        String name = sidecar.getFileName().toString();
        String base = name.substring(0, name.length() - ".xmp".length());
        Path exact = sidecar.resolveSibling(base);
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

    /** Removes the record at {@code path} and every record under it, except those in {@code keep}. */
    private void removeUnder(Path path, Set<String> keep, Departed departed, IndexStats stats) {
        List<String> gone = new ArrayList<>();
        String key = path.toString();
        store.record(key).ifPresent(r -> {
            if (!keep.contains(key)) {
                gone.add(key);
                departed.add(key, r);
            }
        });
        store.forEachRecord(key + File.separator, (p, record) -> {
            if (!keep.contains(p)) {
                gone.add(p);
                departed.add(p, record);
            }
        });
        gone.forEach(store::removeRecord);
        stats.countRemoved(gone.size());
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
            Map<String, List<Outcome>> batch = new LinkedHashMap<>();
            int waiting = 0;
            for (int i = 0; i < work.size() && !cancelled; i++) {
                Outcome o = take(outcomes);
                stats.countProcessed();
                String path = o.path().toString();
                if (o.skip() != null) {
                    stats.countSkip(o.path(), o.skip(), o.detail());
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
            store.commit();
        }
        return arrivedKnown;
    }

    private static Outcome take(BlockingQueue<Outcome> outcomes) {
        try {
            return outcomes.take();
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
            byte[] bytes = Files.readAllBytes(path);
            stats.addCpuNanos(IndexStats.Stage.READ, cpu.lap());
            if (bytes.length == 0) {
                return Outcome.skipped(path, SkipReason.EMPTY, "0 bytes");
            }
            PhotoFacts facts = FactsReader.read(bytes, path, c.modifiedMillis());
            stats.addCpuNanos(IndexStats.Stage.METADATA, cpu.lap());
            String hash = ContentHasher.hash(bytes, facts.orientation());
            stats.addCpuNanos(IndexStats.Stage.HASH, cpu.lap());
            stats.countHashed();
            PhotoRecord record = new PhotoRecord(hash, bytes.length, c.modifiedMillis(), facts);
            long decodeStart = System.nanoTime();
            stats.addReadNanos(decodeStart - start);
            if (store.hasVector(hash)) {
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
        } catch (NoSuchFileException e) {
            return Outcome.skipped(path, SkipReason.UNREADABLE, "deleted while indexing");
        } catch (IOException e) {
            return Outcome.skipped(path, SkipReason.UNREADABLE, String.valueOf(e.getMessage()));
        } catch (OutOfMemoryError e) {
            return Outcome.skipped(path, SkipReason.TOO_LARGE, "not enough memory to decode it");
        } catch (RuntimeException e) {
            return Outcome.skipped(path, SkipReason.CORRUPT, e.toString());
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
