package clipd.cli;

import clipd.embed.ModelDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * models/fetch against a local copy of the model repository, as file:// URLs and served over HTTP on loopback
 * (python3 -m http.server, with the Git LFS headers Hugging Face sends), and against an address nothing answers on.
 */
class FetchScriptTest {
    private static final String MODEL = "ViT-B-32-256-datacomp_s34b_b86k";

    @TempDir
    Path tmp;

    private Path remote;
    private byte[] visual;
    private Process server;

    record Run(int code, String out, String err) {
    }

    @BeforeEach
    void repository() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "needs curl");
        remote = tmp.resolve("remote");
        visual = new byte[300_000];
        new Random(3).nextBytes(visual);
        Files.createDirectories(remote.resolve(MODEL));
        Files.createDirectories(remote.resolve("tokenizer"));
        Files.write(remote.resolve(MODEL + "/visual.onnx"), visual);
        Files.writeString(remote.resolve(MODEL + "/textual.onnx"), "text encoder");
        Files.writeString(remote.resolve("tokenizer/bpe_simple_vocab_16e6.txt.gz"), "vocab");
        Files.writeString(remote.resolve("LICENSE"), "MIT");
        Files.writeString(remote.resolve("NOTICE"), "the CLIP vocabulary is (c) OpenAI");
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.destroyForcibly();
        }
    }

    private Run fetch(String url, Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "models/fetch");
        pb.command().addAll(List.of(args));
        pb.environment().keySet().removeIf(k -> k.startsWith("CLIPD_") || k.startsWith("XDG_"));
        pb.environment().put("HOME", tmp.resolve("home").toString());
        pb.environment().put("CLIPD_MODEL_URL", url);
        pb.environment().putAll(env);
        pb.redirectOutput(tmp.resolve("out").toFile()).redirectError(tmp.resolve("err").toFile());
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("models/fetch hung");
        }
        return new Run(p.exitValue(), Files.readString(tmp.resolve("out")), Files.readString(tmp.resolve("err")));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The repository over HTTP, each file with its sha256 and size as X-Linked-Etag and X-Linked-Size. */
    private String serve() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs python3");
        Path script = tmp.resolve("lfs_server.py");
        Files.writeString(script, """
                import hashlib, http.server, os, sys
                class Handler(http.server.SimpleHTTPRequestHandler):
                    def end_headers(self):
                        path = self.translate_path(self.path)
                        if os.path.isfile(path):
                            with open(path, 'rb') as f:
                                self.send_header('X-Linked-Etag', '"%s"' % hashlib.sha256(f.read()).hexdigest())
                            self.send_header('X-Linked-Size', str(os.path.getsize(path)))
                        super().end_headers()
                    def log_message(self, *args):
                        pass
                http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])),
                    lambda *a: Handler(*a, directory=sys.argv[2])).serve_forever()
                """);
        int port = freePort();
        server = new ProcessBuilder("/usr/bin/python3", script.toString(), String.valueOf(port), remote.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("server.log").toFile()).start();
        for (int i = 0; i < 100; i++) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return "http://127.0.0.1:" + port;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the test server did not start");
    }

    @Test
    void downloadsResumesAndWritesTheManifest() throws Exception {
        Path target = tmp.resolve("model");
        Files.createDirectories(target);
        Files.write(target.resolve("visual.onnx.part"), java.util.Arrays.copyOf(visual, 1000));

        Run r = fetch(remote.toUri().toString(), Map.of(), target.toString());
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(visual, Files.readAllBytes(target.resolve("visual.onnx")), "resumed from the .part file");
        assertFalse(Files.exists(target.resolve("visual.onnx.part")));
        assertEquals("vocab", Files.readString(target.resolve("bpe_simple_vocab_16e6.txt.gz")));
        assertEquals("the CLIP vocabulary is (c) OpenAI", Files.readString(target.resolve("NOTICE")));
        assertFalse(Files.exists(target.resolve("README.md")), "the repository has none: skipped, not an error");
        List<String> manifest = Files.readAllLines(target.resolve("MANIFEST.sha256"));
        assertEquals(sha256(visual) + "  300000  visual.onnx", manifest.get(0));
        assertEquals(5, manifest.size());
        ModelDescriptor d = ModelDescriptor.load(target);
        assertEquals(MODEL, d.name());
        assertEquals(target.resolve("visual.onnx"), d.visualFile());
    }

    @Test
    void aFileThatDoesNotMatchTheRepositorysSizeOrSha256IsFetchedAgain() throws Exception {
        String url = serve();
        Path target = tmp.resolve("model");
        assertEquals(0, fetch(url, Map.of(), target.toString()).code());

        Files.write(target.resolve("visual.onnx"), java.util.Arrays.copyOf(visual, 123_456)); // truncated
        byte[] flipped = visual.clone();
        flipped[77] ^= 1;
        Files.write(tmp.resolve("flipped"), flipped);
        Files.writeString(target.resolve("textual.onnx"), "text encodeR"); // same size, other bytes

        Run again = fetch(url, Map.of(), target.toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("visual.onnx does not match the repository (size 123456, expected 300000)"),
                again.out());
        assertTrue(again.out().contains("textual.onnx does not match the repository"), again.out());
        assertTrue(again.out().contains("have LICENSE (sha256 matches the repository)"), again.out());
        assertArrayEquals(visual, Files.readAllBytes(target.resolve("visual.onnx")));
        assertEquals("text encoder", Files.readString(target.resolve("textual.onnx")));
        assertTrue(Files.readString(target.resolve("MANIFEST.sha256")).contains(sha256(visual) + "  300000  "));
    }

    @Test
    void offlineItSaysWhichHostCouldNotBeReachedAndLeavesNoEmptyFolder() throws Exception {
        int port = freePort(); // closed again: nothing answers there
        Path target = tmp.resolve("new/models/model");
        Run r = fetch("http://127.0.0.1:" + port + "/rclip-models", Map.of(), target.toString());
        assertEquals(1, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("models/fetch: cannot reach 127.0.0.1:" + port + " ("), r.err());
        assertTrue(r.err().contains("CLIPD_MODEL_URL="), r.err());
        assertFalse(Files.exists(tmp.resolve("new")), "the folders it made are gone again");
    }

    @Test
    void aMissingRemoteFileFailsWithoutLeavingACompleteLookingFile() throws Exception {
        Path target = tmp.resolve("model");
        Run r = fetch(tmp.resolve("empty").toUri().toString(), Map.of(), target.toString());
        assertEquals(1, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(Files.exists(target));
    }

    @Test
    void itFetchesIntoTheModelDirectoryClipdReads() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path config = tmp.resolve("elsewhere/clipd.properties");
        Files.createDirectories(config.getParent());
        Files.writeString(config, "data_dir = ~/photo-index\n");
        Map<String, String> env = new HashMap<>(Map.of("HOME", home.toString(), "CLIPD_CONFIG", config.toString()));

        Run r = fetch(remote.toUri().toString(), env);
        assertEquals(0, r.code(), r.err());
        Path expected = home.resolve("photo-index/models/" + MODEL);
        assertTrue(Files.exists(expected.resolve("visual.onnx")), r.out());
        assertEquals(expected, Settings.from(Args.parse(List.of(), Options.INDEX.spec()), env).modelDir());
        assertEquals(expected, ModelDescriptor.load(expected).visualFile().getParent());

        env.put("CLIPD_DATA_DIR", tmp.resolve("other").toString());
        Files.writeString(config, "model_dir = ~/models/clip\n", StandardCharsets.UTF_8);
        assertEquals(0, fetch(remote.toUri().toString(), env).code());
        assertTrue(Files.exists(home.resolve("models/clip/visual.onnx")), "config model_dir beats CLIPD_DATA_DIR");
        assertEquals(home.resolve("models/clip"),
                Settings.from(Args.parse(List.of(), Options.INDEX.spec()), env).modelDir());
    }
}
