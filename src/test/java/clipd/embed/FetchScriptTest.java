package clipd.embed;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** models/fetch against a local copy of the model repository (file:// URLs), since the real host is out of reach. */
class FetchScriptTest {
    private static final String MODEL = "ViT-B-32-256-datacomp_s34b_b86k";

    @TempDir
    Path tmp;

    private int fetch(Path remote, Path target) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "models/fetch", target.toString()).redirectErrorStream(true);
        pb.environment().put("CLIPD_MODEL_URL", remote.toUri().toString());
        Process p = pb.start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("models/fetch hung");
        }
        return p.exitValue();
    }

    @Test
    void downloadsResumesAndWritesTheManifest() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "needs curl");
        Path remote = tmp.resolve("remote");
        byte[] visual = new byte[300_000];
        new Random(3).nextBytes(visual);
        Files.createDirectories(remote.resolve(MODEL));
        Files.createDirectories(remote.resolve("tokenizer"));
        Files.write(remote.resolve(MODEL + "/visual.onnx"), visual);
        Files.writeString(remote.resolve(MODEL + "/textual.onnx"), "text encoder");
        Files.writeString(remote.resolve("tokenizer/bpe_simple_vocab_16e6.txt.gz"), "vocab");
        Files.writeString(remote.resolve("LICENSE"), "MIT");
        Path target = tmp.resolve("model");
        Files.createDirectories(target);
        Files.write(target.resolve("visual.onnx.part"), java.util.Arrays.copyOf(visual, 1000));

        assertEquals(0, fetch(remote, target));
        assertArrayEquals(visual, Files.readAllBytes(target.resolve("visual.onnx")), "resumed from the .part file");
        assertFalse(Files.exists(target.resolve("visual.onnx.part")));
        assertEquals("vocab", Files.readString(target.resolve("bpe_simple_vocab_16e6.txt.gz")));
        List<String> manifest = Files.readAllLines(target.resolve("MANIFEST.sha256"));
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(visual));
        assertEquals(sha + "  300000  visual.onnx", manifest.get(0));
        assertEquals(4, manifest.size());
        ModelDescriptor d = ModelDescriptor.load(target);
        assertEquals(MODEL, d.name());
        assertEquals(target.resolve("visual.onnx"), d.visualFile());
    }

    @Test
    void aMissingRemoteFileFailsWithoutLeavingACompleteLookingFile() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "needs curl");
        Path target = tmp.resolve("model");
        assertNotEquals(0, fetch(tmp.resolve("empty"), target));
        assertFalse(Files.exists(target.resolve("visual.onnx")));
    }
}
