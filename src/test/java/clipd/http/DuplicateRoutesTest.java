package clipd.http;

import clipd.daemon.Daemon;
import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.image.ImageDecoder;
import clipd.image.Preprocessor;
import clipd.index.IndexStats;
import clipd.index.Indexer;
import clipd.search.LibraryDuplicates;
import clipd.search.QueryEmbedder;
import clipd.search.Searcher;
import clipd.search.VectorIndex;
import clipd.store.PhotoStore;
import clipd.testing.Await;
import clipd.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared photos hold copies of one another (38 files, 23 contents): the daemon's groups find them. */
class DuplicateRoutesTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    @Test
    void theDaemonGroupsTheLibraryAndFollowsItsChanges() throws Exception {
        ModelDescriptor d = ModelDescriptor.load(Fixtures.TINY_MODEL);
        try (ClipModel model = new ClipModel(d, 2); PhotoStore store = PhotoStore.open(tmp.resolve("data/index.db"))) {
            ImageDecoder decoder = new ImageDecoder(150_000_000L, 4 * d.imageSize());
            Preprocessor preprocessor = new Preprocessor(d.imageSize(), d.mean(), d.std());
            Indexer indexer = Fixtures.tinyIndexer(store, model, 2, 8);
            indexer.index(List.of(Fixtures.SHARED_PHOTOS), new IndexStats());
            VectorIndex index = VectorIndex.load(store, "", d.embeddingDim()).follow(store);
            LibraryDuplicates duplicates = new LibraryDuplicates(store, index, d.duplicateThreshold()).start();
            Searcher searcher = new Searcher(new QueryEmbedder(model, decoder, preprocessor), index);
            Daemon daemon = new Daemon(indexer, null, store, List.of(Fixtures.SHARED_PHOTOS),
                    new Daemon.Pacing(1000, 60_000), tmp.resolve("data/status.json"), Map.of("model", d.name()));
            try (HttpServer server = new HttpServer(new HttpServer.Options("127.0.0.1", 0, 1 << 20,
                    tmp.resolve("data/thumbnails"), 1 << 20, 150_000_000L), searcher, store, daemon, null, duplicates)) {
                AccessToken token = AccessToken.loadOrCreate(tmp.resolve("data"));
                String base = "http://127.0.0.1:" + server.start(token);
                Await.until(duplicates::ready, "the library grouped");

                assertEquals(401, get(base, "/api/duplicates", null).statusCode());
                JsonNode answer = json(get(base, "/api/duplicates", token));
                JsonNode groups = answer.get("groups");
                assertFalse(groups.isEmpty(), answer.toString());
                Set<String> exactHashes = new HashSet<>();
                String someCopy = null;
                for (JsonNode g : groups) {
                    JsonNode members = g.get("members");
                    assertTrue(members.get(0).get("keep").asBoolean());
                    for (int i = 1; i < members.size(); i++) {
                        assertFalse(members.get(i).get("keep").asBoolean());
                        assertTrue(members.get(i).get("similarity").asDouble() >= d.duplicateThreshold() - 1e-4);
                    }
                    if (g.get("kind").asText().equals("exact")) {
                        someCopy = members.get(members.size() - 1).get("path").asText();
                        exactHashes.add(someCopy);
                    }
                    assertTrue(members.get(0).get("thumbnail").asText().startsWith("/api/photos/"));
                }
                assertFalse(exactHashes.isEmpty(), "the shared photos' copies are exact groups");

                String folder = URLEncoder.encode(Fixtures.SHARED_IMAGES.resolve("no such folder").toString(),
                        StandardCharsets.UTF_8);
                assertTrue(json(get(base, "/api/duplicates?folder=" + folder, token)).get("groups").isEmpty());
                assertEquals(400, get(base, "/api/duplicates?threshold=0.1", token).statusCode(),
                        "below what the daemon grouped with");

                int before = groups.size();
                String removed = someCopy;
                JsonNode group = null;
                for (JsonNode g : groups) {
                    for (JsonNode m : g.get("members")) {
                        if (m.get("path").asText().equals(removed)) {
                            group = g;
                        }
                    }
                }
                store.removeRecord(removed);
                store.commit();
                JsonNode after = json(get(base, "/api/duplicates", token)).get("groups");
                for (JsonNode g : after) {
                    g.get("members").forEach(m -> assertFalse(m.get("path").asText().equals(removed)));
                }
                assertEquals(group.get("members").size() == 2 ? before - 1 : before, after.size());
            }
        }
    }

    private static HttpResponse<byte[]> get(String base, String path, AccessToken token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) {
            r.header("Authorization", "Bearer " + token.value());
        }
        return CLIENT.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode json(HttpResponse<byte[]> r) throws Exception {
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        return new ObjectMapper().readTree(r.body());
    }
}
