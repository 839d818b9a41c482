package clipd.store;

import org.mapdb.DB;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Reads what is still readable in a damaged store, to start a new one with it: every record that parses, every
 * embedding of unit length, the tag states, tag embeddings and concepts. A tree is read forwards up to the damage and then
 * backwards from its end up to the damage, so one bad block costs only the entries in it. All of it within a time.
 */
final class StoreSalvage {
    private static final System.Logger LOG = System.getLogger(StoreSalvage.class.getName());

    private StoreSalvage() {
    }

    /** What was read. */
    record Salvage(Map<String, byte[]> records, Map<String, float[]> vectors, Map<String, byte[]> tagStates,
                   Map<String, float[]> tagVectors, Map<String, byte[]> concepts) {
        static Salvage empty() {
            return new Salvage(new ConcurrentSkipListMap<>(), new ConcurrentHashMap<>(), new ConcurrentSkipListMap<>(),
                    new ConcurrentHashMap<>(), new ConcurrentSkipListMap<>());
        }

        /** One line for the log and the status. */
        String summary(String damage, Path moved) {
            return "damaged (" + damage + "), moved aside as " + moved.getFileName() + "; a new file holds the "
                    + records.size() + " photos, " + vectors.size() + " embeddings and " + concepts.size()
                    + " concepts still readable in it";
        }
    }

    /** Opens a moved-aside store file (whatever its header says) and reads it. */
    static Salvage fromFile(Path moved, long millis) {
        long start = System.currentTimeMillis();
        try {
            long limit = StoreCheck.limit(java.nio.file.Files.size(moved));
            DB db = BoundedWork.run("clipd-salvage-open", millis,
                    () -> PhotoStore.maker(moved).fileLockDisable().checksumHeaderBypass().make());
            Salvage s = from(PhotoStore.Maps.of(db), limit, Math.max(1000, millis - (System.currentTimeMillis() - start)));
            closeQuietly(db);
            return s;
        } catch (Exception | Error e) {
            LOG.log(System.Logger.Level.DEBUG, "nothing readable in {0}: {1}", moved, PhotoStore.describe(e));
            return Salvage.empty();
        }
    }

    /** Reads an open store's collections; what was read when the time is up is kept. */
    static Salvage from(PhotoStore.Maps m, long limit, long millis) {
        Salvage s = Salvage.empty();
        try {
            BoundedWork.run("clipd-salvage", millis, () -> {
                read(m, limit, s);
                return null;
            });
        } catch (Exception | Error e) {
            LOG.log(System.Logger.Level.DEBUG, "salvage stopped: {0}", PhotoStore.describe(e));
        }
        return s;
    }

    private static void read(PhotoStore.Maps m, long limit, Salvage s) {
        both(m.files(), limit, (path, bytes) -> {
            PhotoRecord.fromBytes(Sealed.open(path, bytes));
            s.records().put(path, bytes);
        });
        both(m.tagStates(), limit, (path, bytes) -> {
            TagState.fromBytes(Sealed.open(path, bytes));
            s.tagStates().put(path, bytes);
        });
        both(m.concepts(), limit, (name, bytes) -> {
            ConceptRecord.fromBytes(Sealed.open(name, bytes));
            s.concepts().put(name, bytes);
        });
        quietly(() -> StoreCheck.walk(m.vectors().entrySet(), limit, 0, (hash, v) -> keepVector(s, hash, v)));
        // the walk may have stopped at damage; a record whose embedding is lost is left to the scan, which embeds it
        s.records().entrySet().removeIf(e -> {
            String hash = PhotoRecord.fromBytes(Sealed.open(e.getKey(), e.getValue())).hash();
            if (!s.vectors().containsKey(hash)) {
                quietly(() -> {
                    keepVector(s, hash, m.vectors().get(hash));
                    return 0L;
                });
            }
            return !s.vectors().containsKey(hash);
        });
        quietly(() -> StoreCheck.walk(m.tagVectors().entrySet(), limit, 0, (key, v) -> s.tagVectors().put(key, v)));
    }

    /** Keeps an embedding, as stored (sealed), when it is whole and of unit length. */
    private static void keepVector(Salvage s, String hash, float[] stored) {
        float[] v = stored == null ? null : Sealed.open(hash, stored);
        if (v != null && StoreCheck.unitVector(v, v.length)) {
            s.vectors().put(hash, stored);
        }
    }

    /** Reads a tree forwards, and if that stops at damage, backwards from its end down to where it stopped. */
    private static void both(org.mapdb.BTreeMap<String, byte[]> tree, long limit,
                             java.util.function.BiConsumer<String, byte[]> keep) {
        String[] last = {null};
        boolean whole = quietly(() -> StoreCheck.walk(tree, limit, (k, v) -> {
            last[0] = k;
            quietlyRun(() -> keep.accept(k, v));
        })) >= 0;
        if (!whole) {
            quietly(() -> StoreCheck.walk(tree.descendingMap().entrySet(), limit, -1, (k, v) -> {
                if (last[0] != null && k.compareTo(last[0]) <= 0) {
                    throw new IllegalStateException("reached the damage");
                }
                quietlyRun(() -> keep.accept(k, v));
            }));
        }
    }

    private interface Walk {
        long run();
    }

    /** Runs a walk; -1 when it stopped with a failure. */
    private static long quietly(Walk walk) {
        try {
            return walk.run();
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            return -1;
        }
    }

    /** One entry that does not parse is skipped. */
    private static void quietlyRun(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | OutOfMemoryError e) {
            // not kept
        }
    }

    private static void closeQuietly(DB db) {
        try {
            db.close();
        } catch (RuntimeException e) {
            // the file is moved aside and not used again
        }
    }
}
