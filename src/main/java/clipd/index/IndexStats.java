package clipd.index;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters of one indexing run, updated by the pipeline and read at any time by progress reporting.
 * "Reused" counts photos whose content the index already knew: renamed, moved, copied, or only their metadata changed.
 */
public final class IndexStats {
    /** Skipped files kept by name for --verbose; beyond this only the counts grow. */
    static final int MAX_LISTED_SKIPS = 10_000;

    public record Skip(Path path, SkipReason reason, String detail) {
    }

    private final long startNanos = System.nanoTime();
    private final AtomicLong found = new AtomicLong();
    private final AtomicLong unchanged = new AtomicLong();
    private final AtomicLong toProcess = new AtomicLong();
    private final AtomicLong processed = new AtomicLong();
    private final AtomicLong hashed = new AtomicLong();
    private final AtomicLong embedded = new AtomicLong();
    private final AtomicLong reused = new AtomicLong();
    private final AtomicLong removed = new AtomicLong();
    private final AtomicLong renamed = new AtomicLong();
    private final AtomicLong damagedMetadata = new AtomicLong();
    private final AtomicLong readNanos = new AtomicLong();
    private final AtomicLong decodeNanos = new AtomicLong();
    private final AtomicLong inferenceNanos = new AtomicLong();
    private final Map<SkipReason, Long> skipCounts = new EnumMap<>(SkipReason.class);
    private final List<Skip> skips = new ArrayList<>();

    void countFound() {
        found.incrementAndGet();
    }

    void countUnchanged() {
        unchanged.incrementAndGet();
    }

    void countToProcess(long n) {
        toProcess.addAndGet(n);
    }

    void countProcessed() {
        processed.incrementAndGet();
    }

    void countHashed() {
        hashed.incrementAndGet();
    }

    void countEmbedded(long n) {
        embedded.addAndGet(n);
    }

    void countReused() {
        reused.incrementAndGet();
    }

    void countRemoved(long n) {
        removed.addAndGet(n);
    }

    void countRenamed(long n) {
        renamed.addAndGet(n);
    }

    void countDamagedMetadata() {
        damagedMetadata.incrementAndGet();
    }

    void addReadNanos(long nanos) {
        readNanos.addAndGet(nanos);
    }

    void addDecodeNanos(long nanos) {
        decodeNanos.addAndGet(nanos);
    }

    void addInferenceNanos(long nanos) {
        inferenceNanos.addAndGet(nanos);
    }

    synchronized void countSkip(Path path, SkipReason reason, String detail) {
        skipCounts.merge(reason, 1L, Long::sum);
        if (skips.size() < MAX_LISTED_SKIPS) {
            skips.add(new Skip(path, reason, detail));
        }
    }

    /** Photos indexed from their pixels alone, because their metadata was over the limits of {@code XmpLimits}. */
    public long damagedMetadata() {
        return damagedMetadata.get();
    }

    /** Image files found in the folders (photos to index, whether new, changed or unchanged). */
    public long found() {
        return found.get();
    }

    public long unchanged() {
        return unchanged.get();
    }

    /** New or changed photos this run has to read. */
    public long toProcess() {
        return toProcess.get();
    }

    public long processed() {
        return processed.get();
    }

    public long hashed() {
        return hashed.get();
    }

    public long embedded() {
        return embedded.get();
    }

    public long reused() {
        return reused.get();
    }

    public long removed() {
        return removed.get();
    }

    /** Reused photos whose old path left the index in the same run: renamed or moved, not copied. */
    public long renamed() {
        return renamed.get();
    }

    /** Worker time spent reading, hashing and reading metadata, summed over the decode workers. */
    public double readSeconds() {
        return readNanos.get() / 1e9;
    }

    /** Worker time spent decoding and preprocessing photos to model input, summed over the decode workers. */
    public double decodeSeconds() {
        return decodeNanos.get() / 1e9;
    }

    /** Time the model spent embedding images. */
    public double inferenceSeconds() {
        return inferenceNanos.get() / 1e9;
    }

    public synchronized long skipped() {
        return skipCounts.values().stream().mapToLong(Long::longValue).sum();
    }

    public synchronized Map<SkipReason, Long> skipCounts() {
        return new EnumMap<>(skipCounts);
    }

    public synchronized List<Skip> skips() {
        return List.copyOf(skips);
    }

    public double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
