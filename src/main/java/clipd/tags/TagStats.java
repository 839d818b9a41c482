package clipd.tags;

import java.util.concurrent.atomic.AtomicLong;

/** What tagging has done since the process started, for status and the end of a command. */
public final class TagStats {
    private final AtomicLong tagged = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong unchanged = new AtomicLong();
    private final AtomicLong readOnly = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    void count(XmpFiles.Outcome.Kind kind) {
        switch (kind) {
            case WRITTEN, WOULD_WRITE -> written.incrementAndGet();
            case UNCHANGED -> unchanged.incrementAndGet();
            case SKIPPED_READ_ONLY -> readOnly.incrementAndGet();
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
}
