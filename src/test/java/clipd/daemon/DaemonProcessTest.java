package clipd.daemon;

import clipd.store.PhotoStore;
import clipd.testing.Fixtures;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** {@code clipd serve} as its own process: one per store, SIGTERM, and kill -9 in the middle of indexing. */
class DaemonProcessTest {
    private static final int PHOTOS = 150;

    @TempDir
    Path tmp;

    private int port;

    private final List<Process> started = new ArrayList<>();

    private Process serve(Path folder, Path data, String log) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"), "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"),
                "clipd.cli.Main", "serve", "--folder", folder.toString(), "--data-dir", data.toString(),
                "--model-dir", Fixtures.TINY_MODEL.toString(), "--settle-seconds", "1", "--threads", "1",
                "--port", String.valueOf(port),
                "--batch-size", "4"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve(log).toFile())
                .start();
        started.add(p);
        return p;
    }

    /** A failed assertion must not leave a daemon running after the test (it held a port and a store). */
    @AfterEach
    void stopDaemons() throws InterruptedException {
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static long status(Path data, String key) throws Exception {
        Path file = data.resolve("status.json");
        if (!Files.exists(file)) {
            return -1;
        }
        Matcher m = Pattern.compile("\"" + key + "\": (\\d+)").matcher(Files.readString(file));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static String state(Path data) throws Exception {
        Path file = data.resolve("status.json");
        Matcher m = Pattern.compile("\"state\": \"(\\w+)\"").matcher(Files.exists(file) ? Files.readString(file) : "");
        return m.find() ? m.group(1) : "";
    }

    private static void await(Predicate<Void> condition, String what, Process process) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.test(null)) {
            if (!process.isAlive()) {
                throw new AssertionError("the daemon exited (" + process.exitValue() + ") before " + what);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    private static void generatePhotos(Path folder, int count) throws Exception {
        Random random = new Random(5);
        BufferedImage image = new BufferedImage(1200, 900, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        for (int i = 0; i < count; i++) {
            g.setColor(new Color(random.nextInt(0xffffff)));
            g.fillRect(0, 0, 1200, 900);
            for (int k = 0; k < 40; k++) {
                g.setColor(new Color(random.nextInt(0xffffff)));
                g.fillOval(random.nextInt(1200), random.nextInt(900), 20 + random.nextInt(300), 20 + random.nextInt(300));
            }
            ImageIO.write(image, "jpg", folder.resolve(String.format("IMG_%04d.jpg", i)).toFile());
        }
        g.dispose();
    }

    /** The photos' checksums; clipd's tag sidecars beside them are checked by {@link #sidecarsAreWhole}. */
    private static TreeMap<String, String> checksums(Path folder) throws Exception {
        TreeMap<String, String> sums = new TreeMap<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path p : (Iterable<Path>) files.filter(f -> !f.toString().endsWith(".xmp"))::iterator) {
                sums.put(p.toString(), HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        }
        return sums;
    }

    /**
     * The clipd command, run like a person would: it finds the daemon, which listens on a port of the test's
     * choosing, through the data directory alone (no --port).
     */
    private String clipd(Path data, String log, int expectedExit, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), "clipd.cli.Main"));
        command.addAll(List.of(args));
        command.addAll(List.of("--data-dir", data.toString(), "--model-dir", Fixtures.TINY_MODEL.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("XDG_CONFIG_HOME", tmp.resolve("no-config").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(expectedExit, p.exitValue(), log + ": " + out);
        return out;
    }

    @Test
    void survivesKillNineMidIndexingAndConverges() throws Exception {
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        Path data = tmp.resolve("data");
        generatePhotos(photos, PHOTOS);
        TreeMap<String, String> before = checksums(photos);

        Process first = serve(photos, data, "first.log");
        await(v -> {
            try {
                return status(data, "embedded") >= 20;
            } catch (Exception e) {
                return false;
            }
        }, "the first embeddings", first);
        first.destroyForcibly(); // SIGKILL
        assertTrue(first.waitFor(10, TimeUnit.SECONDS));
        long indexedAtKill;
        try (PhotoStore store = PhotoStore.open(data.resolve("index-tiny-test.db"))) {
            indexedAtKill = store.recordCount();
        }
        assertTrue(indexedAtKill < PHOTOS, "killed mid-way (" + indexedAtKill + " indexed)");

        Process second = serve(photos, data, "second.log");
        await(v -> {
            try {
                return status(data, "pid") == second.pid();
            } catch (Exception e) {
                return false;
            }
        }, "the restarted daemon", second);
        Process rival = serve(photos, data, "rival.log");
        assertTrue(rival.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, rival.exitValue(), "a second daemon on the same store refuses to start");
        String rivalLog = Files.readString(tmp.resolve("rival.log"));
        // its port is taken: it stops before it opens the store (which would be in use too, see PhotoStoreTest)
        assertTrue(rivalLog.contains("cannot listen on 127.0.0.1:" + port) && rivalLog.contains("is another clipd "
                + "serve running?"), rivalLog);

        await(v -> {
            try {
                return status(data, "photos") == PHOTOS && state(data).equals("idle") && status(data, "queue") == 0;
            } catch (Exception e) {
                return false;
            }
        }, "all photos indexed after the restart", second);
        // its own tag writes are events too, so a batch that changes nothing may still start after that idle answer
        String[] status = {""};
        await(v -> {
            try {
                status[0] = clipd(data, "status", 0, "status");
                return status[0].contains(": idle, " + PHOTOS + " photos indexed");
            } catch (Exception e) {
                return false;
            }
        }, "clipd status saying idle", second);
        String found = clipd(data, "search", 0, "search", "-t", "3", "-f", "a colourful photo");
        assertEquals(3, found.lines().filter(l -> l.startsWith(photos.toString())).count(),
                "answered by the daemon, which holds the index: " + found);

        Path more = Files.createDirectories(tmp.resolve("more photos"));
        Files.copy(photos.resolve("IMG_0000.jpg"), more.resolve("copy.jpg"));
        assertTrue(clipd(data, "folders add", 0, "folders", "add", more.toString()).contains("watching " + more));
        await(v -> {
            try {
                return status(data, "photos") == PHOTOS + 1;
            } catch (Exception e) {
                return false;
            }
        }, "the added folder indexed", second);
        assertEquals("rescan requested\n", clipd(data, "reindex", 0, "reindex"));
        clipd(data, "folders remove", 0, "folders", "remove", more.toString());
        await(v -> {
            try {
                return status(data, "photos") == PHOTOS;
            } catch (Exception e) {
                return false;
            }
        }, "the removed folder forgotten", second);
        String outside = clipd(data, "search outside the library", 1, "search", "--folder", more.toString(), "cat");
        assertEquals("clipd: " + more + " is not in the running daemon's library, so nothing there is indexed; add it"
                + " with: clipd folders add " + more + "\n", outside);
        assertEquals(3, clipd(data, "search inside the library", 0, "search", "--folder", photos.toString(), "-t",
                "3", "-f", "cat").lines().filter(l -> l.startsWith(photos.toString())).count());

        second.destroy(); // SIGTERM
        assertTrue(second.waitFor(15, TimeUnit.SECONDS), "stops within seconds of SIGTERM");
        assertEquals(0, second.exitValue(), Files.readString(tmp.resolve("second.log")));
        assertEquals("stopped", state(data));
        assertTrue(clipd(data, "status after stop", 3, "status").startsWith("clipd is not running"));

        Path index = data.resolve("index-tiny-test.db");
        Set<String> hashes = new HashSet<>();
        long vectors;
        try (PhotoStore store = PhotoStore.open(index)) {
            assertEquals(PHOTOS, store.recordCount());
            vectors = store.vectorCount();
            store.forEachRecord("", (path, r) -> {
                assertTrue(Files.exists(Path.of(path)), path);
                hashes.add(r.hash());
            });
        }
        if (vectors != PHOTOS) {
            fail("no duplicate or orphaned embeddings: " + vectors + " for " + PHOTOS + " photos; " + vectorKeys(index,
                    hashes));
        }
        assertEquals(before, checksums(photos), "the daemon never writes a photo");
        sidecarsAreWhole(photos);
    }

    /** Killed while tagging or not, every sidecar is a whole packet of clipd's keywords and no temp file is left. */
    /** What the store's embeddings are, read with MapDB itself, for a failure to say what was wrong. */
    private static String vectorKeys(Path index, Set<String> referenced) {
        try (DB db = DBMaker.fileDB(index.toFile()).fileMmapEnableIfSupported().transactionEnable().make()) {
            List<String> keys = new ArrayList<>(db.hashMap("vectors", Serializer.STRING, Serializer.FLOAT_ARRAY)
                    .open().keySet());
            Map<String, Long> orphans = db.hashMap("orphans", Serializer.STRING, Serializer.LONG).open();
            Set<String> distinct = new HashSet<>(keys);
            List<String> unreferenced = distinct.stream().filter(k -> !referenced.contains(k))
                    .map(k -> k + " (orphan since " + orphans.get(k) + ")").toList();
            return keys.size() + " keys iterated, " + distinct.size() + " distinct, unreferenced: " + unreferenced;
        }
    }

    private static void sidecarsAreWhole(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                assertTrue(!name.startsWith(".clipd-tmp-"), "a temporary file was left: " + p);
                if (name.endsWith(".xmp")) {
                    assertTrue(!clipd.tags.XmpKeywords.parse(Files.readString(p)).own().isEmpty(), p.toString());
                }
            }
        }
    }
}
