package clipd.http;

import clipd.daemon.Daemon;
import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.embed.Vectors;
import clipd.image.ImageDecoder;
import clipd.image.Preprocessor;
import clipd.index.FolderScanner;
import clipd.index.Indexer;
import clipd.search.QueryEmbedder;
import clipd.search.Searcher;
import clipd.search.VectorIndex;
import clipd.store.PhotoRecord;
import clipd.store.PhotoStore;
import clipd.testing.Fixtures;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Search latency at library scale: fills a store with N random unit vectors, loads the daemon's in-memory index
 * from it, and measures the scan alone and {@code /api/search} end to end (tokenizer, the tiny text encoder, scan,
 * JSON, loopback HTTP). Prints p50/p99 in milliseconds. Run from the project root, with a heap for 2 GB per
 * million photos:
 * <pre>
 * mvn -q test-compile && java -Xmx6g -cp target/test-classes:target/classes:$(mvn -q dependency:build-classpath
 *     -Dmdep.outputFile=/dev/stdout) clipd.http.SearchBenchmark 100000 1000000
 * </pre>
 */
public final class SearchBenchmark {
    private static final int DIM = 512;
    private static final int RUNS = 200;
    private static final String[] WORDS = {"cat", "dog", "beach", "sunset", "receipt", "mountain", "kitten", "car",
            "birthday cake", "leading lines", "a kitten peeking from behind a corner", "snow", "city at night"};

    private SearchBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        for (String n : args.length > 0 ? args : new String[] {"100000"}) {
            run(Integer.parseInt(n));
        }
    }

    private static void run(int n) throws Exception {
        Path dir = Files.createTempDirectory("clipd-search-bench");
        Random random = new Random(n);
        long t0 = System.nanoTime();
        try (PhotoStore store = PhotoStore.open(dir.resolve("index.db"))) {
            for (int i = 0; i < n; i++) {
                String hash = String.format("%064x", i);
                store.putVector(hash, unit(random));
                store.putRecord("/photos/" + (i / 1000) + "/IMG_" + i + ".jpg", new PhotoRecord(hash, 1, 1));
                if (i % 10_000 == 9_999) {
                    store.commit();
                }
            }
            store.commit();
            double fill = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            VectorIndex index = VectorIndex.load(store, "", DIM);
            double load = (System.nanoTime() - t1) / 1e9;

            double[] scan = new double[RUNS];
            for (int i = -20; i < RUNS; i++) {
                float[] q = unit(random);
                long s = System.nanoTime();
                index.top(q, 20);
                if (i >= 0) {
                    scan[i] = (System.nanoTime() - s) / 1e6;
                }
            }

            ModelDescriptor d = ModelDescriptor.load(Fixtures.TINY_MODEL);
            try (ClipModel model = new ClipModel(d, Runtime.getRuntime().availableProcessors())) {
                ImageDecoder decoder = new ImageDecoder(150_000_000L, 4 * d.imageSize());
                Preprocessor pre = new Preprocessor(d.imageSize(), d.mean(), d.std());
                Searcher searcher = new Searcher(new QueryEmbedder(model, decoder, pre), index);
                searcher.warmUp();
                Indexer indexer = new Indexer(store, model, decoder, pre,
                        new FolderScanner(FolderScanner.DEFAULT_EXCLUDED_DIRS, false), 1, 8);
                Daemon daemon = new Daemon(indexer, store, List.of(dir), new Daemon.Pacing(1000, 60_000),
                        dir.resolve("status.json"), Map.of());
                HttpServer server = new HttpServer(new HttpServer.Options("127.0.0.1", 0, 1 << 20,
                        dir.resolve("thumbs"), 1 << 20, 1), searcher, store, daemon);
                int port = server.start(AccessToken.loadOrCreate(dir));
                HttpClient client = HttpClient.newHttpClient();
                double[] http = new double[RUNS];
                for (int i = -20; i < RUNS; i++) {
                    String q = WORDS[Math.floorMod(i, WORDS.length)] + " " + i;
                    URI uri = URI.create("http://127.0.0.1:" + port + "/api/search?top=20&q="
                            + URLEncoder.encode(q, StandardCharsets.UTF_8));
                    long s = System.nanoTime();
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException(r.body());
                    }
                    if (i >= 0) {
                        http[i] = (System.nanoTime() - s) / 1e6;
                    }
                }
                server.close();
                System.out.printf(Locale.ROOT, "N=%,d: store filled in %.1f s, index loaded in %.1f s; "
                                + "scan p50 %.1f ms p99 %.1f ms; /api/search p50 %.1f ms p99 %.1f ms (%d runs, %d cores)%n",
                        n, fill, load, pct(scan, 50), pct(scan, 99), pct(http, 50), pct(http, 99), RUNS,
                        Runtime.getRuntime().availableProcessors());
            }
        }
    }

    private static float[] unit(Random random) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return Vectors.normalize(v);
    }

    private static double pct(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
