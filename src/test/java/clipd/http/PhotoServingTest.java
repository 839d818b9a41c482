package clipd.http;

import clipd.daemon.Daemon;
import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.index.IndexStats;
import clipd.index.Indexer;
import clipd.search.Searcher;
import clipd.search.VectorIndex;
import clipd.store.PhotoStore;
import clipd.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A photo is served only while it is the file that was indexed: re-pointing an indexed link at another file, or
 * replacing the photo, serves nothing until the index has seen the change; the type comes from the bytes.
 */
class PhotoServingTest {
    @TempDir
    Path tmp;

    @Test
    void aSwappedLinkOrAReplacedPhotoServesNothing() throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Path target = Files.copy(Fixtures.SHARED_IMAGES.resolve("bee.jpg"), outside.resolve("bee.jpg"));
        Path link = Files.createSymbolicLink(photos.resolve("linked.jpg"), target);
        Path plain = Files.copy(Fixtures.SHARED_IMAGES.resolve("cat.jpg"), photos.resolve("cat.jpg"));
        Path png = Files.copy(Fixtures.SHARED_IMAGES.resolve("cat.jpg"), photos.resolve("named.png"));
        Path secret = Files.writeString(tmp.resolve("id_ed25519"), "-----BEGIN OPENSSH PRIVATE KEY-----\n");

        ModelDescriptor d = ModelDescriptor.load(Fixtures.TINY_MODEL);
        try (ClipModel model = new ClipModel(d, 1); PhotoStore store = PhotoStore.open(tmp.resolve("data/index.db"))) {
            Indexer indexer = Fixtures.tinyIndexer(store, model, 1, 4);
            indexer.index(List.of(photos), new IndexStats());
            VectorIndex index = VectorIndex.load(store, "", d.embeddingDim());
            assertEquals(3, index.size());
            Daemon daemon = new Daemon(indexer, null, store, List.of(photos), new Daemon.Pacing(1000, 60_000),
                    tmp.resolve("data/status.json"), Map.of());
            try (HttpServer server = new HttpServer(new HttpServer.Options("127.0.0.1", 0, 1 << 20,
                    tmp.resolve("data/thumbnails"), 1 << 20, 150_000_000L),
                    Fixtures.tinySearcher(model, index), store, daemon, null)) {
                AccessToken token = AccessToken.loadOrCreate(tmp.resolve("data"));
                String base = "http://127.0.0.1:" + server.start(token);
                PhotoIds ids = new PhotoIds(token);
                HttpClient client = HttpClient.newHttpClient();
                java.util.function.Function<String, HttpResponse<byte[]>> get = path -> {
                    try {
                        return client.send(HttpRequest.newBuilder(URI.create(base + path))
                                .header("Authorization", "Bearer " + token.value()).build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                };
                String linked = "/api/photos/" + ids.idOf(link.toString());

                HttpResponse<byte[]> before = get.apply(linked + "/file");
                assertEquals(200, before.statusCode(), "a link people made is served while it is what was indexed");
                assertArrayEquals(Files.readAllBytes(target), before.body());
                assertEquals("image/jpeg", before.headers().firstValue("Content-Type").orElse(""));
                assertEquals("image/jpeg", get.apply("/api/photos/" + ids.idOf(png.toString()) + "/file").headers()
                        .firstValue("Content-Type").orElse(""), "a JPEG named .png is a JPEG");

                // the link now points at a key; even with the size and the time of the photo it is not served
                byte[] key = Files.readAllBytes(secret);
                byte[] padded = java.util.Arrays.copyOf(key, (int) Files.size(target));
                Files.write(secret, padded);
                Files.setLastModifiedTime(secret, Files.getLastModifiedTime(target));
                Files.delete(link);
                Files.createSymbolicLink(link, secret);
                for (String what : List.of("/file", "/thumbnail?size=512")) {
                    HttpResponse<byte[]> swapped = get.apply(linked + what);
                    assertEquals(404, swapped.statusCode(), what);
                    assertFalse(new String(swapped.body()).contains("OPENSSH"), what);
                }
                Files.delete(link);
                Files.createSymbolicLink(link, tmp.resolve("outside")); // a folder
                assertEquals(404, get.apply(linked + "/file").statusCode());

                // the photo replaced by another one: not the file that was indexed
                String cat = "/api/photos/" + ids.idOf(plain.toString()) + "/file";
                assertEquals(200, get.apply(cat).statusCode());
                Path other = Files.copy(Fixtures.SHARED_IMAGES.resolve("bee.jpg"), tmp.resolve("other.jpg"));
                Files.setLastModifiedTime(other, FileTime.fromMillis(Files.getLastModifiedTime(plain).toMillis()));
                Files.move(other, plain, StandardCopyOption.REPLACE_EXISTING);
                assertEquals(404, get.apply(cat).statusCode(), "another size: not served");
            }
        }
    }
}
