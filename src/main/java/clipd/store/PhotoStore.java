package clipd.store;

import clipd.util.PrivateFiles;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBException;
import org.mapdb.DBMaker;
import org.mapdb.HTreeMap;
import org.mapdb.Serializer;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The index: path → {@link PhotoRecord} and content hash → embedding, so copies share one embedding and a moved photo
 * keeps its own. MapDB stays behind this class. The file is memory-mapped with MapDB's write-ahead log, so a crash
 * loses at most the uncommitted batch.
 *
 * <p>A store proves itself: opening walks every tree within a time and entry bound ({@link StoreCheck}), and any
 * failure of MapDB at any time (an exception, an error, a walk that loops) is damage. Then the file is moved aside
 * (one old copy is kept, no more), what can still be read of it is copied into a new file ({@link StoreSalvage}),
 * and the rest is found again by the next scan; one line in the log says so.
 */
public final class PhotoStore implements AutoCloseable {
    static final String SCHEMA_VERSION = "1";
    /** Free space the index leaves on its disk by default; below it, writes wait (see {@link DiskSpace}). */
    public static final long DEFAULT_MIN_FREE_BYTES = 100L << 20;
    /**
     * Opening and checking a store of 20,000 photos takes well under a second; a damaged one may loop. Not final:
     * the damage test shortens it.
     */
    static volatile long openMillis = 60_000;
    /** Reading what survives of a damaged store: as much as this allows. */
    static final long SALVAGE_MILLIS = 60_000;
    private static final int MAPDB_HEADER = 0x4A;
    private static final String PART = "#part";
    /** The repair of a store file of 0 bytes. */
    public static final String EMPTY_FILE = "the file was empty (0 bytes): made anew, every photo is indexed again";
    /** Embeddings no photo refers to are kept this long: a rename seen as delete + create costs nothing. */
    public static final long ORPHAN_GRACE_MILLIS = 24L * 3600 * 1000;
    private static final System.Logger LOG = System.getLogger(PhotoStore.class.getName());
    /**
     * MapDB logs its own advice for developers ("Use DBMaker.checksumHeaderBypass()…") when a header is damaged:
     * clipd says what it does about it instead. Held here, or java.util.logging forgets the setting.
     */
    private static final java.util.logging.Logger MAPDB_LOG = quiet(java.util.logging.Logger.getLogger("org.mapdb"));

    private final Path file;
    private volatile Maps maps;
    /** Set as {@link #close} begins: a thread still using the store then meets a closed file, not damage. */
    private volatile boolean closed;
    private DiskSpace space;
    /** The in-memory views that follow the store (the search index, the duplicate groups). */
    private final java.util.List<RecordListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Kept here because counting a MapDB tree walks it, too slow for a status read every second. */
    private final AtomicLong recordCount = new AtomicLong();
    /** What happened to the file, for the status: null, or a move aside and what a rebuild kept. */
    private volatile String repair;
    /** Whether {@link #repair} is a rebuild: the old file's records that were readable and a scan for the rest. */
    private volatile boolean rebuilt;
    /** From a rebuild until a full scan since it has indexed again what the old file lost. */
    private volatile boolean rebuilding;
    /** Rebuilds so far, so that a scan that began before the latest one does not end it. */
    private final AtomicLong rebuilds = new AtomicLong();

    /** Told of every record written or removed, so an in-memory view (the daemon's search index) can follow. */
    public interface RecordListener {
        void recordPut(String path, PhotoRecord record);

        void recordRemoved(String path);
    }

