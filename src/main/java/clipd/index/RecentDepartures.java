package clipd.index;

import clipd.store.PhotoRecord;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Photos that left the index in an earlier update without arriving anywhere, by name, size and modification time.
 * The watcher may report a move in two batches: a renamed folder of thousands of photos comes as the deletions of
 * its files first and, once the new folder has been walked, as their creations, and on a busy machine the walk can
 * take longer than the settle time. A file that arrives with the state of one of these is the same photo, moved, and
 * is not read again. Kept for {@link #KEEP_MINUTES} minutes and {@link #MAX_ENTRIES} photos at most; a key that two
 * departed photos share is trusted for neither. Not thread-safe: the indexer's one updating thread uses it.
 */
final class RecentDepartures {
    static final long KEEP_MINUTES = 2;
    static final int MAX_ENTRIES = 50_000;

    /** A departed photo, or, with a null path, a key that more than one departed photo had. */
    private record Departure(String path, PhotoRecord record, long atNanos) {
    }

    private final Map<String, Departure> byFileState = new LinkedHashMap<>(); // oldest first
    private final LongSupplier clock;

    RecentDepartures(LongSupplier clockNanos) {
        this.clock = clockNanos;
    }

    static String key(String name, long size, long modifiedMillis) {
        return name + '\0' + size + '\0' + modifiedMillis;
    }

    void add(String key, String path, PhotoRecord record) {
        long now = clock.getAsLong();
        Departure earlier = byFileState.remove(key); // re-inserted last: it is the newest now
        byFileState.put(key, earlier == null ? new Departure(path, record, now) : new Departure(null, null, now));
        expire(now);
    }

    /** The departed path and record with this key, taken (a photo moves once), or null. */
    Map.Entry<String, PhotoRecord> take(String key) {
        expire(clock.getAsLong());
        Departure d = byFileState.get(key);
        if (d == null || d.path() == null) {
            return null;
        }
        byFileState.remove(key);
        return Map.entry(d.path(), d.record());
    }

    private void expire(long now) {
        long oldest = now - TimeUnit.MINUTES.toNanos(KEEP_MINUTES);
        for (Iterator<Departure> it = byFileState.values().iterator(); it.hasNext(); ) {
            Departure d = it.next();
            if (d.atNanos() - oldest >= 0 && byFileState.size() <= MAX_ENTRIES) {
                return;
            }
            it.remove();
        }
    }
}
