package clipd.reliability;

import clipd.store.PhotoStore;
import clipd.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A decode worker that dies of a real {@link Error}, not an exception: {@code clipd index} runs in its own JVM on
 * clipd's classes with one class the JPEG decoder needs taken away, as when the installed jar is replaced or cut
 * short under a running clipd. Every JPEG's worker then meets a {@code NoClassDefFoundError}; the run still ends
 * (before workers caught {@code Throwable}, the outcome was never posted and the run waited forever), with an
 * outcome for every file: the PNG embedded, each JPEG skipped and counted as clipd's own failure.
 */
class WorkerErrorTest {
    @TempDir
    Path tmp;

    @Test
    void aWorkerDyingOfAnErrorStillGivesEveryFileAnOutcome() throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        List<String> jpegs = new ArrayList<>();
        try (Stream<Path> shared = Files.list(Fixtures.SHARED_IMAGES)) {
            for (Path p : (Iterable<Path>) shared::iterator) {
                String name = p.getFileName().toString();
                if (name.endsWith(".jpg")) {
                    jpegs.add(name);
                }
                if (name.endsWith(".jpg") || name.endsWith(".png")) {
                    Files.copy(p, photos.resolve(name));
                }
            }
        }
        long pngs;
        try (Stream<Path> all = Files.list(photos)) {
            pngs = all.filter(p -> p.toString().endsWith(".png")).count();
        }
        assertTrue(jpegs.size() >= 4 && pngs >= 1, jpegs + ", " + pngs + " PNG");

        Path classes = Fixtures.copyTree(Path.of("target/classes"), tmp.resolve("classes"));
        Files.delete(classes.resolve("clipd/image/JpegScans.class")); // ImageDecoder needs it for every JPEG
        List<String> classPath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            classPath.add(Path.of(entry).toAbsolutePath().equals(Path.of("target/classes").toAbsolutePath())
                    ? classes.toString() : entry);
        }
        assertTrue(classPath.contains(classes.toString()), "clipd's classes are on the class path");
        Path data = tmp.resolve("data");
        Process index = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-cp", String.join(File.pathSeparator, classPath), "clipd.cli.Main", "index", photos.toString(),
                "--data-dir", data.toString(), "--model-dir", Fixtures.TINY_MODEL.toString(), "--tags", "off",
                "--threads", "2", "--verbose").redirectErrorStream(true).start();
        byte[] output = index.getInputStream().readAllBytes();
        assertTrue(index.waitFor(60, TimeUnit.SECONDS), "no hang");
        String out = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, index.exitValue(), out);
        int files = jpegs.size() + (int) pngs;
        assertTrue(out.contains(files + " photos in ") && out.contains(": " + pngs + " embedded,"), out);
        assertTrue(out.contains("skipped " + jpegs.size() + " files: " + jpegs.size() + " clipd failed on it"), out);
        for (String jpeg : jpegs) {
            assertTrue(out.contains("skipped \"" + photos.resolve(jpeg) + "\": clipd failed on it (see the log) "
                    + "(java.lang.NoClassDefFoundError: clipd/image/JpegScans)"), jpeg + " has its reason: " + out);
        }
        assertFalse(out.contains("unexpected error"), out);
        try (PhotoStore store = PhotoStore.open(data.resolve("index-tiny-test.db"))) {
            assertEquals(pngs, store.recordCount(), "the JPEGs have no record: the next run tries them again");
        }
        System.out.println("worker error: " + files + " files, " + jpegs.size() + " NoClassDefFoundErrors in decode "
                + "workers, each counted; " + pngs + " embedded");
    }
}
