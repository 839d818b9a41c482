package clipd.search;

import clipd.identify.PhotoFacts;
import clipd.store.PhotoRecord;
import clipd.store.PhotoStore;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveTask;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Every indexed photo's embedding in one contiguous array, for exact search without an approximate index. The scan
 * reads bfloat16 copies (1 GB for a million 512-d photos, half of float32, which is what a scan's speed depends
 * on); the best candidates are then scored again with their exact float32 vectors, so the answer is the exact
 * ranking. The daemon keeps one up to date as photos come and go ({@link #put}, {@link #remove}); searches run
 * concurrently.
 */
public final class VectorIndex {
    /** Rows one scan task takes; large enough that task overhead does not matter. */
    private static final int ROWS_PER_TASK = 16_384;
    /**
     * Candidates re-scored exactly for a top k: bfloat16 moves a score by at most about 0.4% of the sum of
     * |query_i × photo_i|, well inside the gap this margin of ranks leaves.
     */
    static int candidates(int k) {
        return 4 * k + 64;
    }

    /** Where the exact float32 vectors live (the store); null for a photo it does not know. */
    public interface ExactVectors {
        float[] vector(String path);
    }

    private final int dim;
    private final ExactVectors exact;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, Integer> rowOfPath = new HashMap<>();
    private final Map<String, String> pathOfId = new HashMap<>();
    private String[] paths = new String[64];
    private PhotoFacts[] facts = new PhotoFacts[64];
    private short[] matrix;
    private int size;

    public VectorIndex(int dim, ExactVectors exact) {
        this.dim = dim;
        this.exact = exact;
        this.matrix = new short[64 * dim];
    }

    /** The photos under {@code prefix} ("" for all) with their embeddings; exact vectors come from the store. */
    public static VectorIndex load(PhotoStore store, String prefix, int dim) {
        VectorIndex index = new VectorIndex(dim,
                path -> store.record(path).map(r -> store.vector(r.hash())).orElse(null));
        index.reserve(store.recordCount() + store.recordCount() / 32 + 64); // doubling would leave up to half unused
        store.forEachRecord(prefix, (path, record) -> {
            float[] v = store.vector(record.hash());
            if (v != null && v.length == dim) {
                index.put(path, v, record.facts());
            }
        });
        return index;
    }

    /** A photo's id in URLs: stable for its path, and no path in sight. */
    public static String idOf(String path) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(path.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    public int dim() {
        return dim;
    }

    public int size() {
        lock.readLock().lock();
        try {
            return size;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Keeps this index in step with the store from now on: every record written or removed, as it happens. */
    public VectorIndex follow(PhotoStore store) {
        store.listen(new PhotoStore.RecordListener() {
            @Override
            public void recordPut(String path, PhotoRecord record) {
                float[] v = store.vector(record.hash());
                if (v != null) {
                    put(path, v, record.facts());
                }
            }

            @Override
            public void recordRemoved(String path) {
                remove(path);
            }
        });
        return this;
    }

    public void put(String path, float[] vector) {
        put(path, vector, null);
    }

    /** Adds a photo, or replaces its embedding and metadata. */
    public void put(String path, float[] vector, PhotoFacts photoFacts) {
        if (vector.length != dim) {
            throw new IllegalArgumentException("vector has " + vector.length + " dimensions, index has " + dim);
        }
        lock.writeLock().lock();
        try {
            Integer row = rowOfPath.get(path);
            if (row == null) {
                if (size == paths.length) {
                    grow();
                }
                row = size++;
                paths[row] = path;
                rowOfPath.put(path, row);
                pathOfId.put(idOf(path), path);
            }
            facts[row] = photoFacts;
            int base = row * dim;
            for (int i = 0; i < dim; i++) {
                matrix[base + i] = Bf16.of(vector[i]);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Removes a photo; the last row moves into its place. */
    public void remove(String path) {
        lock.writeLock().lock();
        try {
            Integer row = rowOfPath.remove(path);
            if (row == null) {
                return;
            }
            pathOfId.remove(idOf(path));
            int last = --size;
            if (row != last) {
                paths[row] = paths[last];
                facts[row] = facts[last];
                rowOfPath.put(paths[row], row);
                System.arraycopy(matrix, last * dim, matrix, row * dim, dim);
            }
            paths[last] = null;
            facts[last] = null;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The path of an indexed photo's id, or null. */
    public String pathOf(String id) {
        lock.readLock().lock();
        try {
            return pathOfId.get(id);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** An indexed photo's metadata, or null. */
    public PhotoFacts factsOf(String path) {
        lock.readLock().lock();
        try {
            Integer row = rowOfPath.get(path);
            return row == null ? null : facts[row];
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Every indexed photo's path and metadata, for facets. */
    public void forEach(java.util.function.BiConsumer<String, PhotoFacts> action) {
        lock.readLock().lock();
        try {
            for (int row = 0; row < size; row++) {
                action.accept(paths[row], facts[row]);
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /** How many indexed photos pass the filter. */
    public int count(PhotoFilter filter) {
        lock.readLock().lock();
        try {
            if (filter.isEmpty()) {
                return size;
            }
            int n = 0;
            for (int row = 0; row < size; row++) {
                if (filter.test(paths[row], facts[row])) {
                    n++;
                }
            }
            return n;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The {@code k} most recently taken photos that pass the filter, newest first (a search by filters alone). */
    public List<SearchHit> newest(int k, PhotoFilter filter) {
        lock.readLock().lock();
        try {
            List<Integer> rows = new ArrayList<>();
            for (int row = 0; row < size; row++) {
                if (filter.test(paths[row], facts[row])) {
                    rows.add(row);
                }
            }
            java.util.Comparator<Integer> byTaken = java.util.Comparator.comparing(
                    r -> facts[r] == null || facts[r].takenWallMillis() == null ? Long.MIN_VALUE
                            : facts[r].takenWallMillis());
            return rows.stream().sorted(byTaken.reversed().thenComparing(r -> r)).limit(k)
                    .map(r -> new SearchHit(paths[r], 0f)).toList();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * An indexed photo's bfloat16 score against a query, without reading the store: within 2⁻⁸·Σ|q_i·v_i| of the
     * exact one ({@link NearDuplicates.Screen}); NaN for a photo not indexed.
     */
    public float approximateDot(String path, float[] query) {
        lock.readLock().lock();
        try {
            Integer row = rowOfPath.get(path);
            return row == null || query.length != dim ? Float.NaN : Bf16.dot(matrix, row * dim, query);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** An indexed photo's exact embedding, or null. */
    public float[] vectorOf(String path) {
        lock.readLock().lock();
        try {
            return rowOfPath.containsKey(path) ? exact.vector(path) : null;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Room for half as many photos again (as ArrayList grows), so a library's index has a third unused at most. */
    private void grow() {
        reserve((long) paths.length + paths.length / 2 + 1);
    }

    /** Room for {@code wanted} photos in all. */
    private void reserve(long wanted) {
        long rows = wanted;
        if (rows <= paths.length) {
            return;
        }
        if (rows * dim > Integer.MAX_VALUE - 8) {
            rows = (Integer.MAX_VALUE - 8) / dim;
            if (rows <= paths.length) {
                throw new IllegalStateException("too many photos for one in-memory index");
            }
        }
        paths = Arrays.copyOf(paths, (int) rows);
        facts = Arrays.copyOf(facts, (int) rows);
        matrix = Arrays.copyOf(matrix, (int) rows * dim);
    }

    public List<SearchHit> top(float[] query, int k) {
        return top(query, k, PhotoFilter.NONE);
    }

    /**
     * The {@code k} best matches among photos that pass the filter, best first; ties keep index order. The filter
     * is applied during the scan, so a narrow filter still fills its top k.
     */
    public List<SearchHit> top(float[] query, int k, PhotoFilter filter) {
        if (query.length != dim) {
            throw new IllegalArgumentException("query has " + query.length + " dimensions, index has " + dim);
        }
        lock.readLock().lock();
        try {
            int n = size;
            k = Math.min(k, n);
            if (k <= 0) {
                return List.of();
            }
            TopK approximate = ForkJoinPool.commonPool().invoke(new Scan(query, filter, 0, n, candidates(k)));
            TopK best = new TopK(k);
            for (int i = 0; i < approximate.size; i++) {
                int row = approximate.rows[i];
                float[] v = exact.vector(paths[row]);
                best.offer(row, v != null ? exactDot(query, v) : approximate.scores[i]);
            }
            return best.sorted(paths);
        } finally {
            lock.readLock().unlock();
        }
    }

    private final class Scan extends RecursiveTask<TopK> {
        private final float[] query;
        private final PhotoFilter filter;
        private final int from;
        private final int to;
        private final int k;

        Scan(float[] query, PhotoFilter filter, int from, int to, int k) {
            this.query = query;
            this.filter = filter;
            this.from = from;
            this.to = to;
            this.k = k;
        }

        @Override
        protected TopK compute() {
            if (to - from <= ROWS_PER_TASK) {
                TopK top = new TopK(k);
                boolean all = filter.isEmpty();
                for (int row = from; row < to; row++) {
                    if (all || filter.test(paths[row], facts[row])) {
                        top.offer(row, Bf16.dot(matrix, row * dim, query));
                    }
                }
                return top;
            }
            int mid = (from + to) >>> 1;
            Scan left = new Scan(query, filter, from, mid, k);
            left.fork();
            TopK right = new Scan(query, filter, mid, to, k).compute();
            return left.join().merge(right);
        }
    }

    /** The exact score; the same arithmetic for every photo, so equal vectors score equally. */
    static float exactDot(float[] q, float[] v) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < q.length; i += 4) {
            s0 += q[i] * v[i];
            s1 += q[i + 1] * v[i + 1];
            s2 += q[i + 2] * v[i + 2];
            s3 += q[i + 3] * v[i + 3];
        }
        for (; i < q.length; i++) {
            s0 += q[i] * v[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** A bounded min-heap of (score, row) on primitive arrays. */
    static final class TopK {
        private final int[] rows;
        private final float[] scores;
        private int size;

        TopK(int k) {
            rows = new int[k];
            scores = new float[k];
        }

        void offer(int row, float score) {
            if (size < rows.length) {
                rows[size] = row;
                scores[size] = score;
                siftUp(size++);
            } else if (worse(0, score, row)) {
                rows[0] = row;
                scores[0] = score;
                siftDown(0);
            }
        }

        TopK merge(TopK other) {
            for (int i = 0; i < other.size; i++) {
                offer(other.rows[i], other.scores[i]);
            }
            return this;
        }

        /** Whether the entry at heap slot i ranks below (score, row). */
        private boolean worse(int i, float score, int row) {
            return scores[i] < score || (scores[i] == score && rows[i] > row);
        }

        private boolean below(int i, int j) {
            return worse(i, scores[j], rows[j]);
        }

        private void siftUp(int i) {
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (!below(i, parent)) {
                    return;
                }
                swap(i, parent);
                i = parent;
            }
        }

        private void siftDown(int i) {
            while (true) {
                int l = 2 * i + 1;
                int r = l + 1;
                int least = i;
                if (l < size && below(l, least)) {
                    least = l;
                }
                if (r < size && below(r, least)) {
                    least = r;
                }
                if (least == i) {
                    return;
                }
                swap(i, least);
                i = least;
            }
        }

        private void swap(int i, int j) {
            int r = rows[i];
            rows[i] = rows[j];
            rows[j] = r;
            float s = scores[i];
            scores[i] = scores[j];
            scores[j] = s;
        }

        List<SearchHit> sorted(String[] paths) {
            Integer[] order = new Integer[size];
            for (int i = 0; i < size; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> below(a, b) ? 1 : below(b, a) ? -1 : 0);
            List<SearchHit> hits = new ArrayList<>(size);
            for (int i : order) {
                hits.add(new SearchHit(paths[rows[i]], scores[i]));
            }
            return hits;
        }
    }
}
