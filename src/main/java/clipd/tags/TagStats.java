package clipd.tags;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** What tagging has done since the process started, for status and the end of a command. */
public final class TagStats {
    private final AtomicLong tagged = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong unchanged = new AtomicLong();
    private final AtomicLong readOnly = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Map<String, AtomicLong> refused = new ConcurrentHashMap<>();

    void count(XmpFiles.Outcome outcome) {
        switch (outcome.kind()) {
            case WRITTEN, WOULD_WRITE -> written.incrementAndGet();
            case UNCHANGED -> unchanged.incrementAndGet();
            case SKIPPED_READ_ONLY -> readOnly.incrementAndGet();
            case REFUSED -> refused.computeIfAbsent(outcome.detail(), r -> new AtomicLong()).incrementAndGet();
            case FAILED -> failed.incrementAndGet();
        }
    }

    void setTagged(long n) {
        tagged.set(n);
    }

    /** Indexed photos that carry at least one tag of the current settings. */
    public long tagged() {
        return tagged.get();
    }

    /** XMP files written (or, in a dry run, that would be). */
    public long written() {
        return written.get();
    }

    /** Photos whose XMP already held exactly their tags. */
    public long unchanged() {
        return unchanged.get();
    }

    public long skippedReadOnly() {
        return readOnly.get();
    }

    public long failed() {
        return failed.get();
    }

    /** Photos clipd would not write, since it could not guarantee that only its own fields change. */
    public long refused() {
        return refused.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** How many photos were refused for each reason. */
    public Map<String, Long> refusedByReason() {
        Map<String, Long> out = new TreeMap<>();
        refused.forEach((reason, n) -> out.put(reason, n.get()));
        return out;
    }
}
