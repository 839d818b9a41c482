package clipd.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * {@code clipd bench idle}: what a daemon watching a large library costs while nothing changes. Starts
 * {@code clipd serve} as its own process, with the service's JVM options, on a folder tree of N small photos;
 * waits until it has indexed them and is idle; then measures its CPU time and resident memory over a quiet period.
 * The photos share one content, so the model embeds once and the benchmark measures the watcher, the index and
 * the HTTP server, which is what runs all day; tagging is off, so that the benchmark writes no sidecars. A second
 * period of the same length has a file in the library appended to once a second (a download, a log), which the
 * daemon must follow without spinning while it waits for the file to settle. Last, the daemon is stopped and started
 * again on its index, and the time until {@code /api/search} first answers is taken, and its resident size once
 * the quiet period has passed again: what the daemon costs on an ordinary day.
 */
public final class IdleBenchmark {
    private static final int PHOTOS_PER_FOLDER = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param visualLoaded whether the visual encoder was still loaded at the end; {@code provider} where it ran
     */
    public record Result(int files, double indexSeconds, double quietSeconds, double cpuSeconds,
                         OptionalLong rssBytes, double changingSeconds, double changingCpuSeconds,
                         boolean visualLoaded, String provider, double restartSeconds,
                         OptionalLong restartRssBytes) {
        /** Share of one core used while idle. */
        public double cpuShare() {
            return cpuSeconds / quietSeconds;
        }

        /** Share of one core used while one file changes every second. */
        public double changingCpuShare() {
            return changingCpuSeconds / changingSeconds;
        }
    }

