package clipd.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * How much MapDB's write-ahead log costs the indexer: stores N photos (a 512-float embedding and a path record
 * each) committing every 1, 8 (the default inference batch) and 100 photos, and prints photos per second.
 * Run: java -cp target/test-classes:$(mvn -q dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
 * clipd.store.StoreCommitBenchmark [N]
 */
public final class StoreCommitBenchmark {
    private StoreCommitBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        Random random = new Random(1);
        for (int every : new int[] {1, 8, 100}) {
            Path dir = Files.createTempDirectory("clipd-store-bench");
            long start = System.nanoTime();
            try (PhotoStore store = PhotoStore.open(dir.resolve("index.db"))) {
                for (int i = 0; i < n; i++) {
                    float[] v = new float[512];
                    for (int k = 0; k < v.length; k++) {
                        v[k] = random.nextFloat();
                    }
                    String hash = Integer.toHexString(i) + "0".repeat(56);
                    store.putVector(hash, v);
                    store.putRecord("/home/me/Pictures/2024/IMG_" + i + ".jpg", new PhotoRecord(hash, 4_000_000, i));
                    if ((i + 1) % every == 0) {
                        store.commit();
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "commit every %3d photos: %6.0f photos/s (%d photos in %.2f s)%n",
                    every, n / seconds, n, seconds);
        }
    }
}
