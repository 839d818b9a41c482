package clipd.bench;

import clipd.daemon.Daemon;
import clipd.embed.ClipModel;
import clipd.embed.Vectors;
import clipd.http.AccessToken;
import clipd.http.HttpServer;
import clipd.image.ImageDecoder;
import clipd.image.Preprocessor;
import clipd.index.FolderScanner;
import clipd.index.Indexer;
import clipd.search.QueryEmbedder;
import clipd.search.Searcher;
import clipd.search.VectorIndex;
import clipd.store.PhotoRecord;
import clipd.store.PhotoStore;

import java.io.IOException;
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
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * {@code clipd bench search}: search latency and memory at library scale. Fills a fresh store with N random unit
 * vectors under camera-like paths, loads the daemon's in-memory index from it, and measures the scan alone and
 * {@code /api/search} end to end (tokenizer, the text encoder, scan, JSON, loopback HTTP), plus what one photo
 * costs on disk and in the heap.
 */
public final class SearchBenchmark {
    private static final int COMMIT_EVERY = 10_000;
    private static final String[] WORDS = {"cat", "dog", "beach", "sunset", "receipt", "mountain", "kitten", "car",
            "birthday cake", "leading lines", "a kitten peeking from behind a corner", "snow", "city at night"};

    private final ClipModel model;
    private final ImageDecoder decoder;
    private final Preprocessor preprocessor;
    private final int runs;

    public SearchBenchmark(ClipModel model, ImageDecoder decoder, Preprocessor preprocessor, int runs) {
        this.model = model;
        this.decoder = decoder;
        this.preprocessor = preprocessor;
        this.runs = runs;
    }

    /**
     * @param encodeMillis the text encoder alone (tokenizer included) on distinct queries
     * @param httpMillis   {@code /api/search} on distinct queries
     * @param pageMillis   {@code /api/search} asking for the next page of a query asked before
     */
    public record Result(int photos, double fillSeconds, double loadSeconds, double[] scanMillis,
                         double[] encodeMillis, double[] httpMillis, double[] pageMillis, long storeBytes,
                         long heapBytes) {
        public double storeBytesPerPhoto() {
            return (double) storeBytes / photos;
        }

        public double heapBytesPerPhoto() {
            return (double) heapBytes / photos;
        }
    }

    public Result run(int n, Path workDir) throws Exception {
        int dim = model.descriptor().embeddingDim();
        Random random = new Random(n);
        long t0 = System.nanoTime();
        try (PhotoStore store = PhotoStore.open(workDir.resolve("index.db"))) {
            for (int i = 0; i < n; i++) {
                String hash = String.format("%064x", i);
                store.putVector(hash, unit(random, dim));
                store.putRecord("/photos/" + (2000 + i / 50_000) + "/" + (i / 1000) + "/IMG_" + i + ".jpg",
                        new PhotoRecord(hash, 4_000_000 + i, 1_700_000_000_000L + i * 60_000L));
                if (i % COMMIT_EVERY == COMMIT_EVERY - 1) {
                    store.commit();
                }
            }
            store.commit();
            double fill = (System.nanoTime() - t0) / 1e9;
            long heapBefore = usedHeap();
            long t1 = System.nanoTime();
            VectorIndex index = VectorIndex.load(store, "", dim);
            double load = (System.nanoTime() - t1) / 1e9;
            long heap = usedHeap() - heapBefore;

            double[] scan = new double[runs];
            for (int i = -20; i < runs; i++) {
                float[] q = unit(random, dim);
                long s = System.nanoTime();
                index.top(q, 20);
                if (i >= 0) {
                    scan[i] = (System.nanoTime() - s) / 1e6;
                }
            }
            double[] encode = new double[runs];
            for (int i = -20; i < runs; i++) {
                long s = System.nanoTime();
                model.embedTexts(List.of("encoder alone " + i));
                if (i >= 0) {
                    encode[i] = (System.nanoTime() - s) / 1e6;
                }
            }
            double[][] http = httpLatencies(store, index, workDir);
            java.lang.ref.Reference.reachabilityFence(index);
            return new Result(n, fill, load, scan, encode, http[0], http[1], directorySize(workDir), heap);
        }
    }

    /** Distinct queries, each followed by its next page. */
    private double[][] httpLatencies(PhotoStore store, VectorIndex index, Path workDir) throws Exception {
        Searcher searcher = new Searcher(new QueryEmbedder(model, decoder, preprocessor), index);
        searcher.warmUp();
        Indexer indexer = new Indexer(store, model, decoder, preprocessor,
                new FolderScanner(FolderScanner.DEFAULT_EXCLUDED_DIRS, false), 1, 8);
        Daemon daemon = new Daemon(indexer, null, store, List.of(workDir), new Daemon.Pacing(1000, 60_000),
                workDir.resolve("status.json"), Map.of());
        try (HttpServer server = new HttpServer(new HttpServer.Options("127.0.0.1", 0, 1 << 20,
                workDir.resolve("thumbs"), 1 << 20, 1), searcher, store, daemon, null)) {
            AccessToken token = AccessToken.loadOrCreate(workDir);
            int port = server.start(token);
            HttpClient client = HttpClient.newHttpClient();
            double[][] http = new double[2][runs];
            for (int i = -20; i < runs; i++) {
                String q = WORDS[Math.floorMod(i, WORDS.length)] + " " + i;
                for (int page = 0; page < 2; page++) { // a page, then the next one, as a person scrolls
                    URI uri = URI.create("http://127.0.0.1:" + port + "/api/search?top=20&offset=" + 20 * page
                            + "&q=" + URLEncoder.encode(q, StandardCharsets.UTF_8));
                    long s = System.nanoTime();
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri)
                                    .header("Authorization", "Bearer " + token.value()).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException("/api/search answered " + r.statusCode() + ": " + r.body());
                    }
                    if (i >= 0) {
                        http[page][i] = (System.nanoTime() - s) / 1e6;
                    }
                }
            }
            return http;
        }
    }

    /** The p-th percentile (nearest rank) of some measurements. */
    public static double percentile(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(p / 100.0 * sorted.length) - 1))];
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    private static long directorySize(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().startsWith("index.db"))
                    .mapToLong(f -> f.toFile().length()).sum();
        }
    }

    private static float[] unit(Random random, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return Vectors.normalize(v);
    }
}