    /**
     * @param visualIdleSeconds passed to serve as --visual-idle-seconds (null: its default); the quiet period
     *                          starts once the visual encoder was released
     */
    public Result run(int files, int quietSeconds, Integer visualIdleSeconds, Path workDir, Path modelDir,
                      Consumer<String> progress) throws IOException, InterruptedException {
        Path library = workDir.resolve("library");
        makeLibrary(library, files);
        progress.accept(files + " photos in " + (files + PHOTOS_PER_FOLDER - 1) / PHOTOS_PER_FOLDER
                + " folders; starting clipd serve");
        Path data = workDir.resolve("data");
        Files.createDirectories(data);
        Path config = Files.writeString(workDir.resolve("config.properties"), "");
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(clipd.service.ServiceManager.JVM_OPTIONS);
        command.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "clipd.cli.Main", "serve",
                "--config", config.toString(), "--data-dir", data.toString(), "--model-dir", modelDir.toString(),
                "--folder", library.toString(), "--port", "0", "--tags", "off"));
        if (visualIdleSeconds != null) {
            command.addAll(List.of("--visual-idle-seconds", visualIdleSeconds.toString()));
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(workDir.resolve("serve.log").toFile());
        builder.environment().putAll(clipd.service.ServiceManager.ENVIRONMENT);
        Process serve = builder.start();
        try {
            long t0 = System.nanoTime();
            Path statusFile = data.resolve("status.json");
            waitUntilIdle(serve, statusFile, files, workDir.resolve("serve.log"));
            double indexSeconds = (System.nanoTime() - t0) / 1e9;
            if (visualIdleSeconds != null && visualIdleSeconds > 0) {
                progress.accept("waiting for the visual encoder to be released");
                long deadline = System.nanoTime() + (visualIdleSeconds + 60) * 1_000_000_000L;
                while (status(statusFile).path("visual_loaded").asBoolean(false) && System.nanoTime() < deadline) {
                    Thread.sleep(500);
                }
            }
            progress.accept(String.format(java.util.Locale.ROOT, "indexed in %.1f s; measuring %d s of idling",
                    indexSeconds, quietSeconds));
            ProcessHandle handle = serve.toHandle();
            double cpu0 = ProcessMeter.cpuSeconds(handle);
            long q0 = System.nanoTime();
            Thread.sleep(quietSeconds * 1000L);
            double cpu = ProcessMeter.cpuSeconds(handle) - cpu0;
            double quiet = (System.nanoTime() - q0) / 1e9;
            OptionalLong rss = ProcessMeter.rssBytes(serve.pid());
            progress.accept("measuring " + quietSeconds + " s with a file appended to every second");
            Path log = library.resolve("download.log");
            double cpu1 = ProcessMeter.cpuSeconds(handle);
            long c0 = System.nanoTime();
            for (int i = 0; i < quietSeconds; i++) {
                Files.writeString(log, "line " + i + "\n", java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
                Thread.sleep(1000);
            }
            double changingCpu = ProcessMeter.cpuSeconds(handle) - cpu1;
            double changing = (System.nanoTime() - c0) / 1e9;
            JsonNode last = status(statusFile);
            progress.accept("starting clipd serve again on its index, until /api/search answers");
            stop(serve);
            Files.deleteIfExists(data.resolve("endpoint.json"));
            long r0 = System.nanoTime();
            serve = builder.start();
            answerFirstQuery(serve, data, workDir.resolve("serve.log"));
            double restart = (System.nanoTime() - r0) / 1e9;
            Thread.sleep(quietSeconds * 1000L); // the start's own work (grouping near-duplicates) done
            return new Result(files, indexSeconds, quiet, cpu, rss, changing, changingCpu,
                    last.path("visual_loaded").asBoolean(false), last.path("execution_provider").asText("?"),
                    restart, ProcessMeter.rssBytes(serve.pid()));
        } finally {
            stop(serve);
        }
    }

    private static void stop(Process serve) throws InterruptedException {
        serve.destroy();
        if (!serve.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            serve.destroyForcibly();
        }
    }

    /** Waits for the daemon's port, then asks {@code /api/search} until it answers 200 (503 while it loads). */
    private static void answerFirstQuery(Process serve, Path data, Path log) throws IOException, InterruptedException {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        long deadline = System.nanoTime() + 600_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!serve.isAlive()) {
                throw new IOException("clipd serve exited with " + serve.exitValue() + "; its output is in " + log);
            }
            JsonNode endpoint = status(data.resolve("endpoint.json"));
            java.util.Optional<clipd.http.AccessToken> token = clipd.http.AccessToken.read(data);
            if (endpoint != null && endpoint.has("port") && token.isPresent()) {
                try {
                    java.net.http.HttpResponse<Void> r = client.send(java.net.http.HttpRequest.newBuilder(
                                    java.net.URI.create("http://127.0.0.1:" + endpoint.path("port").asInt()
                                            + "/api/search?top=20&q=photo"))
                                    .header("Authorization", "Bearer " + token.get().value()).build(),
                            java.net.http.HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
            }
            Thread.sleep(20);
        }
        throw new IOException("clipd serve did not answer a search within 10 minutes; its output is in " + log);
    }

    /** Folders of 100 photos; hard links to one small JPEG where the file system allows, else copies. */
    private static void makeLibrary(Path library, int files) throws IOException {
        Path original = smallJpeg(library.resolveSibling("original.jpg"));
        for (int i = 0; i < files; i++) {
            Path folder = library.resolve(String.format("%04d", i / PHOTOS_PER_FOLDER));
            if (i % PHOTOS_PER_FOLDER == 0) {
                Files.createDirectories(folder);
            }
            Path photo = folder.resolve(String.format("IMG_%06d.jpg", i));
            try {
                Files.createLink(photo, original);
            } catch (UnsupportedOperationException | IOException e) {
                Files.copy(original, photo);
            }
        }
    }

    private static Path smallJpeg(Path file) throws IOException {
        BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                image.setRGB(x, y, (x * 4) << 16 | (y * 5) << 8 | 128);
            }
        }
        ImageIO.write(image, "jpg", file.toFile());
        return file;
    }

    private static void waitUntilIdle(Process serve, Path statusFile, int files, Path log)
            throws IOException, InterruptedException {
        while (true) {
            if (!serve.isAlive()) {
                throw new IOException("clipd serve exited with " + serve.exitValue() + "; its output is in " + log);
            }
            JsonNode status = status(statusFile);
            if (status.path("state").asText().equals("idle") && status.path("photos").asLong() >= files) {
                return;
            }
            Thread.sleep(500);
        }
    }

    /** The daemon's status file; empty before it is first written. */
    private static JsonNode status(Path statusFile) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return JSON.readTree(Files.readString(statusFile));
            } catch (NoSuchFileException e) {
                return JSON.createObjectNode();
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                if (attempt > 3) {
                    throw e; // not a replace in flight
                }
            }
        }
    }
}
