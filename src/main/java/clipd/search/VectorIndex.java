package clipd.search;

import clipd.store.PhotoStore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveTask;

/**
 * Every indexed photo's embedding in one contiguous array, scanned exactly (no approximate index): at 512 floats a
 * photo, a million photos is 2 GB and a scan over all of them is a few tens of milliseconds on two cores.
 */
public final class VectorIndex {
    /** Rows one scan task takes; large enough that task overhead does not matter. */
    private static final int ROWS_PER_TASK = 16_384;

    private final String[] paths;
    private final float[] matrix;
    private final int dim;

    VectorIndex(String[] paths, float[] matrix, int dim) {
        this.paths = paths;
        this.matrix = matrix;
        this.dim = dim;
    }

    /** The photos under {@code prefix} ("" for all) with their embeddings. */
    public static VectorIndex load(PhotoStore store, String prefix, int dim) {
        List<String> paths = new ArrayList<>();
        Rows rows = new Rows();
        store.forEachRecord(prefix, (path, record) -> {
            float[] v = store.vector(record.hash());
            if (v != null && v.length == dim) {
                paths.add(path);
                rows.add(v);
            }
        });
        return new VectorIndex(paths.toArray(String[]::new), rows.toArray(), dim);
    }

    /** A growing float array; one Java array holds at most 2^31 floats, about 4 million 512-d photos. */
    private static final class Rows {
        private float[] data = new float[4096];
        private int length;

        void add(float[] v) {
            if (length + v.length > data.length) {
                long grown = Math.max((long) data.length * 2, (long) length + v.length);
                if (grown > Integer.MAX_VALUE - 8) {
                    throw new IllegalStateException("too many photos for one in-memory index");
                }
                data = Arrays.copyOf(data, (int) grown);
            }
            System.arraycopy(v, 0, data, length, v.length);
            length += v.length;
        }

        float[] toArray() {
            return Arrays.copyOf(data, length);
        }
    }

    public int size() {
        return paths.length;
    }

    /** The {@code k} best matches for {@code query}, best first; ties keep index order. */
    public List<SearchHit> top(float[] query, int k) {
        if (query.length != dim) {
            throw new IllegalArgumentException("query has " + query.length + " dimensions, index has " + dim);
        }
        int n = size();
        k = Math.min(k, n);
        if (k <= 0) {
            return List.of();
        }
        TopK best = ForkJoinPool.commonPool().invoke(new Scan(query, 0, n, k));
        return best.sorted(paths);
    }

    private final class Scan extends RecursiveTask<TopK> {
        private final float[] query;
        private final int from;
        private final int to;
        private final int k;

        Scan(float[] query, int from, int to, int k) {
            this.query = query;
            this.from = from;
            this.to = to;
            this.k = k;
        }

        @Override
        protected TopK compute() {
            if (to - from <= ROWS_PER_TASK) {
                TopK top = new TopK(k);
                for (int row = from; row < to; row++) {
                    top.offer(row, dot(query, row));
                }
                return top;
            }
            int mid = (from + to) >>> 1;
            Scan left = new Scan(query, from, mid, k);
            left.fork();
            TopK right = new Scan(query, mid, to, k).compute();
            return left.join().merge(right);
        }
    }

    private float dot(float[] q, int row) {
        int base = row * dim;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < dim; i += 4) {
            s0 += q[i] * matrix[base + i];
            s1 += q[i + 1] * matrix[base + i + 1];
            s2 += q[i + 2] * matrix[base + i + 2];
            s3 += q[i + 3] * matrix[base + i + 3];
        }
        for (; i < dim; i++) {
            s0 += q[i] * matrix[base + i];
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
