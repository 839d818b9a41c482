package clipd.reliability;

import clipd.identify.ContentHasher;
import clipd.store.PhotoStore;
import clipd.tags.XmpKeywords;
import clipd.testing.ExifPhotos;
import clipd.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code clipd serve} killed with SIGKILL at random moments, again and again — while starting, indexing, and writing
 * tags into the JPEGs themselves — then started again. After every kill the store opens, holds no photo that is not
 * on disk, every photo's image data is what it was, and no temporary file is left; in the end the index is exactly
 * the photos on disk, each embedded once and tagged.
 */
class CrashLoopTest {
    static final int CYCLES = Integer.getInteger("clipd.crash.cycles", 20);
    private static final int PHOTOS = 60;

    @TempDir
    Path tmp;
    /** Kills that interrupted a tag write, told by the temporary file they left. */
    private int killsMidWrite;
    /** Records checked after kills whose size and time say "unchanged": the ones no scan would read again. */
    private long checkedUnchanged;

    @Test
    void killNineTwentyTimesLosesNothingAndConverges() throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        for (int i = 0; i < PHOTOS; i++) {
            Files.write(photos.resolve(String.format("IMG_%03d.jpg", i)), ExifPhotos.jpeg(i + 1, 640, 480));
        }
        Map<String, byte[]> originals = new TreeMap<>();
        for (Path p : list(photos)) {
            originals.put(p.toString(), Files.readAllBytes(p));
        }
        Path data = tmp.resolve("data");
        Path config = tmp.resolve("config.properties");
        Random random = new Random(20261124);
        List<Long> killedAfter = new ArrayList<>();
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            // one tag more or less each time: every start rewrites the tags of all photos, so there are writes to kill
            Files.writeString(config, "tags = embed\ntags_min_probability = 0\ntags_max = " + (1 + cycle % 2) + "\n");
            List<Path> leftBefore = temporaryFiles(photos);
            Process serve = serve(photos, data, config, "cycle-" + cycle + ".log");
            long start = System.nanoTime();
            if (cycle % 2 == 0) {
                Thread.sleep(300 + random.nextInt(2700));
            } else { // at the first sight of a new tag write in progress
                while (leftBefore.containsAll(temporaryFiles(photos)) && System.nanoTime() - start < 8_000_000_000L) {
                    Thread.onSpinWait();
                }
            }
            long delay = (System.nanoTime() - start) / 1_000_000;
            serve.destroyForcibly();
            assertTrue(serve.waitFor(10, TimeUnit.SECONDS));
            killedAfter.add(delay);
            if (!leftBefore.containsAll(temporaryFiles(photos))) {
                killsMidWrite++;
            }
            checkAfterKill(photos, data, originals, "after kill " + (cycle + 1) + " at " + delay + " ms");
        }

        Files.writeString(config, "tags = embed\ntags_min_probability = 0\ntags_max = 2\n");
        Process last = serve(photos, data, config, "last.log");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!(status(data, "state").equals("\"idle\"") && status(data, "tagged").equals(String.valueOf(PHOTOS))
                    && status(data, "pid").equals(String.valueOf(last.pid())))) {
                assertTrue(last.isAlive() && System.nanoTime() < deadline, "converges after " + CYCLES + " kills: "
                        + (Files.exists(data.resolve("status.json")) ? Files.readString(data.resolve("status.json")) : ""));
                Thread.sleep(200);
            }
        } finally {
            last.destroy();
            assertTrue(last.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(0, last.exitValue());
        checkAfterKill(photos, data, originals, "at the end");
        try (PhotoStore store = PhotoStore.open(data.resolve("index-tiny-test.db"))) {
            assertEquals(PHOTOS, store.recordCount(), "exactly the photos on disk");
            assertEquals(PHOTOS, store.vectorCount(), "each content embedded once, no orphans");
        }
        for (Path p : list(photos)) {
            assertEquals(2, XmpKeywords.parse(clipd.tags.XmpFilesAccess.embeddedPacket(p)).own().size(),
                    "tagged: " + p);
        }
        System.out.println("crash loop: " + CYCLES + " kill -9 cycles survived (" + killsMidWrite
                + " in the middle of writing tags into a JPEG), killed after " + killedAfter + " ms; "
                + checkedUnchanged + " records trusted as unchanged had the file's hash");
    }

    private void checkAfterKill(Path photos, Path data, Map<String, byte[]> originals, String when) throws Exception {
        Set<String> onDisk = new HashSet<>();
        for (Path p : list(photos)) {
            onDisk.add(p.toString());
            byte[] now = Files.readAllBytes(p);
            byte[] before = originals.get(p.toString());
            assertEquals(ContentHasher.hash(before), ContentHasher.hash(now), when + ": image data of " + p);
            assertTrue(clipd.tags.XmpFilesAccess.sameButXmp(before, now), when + ": everything but XMP of " + p);
        }
        assertEquals(originals.keySet(), onDisk, when + ": no file added or lost");
        List<Path> temps = temporaryFiles(photos);
        // a kill can interrupt one write (and a kill during start-up can come before the last one's was removed)
        assertTrue(temps.size() <= (when.equals("at the end") ? 0 : 2), when + ": temporary files " + temps);
        Path store = data.resolve("index-tiny-test.db");
        if (Files.exists(store)) {
            try (PhotoStore s = PhotoStore.open(store)) {
                // a kill while the store file is first created leaves it empty, with nothing in it to lose
                assertTrue(s.repair() == null || s.repair().equals(PhotoStore.EMPTY_FILE),
                        when + ": the store needed no repair: " + s.repair());
                s.forEachRecord("", (path, r) -> {
                    assertTrue(onDisk.contains(path), when + ": ghost " + path);
                    assertTrue(s.vector(r.hash()) != null, when + ": findable " + path);
                    try {
                        byte[] bytes = Files.readAllBytes(Path.of(path));
                        assertEquals(ContentHasher.hash(bytes, r.facts() == null ? 1 : r.facts().orientation()),
                                r.hash(), when + ": the stored hash is the file's " + path);
                        if (r.sameFileState(bytes.length, Files.getLastModifiedTime(Path.of(path)).toMillis())) {
                            checkedUnchanged++;
                        }
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                assertTrue(s.recordCount() <= PHOTOS, when);
            }
        }
    }

    private static List<Path> temporaryFiles(Path folder) {
        try (Stream<Path> all = Files.list(folder)) {
            return all.filter(p -> p.getFileName().toString().startsWith(".clipd-tmp-")).toList();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    private Process serve(Path folder, Path data, Path config, String log) throws Exception {
        List<String> command = List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), "clipd.cli.Main", "serve", "--config", config.toString(),
                "--folder", folder.toString(), "--data-dir", data.toString(), "--model-dir",
                Fixtures.TINY_MODEL.toString(), "--settle-seconds", "1", "--port", "0", "--batch-size", "4");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve(log).toFile()).start();
    }

    private static String status(Path data, String key) throws Exception {
        Path file = data.resolve("status.json");
        Matcher m = Pattern.compile("\"" + key + "\": (\"?\\w+\"?)").matcher(Files.exists(file) ? Files.readString(file) : "");
        return m.find() ? m.group(1) : "";
    }

    private static List<Path> list(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jpg")).sorted().toList();
        }
    }
}
