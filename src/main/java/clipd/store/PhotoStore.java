package clipd.store;

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
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The index: path → {@link PhotoRecord} and content hash → embedding, so copies share one embedding and a moved photo
 * keeps its own. MapDB stays behind this class. The file is memory-mapped with MapDB's write-ahead log, so a crash
 * loses at most the uncommitted batch and never leaves a store that cannot be opened.
 */
public final class PhotoStore implements AutoCloseable {
    static final String SCHEMA_VERSION = "1";
    /** Free space the index leaves on its disk by default; below it, writes wait (see {@link DiskSpace}). */
    public static final long DEFAULT_MIN_FREE_BYTES = 100L << 20;
    private static final int MAPDB_HEADER = 0x4A;
    private static final System.Logger LOG = System.getLogger(PhotoStore.class.getName());

    private final Path file;
    private final DB db;
    private DiskSpace space;
    private final BTreeMap<String, byte[]> files;
    private final HTreeMap<String, float[]> vectors;
    private final BTreeMap<String, byte[]> tagStates;
    private final HTreeMap<String, float[]> tagVectors;
    private volatile RecordListener listener = RecordListener.NONE;
    /** Kept here because counting a MapDB tree walks it, too slow for a status read every second. */
    private final java.util.concurrent.atomic.AtomicLong recordCount = new java.util.concurrent.atomic.AtomicLong();

    /** Told of every record written or removed, so an in-memory view (the daemon's search index) can follow. */
    public interface RecordListener {
        RecordListener NONE = new RecordListener() {
            @Override
            public void recordPut(String path, PhotoRecord record) {
            }

            @Override
            public void recordRemoved(String path) {
            }
        };

        void recordPut(String path, PhotoRecord record);

        void recordRemoved(String path);
    }

    private PhotoStore(Path file, DB db) {
        this.file = file;
        this.db = db;
        this.files = db.treeMap("files", Serializer.STRING, Serializer.BYTE_ARRAY).createOrOpen();
        this.vectors = db.hashMap("vectors", Serializer.STRING, Serializer.FLOAT_ARRAY).createOrOpen();
        this.tagStates = db.treeMap("tags", Serializer.STRING, Serializer.BYTE_ARRAY).createOrOpen();
        this.tagVectors = db.hashMap("tagVectors", Serializer.STRING, Serializer.FLOAT_ARRAY).createOrOpen();
        this.recordCount.set(files.sizeLong());
    }

    /**
     * Opens or creates the store. A store of another schema, or one that cannot be read, is moved aside (never
     * deleted) and a fresh one is created; a store in use by another process is an error.
     */
    public static PhotoStore open(Path file) throws StoreException {
        return open(file, DEFAULT_MIN_FREE_BYTES);
    }

    /** Opens the store; writes are refused with {@link DiskFullException} while its disk has less than this free. */
    public static PhotoStore open(Path file, long minFreeBytes) throws StoreException {
        PhotoStore store = openOrCreate(file);
        store.space = new DiskSpace(file.toAbsolutePath().getParent(), minFreeBytes);
        Holder.claim(file);
        return store;
    }

