package clipd.tags;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** What tagging has done since the process started, for status and the end of a command. */
public final class TagStats {
    private final AtomicLong tagged = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong unchanged = new AtomicLong();
    private final AtomicLong readOnly = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong changed = new AtomicLong();
    private final Map<Refusal, AtomicLong> refused = new ConcurrentHashMap<>();

    void count(XmpFiles.Outcome outcome) {
        switch (outcome.kind()) {
            case WRITTEN, WOULD_WRITE -> written.incrementAndGet();
            case UNCHANGED -> unchanged.incrementAndGet();
            case CHANGED -> changed.incrementAndGet();
            case SKIPPED_READ_ONLY -> readOnly.incrementAndGet();
            case REFUSED -> refused.computeIfAbsent(outcome.refusal(), r -> new AtomicLong()).incrementAndGet();
            case FAILED -> failed.incrementAndGet();
        }
    }

    /** Tags whose embeddings are computed, and of how many, while the vocabulary's are first computed; else null. */
    private volatile int[] vocabulary;

    void vocabularyProgress(int done, int total) {
        vocabulary = done < total ? new int[] {done, total} : null;
    }

    /**
     * While the tag vocabulary's embeddings are first computed (minutes with a real model, before any photo can be
     * tagged): how far that is, in words; else null.
     */
    public String vocabularyComputation() {
        int[] now = vocabulary;
        return now == null ? null : String.format(java.util.Locale.ROOT,
                "computing the text embeddings of %,d tags (once per model and vocabulary): %,d done", now[1], now[0]);
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

    /** Writes abandoned because the file was edited meanwhile; they are tried again on the next pass. */
    public long changedWhileWriting() {
        return changed.get();
    }

    /** ", 2 refused (1 a hard link, 1 a symbolic link), 1 changed while clipd wrote; will retry", or "". */
    public String refusalsAndRetries() {
        StringBuilder line = new StringBuilder();
        Map<Refusal, Long> byReason = refused();
        if (!byReason.isEmpty()) {
            line.append(", ").append(byReason.values().stream().mapToLong(Long::longValue).sum()).append(" refused (");
            byReason.forEach((reason, n) -> line.append(n).append(' ').append(reason.label()).append(", "));
            line.setLength(line.length() - 2);
            line.append(')');
        }
        if (changed.get() > 0) {
            line.append(", ").append(changed.get()).append(" changed while clipd wrote; will retry");
        }
        return line.toString();
    }

    /** Files clipd would not write, by reason (it could not keep them as they were). */
    public Map<Refusal, Long> refused() {
        Map<Refusal, Long> counts = new EnumMap<>(Refusal.class);
        refused.forEach((reason, n) -> counts.put(reason, n.get()));
        return counts;
    }
}
