package clipd.daemon;

import clipd.index.IndexStats;

import java.util.StringJoiner;

/** What one batch of changes did, for one log line: a rename is one rename, not a removal as well. */
record ChangeSummary(long embedded, long renamed, long reused, long removed, long hashed) {
    static ChangeSummary of(IndexStats s) {
        return new ChangeSummary(s.embedded(), s.renamed(), s.reused(), s.removed(), s.hashed());
    }

    ChangeSummary minus(ChangeSummary before) {
        return new ChangeSummary(embedded - before.embedded, renamed - before.renamed, reused - before.reused,
                removed - before.removed, hashed - before.hashed);
    }

    /** Nothing was read, moved or removed (the events were clipd's own tag writes, say). */
    boolean isEmpty() {
        return embedded == 0 && renamed == 0 && reused == 0 && removed == 0 && hashed == 0;
    }

    @Override
    public String toString() {
        StringJoiner parts = new StringJoiner(", ");
        if (embedded > 0) {
            parts.add(embedded + " embedded");
        }
        if (renamed > 0) {
            parts.add(renamed + " renamed or moved");
        }
        if (reused - renamed > 0) {
            parts.add((reused - renamed) + " known content (copies, metadata edits)");
        }
        if (removed > 0) {
            parts.add(removed + " removed");
        }
        return parts.length() == 0 ? "nothing to do" : parts.toString();
    }
}