    /** One open MapDB file and its collections. */
    record Maps(DB db, BTreeMap<String, byte[]> files, HTreeMap<String, float[]> vectors,
                BTreeMap<String, byte[]> tagStates, HTreeMap<String, float[]> tagVectors,
                HTreeMap<String, Long> orphans, BTreeMap<String, byte[]> concepts) {
        static Maps of(DB db) {
            return new Maps(db, db.treeMap("files", Serializer.STRING, Serializer.BYTE_ARRAY).createOrOpen(),
                    db.hashMap("vectors", Serializer.STRING, Serializer.FLOAT_ARRAY).createOrOpen(),
                    db.treeMap("tags", Serializer.STRING, Serializer.BYTE_ARRAY).createOrOpen(),
                    db.hashMap("tagVectors", Serializer.STRING, Serializer.FLOAT_ARRAY).createOrOpen(),
                    db.hashMap("orphans", Serializer.STRING, Serializer.LONG).createOrOpen(),
                    db.treeMap("concepts", Serializer.STRING, Serializer.BYTE_ARRAY).createOrOpen());
        }

        /** Reads every entry of every collection (records parsed), within the file's entry bound; returns records. */
        long check(long limit) {
            long records = StoreCheck.walk(files, limit, (path, bytes) -> PhotoRecord.fromBytes(Sealed.open(path, bytes)));
            StoreCheck.walk(tagStates, limit, (path, bytes) -> TagState.fromBytes(Sealed.open(path, bytes)));
            StoreCheck.walk(vectors.entrySet(), limit, 0, (hash, v) -> { });
            StoreCheck.walk(tagVectors.entrySet(), limit, 0, (key, v) -> { });
            StoreCheck.walk(orphans.entrySet(), limit, 0, (hash, since) -> { });
            StoreCheck.walk(concepts, limit, (name, bytes) -> ConceptRecord.fromBytes(Sealed.open(name, bytes)));
            return records;
        }
    }

    private PhotoStore(Path file, Maps maps, long records) {
        this.file = file;
        this.maps = maps;
        this.recordCount.set(records);
    }

    /**
     * Opens or creates the store. A store of another schema, or one that cannot be read, is moved aside (never
     * deleted), and a fresh one is created with what could be read of it; a store in use by another process is an
     * error.
     */
    public static PhotoStore open(Path file) throws StoreException {
        return open(file, DEFAULT_MIN_FREE_BYTES);
    }

    /** Opens the store; writes are refused with {@link DiskFullException} while its disk has less than this free. */
    public static PhotoStore open(Path file, long minFreeBytes) throws StoreException {
        PhotoStore store = openOrCreate(file);
        try {
            PrivateFiles.restrict(file); // every path and place of the library is in it
        } catch (IOException e) {
            store.close();
            throw new StoreException("cannot make the index " + file + " private: " + e.getMessage(), e);
        }
        store.space = new DiskSpace(file.toAbsolutePath().getParent(), minFreeBytes);
        Holder.claim(file);
        return store;
    }

