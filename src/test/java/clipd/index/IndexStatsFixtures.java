package clipd.index;

import java.nio.file.Path;

/** IndexStats as a run leaves them, for tests of what the commands print. */
public final class IndexStatsFixtures {
    private IndexStatsFixtures() {
    }

    public static IndexStats withSkips(int count) {
        IndexStats stats = new IndexStats();
        for (int i = 0; i < count; i++) {
            stats.countSkip(Path.of("/photos/notes-" + i + ".txt"), SkipReason.values()[0], null);
        }
        return stats;
    }
}
