package clipd.search;

import clipd.store.PhotoRecord;
import clipd.store.PhotoStore;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The daemon's near-duplicate groups, kept current as photos are indexed, moved and removed. The whole library is
 * grouped once in the background at start (seconds at 100k photos: the first search is not held up); changes that
 * arrive meanwhile are replayed on top, and from then on each change costs about a millisecond.
 *
 * <p>Thread-safe: the store's writer thread adds and removes, HTTP threads read; all under this object's lock.
 */
public final class LibraryDuplicates {
    private static final System.Logger LOG = System.getLogger(LibraryDuplicates.class.getName());

    private final PhotoStore store;
    private final VectorIndex index;
    private final float threshold;
    private final Function<String, float[]> vectors;
    private NearDuplicates groups;
    /** Paths changed while the first grouping ran; null once it is done. */
    private List<String> changedMeanwhile = new ArrayList<>();

    public LibraryDuplicates(PhotoStore store, VectorIndex index, float threshold) {
        this.store = store;
        this.index = index;
        this.threshold = threshold;
        this.vectors = path -> store.record(path).map(r -> store.vector(r.hash())).orElse(null);
    }

    /** Follows the store from now on and groups the library on a thread of its own. */
    public LibraryDuplicates start() {
        return start(() -> { });
    }

    /** As {@link #start()}, running {@code whenGrouped} on the grouping thread once the first grouping is done. */
    public LibraryDuplicates start(Runnable whenGrouped) {
        store.listen(new PhotoStore.RecordListener() {
            @Override
            public void recordPut(String path, PhotoRecord record) {
                changed(path);
            }

            @Override
            public void recordRemoved(String path) {
                changed(path);
            }
        });
        Thread build = new Thread(() -> {
            build();
            whenGrouped.run();
        }, "clipd-duplicates");
        build.setDaemon(true);
        build.setPriority(Thread.MIN_PRIORITY);
        build.start();
        return this;
    }

    public float threshold() {
        return threshold;
    }

    /** Whether the first grouping of the library is done. */
    public synchronized boolean ready() {
        return groups != null;
    }

    /**
     * The groups among photos under {@code prefix} ("" for all) whose pairs reach {@code minScore} (at least the
     * threshold they were found with); null until the first grouping is done.
     */
    public List<DuplicateGroup> groups(String prefix, float minScore) {
        List<List<String>> paths;
        synchronized (this) {
            if (groups == null) {
                return null;
            }
            paths = groups.groups(p -> p.startsWith(prefix), minScore);
        }
        return DuplicateGroup.describe(paths, p -> store.record(p).orElse(null), vectors);
    }

    private void changed(String path) {
        synchronized (this) {
            if (changedMeanwhile != null) {
                changedMeanwhile.add(path);
            } else {
                update(groups, path);
            }
        }
    }

    private void update(NearDuplicates near, String path) {
        if (store.record(path).isPresent()) {
            near.add(path); // re-reads its embedding: the content may have changed
        } else {
            near.remove(path);
        }
    }

    private void build() {
        long start = System.nanoTime();
        List<String> paths = new ArrayList<>(index.size());
        index.forEach((path, facts) -> paths.add(path));
        NearDuplicates near = new NearDuplicates(index.dim(), threshold, vectors, index::approximateDot);
        try {
            near.addAll(paths);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "near-duplicates cannot be grouped: {0}", e.toString());
            return;
        }
        synchronized (this) {
            changedMeanwhile.forEach(path -> update(near, path));
            changedMeanwhile = null;
            groups = near;
        }
        LOG.log(System.Logger.Level.INFO, "near-duplicates grouped: {0} photos in {1} ms", paths.size(),
                (System.nanoTime() - start) / 1_000_000);
    }
}
