package clipd.bench;

import clipd.embed.Vectors;
import clipd.search.NearDuplicates;
import clipd.search.VectorIndex;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code clipd bench duplicates}: how long finding near-duplicates takes at library scale, and how many it finds.
 * Random unit vectors that share a common direction the way CLIP embeddings do (two unrelated photos at cosine
 * about 0.5), with one photo in a hundred given a near copy at cosine 0.995: the time to group a whole library,
 * the time to add one photo as the daemon does, the candidates compared and how many of them passed the daemon's
 * bfloat16 screen (the search index's copy) to have their exact embedding read (from the store, in the daemon; from
 * memory here), and the copies found.
 */
public final class DuplicatesBenchmark {
    private static final int DIM = 512;

    /** @param buildCpuSeconds the grouping thread's own CPU time: what the wall time would be on an idle core */
    public record Result(int photos, int planted, int found, double buildSeconds, double buildCpuSeconds,
                         double addMillis, long comparisons, long exactReads, long heapBytes) {
    }

    public Result run(int photos, float threshold) {
        Random random = new Random(42);
        float[] shared = Vectors.normalize(gaussian(random));
        Map<String, float[]> vectors = new HashMap<>(photos * 2);
        List<String> paths = new ArrayList<>(photos);
        int planted = 0;
        for (int i = 0; paths.size() < photos; i++) {
            float[] v = gaussian(random);
            for (int d = 0; d < DIM; d++) {
                v[d] = 0.7f * shared[d] + 0.7f * v[d] / (float) Math.sqrt(DIM);
            }
            String path = String.format("/photos/%04d/IMG_%06d.jpg", i / 1000, i);
            vectors.put(path, Vectors.normalize(v));
            paths.add(path);
            if (i % 100 == 0 && paths.size() < photos) {
                float[] copy = vectors.get(path).clone();
                float[] noise = gaussian(random);
                for (int d = 0; d < DIM; d++) {
                    copy[d] += 0.1f * noise[d] / (float) Math.sqrt(DIM);
                }
                vectors.put(path + ".resized.jpg", Vectors.normalize(copy));
                paths.add(path + ".resized.jpg");
                planted++;
            }
        }
        VectorIndex index = new VectorIndex(DIM, vectors::get);
        paths.forEach(p -> index.put(p, vectors.get(p)));
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long heapBefore = rt.totalMemory() - rt.freeMemory();
        NearDuplicates near = new NearDuplicates(DIM, threshold, vectors::get, index::approximateDot);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        near.addAll(paths.subList(0, paths.size() - 100));
        double build = (System.nanoTime() - start) / 1e9;
        double buildCpu = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        long addStart = System.nanoTime();
        for (String p : paths.subList(paths.size() - 100, paths.size())) {
            near.add(p);
        }
        double addMillis = (System.nanoTime() - addStart) / 1e6 / 100;
        int found = (int) near.groups(p -> true).stream().filter(g -> g.size() == 2
                && g.get(1).equals(g.get(0) + ".resized.jpg")).count();
        System.gc();
        long heap = rt.totalMemory() - rt.freeMemory() - heapBefore;
        return new Result(paths.size(), planted, found, build, buildCpu, addMillis, near.comparisons(), near.exactReads(), heap);
    }

    private static float[] gaussian(Random random) {
        float[] v = new float[DIM];
        for (int d = 0; d < DIM; d++) {
            v[d] = (float) random.nextGaussian();
        }
        return v;
    }

}
