package clipd.reliability;

import clipd.bench.SearchBenchmark;
import clipd.daemon.Daemon;
import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.http.AccessToken;
import clipd.http.HttpServer;
import clipd.index.Indexer;
import clipd.search.Searcher;
import clipd.search.VectorIndex;
import clipd.store.PhotoStore;
import clipd.testing.ExifPhotos;
import clipd.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP API under a loopback load while the daemon indexes photos arriving all the time: many concurrent
 * clients on /api/search and /api/status get no error; then malformed requests each get a 4xx. CI runs 50 clients
 * for 5 s; the README's figures come from
 * {@code mvn test -Dtest=HttpLoadTest -Dclipd.load.clients=200 -Dclipd.load.seconds=30}.
 */
class HttpLoadTest {
    private static final int CLIENTS = Integer.getInteger("clipd.load.clients", 50);
    private static final int SECONDS = Integer.getInteger("clipd.load.seconds", 5);

    @TempDir
    Path tmp;

    @Test
    void manyClientsWhileIndexingGetNoErrorAndMalformedRequestsGet4xx() throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        ModelDescriptor d = ModelDescriptor.load(Fixtures.TINY_MODEL);
        try (ClipModel model = new ClipModel(d, 2); PhotoStore store = PhotoStore.open(tmp.resolve("index.db"))) {
            Indexer indexer = Fixtures.tinyIndexer(store, model, 1, 4);
            VectorIndex index = VectorIndex.load(store, "", d.embeddingDim()).follow(store);
            Searcher searcher = Fixtures.tinySearcher(model, index);
            searcher.warmUp();
            Daemon daemon = new Daemon(indexer, null, store, List.of(photos), new Daemon.Pacing(200, 3_600_000),
                    tmp.resolve("status.json"), Map.of());
            Thread daemonThread = new Thread(daemon::run, "daemon-under-load");
            daemonThread.start();
            try (HttpServer server = new HttpServer(new HttpServer.Options("127.0.0.1", 0, 1 << 20,
                    tmp.resolve("thumbs"), 1 << 20, 150_000_000L), searcher, store, daemon, null)) {
                String base = "http://127.0.0.1:" + server.start(AccessToken.loadOrCreate(tmp));
                bearer = "Bearer " + AccessToken.read(tmp).orElseThrow().value();
                Load load = load(base, photos);
                long indexedDuring = store.recordCount();
                System.out.printf(Locale.ROOT, "HTTP load: %d clients for %d s while indexing (%d photos indexed "
                                + "meanwhile): %d requests, %d errors, p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                        CLIENTS, SECONDS, indexedDuring, load.requests, load.errors.size(),
                        SearchBenchmark.percentile(load.millis, 50), SearchBenchmark.percentile(load.millis, 99),
                        SearchBenchmark.percentile(load.millis, 100));
                assertEquals(List.of(), List.copyOf(load.errors), "no request failed under load");
                assertTrue(indexedDuring > 0, "the daemon indexed while serving");
                malformedRequestsGet4xx(base);
            } finally {
                daemon.stop();
                daemonThread.join(10_000);
            }
        }
    }

    /** Every request carries the owner's credential, so the answers are about the request itself. */
    private static String bearer;

    private static HttpRequest.Builder authed(String url) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", bearer);
    }

    private record Load(int requests, ConcurrentLinkedQueue<String> errors, double[] millis) {
    }

    private Load load(String base, Path photos) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .executor(Executors.newFixedThreadPool(8)).build();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Double> millis = new ConcurrentLinkedQueue<>();
        AtomicInteger photo = new AtomicInteger();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        Thread arrivals = new Thread(() -> { // new photos keep the daemon indexing throughout
            try {
                while (System.nanoTime() < end) {
                    int i = photo.incrementAndGet();
                    Files.write(photos.resolve("IMG_" + i + ".jpg"), ExifPhotos.jpeg(i, 320, 240));
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                errors.add("writing photos: " + e);
            }
        });
        arrivals.start();
        String[] queries = {"/api/search?q=a+cat+on+a+sofa&top=20", "/api/status", "/api/search?q=beach+at+sunset",
                "/api/search?q=receipts&after=2020", "/api/facets"};
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        for (int c = 0; c < CLIENTS; c++) {
            int id = c;
            clients.execute(() -> {
                for (int n = 0; System.nanoTime() < end; n++) {
                    String path = queries[(id + n) % queries.length];
                    long start = System.nanoTime();
                    try {
                        HttpResponse<String> r = client.send(authed(base + path)
                                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                        millis.add((System.nanoTime() - start) / 1e6);
                        if (r.statusCode() != 200) {
                            errors.add(path + " -> " + r.statusCode() + " " + r.body());
                        }
                    } catch (Exception e) {
                        errors.add(path + " -> " + e);
                    }
                }
            });
        }
        clients.shutdown();
        assertTrue(clients.awaitTermination(SECONDS + 60L, TimeUnit.SECONDS));
        arrivals.join();
        return new Load(millis.size(), errors, millis.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static void malformedRequestsGet4xx(String base) throws Exception {
        Map<String, HttpRequest> bad = new java.util.LinkedHashMap<>();
        bad.put("a huge query", authed(base + "/api/search?q=" + "cat+".repeat(5000)).build());
        bad.put("a huge query in a long URL", authed(base + "/api/search?q=" + "x".repeat(200_000)).build());
        bad.put("bad JSON", authed(base + "/api/folders")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"add\": ")).build());
        bad.put("a multipart body cut short", authed(base + "/api/search")
                .header("Content-Type", "multipart/form-data; boundary=XyZ")
                .POST(HttpRequest.BodyPublishers.ofString("--XyZ\r\nContent-Disposition: form-data; name=\"image\"; "
                        + "filename=\"a.jpg\"\r\n\r\n\u00ff\u00d8", StandardCharsets.ISO_8859_1)).build());
        bad.put("an image that is not one", authed(base + "/api/search")
                .header("Content-Type", "image/jpeg").POST(HttpRequest.BodyPublishers.ofString("hello")).build());
        bad.put("DELETE", authed(base + "/api/search?q=cat").DELETE().build());
        bad.put("PUT", authed(base + "/api/status")
                .PUT(HttpRequest.BodyPublishers.ofString("{}")).build());
        bad.put("an unknown route", authed(base + "/api/nothing").build());
        bad.put("a bad top", authed(base + "/api/search?q=cat&top=-1").build());
        bad.put("a bad id", authed(base + "/api/photos/..%2F..%2Fetc%2Fpasswd/file").build());
        StringBuilder wrong = new StringBuilder();
        for (Map.Entry<String, HttpRequest> e : bad.entrySet()) {
            HttpResponse<String> r;
            try { // a client of its own: a server may rightly close a connection after a malformed request
                r = HttpClient.newHttpClient().send(e.getValue(), HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException io) {
                wrong.append(e.getKey()).append(": no answer (").append(io.getMessage()).append(")\n");
                continue;
            }
            if (r.statusCode() < 400 || r.statusCode() >= 500) {
                wrong.append(e.getKey()).append(": ").append(r.statusCode()).append(' ').append(r.body()).append('\n');
            }
        }
        assertEquals("", wrong.toString(), "every malformed request gets a 4xx");
    }
}
