package clipd.reliability;

import clipd.cli.CliRunner;
import clipd.testing.ExifPhotos;
import clipd.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A folder of the library that becomes unreadable, for a daemon that is not root (uid 65534, by setpriv; root reads
 * everything): its photos and embeddings stay in the index, one line in the log and the status names the folder and
 * the reason, and once it is readable again its photos are simply there again, with nothing embedded again.
 */
class UnreadableFolderTest {
    private static final int NOBODY = 65534;

    @TempDir
    Path tmp;
    private Path data;
    private final Map<String, String> env = Map.of("XDG_CONFIG_HOME", "/nonexistent");

    @Test
    void anUnreadableFolderKeepsItsPhotosAndIsPickedUpAgain() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path library = tmp.resolve("library");
        for (String album : List.of("album a", "album b")) {
            for (int i = 0; i < 3; i++) {
                ExifPhotos.write(Files.createDirectories(library.resolve(album)).resolve("IMG_" + i + ".jpg"),
                        ExifPhotos.jpeg(1 + i + (album.endsWith("b") ? 3 : 0), 320, 240));
            }
        }
        Path home = Files.createDirectories(tmp.resolve("home"));
        data = home.resolve("data");
        chown(library);
        chown(home);
        Path locked = library.resolve("album b");

        Process serve = serveAsNobody(library, home);
        try {
            JsonNode s = await(serve, st -> st.path("state").asText().equals("idle") && st.path("photos").asLong() == 6);
            assertEquals(6, s.path("embedded").asLong());

            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
            reindex(serve);
            String reason = locked + ": permission denied";
            s = await(serve, st -> st.path("unseen").toString().contains(reason) && st.path("state").asText().equals("idle"));
            assertEquals(List.of(reason), list(s.path("unseen")), s.toString());
            assertEquals(6, s.path("photos").asLong(), "its photos are kept: " + s);
            assertEquals(0, s.path("removed").asLong(), s.toString());
            assertTrue(clipd("status").out().contains("\nnot seen, kept in the index: " + reason + "\n"),
                    clipd("status").out());
            reindex(serve); // still unreadable: said once, not at every scan
            String search = clipd("search", "--all", "--filepath-only", "a photo").out();
            assertTrue(search.contains(locked.resolve("IMG_0.jpg").toString()), "still findable: " + search);

            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
            reindex(serve);
            s = await(serve, st -> st.path("unseen").isEmpty() && st.path("state").asText().equals("idle"));
            assertEquals(6, s.path("photos").asLong(), s.toString());
            assertEquals(6, s.path("embedded").asLong(), "nothing embedded again: " + s);
            assertEquals(0, s.path("removed").asLong(), s.toString());
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
            serve.destroy();
            assertTrue(serve.waitFor(30, TimeUnit.SECONDS));
        }
        String log = Files.readString(tmp.resolve("serve.log"));
        assertEquals(1, log.lines().filter(l -> l.contains("cannot see " + locked + " (permission denied)")).count(),
                log);
        assertTrue(!log.contains("\tat ") && !log.contains("SEVERE") && !log.contains("ERROR"), log);
        System.out.println("unreadable folder (uid " + NOBODY + "): 3 of 6 photos under a folder made unreadable kept "
                + "through 2 reconciles, said in 1 log line, found again with 0 embedded again");
    }

    /** Asks for a full reconcile and waits until it is done. */
    private void reindex(Process serve) throws Exception {
        long before = reconciles();
        assertEquals(0, clipd("reindex").code());
        await(serve, st -> st.path("state").asText().equals("idle") && reconciles() > before);
    }

    private long reconciles() {
        try {
            return Files.readString(tmp.resolve("serve.log")).lines().filter(l -> l.contains(" reconciled: ")).count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> list(JsonNode array) {
        List<String> all = new ArrayList<>();
        array.forEach(n -> all.add(n.asText()));
        return all;
    }

    /** {@code clipd serve} as uid 65534, on clipd's classes and libraries linked or copied where it can read them. */
    private Process serveAsNobody(Path library, Path home) throws Exception {
        Path lib = Files.createDirectories(tmp.resolve("lib"));
        List<String> classPath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path from = Path.of(entry).toAbsolutePath();
            if (Files.isDirectory(from)) {
                classPath.add(Fixtures.copyTree(from, lib.resolve(classPath.size() + "-" + from.getFileName()))
                        .toString());
            } else {
                Path to = lib.resolve(classPath.size() + "-" + from.getFileName());
                try {
                    Files.createLink(to, from);
                } catch (IOException | UnsupportedOperationException e) {
                    Files.copy(from, to);
                }
                classPath.add(to.toString());
            }
        }
        run("chmod", "-R", "a+rX", lib.toString());
        List<String> command = List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:-UsePerfData",
                "--add-modules", "jdk.incubator.vector", "-cp", String.join(File.pathSeparator, classPath),
                "clipd.cli.Main", "serve", "--folder", library.toString(), "--data-dir", data.toString(),
                "--model-dir", Fixtures.TINY_MODEL.toString(), "--settle-seconds", "1", "--port", "0", "--threads", "1",
                "--tags", "off");
        ProcessBuilder pb = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("serve.log").toFile());
        pb.environment().put("HOME", home.toString());
        pb.environment().put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        return pb.start();
    }

    private JsonNode await(Process serve, Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            JsonNode s = new ObjectMapper().readTree(Files.exists(data.resolve("status.json"))
                    ? Files.readString(data.resolve("status.json")) : "{}");
            if (condition.test(s)) {
                return s;
            }
            if (!serve.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("timed out: " + s + "\n" + Files.readString(tmp.resolve("serve.log")));
            }
            Thread.sleep(100);
        }
    }

    private CliRunner.Run clipd(String... command) {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(List.of("--data-dir", data.toString()));
        return CliRunner.run(env, tmp, args.toArray(String[]::new));
    }

    private static void chown(Path tree) throws Exception {
        run("chown", "-R", NOBODY + ":" + NOBODY, tree.toString());
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + ": " + out.strip());
        }
    }
}
