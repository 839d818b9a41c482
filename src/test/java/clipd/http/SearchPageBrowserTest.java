package clipd.http;

import clipd.daemon.Daemon;
import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.image.ImageDecoder;
import clipd.image.Preprocessor;
import clipd.index.Indexer;
import clipd.search.LibraryDuplicates;
import clipd.search.QueryEmbedder;
import clipd.search.Searcher;
import clipd.search.VectorIndex;
import clipd.store.PhotoStore;
import clipd.tags.PhotoTagger;
import clipd.tags.TagPolicy;
import clipd.tags.TagVocabulary;
import clipd.tags.XmpFiles;
import clipd.testing.Await;
import clipd.testing.ExifPhotos;
import clipd.testing.Fixtures;
import clipd.testing.ImageVariants;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The search page in a real browser: a daemon with the tiny model follows copies of the shared photos plus
 * generated ones (more than one page of results, with dates over several months and two cameras; the shared
 * bee.heic too when libheif's heif-convert is installed; near-duplicates of two of them), and
 * src/test/web's Playwright tests drive Debian's Chromium against it. Screenshots land in target/screenshots/.
 * Skipped without chromium, node or {@code npm ci} in src/test/web, unless CLIPD_BROWSER_TESTS=required (CI).
 */
class SearchPageBrowserTest {
    static final int GENERATED = 100;
    /** The photos in the shared images/ folder (all its files but not-an-image.txt). */
    static final int SHARED = 22;
    /** Near-duplicates of shared photos, in photos/alike/: see {@link #makeDuplicates}. */
    static final int ALIKE = 3;
    private static final Path WEB_TESTS = Path.of("src/test/web").toAbsolutePath();

    @TempDir
    Path tmp;

    @Test
    void thePageWorksInChromium() throws Exception {
        boolean required = "required".equals(System.getenv("CLIPD_BROWSER_TESTS"));
        boolean possible = Files.isExecutable(Path.of("/usr/bin/chromium")) && Files.isDirectory(
                WEB_TESTS.resolve("node_modules/playwright-core")) && onPath("node");
        if (!possible) {
            assertFalse(required, "CLIPD_BROWSER_TESTS=required, but chromium, node or src/test/web/node_modules "
                    + "(npm ci there) is missing");
            Assumptions.abort("needs /usr/bin/chromium, node and 'npm ci' in src/test/web");
        }
        Path photos = Fixtures.copyTree(Fixtures.SHARED_IMAGES, tmp.resolve("photos/shared"));
        boolean heic = onPath("heif-convert");
        if (heic) {
            Files.createDirectories(tmp.resolve("photos/heic"));
            Files.copy(Fixtures.SHARED_PHOTOS.resolve("images heic/bee.heic"), tmp.resolve("photos/heic/bee.heic"));
        }
        for (int i = 0; i < GENERATED; i++) {
            String camera = i % 3 == 0 ? "Pixel 8" : "X-T4";
            ExifPhotos.write(tmp.resolve("photos/days/p" + i + ".jpg"), ExifPhotos.withExif(
                    ExifPhotos.jpeg(i + 1, 96, 64), new ExifPhotos.Exif(String.format("2024:%02d:%02d 12:00:00",
                            1 + i % 6, 1 + i / 6), null, null, null, i % 3 == 0 ? "Google" : "FUJIFILM", camera, null)));
        }
        makeDuplicates(tmp.resolve("photos/alike"));
        ModelDescriptor d = ModelDescriptor.load(Fixtures.TINY_MODEL);
        try (ClipModel model = new ClipModel(d, 2); PhotoStore store = PhotoStore.open(tmp.resolve("data/index.db"))) {
            Indexer indexer = Fixtures.tinyIndexer(store, model, 2, 8);
            VectorIndex index = VectorIndex.load(store, "", d.embeddingDim()).follow(store);
            LibraryDuplicates duplicates = new LibraryDuplicates(store, index, d.duplicateThreshold()).start();
            Path vocabulary = Files.writeString(tmp.resolve("vocabulary.txt"), "cat\nbee\ncake\nboat\nflower\ntree\n");
            PhotoTagger tagger = new PhotoTagger(store, model, TagVocabulary.load(vocabulary, null), new TagPolicy(0, 2),
                    new XmpFiles(XmpFiles.Mode.OFF, false, false));
            Daemon daemon = new Daemon(indexer, tagger, store, List.of(photos.getParent()),
                    new Daemon.Pacing(500, 3_600_000), tmp.resolve("data/status.json"), Map.of("model", d.name()));
            ImageDecoder decoder = new ImageDecoder(150_000_000L, 4 * d.imageSize());
            Searcher searcher = new Searcher(new QueryEmbedder(model, decoder,
                    new Preprocessor(d.imageSize(), d.mean(), d.std())), index);
            Thread loop = new Thread(daemon::run, "test-daemon");
            loop.start();
            try (HttpServer server = new HttpServer(new HttpServer.Options("127.0.0.1", 0, 32L << 20,
                    tmp.resolve("data/thumbnails"), 64L << 20, 150_000_000L), searcher, store, daemon, tagger,
                    duplicates)) {
                AccessToken token = AccessToken.loadOrCreate(tmp.resolve("data"));
                int port = server.start(token);
                searcher.warmUp();
                Await.until(() -> index.size() >= GENERATED + SHARED + ALIKE + (heic ? 1 : 0) && tagger.ready()
                        && duplicates.ready()
                        && "idle".equals(daemon.status().get("state")), "the daemon to index and tag the photos", 120);
                Map<String, String> environment = environment("http://127.0.0.1:" + port, token, index.size(), heic);
                String hold = System.getProperty("clipd.page.hold");
                if (hold != null) {
                    holdForDevelopment(Path.of(hold), environment);
                }
                runPageTests(environment);
            } finally {
                daemon.stop();
                loop.join(30_000);
            }
        }
    }

    /**
     * cake.jpg re-encoded at quality 60 and at half its size (one near group with the shared cake.jpg), and a byte
     * copy of books.jpg (an exact group); camera.jpg, left alone, must stay out of every group.
     */
    private static void makeDuplicates(Path alike) throws Exception {
        BufferedImage cake = ImageIO.read(Fixtures.SHARED_IMAGES.resolve("cake.jpg").toFile());
        ImageVariants.jpeg(ImageVariants.scaled(cake, 1), 0.6f, alike.resolve("cake-q60.jpg"));
        ImageVariants.jpeg(ImageVariants.scaled(cake, 0.5), 0.9f, alike.resolve("cake-half.jpg"));
        Files.copy(Fixtures.SHARED_IMAGES.resolve("books.jpg"), alike.resolve("books copy.jpg"));
    }

    private static Map<String, String> environment(String base, AccessToken token, int photos, boolean heic)
            throws Exception {
        Path screenshots = Path.of("target/screenshots").toAbsolutePath();
        Files.createDirectories(screenshots);
        return Map.of("CLIPD_URL", base, "CLIPD_TOKEN", token.value(), "CLIPD_PHOTOS", String.valueOf(photos),
                "CLIPD_SAMPLE", Fixtures.SHARED_IMAGES.resolve("cat.jpg").toString(),
                "CLIPD_SCREENSHOTS", screenshots.toString(), "CLIPD_HEIC", heic ? "1" : "");
    }

    /**
     * For work on the page ({@code -Dclipd.page.hold=/tmp/page.env}): writes the variables the page tests need as
     * shell exports to that file and keeps the daemon running until the file is deleted, so that
     * {@code . /tmp/page.env && npm test} in src/test/web can be run again and again.
     */
    private static void holdForDevelopment(Path file, Map<String, String> environment) throws Exception {
        StringBuilder exports = new StringBuilder();
        environment.forEach((k, v) -> exports.append("export ").append(k).append("='")
                .append(v).append("'\n"));
        Files.writeString(file, exports);
        while (Files.exists(file)) {
            Thread.sleep(500);
        }
    }

    /** Runs the page tests; what failed, with node's words for it, is the assertion's message. */
    private void runPageTests(Map<String, String> environment) throws Exception {
        Path output = tmp.resolve("page-tests.tap");
        ProcessBuilder pb = new ProcessBuilder("npm", "test", "--silent").directory(WEB_TESTS.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().putAll(environment);
        Process p = pb.start();
        boolean ended = p.waitFor(5, TimeUnit.MINUTES);
        if (!ended) {
            p.destroyForcibly().waitFor();
        }
        String tap = Files.readString(output);
        System.out.print(tap);
        assertTrue(ended, "the page tests took more than 5 minutes");
        assertEquals(0, p.exitValue(), () -> "the page tests in src/test/web failed:\n" + failures(tap));
    }

    /** Each "not ok" of node's TAP output with its error, values and the line of the page test that failed. */
    static String failures(String tap) {
        StringBuilder failed = new StringBuilder();
        boolean inFailure = false;
        boolean inStack = false;
        boolean frameKept = false;
        for (String line : tap.split("\n")) {
            String text = line.trim();
            if (text.startsWith("not ok ")) {
                inFailure = true;
                inStack = false;
            } else if (!inFailure || text.startsWith("duration_ms")) {
                continue;
            } else if (text.equals("...")) {
                inFailure = false;
                failed.append('\n');
                continue;
            } else if (inStack) {
                if (frameKept) {
                    continue;
                }
                frameKept = true; // the stack's first line: where in page.test.mjs it failed
            } else if (text.startsWith("stack:")) {
                inStack = true;
                frameKept = false;
            }
            failed.append(line).append('\n');
        }
        return failed.length() == 0 ? "(no \"not ok\" in their output, above)" : failed.toString();
    }

    private static boolean onPath(String command) {
        return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, command)));
    }
}