    private static PhotoStore openOrCreate(Path file) throws StoreException {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new StoreException("cannot create the data directory " + file.getParent() + ": " + e.getMessage(), e);
        }
        if (!looksLikeMapDb(file)) {
            moveAside(file, "not a clipd index");
            return create(file);
        }
        try {
            PhotoStore store = openExisting(file);
            if (store != null) {
                return store;
            }
        } catch (DBException.FileLocked e) {
            throw inUse(file, e);
        } catch (RuntimeException e) {
            moveAside(file, "unreadable (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        return create(file);
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

    /** Opens the file (a new one is created empty); null when it has another schema and was moved aside. */
    private static PhotoStore openExisting(Path file) throws StoreException {
        DB db = maker(file).make();
        Map<String, String> meta = meta(db);
        String schema = meta.get("schema");
        if (schema == null) {
            meta.put("schema", SCHEMA_VERSION);
            db.commit();
        } else if (!SCHEMA_VERSION.equals(schema)) {
            db.close();
            moveAside(file, "schema " + schema + ", this clipd uses " + SCHEMA_VERSION);
            return null;
        }
        return new PhotoStore(file, db);
    }

    private static PhotoStore create(Path file) throws StoreException {
        try {
            DB db = maker(file).make();
            meta(db).put("schema", SCHEMA_VERSION);
            db.commit();
            return new PhotoStore(file, db);
        } catch (DBException.FileLocked e) {
            throw inUse(file, e);
        } catch (RuntimeException e) {
            throw new StoreException("cannot create the index " + file + ": " + e.getMessage(), e);
        }
    }

    private static StoreException inUse(Path file, Exception e) {
        return new StoreException("the index " + file + " is in use by " + Holder.of(file)
                .orElse("another clipd process (is clipd serve running? stop it first)"), e);
    }

    private static DBMaker.Maker maker(Path file) {
        return DBMaker.fileDB(file.toFile())
                .fileMmapEnableIfSupported()
                .fileMmapPreclearDisable()
                .cleanerHackEnable()
                .transactionEnable();
    }

    private static HTreeMap<String, String> meta(DB db) {
        return db.hashMap("meta", Serializer.STRING, Serializer.STRING).createOrOpen();
    }

    /** Renames the store and its log files with a ".broken-TIMESTAMP" suffix and says so in the log. */
    private static void moveAside(Path file, String why) throws StoreException {
        String suffix = ".moved-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = file.toAbsolutePath().getParent();
        String name = file.getFileName().toString();
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(dir, name + "*")) {
            for (Path p : siblings) {
                String n = p.getFileName().toString();
                if (n.equals(name) || n.startsWith(name + ".wal")) {
                    Files.move(p, p.resolveSibling(n + suffix));
                }
            }
        } catch (IOException e) {
            throw new StoreException("the index " + file + " is " + why + " and cannot be moved aside: "
                    + e.getMessage(), e);
        }
        LOG.log(System.Logger.Level.WARNING, "index {0} is {1}; moved it to {2} and starting a new one",
                file, why, name + suffix);
    }

    public Path file() {
        return file;
    }

    public Optional<PhotoRecord> record(String path) {
        byte[] bytes = files.get(path);
        return bytes == null ? Optional.empty() : Optional.of(PhotoRecord.fromBytes(bytes));
    }

    public void listen(RecordListener listener) {
        this.listener = listener;
    }

    /** Whether the disk has room for writes again (after a {@link DiskFullException}). */
    public boolean hasSpace() {
        return space.enough();
    }

    public void putRecord(String path, PhotoRecord record) {
        space.require();
        if (files.put(path, record.toBytes()) == null) {
            recordCount.incrementAndGet();
        }
        listener.recordPut(path, record);
    }

    public void removeRecord(String path) {
        tagStates.remove(path);
        if (files.remove(path) != null) {
            recordCount.decrementAndGet();
            listener.recordRemoved(path);
        }
    }

    public Optional<TagState> tagState(String path) {
        byte[] bytes = tagStates.get(path);
        return bytes == null ? Optional.empty() : Optional.of(TagState.fromBytes(bytes));
    }

    public void putTagState(String path, TagState state) {
        space.require();
        tagStates.put(path, state.toBytes());
    }

    /** The tag embeddings of one model, vocabulary and prompt set (rows concatenated), computed once. */
    public float[] tagVectors(String key) {
        return tagVectors.get(key);
    }

    /** Keeps the tag embeddings of {@code key}, dropping those of other vocabularies. */
    public void putTagVectors(String key, float[] rows) {
        space.require();
        tagVectors.keySet().removeIf(k -> !k.equals(key));
        tagVectors.put(key, rows);
        db.commit();
    }

    public boolean hasVector(String hash) {
        return vectors.containsKey(hash);
    }

    public float[] vector(String hash) {
        return vectors.get(hash);
    }

    public void putVector(String hash, float[] vector) {
        space.require();
        vectors.put(hash, vector);
    }

    public long recordCount() {
        return recordCount.get();
    }

    public long vectorCount() {
        return vectors.sizeLong();
    }

    /** Every record whose path starts with {@code prefix} ("" for all), in path order. */
    public void forEachRecord(String prefix, BiConsumer<String, PhotoRecord> action) {
        // U+FFFF is a noncharacter: no real path continues the prefix with it.
        Map<String, byte[]> range = prefix.isEmpty() ? files : files.subMap(prefix, true, prefix + '\uffff', false);
        for (Map.Entry<String, byte[]> e : range.entrySet()) {
            action.accept(e.getKey(), PhotoRecord.fromBytes(e.getValue()));
        }
    }

    /** Drops embeddings no path refers to any more; returns how many. */
    public int removeUnreferencedVectors() {
        Set<String> referenced = new HashSet<>();
        forEachRecord("", (path, record) -> referenced.add(record.hash()));
        int removed = 0;
        for (Iterator<String> it = vectors.keySet().iterator(); it.hasNext(); ) {
            if (!referenced.contains(it.next())) {
                it.remove();
                removed++;
            }
        }
        return removed;
    }

    public void commit() {
        space.require();
        db.commit();
    }

    @Override
    public void close() {
        if (!db.isClosed()) {
            if (space.enough()) {
                db.commit();
            } // else what was not committed is dropped, and found again by the next scan
            db.close();
            Holder.release(file);
        }
    }
}
