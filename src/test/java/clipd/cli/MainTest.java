package clipd.cli;

import clipd.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line end to end, with the tiny model and the shared photos (read-only). */
class MainTest {
    @TempDir
    Path data;

    record Run(int code, String out, String err) {
        List<String> lines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }
    }

    private Run run(Map<String, String> environment, String... args) {
        Map<String, String> env = new HashMap<>(environment);
        env.putIfAbsent("XDG_CONFIG_HOME", testConfigHome()); // not the developer's config, nor their daemon
        env.putIfAbsent("CLIPD_TAGS", "off"); // the shared photos are read, never written
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Cli cli = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                env, Fixtures.SHARED_PHOTOS, false);
        int code = Main.run(List.of(args), cli);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A config whose port nothing listens on, so search and status never reach a daemon running here. */
    private String testConfigHome() {
        Path home = data.resolve("config-home");
        try {
            java.nio.file.Files.createDirectories(home.resolve("clipd"));
            int port;
            try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
                port = free.getLocalPort();
            }
            java.nio.file.Files.writeString(home.resolve("clipd/config.properties"), "port = " + port + "\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return home.toString();
    }

    private Run run(String... args) {
        Map<String, String> env = new HashMap<>();
        env.put("CLIPD_DATA_DIR", data.toString());
        env.put("CLIPD_MODEL_DIR", Fixtures.TINY_MODEL.toString());
        return run(env, args);
    }

    @Test
    void tokenizePrintsTheIdsUpToTheEndToken() {
        Run r = run("tokenize", "a photo of a cat");
        assertEquals(0, r.code(), r.err());
        assertEquals("49406 320 1125 539 320 2368 49407\n", r.out());
    }

    @Test
    void aMissingModelIsOneLineWithTheFetchCommandAndExitCode2() {
        Path nowhere = data.resolve("no-model");
        Map<String, String> env = Map.of("CLIPD_DATA_DIR", data.toString(), "CLIPD_MODEL_DIR", nowhere.toString());
        for (String[] args : new String[][] {{"search", "cat"}, {"index", "images"}, {"tokenize", "cat"}}) {
            Run r = run(env, args);
            assertEquals(2, r.code());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().contains("models/fetch \"" + nowhere + "\""), r.err());
            assertFalse(r.err().contains("Exception"), r.err());
        }
    }

    @Test
    void aBrokenModelFileIsAlsoOneLineAndExitCode2() throws Exception {
        Path model = Fixtures.tinyModelWithBrokenVisualEncoder(data.resolve("broken-model"));
        Map<String, String> env = Map.of("CLIPD_DATA_DIR", data.toString(), "CLIPD_MODEL_DIR", model.toString());
        Run r = run(env, "index", "images");
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("visual.onnx is not a usable ONNX model"), r.err());
        assertEquals(0, run(env, "search", "cat").code(), "text search works without the visual encoder");
    }

    @Test
    void indexReportsSkippedFilesThenSearchRanksPhotos() {
        Run index = run("index", "images");
        assertEquals(0, index.code(), index.err());
        assertTrue(index.out().startsWith("22 photos"), index.out());
        assertTrue(index.out().contains("skipped 1 file: 1 not an image"), index.out());
        assertTrue(index.out().contains("not-an-image.txt"), index.out());

        Run text = run("search", "-t", "5", "a black cat");
        assertEquals(0, text.code(), text.err());
        assertEquals(5, text.lines().size());
        for (String line : text.lines()) {
            assertTrue(line.matches("-?\\d\\.\\d{3}\t\".+\""), line);
        }

        Run image = run("search", "--top", "3", "./images/bee.jpg");
        assertEquals(0, image.code(), image.err());
        assertTrue(image.lines().get(0).startsWith("1.000\t\""), image.out());
        assertTrue(image.lines().get(0).endsWith("images/bee.jpg\""), image.out());

        Run paths = run("search", "-f", "--top", "2", "./images/bee.jpg", "-", "0.5:./images/cat.jpg");
        assertEquals(0, paths.code(), paths.err());
        assertTrue(paths.lines().get(0).endsWith("images/bee.jpg"), paths.out());

        Run json = run("search", "--json", "--top", "2", "dog");
        assertEquals(0, json.code(), json.err());
        assertTrue(json.out().trim().startsWith("[") && json.out().trim().endsWith("]"), json.out());
        assertEquals(2, json.out().split("\"score\"").length - 1);
    }

    @Test
    void theWholeSharedFolderIndexesWithCopiesSharingEmbeddings() {
        // 38 image files with 23 distinct contents, and bee.heic when heif-convert is installed (CI installs it);
        // LICENSE-rclip.txt, not-an-image.txt and images raw/README.md are not images; empty_directory/.keep is hidden.
        boolean heif = clipd.image.ImageDecoder.supportedExtensions().contains("heic");
        Run r = run("index", ".");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith((heif ? 39 : 38) + " photos"), r.out());
        assertTrue(r.out().contains((heif ? 24 : 23) + " embedded, 15 reused"), r.out());
        if (heif) {
            assertTrue(r.out().contains("skipped 3 files: 3 not an image"), r.out());
        } else {
            assertTrue(r.out().contains("skipped 4 files: 3 not an image, 1 format without a decoder"), r.out());
            assertTrue(r.out().contains("bee.heic\": format without a decoder (no decoder for HEIC)"), r.out());
        }
        Run again = run("index", ".");
        assertTrue(again.out().contains("0 embedded, 0 reused (moved, copied or retagged), " + (heif ? 39 : 38)
                + " unchanged"), again.out());
        Run unicode = run("search", "-f", "-t", "1", "./images unicode/鳥鳥.png");
        assertTrue(unicode.out().trim().endsWith("鳥鳥.png"), unicode.out());
    }

    @Test
    void searchWithAFolderIndexesItAndStaysInsideIt() {
        Run r = run("search", "--folder", "images nested directories", "-t", "50", "-f", "cake");
        assertEquals(0, r.code(), r.err());
        assertFalse(r.lines().isEmpty());
        for (String line : r.lines()) {
            assertTrue(line.contains("images nested directories/"), line);
        }
        Run all = run("search", "-n", "-t", "50", "-f", "cake");
        assertEquals(r.lines().size(), all.lines().size(), "only that folder is in the index");
    }

    @Test
    void badUsageIsExitCode2() {
        assertEquals(2, run("search", "--bogus", "cat").code());
        assertEquals(2, run("search", "cat", "+").code());
        assertEquals(2, run("search", "--top", "zero", "cat").code());
        assertEquals(2, run("frobnicate").code());
        assertEquals(2, run("index").code());
        Run missing = run("search", "./no/such/image.jpg");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("cannot read the query image"), missing.err());
    }

    @Test
    void anEmptyIndexSaysSo() {
        Run r = run("search", "cat");
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.out());
        assertTrue(r.err().contains("no indexed photos"), r.err());
    }

    @Test
    void theConfigFileSuppliesSettingsAndFlagsOverrideIt() throws Exception {
        Path config = data.resolve("config.properties");
        java.nio.file.Files.writeString(config, "model_dir = " + Fixtures.TINY_MODEL + "\ndata_dir = " + data.resolve("from-config")
                + "\nbatch_size = 2\n");
        Map<String, String> env = Map.of("CLIPD_CONFIG", config.toString());
        assertEquals(0, run(env, "index", "images").code());
        assertTrue(java.nio.file.Files.exists(data.resolve("from-config/index-tiny-test.db")));
        assertEquals(0, run(env, "index", "--data-dir", data.resolve("from-flag").toString(), "images").code());
        assertTrue(java.nio.file.Files.exists(data.resolve("from-flag/index-tiny-test.db")));

        java.nio.file.Files.writeString(config, "bach_size = 2\n");
        Run typo = run(env, "index", "images");
        assertEquals(2, typo.code());
        assertTrue(typo.err().contains("unknown key 'bach_size'"), typo.err());
        java.nio.file.Files.writeString(config, "threads = many\n");
        assertTrue(run(env, "index", "images").err().contains(config + " line 1: threads must be a whole number"));
        Run missing = run(Map.of("CLIPD_CONFIG", data.resolve("nope.properties").toString()), "index", "images");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("does not exist"), missing.err());
    }

    @Test
    void serveNeedsFolders() {
        Run r = run("serve");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("name the folders to watch"), r.err());
    }

    @Test
    void statusSaysWhenNoDaemonRuns() {
        Run r = run("status");
        assertEquals(3, r.code());
        assertTrue(r.out().startsWith("clipd is not running"), r.out());
    }

    @Test
    void helpAndVersion() {
        assertEquals(0, run("--help").code());
        assertTrue(run("search", "--help").out().contains("--filepath-only"));
        assertTrue(run("--version").out().startsWith("clipd "));
    }
}
