package clipd.http;

import clipd.daemon.Daemon;
import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.image.ImageDecoder;
import clipd.image.Preprocessor;
import clipd.index.FolderScanner;
import clipd.index.IndexStats;
import clipd.index.Indexer;
import clipd.search.QueryEmbedder;
import clipd.search.Searcher;
import clipd.search.VectorIndex;
import clipd.store.PhotoStore;
import clipd.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The API on loopback, over real HTTP, with the tiny model and the shared photos indexed. */
class HttpServerTest {
    static {
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host"); // to send a foreign Host
    }

    @TempDir
    static Path tmp;
    private static PhotoStore store;
    private static ClipModel model;
    private static Searcher searcher;
    private static HttpServer server;
    private static AccessToken token;
    private static clipd.tags.PhotoTagger tagger;
    private static String base;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        ModelDescriptor d = ModelDescriptor.load(Fixtures.TINY_MODEL);
        model = new ClipModel(d, 2);
        store = PhotoStore.open(tmp.resolve("data/index.db"));
        ImageDecoder decoder = new ImageDecoder(150_000_000L, 4 * d.imageSize());
        Preprocessor preprocessor = new Preprocessor(d.imageSize(), d.mean(), d.std());
        Indexer indexer = new Indexer(store, model, decoder, preprocessor,
                new FolderScanner(FolderScanner.DEFAULT_EXCLUDED_DIRS, false), 2, 8);
        indexer.index(List.of(Fixtures.SHARED_IMAGES), new IndexStats());
        VectorIndex index = VectorIndex.load(store, "", d.embeddingDim());
        searcher = new Searcher(new QueryEmbedder(model, decoder, preprocessor), index);
        Daemon daemon = new Daemon(indexer, null, store, List.of(Fixtures.SHARED_IMAGES), new Daemon.Pacing(1000, 60_000),
                tmp.resolve("data/status.json"), Map.of("model", d.name()));
        Path vocabulary = java.nio.file.Files.writeString(tmp.resolve("vocabulary.txt"), "cat\nbee\ncake\nboat\n");
        // mode off: explanations only, nothing is written next to the shared photos
        tagger = new clipd.tags.PhotoTagger(store, model, clipd.tags.TagVocabulary.load(vocabulary, null),
                new clipd.tags.TagPolicy(0, 2), new clipd.tags.XmpFiles(clipd.tags.XmpFiles.Mode.OFF, false, false));
        server = new HttpServer(new HttpServer.Options("127.0.0.1", 0, 1 << 20, tmp.resolve("data/thumbnails"),
                1 << 20, 150_000_000L), searcher, store, daemon, tagger);
        token = AccessToken.loadOrCreate(tmp.resolve("data"));
        base = "http://127.0.0.1:" + server.start(token);
    }

    @AfterAll
    static void stop() {
        server.close();
        store.close();
        model.close();
    }

    private static HttpResponse<byte[]> send(HttpRequest.Builder r) throws Exception {
        return CLIENT.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String idOf(String path) {
        return new PhotoIds(token).idOf(path);
    }

    /** A request with the owner's credential. */
    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token.value());
    }

    private static HttpResponse<byte[]> get(String path) throws Exception {
        return send(request(path));
    }

    private static JsonNode json(HttpResponse<byte[]> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static void ready() throws Exception {
        if (!searcher.ready()) {
            searcher.warmUp();
        }
    }

    @Test
    void searchesAnswerOnlyOnceTheModelIsLoaded() throws Exception {
        if (!searcher.ready()) {
            HttpResponse<byte[]> loading = get("/api/search?q=cat");
            assertEquals(503, loading.statusCode());
            assertEquals("model_loading", json(loading).get("error").asText());
        }
        ready();
        HttpResponse<byte[]> r = get("/api/search?q=a+black+cat+-+dog&top=5");
        assertEquals(200, r.statusCode());
        JsonNode rows = json(r);
        assertEquals(5, rows.size());
        JsonNode first = rows.get(0);
        assertEquals(32, first.get("id").asText().length());
        assertTrue(first.get("path").asText().startsWith(Fixtures.SHARED_IMAGES.toString()));
        assertEquals("/api/photos/" + first.get("id").asText() + "/thumbnail", first.get("thumbnail").asText());
        assertTrue(rows.get(0).get("score").asDouble() >= rows.get(4).get("score").asDouble());
    }

    @Test
    void badQueriesAre400WithAMessage() throws Exception {
        ready();
        for (String q : new String[] {"/api/search", "/api/search?q=", "/api/search?q=cat&top=0",
                "/api/search?q=cat&top=501", "/api/search?q=cat&top=x", "/api/search?q=" + "a".repeat(1001),
                "/api/search?q=.%2Fsecret.jpg", "/api/search?q=cat+%2B", "/api/search?q=-+cat"}) {
            HttpResponse<byte[]> r = get(q);
            assertEquals(400, r.statusCode(), q);
            assertFalse(json(r).get("message").asText().isEmpty());
            assertFalse(new String(r.body()).contains("Exception"), "no stack traces: " + new String(r.body()));
        }
    }

    @Test
    void searchByImageFindsTheSamePhotoFirst() throws Exception {
        ready();
        byte[] bee = Files.readAllBytes(Fixtures.SHARED_IMAGES.resolve("bee.jpg"));
        HttpResponse<byte[]> r = send(request("/api/search?top=3")
                .header("Content-Type", "image/jpeg").POST(HttpRequest.BodyPublishers.ofByteArray(bee)));
        assertEquals(200, r.statusCode(), new String(r.body()));
        assertTrue(json(r).get(0).get("path").asText().endsWith("/bee.jpg"));
        assertEquals(1.0, json(r).get(0).get("score").asDouble(), 1e-4);

        String boundary = "clipdboundary";
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"bee.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\n").getBytes();
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes();
        byte[] body = new byte[head.length + bee.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(bee, 0, body, head.length, bee.length);
        System.arraycopy(tail, 0, body, head.length + bee.length, tail.length);
        HttpResponse<byte[]> multipart = send(request("/api/search?top=1")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertEquals(200, multipart.statusCode(), new String(multipart.body()));
        assertTrue(json(multipart).get(0).get("path").asText().endsWith("/bee.jpg"));

        HttpResponse<byte[]> notImage = send(request("/api/search")
                .POST(HttpRequest.BodyPublishers.ofString("hello")));
        assertEquals(400, notImage.statusCode());
        try {
            HttpResponse<byte[]> tooBig = send(request("/api/search")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[2 << 20])));
            assertEquals(413, tooBig.statusCode());
        } catch (java.io.IOException e) {
            // refused before the client finished sending it: the connection is closed instead of read to the end
        }
        assertEquals(200, send(request("/api/status")).statusCode(), "the server still answers");
    }

    @Test
    void similarThumbnailAndFileServeOnlyIndexedPhotos() throws Exception {
        String path = Fixtures.SHARED_IMAGES.resolve("cat.jpg").toString();
        String id = idOf(path);
        JsonNode similar = json(get("/api/similar/" + id + "?top=4"));
        assertEquals(4, similar.size());
        similar.forEach(row -> assertFalse(row.get("path").asText().equals(path), "itself is left out"));

        HttpResponse<byte[]> thumb = get("/api/photos/" + id + "/thumbnail?size=64");
        assertEquals(200, thumb.statusCode());
        assertEquals("image/jpeg", thumb.headers().firstValue("Content-Type").orElse(""));
        BufferedImage t = ImageIO.read(new ByteArrayInputStream(thumb.body()));
        assertEquals(64, Math.max(t.getWidth(), t.getHeight()));
        assertEquals(400, get("/api/photos/" + id + "/thumbnail?size=5000").statusCode());

        HttpResponse<byte[]> file = get("/api/photos/" + id + "/file");
        assertEquals(200, file.statusCode());
        assertArrayEquals(Files.readAllBytes(Path.of(path)), file.body());

        assertEquals(404, get("/api/photos/0123456789abcdef/file").statusCode(), "an id nothing has");
        assertEquals(404, get("/api/photos/" + VectorIndex.idOf(path) + "/file").statusCode(),
                "the path's hash alone is no id: ids need this install's secret");
        assertEquals(404, get("/api/photos/" + "0".repeat(32) + "/file").statusCode(), "a forged id");
        String notIndexed = idOf(Fixtures.SHARED_IMAGES.resolve("not-an-image.txt").toString());
        assertEquals(404, get("/api/photos/" + notIndexed + "/file").statusCode(), "a file that is not indexed");
        assertEquals(404, get("/api/photos/..%2F..%2Fetc%2Fpasswd/file").statusCode());
        assertEquals(404, get("/api/similar/nope").statusCode());
    }

    private static List<String> ids(HttpResponse<byte[]> r) throws Exception {
        assertEquals(200, r.statusCode(), new String(r.body()));
        List<String> ids = new java.util.ArrayList<>();
        json(r).forEach(row -> ids.add(row.get("id").asText()));
        return ids;
    }

    private static int total(HttpResponse<byte[]> r) {
        return Integer.parseInt(r.headers().firstValue("X-Total-Count").orElse("-1"));
    }

    /** Every kind of search pages with offset and top, says how many the whole answer has, and honours filters. */
    @Test
    void everySearchKindPagesAndHonoursTheFilters() throws Exception {
        ready();
        String cat = idOf(Fixtures.SHARED_IMAGES.resolve("cat.jpg").toString());
        byte[] bee = Files.readAllBytes(Fixtures.SHARED_IMAGES.resolve("bee.jpg"));
        int jpegs = json(get("/api/facets")).get("types").get("jpeg").asInt();
        for (String kind : new String[] {"/api/search?q=a+cat&", "/api/similar/" + cat + "?", "/api/photos?",
                "/api/search?type=jpeg&", "image"}) {
            java.util.function.Function<String, HttpResponse<byte[]>> call = params -> {
                try {
                    return kind.equals("image") ? send(request("/api/search?" + params)
                            .header("Content-Type", "image/jpeg").POST(HttpRequest.BodyPublishers.ofByteArray(bee)))
                            : get(kind + params);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            List<String> all = ids(call.apply("top=30"));
            List<String> pages = new java.util.ArrayList<>(ids(call.apply("top=7")));
            pages.addAll(ids(call.apply("offset=7&top=7")));
            pages.addAll(ids(call.apply("offset=14&top=30")));
            assertEquals(all, pages, kind + ": pages add up to the whole answer");
            int expected = kind.startsWith("/api/similar") ? 21 : kind.contains("type=jpeg") ? jpegs : 22;
            assertEquals(expected, total(call.apply("top=1")), kind + ": the total");
            assertEquals(expected, all.size(), kind);
            assertEquals(List.of(), ids(call.apply("offset=40&top=5")), kind + ": past the end");

            if (!kind.contains("type=")) {
                HttpResponse<byte[]> filtered = call.apply("type=png&top=30");
                assertEquals(1, total(filtered), kind + " with a filter");
                assertTrue(json(filtered).get(0).get("path").asText().endsWith(".png"), kind + " honours type=png");
            }
        }
        HttpResponse<byte[]> likeCat = get("/api/similar/" + cat + "?type=jpeg&top=50");
        assertEquals(jpegs - 1, total(likeCat), "the photo itself is left out of the count too");
        assertEquals(jpegs - 1, ids(likeCat).size());
        for (String bad : new String[] {"offset=-1", "offset=x", "offset=10000", "offset=9990&top=20"}) {
            HttpResponse<byte[]> r = get("/api/search?q=cat&" + bad);
            assertEquals(400, r.statusCode(), bad);
        }
    }

    /** Formats a browser shows come as they are; the others as a JPEG it can show. */
    @Test
    void theDisplayRenditionIsAlwaysSomethingABrowserShows() throws Exception {
        for (String name : new String[] {"chess-knight.tiff", "kookaburras.pnm", "duck.jp2", "cat.jpg", "tree.webp"}) {
            Path path = Fixtures.SHARED_IMAGES.resolve(name);
            HttpResponse<byte[]> r = get("/api/photos/" + idOf(path.toString()) + "/display");
            assertEquals(200, r.statusCode(), name);
            String type = r.headers().firstValue("Content-Type").orElse("");
            if (name.endsWith(".jpg") || name.endsWith(".webp")) {
                assertArrayEquals(Files.readAllBytes(path), r.body(), name + " as it is");
            } else {
                assertEquals("image/jpeg", type, name);
                BufferedImage shown = ImageIO.read(new ByteArrayInputStream(r.body()));
                assertTrue(shown.getWidth() > 32, name + " as a JPEG with its pixels");
            }
        }
    }

    @Test
    void metadataFiltersFacetsAndOnePhotosFacts() throws Exception {
        ready();
        JsonNode pngs = json(get("/api/search?type=png&top=50"));
        assertEquals(1, pngs.size(), "filters alone, no query");
        assertTrue(pngs.get(0).get("path").asText().endsWith(".png"));
        JsonNode ranked = json(get("/api/search?q=cat&type=jpeg&top=50"));
        assertEquals(12, ranked.size(), "the shared folder's .jpg, .JPG and .jpeg photos");
        ranked.forEach(r -> assertTrue(r.get("width").asInt() > 0 && r.get("height").asInt() > 0, r.toString()));
        assertEquals(400, get("/api/search?q=cat&after=soon").statusCode());
        assertEquals(400, get("/api/search?near=100,0,5").statusCode());
        assertEquals(400, get("/api/search?has_gps=maybe").statusCode());

        String id = idOf(Fixtures.SHARED_IMAGES.resolve("cat.jpg").toString());
        JsonNode photo = json(get("/api/photos/" + id));
        assertEquals("jpeg", photo.get("type").asText());
        assertTrue(photo.get("width").asInt() > 0);
        assertTrue(photo.hasNonNull("taken") && photo.hasNonNull("taken_source"), photo.toString());
        assertEquals(404, get("/api/photos/0000000000000000").statusCode());

        JsonNode facets = json(get("/api/facets"));
        assertEquals(22, facets.get("photos").asInt());
        assertEquals(1, facets.get("types").get("png").asInt());
        assertTrue(facets.hasNonNull("first_taken") && facets.hasNonNull("last_taken"), facets.toString());
        assertTrue(facets.get("cameras").isArray());
    }

    @Test
    void aPhotosTagsAreExplainedOnceTheVocabularyIsReady() throws Exception {
        String id = idOf(Fixtures.SHARED_IMAGES.resolve("cat.jpg").toString());
        if (!tagger.ready()) {
            HttpResponse<byte[]> early = get("/api/photos/" + id + "/tags");
            assertEquals(503, early.statusCode());
            assertEquals("tags_not_ready", json(early).get("error").asText());
        }
        tagger.tagStale("", clipd.tags.PhotoTagger.Listener.NONE); // what the daemon does after indexing
        JsonNode r = json(get("/api/photos/" + id + "/tags?top=3"));
        assertEquals(3, r.get("candidates").size());
        assertEquals(2, r.get("chosen").size());
        assertEquals(r.get("candidates").get(0).get("tag"), r.get("chosen").get(0));
        assertEquals(0, r.get("keywords").size(), "the shared photo carries no keywords");
        assertEquals(404, get("/api/photos/0123456789abcdef/tags").statusCode());
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(Fixtures.SHARED_IMAGES)) {
            assertEquals(0, files.filter(p -> p.toString().endsWith(".xmp")).count(), "nothing written");
        }
    }

    @Test
    void statusIsJson() throws Exception {
        JsonNode s = json(get("/api/status"));
        assertEquals("tiny-test", s.get("model").asText());
        assertEquals(22, s.get("photos").asLong());
        assertEquals(Fixtures.SHARED_IMAGES.toString(), s.get("folders").get(0).asText());
        assertTrue(s.has("state") && s.has("queue") && s.has("uptime_seconds"));
    }

    @Test
    void aForeignHostOrOriginIsRefused() throws Exception {
        HttpResponse<byte[]> rebinding = send(request("/api/status")
                .header("Host", "attacker.example:80"));
        assertEquals(403, rebinding.statusCode());
        assertEquals("forbidden_host", json(rebinding).get("error").asText());
        assertEquals(403, send(HttpRequest.newBuilder(URI.create(base + "/"))
                .header("Host", "attacker.example")).statusCode(), "the page too");
        HttpResponse<byte[]> crossSite = send(request("/api/reindex")
                .header("Origin", "https://attacker.example")
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(403, crossSite.statusCode());
        assertEquals("forbidden_origin", json(crossSite).get("error").asText());
        HttpResponse<byte[]> sameSite = send(request("/api/reindex").header("Origin", base)
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(202, sameSite.statusCode());
    }

    @Test
    void aWildcardListenAcceptsThisMachinesAddressesOnly() throws Exception {
        Set<String> loopbackOnly = RequestGuard.namesFor("127.0.0.1");
        assertEquals(Set.of("127.0.0.1", "localhost", "[::1]"), loopbackOnly);
        RequestGuard loopback = new RequestGuard(loopbackOnly, 1 << 20);
        assertTrue(loopback.isThisServer("LOCALHOST:8357", 8357));
        assertFalse(loopback.isThisServer("localhost:8358", 8357), "another port");
        assertFalse(loopback.isThisServer("localhost", 8357), "no port");
        Set<String> everywhere = RequestGuard.namesFor("0.0.0.0");
        assertTrue(everywhere.containsAll(loopbackOnly));
        for (java.net.NetworkInterface nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            nic.inetAddresses().filter(a -> a instanceof java.net.Inet4Address)
                    .forEach(a -> assertTrue(everywhere.contains(a.getHostAddress()), a.toString()));
        }
        assertFalse(everywhere.contains("attacker.example"));
    }

    private static final String UNAUTHORIZED = "{\"error\":\"unauthorized\",\"message\":\"run clipd open to sign in\"}";

    @Test
    void everyApiCallAndEveryPhotoByteNeedsTheCredential() throws Exception {
        String id = idOf(Fixtures.SHARED_IMAGES.resolve("cat.jpg").toString());
        List<HttpRequest.Builder> calls = new java.util.ArrayList<>();
        for (String path : List.of("/api/status", "/api/facets", "/api/search?q=cat", "/api/search?type=png",
                "/api/similar/" + id, "/api/photos/" + id, "/api/photos/" + id + "/tags",
                "/api/photos/" + id + "/thumbnail", "/api/photos/" + id + "/file", "/api/nothing", "/api")) {
            calls.add(HttpRequest.newBuilder(URI.create(base + path)));
        }
        for (String path : List.of("/api/search", "/api/reindex", "/api/folders", "/api/session")) {
            calls.add(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString("{}")));
        }
        for (HttpRequest.Builder call : calls) {
            for (String[] credential : new String[][] {{}, {"Authorization", "Bearer " + "0".repeat(64)},
                    {"Authorization", "Bearer"}, {"Authorization", token.value()},
                    {"Cookie", Authentication.COOKIE + "=" + token.value()},
                    {"Cookie", Authentication.COOKIE + "=00." + token.mac("other", "00")}}) {
                HttpRequest.Builder r = call.copy();
                if (credential.length > 0) {
                    r.header(credential[0], credential[1]);
                }
                HttpResponse<byte[]> answer = send(r);
                String what = r.build().method() + " " + r.build().uri() + " " + List.of(credential);
                assertEquals(401, answer.statusCode(), what);
                assertEquals(UNAUTHORIZED, new String(answer.body()), what);
            }
        }
        assertEquals(200, get("/api/status").statusCode(), "with it");
    }

    @Test
    void otherSpellingsOfAnApiPathDoNotGetPastTheCredential() throws Exception {
        String id = idOf(Fixtures.SHARED_IMAGES.resolve("cat.jpg").toString());
        for (String path : List.of("//api/status", "/./api/status", "/x/../api/status", "/%61pi/status",
                "/api%2Fstatus", "/API/status", "/api/status/", "/api/photos/" + id + "/file;x=1",
                "/api;x=1/photos/" + id + "/file", "/%2e/api/status", "/api/photos/" + id + "/%66ile")) {
            HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(base + path)));
            assertTrue(r.statusCode() == 401 || r.statusCode() == 400 || r.statusCode() == 404, path + " -> "
                    + r.statusCode() + " " + new String(r.body()));
            assertFalse(new String(r.body()).contains("\"photos\""), path);
        }
    }

    @Test
    void thePagesOwnFilesNeedNoCredential() throws Exception {
        for (String path : List.of("/", "/index.html", "/app.js", "/style.css")) {
            assertEquals(200, send(HttpRequest.newBuilder(URI.create(base + path))).statusCode(), path);
        }
    }

    @Test
    void theTokenBuysASessionCookieForThePage() throws Exception {
        HttpResponse<byte[]> signIn = send(request("/api/session").POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(204, signIn.statusCode(), new String(signIn.body()));
        String cookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.matches(Authentication.COOKIE + "=[0-9a-f]+\\.[0-9a-f]+; HttpOnly; SameSite=Strict; Path=/"),
                cookie);
        String session = cookie.substring(0, cookie.indexOf(';'));
        assertFalse(session.contains(token.value()), "the cookie is not the token");
        HttpResponse<byte[]> status = send(HttpRequest.newBuilder(URI.create(base + "/api/status"))
                .header("Cookie", session));
        assertEquals(200, status.statusCode());
        String id = idOf(Fixtures.SHARED_IMAGES.resolve("cat.jpg").toString());
        assertEquals(200, send(HttpRequest.newBuilder(URI.create(base + "/api/photos/" + id + "/thumbnail"))
                .header("Cookie", "other=1; " + session)).statusCode(), "the cookie among others");
        String tampered = session.substring(0, session.length() - 1) + (session.endsWith("0") ? "1" : "0");
        assertEquals(401, send(HttpRequest.newBuilder(URI.create(base + "/api/status")).header("Cookie", tampered))
                .statusCode());
        assertEquals(401, send(HttpRequest.newBuilder(URI.create(base + "/api/session")).header("Cookie", session)
                .POST(HttpRequest.BodyPublishers.noBody())).statusCode(), "only the token buys a session");
        assertEquals(403, send(request("/api/session").header("Origin", "https://attacker.example")
                .POST(HttpRequest.BodyPublishers.noBody())).statusCode());
        assertEquals(403, send(request("/api/session").header("Sec-Fetch-Site", "cross-site")
                .POST(HttpRequest.BodyPublishers.noBody())).statusCode());
    }

    @Test
    void theChallengeIsAnsweredWithoutCredentialAndProvesTheToken() throws Exception {
        int port = Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
        String nonce = AccessToken.randomHex(16);
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(base + "/api/challenge?nonce=" + nonce)));
        assertEquals(200, r.statusCode(), new String(r.body()));
        assertEquals(token.proof(port, nonce), json(r).get("proof").asText());
        assertFalse(token.proof(port + 1, nonce).equals(token.proof(port, nonce)), "bound to the port");
        assertFalse(new String(r.body()).contains(token.value()));
        for (String bad : List.of("", "?nonce=xyz", "?nonce=" + "a".repeat(200))) {
            assertEquals(400, send(HttpRequest.newBuilder(URI.create(base + "/api/challenge" + bad))).statusCode());
        }
    }

    @Test
    void changesTakeTheCredential() throws Exception {
        Path extra = Files.createDirectories(tmp.resolve("extra"));
        HttpResponse<byte[]> add = send(request("/api/folders")
                .POST(HttpRequest.BodyPublishers.ofString("{\"add\": \"" + extra + "\"}")));
        assertEquals(202, add.statusCode(), new String(add.body()));
        assertTrue(json(add).get("folders").toString().contains(extra.toString()));
        HttpResponse<byte[]> bad = send(request("/api/folders").POST(HttpRequest.BodyPublishers.ofString("not json")));
        assertEquals(400, bad.statusCode());
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(tmp.resolve("data/" + AccessToken.FILE_NAME))));
    }

    @Test
    void foldersAreAddedByTheirRealPathAndSystemOrDataFoldersAreRefused() throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("more/photos"));
        Path alias = Files.createSymbolicLink(tmp.resolve("alias"), photos);
        assertEquals(202, addFolder(tmp.resolve("more/../more/photos").toString()).statusCode());
        for (String refused : List.of("/", "/etc", "/usr/share", "/proc", "/var/log", "/dev", "/boot",
                tmp.resolve("data").toString(), tmp.resolve("data/thumbnails").toString(), tmp.toString(),
                alias.toString(), photos.toString(), tmp.resolve("nowhere").toString())) {
            HttpResponse<byte[]> r = addFolder(refused);
            assertEquals(400, r.statusCode(), refused + ": " + new String(r.body()));
            assertEquals("folder_refused", json(r).get("error").asText(), refused);
        }
        JsonNode folders = json(get("/api/status")).get("folders");
        String real = photos.toRealPath().toString();
        assertEquals(1, java.util.stream.StreamSupport.stream(folders.spliterator(), false)
                .filter(f -> f.asText().equals(real)).count(), folders.toString());
        assertEquals(202, send(request("/api/folders").POST(HttpRequest.BodyPublishers.ofString(
                "{\"remove\": \"" + alias + "\"}"))).statusCode(), "removed by another name of it");
        assertFalse(json(get("/api/status")).get("folders").toString().contains(real));
    }

    private static HttpResponse<byte[]> addFolder(String folder) throws Exception {
        return send(request("/api/folders").POST(HttpRequest.BodyPublishers.ofString(
                "{\"add\": " + clipd.util.Json.quote(folder) + "}")));
    }

    @Test
    void everyAnswerCarriesTheSecurityHeaders() throws Exception {
        String id = idOf(Fixtures.SHARED_IMAGES.resolve("cat.jpg").toString());
        List<HttpRequest.Builder> requests = List.of(HttpRequest.newBuilder(URI.create(base + "/")),
                HttpRequest.newBuilder(URI.create(base + "/app.js")), request("/api/status"),
                HttpRequest.newBuilder(URI.create(base + "/api/status")), request("/api/nothing"),
                HttpRequest.newBuilder(URI.create(base + "/nothing")), request("/api/photos/" + id + "/file"),
                request("/api/photos/" + id + "/thumbnail"), request("/api/search?q=cat&top=0"),
                request("/api/status").header("Host", "attacker.example:80"));
        for (HttpRequest.Builder r : requests) {
            HttpResponse<byte[]> answer = send(r);
            String what = r.build().uri() + " -> " + answer.statusCode();
            assertEquals("nosniff", answer.headers().firstValue("X-Content-Type-Options").orElse(""), what);
            assertTrue(answer.headers().firstValue("Content-Security-Policy").orElse("")
                    .matches("default-src 'self';.*frame-ancestors 'none'.*"), what);
            assertEquals("same-origin", answer.headers().firstValue("Cross-Origin-Resource-Policy").orElse(""), what);
            assertEquals("no-referrer", answer.headers().firstValue("Referrer-Policy").orElse(""), what);
        }
        for (String photo : List.of("/file", "/thumbnail")) {
            HttpResponse<byte[]> answer = get("/api/photos/" + id + photo);
            assertEquals(200, answer.statusCode());
            assertTrue(answer.headers().firstValue("Cache-Control").orElse("").startsWith("private"), photo);
        }
    }

    @Test
    void otherOriginsMayNotLoadAnythingButByALink() throws Exception {
        String thumbnail = "/api/photos/" + idOf(Fixtures.SHARED_IMAGES.resolve("cat.jpg").toString()) + "/thumbnail";
        for (String site : List.of("cross-site", "same-site")) { // same-site: another port of localhost
            HttpResponse<byte[]> img = send(request(thumbnail).header("Sec-Fetch-Site", site)
                    .header("Sec-Fetch-Mode", "no-cors").header("Sec-Fetch-Dest", "image"));
            assertEquals(403, img.statusCode(), site);
            assertEquals(403, send(HttpRequest.newBuilder(URI.create(base + "/app.js")).header("Sec-Fetch-Site", site)
                    .header("Sec-Fetch-Mode", "no-cors")).statusCode(), site + " script");
        }
        assertEquals(200, send(request(thumbnail).header("Sec-Fetch-Site", "same-origin")
                .header("Sec-Fetch-Mode", "no-cors")).statusCode());
        assertEquals(200, send(HttpRequest.newBuilder(URI.create(base + "/")).header("Sec-Fetch-Site", "cross-site")
                .header("Sec-Fetch-Mode", "navigate")).statusCode(), "a link to the page");
    }

    @Test
    void methodOverrideIsOff() throws Exception {
        HttpResponse<byte[]> r = send(request("/api/status").header("X-HTTP-Method-Override", "POST"));
        assertEquals(400, r.statusCode());
        assertEquals("method_override", json(r).get("error").asText());
        assertEquals(400, send(request("/api/reindex").header("X-HTTP-Method-Override", "POST")).statusCode(),
                "a GET does not become the POST");
    }

    @Test
    void aBodyOverTheLimitIsRefusedBeforeItIsRead() throws Exception {
        ready();
        int port = Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
        for (String type : List.of("image/jpeg", "multipart/form-data; boundary=x")) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(("POST /api/search HTTP/1.1\r\nHost: 127.0.0.1:" + port
                        + "\r\nAuthorization: Bearer " + token.value() + "\r\nContent-Type: " + type
                        + "\r\nContent-Length: " + (300L << 20) + "\r\n\r\n--x\r\n").getBytes());
                String head = new String(socket.getInputStream().readNBytes(12));
                assertEquals("HTTP/1.1 413", head, type + ": answered with 300 MB announced and 5 bytes sent");
            }
        }
        byte[] big = new byte[2 << 20];
        HttpResponse<byte[]> chunked = send(request("/api/search")
                .header("Content-Type", "multipart/form-data; boundary=x")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.SequenceInputStream(
                        new java.io.ByteArrayInputStream(("--x\r\nContent-Disposition: form-data; name=\"image\"; "
                                + "filename=\"a.jpg\"\r\n\r\n").getBytes()), new java.io.SequenceInputStream(
                                new java.io.ByteArrayInputStream(big),
                                new java.io.ByteArrayInputStream("\r\n--x--\r\n".getBytes()))))));
        assertEquals(413, chunked.statusCode(), "a multipart part without a declared length, counted as it comes: "
                + new String(chunked.body()));
    }

    @Test
    void thumbnailsComeInAFewSizesOnly() throws Exception {
        String id = idOf(Fixtures.SHARED_IMAGES.resolve("bee.jpg").toString());
        for (int size = 60; size <= 70; size++) {
            HttpResponse<byte[]> r = get("/api/photos/" + id + "/thumbnail?size=" + size);
            assertEquals(200, r.statusCode());
            BufferedImage t = ImageIO.read(new ByteArrayInputStream(r.body()));
            assertEquals(size <= 64 ? 64 : 128, Math.max(t.getWidth(), t.getHeight()), "size " + size);
        }
        try (java.util.stream.Stream<Path> files = Files.list(tmp.resolve("data/thumbnails"))) {
            files.map(f -> f.getFileName().toString()).forEach(name -> assertTrue(
                    name.matches(".*-(64|128|256|512|1024)\\.jpg"), name));
        }
        assertEquals("rwx------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(tmp.resolve("data/thumbnails"))));
    }

    @Test
    void aPortInUseIsAClearError() {
        int port = Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
        HttpServer second = new HttpServer(new HttpServer.Options("127.0.0.1", port, 1 << 20,
                tmp.resolve("data/thumbnails"), 1 << 20, 150_000_000L), searcher, store, null, null);
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> second.start(token));
        assertTrue(e.getMessage().contains("is another clipd serve running"), e.getMessage());
        second.close();
    }

    @Test
    void thePageIsServedFromTheJar() throws Exception {
        HttpResponse<byte[]> page = get("/");
        assertEquals(200, page.statusCode());
        String html = new String(page.body());
        assertTrue(html.contains("<script src=\"/app.js\">") && !html.contains("http://") && !html.contains("https://"),
                "no CDN");
        assertEquals(200, get("/app.js").statusCode());
        assertEquals(200, get("/style.css").statusCode());
    }
}
