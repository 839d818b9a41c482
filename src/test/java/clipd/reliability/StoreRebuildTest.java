package clipd.reliability;

import clipd.cli.CliRunner;
import clipd.identify.ContentHasher;
import clipd.store.PhotoStore;
import clipd.testing.ExifPhotos;
import clipd.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code clipd serve}'s store damaged under it while it runs, then again while it is stopped: each time the daemon
 * says so in one line, moves the file aside (one old copy at most), keeps what is readable, indexes the rest from
 * the photos, and {@code /api/status} and {@code clipd status} show the rebuild while it runs and what it did after.
 */
class StoreRebuildTest {
    private static final int PHOTOS = 30;
    private static final int BLOCK = 4096;

    @TempDir
    Path tmp;
    private Path data;
    private Map<String, String> env;

    @Test
    void aStoreDamagedWhileRunningOrStoppedIsRebuiltAndShownUntilDone() throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        for (int i = 0; i < PHOTOS; i++) {
            Files.write(photos.resolve(String.format("IMG_%03d.jpg", i)), ExifPhotos.jpeg(i + 1, 480, 360));
        }
        data = tmp.resolve("data");
        env = Map.of("XDG_CONFIG_HOME", tmp.resolve("no-config").toString());
        Path store = data.resolve("index-tiny-test.db");

        String log = "first.log";
        Process serve = serve(photos, log);
        try {
            awaitIdle(serve, PHOTOS);
            assertEquals(PHOTOS, status().path("embedded").asLong());
            damage(store);
            assertEquals(0, clipd("reindex").code()); // the reconcile reads every record and meets the damage
            long start = System.nanoTime();
            String seen = watchRebuild(serve, tmp.resolve(log));
            System.out.println("store damaged while running: " + seen + " (" + (System.nanoTime() - start) / 1_000_000 + " ms)");
        } finally {
            stop(serve);
        }
        String first = Files.readString(tmp.resolve("first.log"));
        assertEquals(1, lines(first, "rebuilding: damaged"), first);
        assertEquals(1, lines(first, "rebuilt: damaged"), "and when it is done: " + first);
        assertFalse(first.contains("checksumHeaderBypass") || first.contains("\tat "), first);
        checkStore(store, photos);
        assertTrue(movedAside() >= 1);

        damage(store);
        log = "second.log";
        serve = serve(photos, log);
        try {
            long start = System.nanoTime();
            String seen = watchRebuild(serve, tmp.resolve(log));
            System.out.println("store damaged while stopped: " + seen + " (" + (System.nanoTime() - start) / 1_000_000 + " ms)");
        } finally {
            stop(serve);
        }
        String second = Files.readString(tmp.resolve("second.log"));
        assertEquals(1, lines(second, "rebuilding: damaged"), second);
        checkStore(store, photos);
        assertTrue(movedAside() <= 2, "one old copy at most (its file and its log)");
    }

    /**
     * Waits for the end of a rebuild, asking {@code /api/status} (through {@code clipd status --json}) and
     * {@code clipd status} meanwhile; says how many answers showed it under way.
     */
    private String watchRebuild(Process serve, Path log) throws Exception {
        int json = 0;
        int text = 0;
        // opening and salvaging are each given up after 60 s, should the damage make a tree loop
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        JsonNode s;
        while (true) {
            if (!serve.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the rebuild ends: " + status() + "\n" + Files.readString(log));
            }
            s = status();
            if (s.path("index_rebuilding").asBoolean()) {
                json++;
                assertTrue(s.path("index_repair").asText().startsWith("rebuilding: damaged ("), s.toString());
                CliRunner.Run plain = clipd("status");
                if (plain.out().contains("\nindex: rebuilding: damaged (")) {
                    text++;
                }
            } else if (s.path("index_repair").asText().startsWith("rebuilt: ") && s.path("state").asText().equals("idle")) {
                break;
            }
            Thread.sleep(20);
        }
        assertTrue(json > 0 && text > 0, "the status showed the rebuild while it ran: " + json + " + " + text);
        assertEquals(PHOTOS, s.path("photos").asLong(), s.toString());
        assertTrue(s.path("last_error").isNull(), s.toString());
        String done = clipd("status").out();
        assertTrue(done.contains("\nindex: rebuilt: damaged (") && done.contains("the rest was indexed again"), done);
        return json + " /api/status and " + text + " clipd status answers showed it under way; then: "
                + s.path("index_repair").asText();
    }

    /** Zeroes the middle third of the blocks that hold data: records, embeddings and tree nodes. */
    private static void damage(Path store) throws Exception {
        byte[] bytes = Files.readAllBytes(store);
        List<Integer> used = new java.util.ArrayList<>();
        for (int block = 0; block * BLOCK < bytes.length; block++) {
            for (int i = block * BLOCK; i < Math.min(bytes.length, (block + 1) * BLOCK); i++) {
                if (bytes[i] != 0) {
                    used.add(block);
                    break;
                }
            }
        }
        try (RandomAccessFile f = new RandomAccessFile(store.toFile(), "rw")) {
            for (int block : used.subList(used.size() / 3, 2 * used.size() / 3)) {
                f.seek((long) block * BLOCK);
                f.write(new byte[BLOCK]);
            }
        }
    }

    /** Every photo on disk has a record whose hash is the file's and a unit-length embedding. */
    private static void checkStore(Path file, Path photos) throws Exception {
        try (PhotoStore store = PhotoStore.open(file)) {
            assertEquals(null, store.repair(), "a sound store");
            assertEquals(PHOTOS, store.recordCount());
            try (Stream<Path> files = Files.list(photos)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    String hash = store.record(p.toString()).orElseThrow(() -> new AssertionError(p)).hash();
                    assertEquals(ContentHasher.hash(Files.readAllBytes(p)), hash, p.toString());
                    float[] v = store.vector(hash);
                    double norm = 0;
                    for (float x : v) {
                        norm += x * x;
                    }
                    assertEquals(1, norm, 1e-3, p.toString());
                }
            }
        }
    }

    private long movedAside() throws Exception {
        try (Stream<Path> files = Files.list(data)) {
            return files.filter(p -> p.getFileName().toString().contains(".moved-")).count();
        }
    }

    private static long lines(String log, String containing) {
        return log.lines().filter(l -> l.contains(containing)).count();
    }

    private Process serve(Path folder, String log) throws Exception {
        List<String> command = List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "clipd.cli.Main", "serve", "--folder", folder.toString(), "--data-dir", data.toString(),
                "--model-dir", Fixtures.TINY_MODEL.toString(), "--settle-seconds", "1", "--port", "0",
                "--threads", "1", "--batch-size", "4", "--tags", "off");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve(log).toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    private void awaitIdle(Process serve, int photos) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            assertTrue(serve.isAlive() && System.nanoTime() < deadline, "indexes the photos");
            JsonNode s = status();
            if (s.path("state").asText().equals("idle") && s.path("photos").asLong() == photos) {
                return;
            }
            Thread.sleep(100);
        }
    }

    private JsonNode status() throws Exception {
        CliRunner.Run run = clipd("status", "--json");
        return new ObjectMapper().readTree(run.out().isBlank() ? "{}" : run.out());
    }

    private CliRunner.Run clipd(String... command) {
        List<String> args = new java.util.ArrayList<>(List.of(command));
        args.addAll(List.of("--data-dir", data.toString()));
        return CliRunner.run(env, tmp, args.toArray(String[]::new));
    }

    private static void stop(Process serve) throws Exception {
        serve.destroy();
        assertTrue(serve.waitFor(30, TimeUnit.SECONDS));
    }
}
