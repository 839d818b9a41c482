package clipd.cli;

import clipd.daemon.LibraryControl;
import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.http.AccessToken;
import clipd.http.HttpServer;
import clipd.http.PhotoIds;
import clipd.image.ImageDecoder;
import clipd.image.Preprocessor;
import clipd.index.IndexStats;
import clipd.search.Concepts;
import clipd.search.QueryEmbedder;
import clipd.search.Searcher;
import clipd.search.VectorIndex;
import clipd.store.PhotoStore;
import clipd.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code clipd concept} through a running daemon's {@code /api/concepts}: every call needs the token, each change
 * asks the daemon for a pass (which re-tags), and a concept's name is then a query term of {@code /api/search}.
 */
class ConceptCommandTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** The daemon's side, counting the passes asked for. */
    private static final class Library implements LibraryControl {
        final AtomicInteger rescans = new AtomicInteger();

        @Override
        public Map<String, Object> status() {
            return Map.of("state", "idle");
        }

        @Override
        public List<Path> folders() {
            return List.of();
        }

        @Override
        public void requestRescan() {
            rescans.incrementAndGet();
        }

        @Override
        public void addFolder(Path folder) {
        }

        @Override
        public void removeFolder(Path folder) {
        }
    }

    @Test
    void theCommandAndTheApiChangeConceptsOnlyWithTheToken() throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        for (String name : List.of("bee.jpg", "cat.jpg", "cake.jpg", "books.jpg")) {
            Files.copy(Fixtures.SHARED_IMAGES.resolve(name), photos.resolve(name));
        }
        Path data = tmp.resolve("data");
        ModelDescriptor d = ModelDescriptor.load(Fixtures.TINY_MODEL);
        Library library = new Library();
        try (ClipModel model = new ClipModel(d, 1); PhotoStore store = PhotoStore.open(data.resolve("index.db"))) {
            Fixtures.tinyIndexer(store, model, 1, 8).index(List.of(photos), new IndexStats());
            Concepts concepts = new Concepts(store, model);
            VectorIndex index = VectorIndex.load(store, "", d.embeddingDim()).follow(store);
            Searcher searcher = new Searcher(new QueryEmbedder(model, new ImageDecoder(50_000_000L, 4 * d.imageSize()),
                    new Preprocessor(d.imageSize(), d.mean(), d.std()), concepts), index);
            searcher.warmUp();
            try (HttpServer server = new HttpServer(new HttpServer.Options("127.0.0.1", 0, 1 << 20,
                    data.resolve("thumbnails"), 1 << 20, 150_000_000L), searcher, store, library, null, null,
                    concepts)) {
                AccessToken token = AccessToken.loadOrCreate(data);
                int port = server.start(token);
                new Endpoint(ProcessHandle.current().pid(), "127.0.0.1", port).write(data);
                String base = "http://127.0.0.1:" + port;
                PhotoIds ids = new PhotoIds(token);
                String body = "{\"name\": \"Bee\", \"photos\": [\"" + ids.idOf(photos.resolve("bee.jpg").toString())
                        + "\"]}";

                assertEquals(401, send(base, "GET", "/api/concepts", null, null).statusCode());
                assertEquals(401, send(base, "POST", "/api/concepts", body, null).statusCode());
                assertEquals(401, send(base, "DELETE", "/api/concepts/Bee", null, null).statusCode());
                assertEquals(401, send(base, "PUT", "/api/concepts/Bee", body, null).statusCode());
                assertEquals(0, library.rescans.get());
                assertTrue(concepts.list().isEmpty(), "nothing changed without the token");

                CliRunner.Run add = clipd(data, "concept", "add", "Bee", "photos/bee.jpg", "--not", "photos/cat.jpg",
                        "photos/cake.jpg", "--text", "a bee");
                assertEquals(0, add.code(), add.err());
                assertTrue(add.out().startsWith("concept Bee: 1 example, 2 counter-examples; threshold "), add.out());
                assertTrue(add.out().endsWith("; clipd serve re-tags the library\n"), add.out());
                assertEquals(1, library.rescans.get(), "the change asked the daemon for a pass");

                JsonNode listed = JSON.readTree(send(base, "GET", "/api/concepts", null, token).body());
                assertEquals("Bee", listed.at("/concepts/0/name").asText());
                assertEquals(2, listed.at("/concepts/0/counter_examples").asInt());
                assertEquals("a bee", listed.at("/concepts/0/text").asText());
                assertTrue(listed.get("threshold_rule").asText().contains("leave-one-out"));

                HttpResponse<String> search = send(base, "GET", "/api/search?q=Bee&top=1", null, token);
                assertEquals(200, search.statusCode(), search.body());
                assertTrue(search.body().contains("bee.jpg"), "the concept's example first: " + search.body());

                HttpResponse<String> put = send(base, "PUT", "/api/concepts/Bee", "{\"photos\": [\""
                        + ids.idOf(photos.resolve("books.jpg").toString()) + "\"], \"threshold\": 0.5}", token);
                assertEquals(200, put.statusCode(), put.body());
                JsonNode replaced = JSON.readTree(put.body()).get("concept");
                assertEquals(0, replaced.get("counter_examples").asInt(), "PUT replaces the whole concept");
                assertEquals(0.5, replaced.get("threshold").asDouble(), 1e-6);
                assertEquals(2, library.rescans.get());

                HttpResponse<String> bad = send(base, "POST", "/api/concepts", "{\"name\": \"Bee\", \"photos\": [\""
                        + ids.idOf(tmp.resolve("not indexed.jpg").toString()) + "\"]}", token);
                assertEquals(400, bad.statusCode());
                assertTrue(bad.body().contains("is not indexed"), bad.body());
                CliRunner.Run notIndexed = clipd(data, "concept", "add", "Bee", "not indexed.jpg");
                assertEquals(1, notIndexed.code());
                assertTrue(notIndexed.err().contains(tmp.resolve("not indexed.jpg") + " is not indexed"),
                        notIndexed.err());
                assertEquals(1, notIndexed.err().lines().count(), notIndexed.err());

                CliRunner.Run list = clipd(data, "concept", "list");
                assertEquals(0, list.code(), list.err());
                assertTrue(list.out().startsWith("Bee"), list.out());
                assertTrue(list.out().contains("threshold 0.500 (set by hand)"), list.out());

                CliRunner.Run remove = clipd(data, "concept", "remove", "Bee");
                assertEquals(0, remove.code(), remove.err());
                assertEquals(404, send(base, "DELETE", "/api/concepts/Bee", null, token).statusCode());
                assertTrue(concepts.list().isEmpty());
                assertEquals(3, library.rescans.get());
            }
        }
    }

    private CliRunner.Run clipd(Path data, String... args) {
        return CliRunner.run(Map.of("CLIPD_MODEL_DIR", Fixtures.TINY_MODEL.toString(), "CLIPD_DATA_DIR",
                data.toString(), "XDG_CONFIG_HOME", tmp.resolve("config").toString()), tmp, args);
    }

    private static HttpResponse<String> send(String base, String method, String path, String body, AccessToken token)
            throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            r.header("Authorization", "Bearer " + token.value());
        }
        return CLIENT.send(r.header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }
}
