package clipd.cli;

import clipd.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmarks' mechanics on small inputs with the tiny model; their numbers are only meaningful on real ones. */
class BenchCommandTest {
    @TempDir
    Path tmp;

    private String run(String... args) {
        CliRunner.Run r = CliRunner.run(Map.of("CLIPD_MODEL_DIR", Fixtures.TINY_MODEL.toString(), "CLIPD_DATA_DIR",
                tmp.resolve("data").toString(), "XDG_CONFIG_HOME", tmp.resolve("cfg").toString()), tmp, args);
        assertEquals(0, r.code(), r.err());
        return r.out();
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "no match for " + regex + " in:\n" + text);
        return Double.parseDouble(m.group(1).replace(",", ""));
    }

    @Test
    void generatedPhotosAreReproducibleCameraJpegsThatIndexFullyIntoAFreshStore() throws Exception {
        run("bench", "photos", "a", "--count", "3", "--size", "640x480");
        run("bench", "photos", "b", "--count", "3", "--size", "640x480");
        try (Stream<Path> files = Files.list(tmp.resolve("a"))) {
            assertEquals(3, files.count());
        }
        assertArrayEquals(Files.readAllBytes(tmp.resolve("a/IMG_00002.jpg")),
                Files.readAllBytes(tmp.resolve("b/IMG_00002.jpg")));
        assertTrue(!java.util.Arrays.equals(Files.readAllBytes(tmp.resolve("a/IMG_00001.jpg")),
                Files.readAllBytes(tmp.resolve("a/IMG_00002.jpg"))));
        clipd.identify.PhotoFacts facts = clipd.identify.FactsReader.read(
                Files.readAllBytes(tmp.resolve("a/IMG_00002.jpg")), tmp.resolve("a/IMG_00002.jpg"), 0);
        assertEquals("clipd bench photos", facts.camera());
        assertEquals(640, facts.width());
        assertTrue(facts.hasGps() && facts.takenWallMillis() != null);

        String out = run("bench", "index", "a", "--batch-size", "2");
        assertTrue(out.startsWith("model tiny-test on cpu (asked: auto), "), out);
        assertEquals(3, number(out, "indexed (\\d+) photos"));
        assertEquals(0.3, number(out, "\\((\\S+) MP on average\\)"), 0.01);
        assertTrue(number(out, "([\\d.]+) images/s") > 0);
        assertTrue(number(out, "decode\\+preprocess ([\\d.]+) ms/photo") > 0);
        assertTrue(number(out, "CPU per photo: read [\\d.]+, hash [\\d.]+, metadata [\\d.]+, decode ([\\d.]+),") > 0);
        assertTrue(number(out, "resize\\+normalise [\\d.]+, inference ([\\d.]+) \\(model only\\)") > 0);
        assertTrue(number(out, "model only \\(ready tensors, batch 2\\): ([\\d.]+) images/s") > 0);
        assertTrue(number(out, "pipeline / model only: (\\d+)%") > 0);
        assertTrue(Files.notExists(tmp.resolve("data")), "the user's data dir is not touched");
    }

    @Test
    void benchIndexNamesTheProviderItRanOnAfterAFallback() {
        run("bench", "photos", "a", "--count", "1", "--size", "320x240");
        for (String asked : new String[] {"coreml", "cuda"}) {
            String out = run("bench", "index", "a", "--execution-provider", asked);
            assertTrue(out.startsWith("model tiny-test on cpu (asked: " + asked + "), "), out);
        }
        CliRunner.Run notRclip = CliRunner.run(Map.of("CLIPD_MODEL_DIR", Fixtures.TINY_MODEL.toString(),
                "XDG_CONFIG_HOME", tmp.resolve("cfg").toString()), tmp, "bench", "index", "a", "--compare-rclip", "a");
        assertEquals(1, notRclip.code());
        assertTrue(notRclip.err().contains(" is not an rclip checkout (no rclip/main.py)"), notRclip.err());
        CliRunner.Run bad = CliRunner.run(Map.of("CLIPD_MODEL_DIR", Fixtures.TINY_MODEL.toString(),
                "CLIPD_EXECUTION_PROVIDER", "gpu", "XDG_CONFIG_HOME", tmp.resolve("cfg").toString()), tmp,
                "bench", "index", "a");
        assertEquals(2, bad.code());
        assertEquals("clipd: CLIPD_EXECUTION_PROVIDER is 'gpu'; say auto, cpu, coreml or cuda (see clipd --help)\n", bad.err());
    }

    @Test
    void searchBenchmarkReportsLatencyAndBytesPerPhoto() {
        String out = run("bench", "search", "--vectors", "3000", "--runs", "20");
        assertTrue(out.startsWith("3,000 photos"), out);
        double p50 = number(out, "scan p50 ([\\d.]+) ms");
        assertTrue(p50 > 0 && p50 <= number(out, "scan p50 [\\d.]+ ms, p99 ([\\d.]+) ms"), out);
        assertTrue(number(out, "/api/search p50 ([\\d.]+) ms") > 0);
        double stored = number(out, "per photo: (\\d+) bytes in the store");
        assertTrue(stored >= 512 * 4, "a float32 embedding at least: " + out);
        assertTrue(number(out, "(\\d+) bytes of heap") >= 512 * 2, "a bfloat16 row at least: " + out);
    }

    @Test
    void idleBenchmarkMeasuresARealServeProcess() {
        String out = run("bench", "idle", "--files", "300", "--seconds", "2");
        assertTrue(out.startsWith("clipd serve watching 300 photos"), out);
        assertTrue(number(out, "CPU ([\\d.]+) s") >= 0);
        assertTrue(number(out, "RSS (\\d+) MB") > 10, out);
    }
}