    private static PhotoStore openOrCreate(Path file) throws StoreException {
        try {
            PrivateFiles.createDirectory(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new StoreException("cannot create the data directory " + file.getParent() + ": " + e.getMessage(), e);
        }
        String damage;
        if (removeIfEmpty(file)) {
            PhotoStore store = create(file);
            store.repair = EMPTY_FILE;
            return store;
        }
        if (looksLikeMapDb(file)) {
            try {
                PhotoStore store = BoundedWork.run("clipd-open-index", openMillis, () -> openExisting(file));
                return store != null ? store : create(file); // null: another schema, moved aside
            } catch (DBException.FileLocked e) {
                throw inUse(file, e);
            } catch (StoreException e) {
                throw e;
            } catch (Exception | Error e) {
                damage = describe(e);
            }
        } else if (zeroedHeader(file)) {
            damage = "its header is zeroed";
        } else {
            Path moved = moveAside(file);
            PhotoStore store = create(file);
            store.repair = "the file was not a clipd index: moved aside as " + moved.getFileName() + ", started anew";
            LOG.log(System.Logger.Level.WARNING, "index {0}: {1}", file, store.repair);
            return store;
        }
        Path moved = moveAside(file);
        PhotoStore store = create(file);
        StoreSalvage.Salvage kept = StoreSalvage.fromFile(moved, SALVAGE_MILLIS);
        store.take(kept);
        store.startedRebuild(kept.summary(damage, moved));
        return store;
    }

    /**
     * MapDB grows a file it opens before it checks the header, so a foreign file is recognised here first and moved
     * aside untouched. Every MapDB store file starts with the byte 0x4A.
     */
    private static boolean looksLikeMapDb(Path file) throws StoreException {
        try (InputStream in = Files.newInputStream(file)) {
            int first = in.read();
            return first == -1 || first == MAPDB_HEADER;
        } catch (NoSuchFileException e) {
            return true;
        } catch (IOException e) {
            throw new StoreException("cannot read the index " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A store file of 0 bytes (its creation was interrupted, or it was cut off) holds nothing MapDB can read: it is
     * removed, with its log, to be made anew. Returns whether it was.
     */
    private static boolean removeIfEmpty(Path file) throws StoreException {
        try {
            if (Files.isRegularFile(file) && Files.size(file) == 0) {
                Path dir = file.toAbsolutePath().getParent();
                String name = file.getFileName().toString();
                try (DirectoryStream<Path> logs = Files.newDirectoryStream(dir, name + ".wal*")) {
                    for (Path log : logs) {
                        Files.delete(log);
                    }
                }
                Files.delete(file);
                LOG.log(System.Logger.Level.WARNING, "index {0}: {1}", file, EMPTY_FILE);
                return true;
            }
            return false;
        } catch (IOException e) {
            throw new StoreException("cannot read the index " + file + ": " + e.getMessage(), e);
        }
    }

    /** A MapDB file whose first block was zeroed (by a crash of the file system, say) rather than a foreign file. */
    private static boolean zeroedHeader(Path file) throws StoreException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(16);
            for (byte b : head) {
                if (b != 0) {
                    return false;
                }
            }
            return head.length == 16;
        } catch (IOException e) {
            throw new StoreException("cannot read the index " + file + ": " + e.getMessage(), e);
        }
    }

    /** Opens the file (a new one is created empty) and checks it; null when it has another schema (moved aside). */
    private static PhotoStore openExisting(Path file) throws StoreException, IOException {
        long limit = StoreCheck.limit(Files.exists(file) ? Files.size(file) : 0);
        DB db = maker(file).make();
        Map<String, String> meta = meta(db);
        String schema = meta.get("schema");
        if (schema == null) {
            meta.put("schema", SCHEMA_VERSION);
            db.commit();
        } else if (!SCHEMA_VERSION.equals(schema)) {
            db.close();
            Path moved = moveAside(file);
            LOG.log(System.Logger.Level.WARNING, "index {0} has schema {1}, this clipd uses {2}: moved it aside as {3} "
                    + "and started a new one", file, schema, SCHEMA_VERSION, moved.getFileName());
            return null;
        }
        Maps maps = Maps.of(db);
        return new PhotoStore(file, maps, maps.check(limit));
    }

    private static PhotoStore create(Path file) throws StoreException {
        try {
            return new PhotoStore(file, createMaps(file), 0);
        } catch (DBException.FileLocked e) {
            throw inUse(file, e);
        } catch (RuntimeException e) {
            throw new StoreException("cannot create the index " + file + ": " + e.getMessage(), e);
        }
    }

    private static Maps createMaps(Path file) {
        DB db = maker(file).make();
        meta(db).put("schema", SCHEMA_VERSION);
        db.commit();
        return Maps.of(db);
    }

    private static StoreException inUse(Path file, Exception e) {
        return new StoreException("the index " + file + " is in use by " + Holder.of(file)
                .orElse("another clipd process (is clipd serve running? stop it first)"), e);
    }

    static DBMaker.Maker maker(Path file) {
        return DBMaker.fileDB(file.toFile())
                .fileMmapEnableIfSupported()
                .fileMmapPreclearDisable()
                .cleanerHackEnable()
                .transactionEnable();
    }

    private static HTreeMap<String, String> meta(DB db) {
        return db.hashMap("meta", Serializer.STRING, Serializer.STRING).createOrOpen();
    }

    private static java.util.logging.Logger quiet(java.util.logging.Logger logger) {
        logger.setLevel(java.util.logging.Level.SEVERE);
        return logger;
    }

    /** What went wrong, in a few words: the kind of failure and MapDB's first sentence, never its advice. */
    static String describe(Throwable e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        int end = message.indexOf(". ");
        message = (end > 0 ? message.substring(0, end) : message).lines().findFirst().orElse("").strip();
        String kind = e.getClass().getSimpleName();
        return message.isEmpty() ? kind : kind + ": " + (message.length() > 120 ? message.substring(0, 120) : message);
    }

    /**
     * Renames the store and its log files with a ".moved-TIMESTAMP" suffix (index.db.moved-T, index.db.moved-T.wal.0,
     * so that the moved copy opens with its log), after deleting any copy moved aside before: one old copy at most.
     * Returns the moved store file; the caller says why in the log.
     */
    private static Path moveAside(Path file) throws StoreException {
        String suffix = ".moved-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = file.toAbsolutePath().getParent();
        String name = file.getFileName().toString();
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(dir, name + "*")) {
            List<Path> current = new ArrayList<>();
            for (Path p : siblings) {
                String n = p.getFileName().toString();
                if (n.startsWith(name + ".moved-")) {
                    Files.deleteIfExists(p);
                } else if (n.equals(name) || n.startsWith(name + ".wal")) {
                    current.add(p);
                }
            }
            for (Path p : current) {
                String n = p.getFileName().toString();
                Files.move(p, dir.resolve(name + suffix + n.substring(name.length())));
            }
        } catch (IOException e) {
            throw new StoreException("the index " + file + " cannot be moved aside: " + e.getMessage(), e);
        }
        return dir.resolve(name + suffix);
    }

    /**
     * Handles a failure of the open store: moves it aside, starts a new one with what can be read of the old, and
     * returns the exception that ends the operation that met the damage. The old file stays mapped until the
     * process ends: another thread may be reading it at this moment. A failure after {@link #close} is no damage:
     * the file may be open in another store by then.
     */
    private synchronized RuntimeException damaged(Throwable e, Maps where) {
        if (closed) {
            return closedError(e);
        }
        String damage = describe(e);
        if (maps != where) { // another thread met the same damage and rebuilt already
            return new StoreDamagedException("the index " + file + " was damaged (" + damage + ") and has been "
                    + "rebuilt", e);
        }
        repair = "damaged (" + damage + "): reading what is left of it";
        rebuilt = true;
        rebuilding = true;
        try {
            StoreSalvage.Salvage kept = StoreSalvage.from(where, StoreCheck.limit(fileSize()), SALVAGE_MILLIS);
            Path moved = moveAside(file);
            maps = createMaps(file);
            recordCount.set(0);
            take(kept);
            startedRebuild(kept.summary(damage, moved));
            return new StoreDamagedException("the index " + file + " was " + repair, e);
        } catch (StoreException | RuntimeException failure) {
            rebuilt = false;
            rebuilding = false;
            repair = "damaged (" + damage + "), and cannot be rebuilt: " + describe(failure);
            LOG.log(System.Logger.Level.ERROR, "index {0}: {1}", file, repair);
            return new StoreDamagedException("the index " + file + " is " + repair, e);
        }
    }

    private long fileSize() {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    /** The one line that says a rebuild began, in the log; the status shows it until {@link #rebuilt} ends it. */
    private void startedRebuild(String summary) {
        repair = summary;
        rebuilt = true;
        rebuilding = true;
        rebuilds.incrementAndGet(); // a scan under way does not end this rebuild
        LOG.log(System.Logger.Level.WARNING, "index {0}: {1}", file, repair());
    }

    /** Writes what was salvaged into this (new) store. */
    private void take(StoreSalvage.Salvage kept) {
        Maps m = maps;
        kept.vectors().forEach(m.vectors::put);
        kept.tagVectors().forEach(m.tagVectors::put);
        kept.tagStates().forEach(m.tagStates::put);
        kept.concepts().forEach(m.concepts::put);
        kept.records().forEach(m.files::put);
        recordCount.set(kept.records().size());
        m.db.commit();
    }

    /** Runs one operation on the store; any failure of MapDB is damage, handled by {@link #damaged}. */
    private <T> T guard(Function<Maps, T> operation) {
        if (closed) {
            throw closedError(null);
        }
        Maps m = maps;
        try {
            return operation.apply(m);
        } catch (DiskFullException | StoreDamagedException e) {
            throw e;
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            throw damaged(e, m);
        }
    }

    private IllegalStateException closedError(Throwable cause) {
        return new IllegalStateException("the index " + file + " is closed", cause);
    }

    private void run(Consumer<Maps> operation) {
        guard(m -> {
            operation.accept(m);
            return null;
        });
    }

    public Path file() {
        return file;
    }

    /**
     * Null, or what happened to the file in one line: "rebuilding: …" from a rebuild until a full scan has indexed
     * again what the old file lost, then "rebuilt: …".
     */
    public String repair() {
        String what = repair;
        if (!rebuilt) {
            return what;
        }
        return rebuilding ? "rebuilding: " + what + "; indexing the rest again from the photos"
                : "rebuilt: " + what + "; the rest was indexed again from the photos";
    }

    /** Whether a rebuild waits for a full scan to index again what the old file lost. */
    public boolean rebuilding() {
        return rebuilding;
    }

    /** A mark to give {@link #rebuilt} when a full scan that began at it has finished. */
    public long rebuildMark() {
        return rebuilds.get();
    }

    /** A full scan that began at {@code mark} has finished: a rebuild before it is complete, a later one is not. */
    public void rebuilt(long mark) {
        if (rebuilding && rebuilds.get() == mark) {
            rebuilding = false;
            LOG.log(System.Logger.Level.INFO, "index {0}: {1}", file, repair());
        }
    }

    public Optional<PhotoRecord> record(String path) {
        return guard(m -> Optional.ofNullable(m.files.get(path)).map(b -> PhotoRecord.fromBytes(Sealed.open(path, b))));
    }

    /** Adds a listener, told from now on of every record written or removed, on the thread that writes it. */
    public void listen(RecordListener listener) {
        listeners.add(listener);
    }

    /** The file system a library folder was on when it last held photos (its unix:dev), or null. */
    public String rootDevice(String root) {
        return guard(m -> meta(m.db).get("device:" + root));
    }

    public void putRootDevice(String root, String device) {
        space.require();
        run(m -> meta(m.db).put("device:" + root, device));
    }

    /** Whether the disk has room for writes again (after a {@link DiskFullException}). */
    public boolean hasSpace() {
        return space.enough();
    }

    public void putRecord(String path, PhotoRecord record) {
        space.require();
        if (guard(m -> m.files.put(path, Sealed.seal(path, record.toBytes()))) == null) {
            recordCount.incrementAndGet();
        }
        listeners.forEach(l -> l.recordPut(path, record));
    }

    public void removeRecord(String path) {
        if (guard(m -> {
            m.tagStates.remove(path);
            return m.files.remove(path);
        }) != null) {
            recordCount.decrementAndGet();
            listeners.forEach(l -> l.recordRemoved(path));
        }
    }

    public Optional<TagState> tagState(String path) {
        return guard(m -> Optional.ofNullable(m.tagStates.get(path)).map(b -> TagState.fromBytes(Sealed.open(path, b))));
    }

    public void putTagState(String path, TagState state) {
        space.require();
        run(m -> m.tagStates.put(path, Sealed.seal(path, state.toBytes())));
    }

    /** The tag embeddings of one model, vocabulary and prompt set (rows concatenated), computed once. */
    public float[] tagVectors(String key) {
        return guard(m -> m.tagVectors.get(key));
    }

    /** Keeps the tag embeddings of {@code key}, dropping those of other vocabularies and any part of them. */
    public void putTagVectors(String key, float[] rows) {
        space.require();
        run(m -> {
            m.tagVectors.keySet().removeIf(k -> !k.equals(key));
            m.tagVectors.put(key, rows);
            m.db.commit();
        });
    }

    /** The first rows of {@code key}'s tag embeddings, kept by a computation that was stopped; null if none. */
    public float[] tagVectorsPart(String key) {
        return guard(m -> m.tagVectors.get(key + PART));
    }

    /** Keeps the rows computed so far, so that a stopped computation resumes where it stopped. */
    public void putTagVectorsPart(String key, float[] rowsSoFar) {
        space.require();
        run(m -> {
            m.tagVectors.keySet().removeIf(k -> !k.equals(key) && !k.equals(key + PART));
            m.tagVectors.put(key + PART, rowsSoFar);
            m.db.commit();
        });
    }

    /** Every concept, by name. */
    public List<ConceptRecord> concepts() {
        return guard(m -> {
            List<ConceptRecord> all = new ArrayList<>();
            StoreCheck.walk(m.concepts, Long.MAX_VALUE, (name, b) -> all.add(ConceptRecord.fromBytes(Sealed.open(name, b))));
            return all;
        });
    }

    public Optional<ConceptRecord> concept(String name) {
        return guard(m -> Optional.ofNullable(m.concepts.get(name))
                .map(b -> ConceptRecord.fromBytes(Sealed.open(name, b))));
    }

    /** Keeps a concept (replacing one of its name), committed at once: a person made it by hand. */
    public void putConcept(ConceptRecord concept) {
        space.require();
        run(m -> {
            m.concepts.put(concept.name(), Sealed.seal(concept.name(), concept.toBytes()));
            m.db.commit();
        });
    }

    /** Removes a concept, committed at once; returns whether there was one. */
    public boolean removeConcept(String name) {
        return guard(m -> {
            boolean had = m.concepts.remove(name) != null;
            m.db.commit();
            return had;
        });
    }

    public boolean hasVector(String hash) {
        return guard(m -> m.vectors.containsKey(hash));
    }

    public float[] vector(String hash) {
        return guard(m -> {
            float[] stored = m.vectors.get(hash);
            return stored == null ? null : Sealed.open(hash, stored);
        });
    }

    public void putVector(String hash, float[] vector) {
        space.require();
        run(m -> {
            m.vectors.put(hash, Sealed.seal(hash, vector));
            m.orphans.remove(hash);
        });
    }

    public long recordCount() {
        return recordCount.get();
    }

    public long vectorCount() {
        return guard(m -> m.vectors.sizeLong());
    }

    /** Every record whose path starts with {@code prefix} ("" for all), in path order. */
    public void forEachRecord(String prefix, BiConsumer<String, PhotoRecord> action) {
        List<Map.Entry<String, PhotoRecord>> page = new ArrayList<>();
        String from = prefix;
        boolean inclusive = true;
        do { // in pages, so that the action (which may write to the store) runs outside the guarded read
            String start = from;
            boolean first = inclusive;
            page.clear();
            run(m -> readPage(m, start, first, prefix, page));
            page.forEach(e -> action.accept(e.getKey(), e.getValue()));
            if (!page.isEmpty()) {
                from = page.get(page.size() - 1).getKey();
                inclusive = false;
            }
        } while (page.size() == PAGE);
    }

    /** Up to {@link #PAGE} records from {@code from} on; keys that do not increase are a loop in the tree. */
    private static void readPage(Maps m, String from, boolean inclusive, String prefix,
                                 List<Map.Entry<String, PhotoRecord>> page) {
        // U+FFFF is a noncharacter: no real path continues the prefix with it.
        String last = inclusive ? null : from;
        for (Map.Entry<String, byte[]> e : m.files.subMap(from, inclusive, prefix + '\uffff', false).entrySet()) {
            if (last != null && e.getKey().compareTo(last) <= 0) {
                throw new IllegalStateException("the tree of records loops back");
            }
            last = e.getKey();
            page.add(Map.entry(e.getKey(), PhotoRecord.fromBytes(Sealed.open(e.getKey(), e.getValue()))));
            if (page.size() == PAGE) {
                return;
            }
        }
    }

    private static final int PAGE = 1024;

    /** Whether any record's path starts with {@code prefix}. */
    public boolean hasRecordUnder(String prefix) {
        return guard(m -> {
            String first = m.files.ceilingKey(prefix);
            return first != null && first.startsWith(prefix);
        });
    }

    /**
     * Removes every record whose embedding is missing, of another length than {@code dim}, or not of unit length,
     * together with the bad embedding, so that the next scan reads and embeds the photo again. Returns how many.
     */
    public int removeRecordsWithBadVectors(int dim) {
        List<String> bad = new ArrayList<>();
        Set<String> badHashes = new HashSet<>();
        forEachRecord("", (path, record) -> {
            if (badHashes.contains(record.hash()) || !StoreCheck.unitVector(vector(record.hash()), dim)) {
                bad.add(path);
                badHashes.add(record.hash());
            }
        });
        run(m -> badHashes.forEach(m.vectors::remove));
        bad.forEach(this::removeRecord);
        return bad.size();
    }

    /**
     * Drops embeddings no path has referred to for {@link #ORPHAN_GRACE_MILLIS}; returns how many. An embedding
     * seen unreferenced for the first time is only marked, so that a move seen as delete + create is free.
     */
    public int removeUnreferencedVectors(long nowMillis) {
        Set<String> referenced = new HashSet<>();
        forEachRecord("", (path, record) -> referenced.add(record.hash()));
        return guard(m -> {
            int removed = 0;
            m.orphans.keySet().removeIf(referenced::contains);
            for (Iterator<String> it = m.vectors.keySet().iterator(); it.hasNext(); ) {
                String hash = it.next();
                if (!referenced.contains(hash)) {
                    Long since = m.orphans.putIfAbsent(hash, nowMillis);
                    if (since != null && nowMillis - since >= ORPHAN_GRACE_MILLIS) {
                        it.remove();
                        m.orphans.remove(hash);
                        removed++;
                    }
                }
            }
            return removed;
        });
    }

    public void commit() {
        space.require();
        run(m -> m.db.commit());
    }

    @Override
    public void close() {
        closed = true;
        Maps m = maps;
        if (!m.db.isClosed()) {
            try {
                if (space.enough()) {
                    m.db.commit();
                } // else what was not committed is dropped, and found again by the next scan
                m.db.close();
                Holder.release(file);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "closing the index {0}: {1}", file, describe(e));
            }
        }
    }
}
