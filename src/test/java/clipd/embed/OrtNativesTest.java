package clipd.embed;

import clipd.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ONNX Runtime's libraries come from clipd's cache, so no run (not even a killed one) leaves 24 MB in /tmp. */
class OrtNativesTest {
    @TempDir
    Path dir;

    private Process embed(Path tmp, Path cache) throws Exception {
        ProcessBuilder b = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"), "clipd.cli.Main", "embed",
                "--model-dir", Fixtures.TINY_MODEL.toString(), "--text", "a cat")
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile());
        b.environment().put("XDG_CACHE_HOME", cache.toString());
        return b.start();
    }

    private static List<Path> list(Path folder) throws Exception {
        try (Stream<Path> s = Files.walk(folder)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void librariesAreUnpackedOnceIntoTheCacheAndNothingIsLeftInTmp() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path cache = Files.createDirectories(dir.resolve("cache"));
        Process first = embed(tmp, cache);
        assertTrue(first.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, first.exitValue(), Files.readString(dir.resolve("out.txt")));
        List<Path> unpacked = list(cache.resolve("clipd/onnxruntime"));
        assertTrue(unpacked.stream().anyMatch(p -> p.getFileName().toString().contains("onnxruntime4j_jni")),
                unpacked.toString());
        long modified = Files.getLastModifiedTime(unpacked.get(0)).toMillis();

        Process killed = embed(tmp, cache);
        Thread.sleep(1500); // started, the libraries loaded or loading
        killed.destroyForcibly().waitFor();
        Process again = embed(tmp, cache);
        assertTrue(again.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, again.exitValue());
        assertEquals(unpacked, list(cache.resolve("clipd/onnxruntime")), "the same files, none added");
        assertEquals(modified, Files.getLastModifiedTime(unpacked.get(0)).toMillis(), "not written again");
        assertEquals(List.of(), list(tmp), "nothing of ONNX Runtime's left in java.io.tmpdir");
    }
}
