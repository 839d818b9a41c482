package clipd.index;

import java.io.File;
import java.nio.file.Path;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The files of the library that were not indexed, each once, with its reason and its size and modification time
 * when it was read: so that a reconcile neither reads a skipped file again while it is unchanged nor counts it a
 * second time, and the count is of files in the library now, not of scans. Thread-safe.
 */
public final class SkippedFiles {
    /** A file's state when it was skipped; size and time are -1 for files skipped by name, without reading. */
    public record Entry(SkipReason reason, String detail, long size, long modifiedMillis) {
    }

    private final Map<String, Entry> files = new ConcurrentHashMap<>();

    /** Remembers a skip; true when it is news (a file not skipped before, or for another reason). */
    boolean remember(Path path, SkipReason reason, String detail, long size, long modifiedMillis) {
        Entry before = files.put(path.toString(), new Entry(reason, detail, size, modifiedMillis));
        return before == null || before.reason() != reason;
    }

    /** Whether the file was read and skipped in exactly this state, so that reading it again would change nothing. */
    boolean unchanged(String path, long size, long modifiedMillis) {
        Entry e = files.get(path);
        return e != null && e.size() == size && e.modifiedMillis() == modifiedMillis;
    }

    void forget(String path) {
        files.remove(path);
    }

    /** Forgets {@code path} and everything under it, except the paths in {@code keep}. */
    void forgetUnder(Path path, Collection<String> keep) {
        String key = path.toString();
        String prefix = key + File.separator;
        files.keySet().removeIf(p -> (p.equals(key) || p.startsWith(prefix)) && !keep.contains(p));
    }

    public int count() {
        return files.size();
    }

    public Map<SkipReason, Long> counts() {
        Map<SkipReason, Long> counts = new EnumMap<>(SkipReason.class);
        files.values().forEach(e -> counts.merge(e.reason(), 1L, Long::sum));
        return counts;
    }
}
