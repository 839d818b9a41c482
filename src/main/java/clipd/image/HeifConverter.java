package clipd.image;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * HEIC/HEIF photos (what iPhones take) and AVIF through libheif's {@code heif-convert}, when the system has it (Debian:
 * libheif-examples; macOS: brew install libheif): Java 17 has no HEVC decoder. libheif is also what rclip's
 * pillow-heif decodes with. The photo is converted in a private temporary folder, in a process of its own, so a
 * hostile file can cost that process its memory, never clipd's. The conversion writes a JPEG at quality 100, not a
 * PNG: libheif's PNG writer refuses the colour profile some phones embed ("known incorrect sRGB profile").
 */
final class HeifConverter {
    private static final long TIMEOUT_SECONDS = 60;
    private static final Optional<Path> TOOL = find();

    private HeifConverter() {
    }

    static boolean available() {
        return TOOL.isPresent();
    }

    private static Optional<Path> find() {
        if (Boolean.getBoolean("clipd.noHeifConvert")) {
            return Optional.empty();
        }
        // launchd gives agents a PATH without Homebrew's folders, so those are looked in too
        String path = System.getenv("PATH") + File.pathSeparator + "/usr/local/bin" + File.pathSeparator
                + "/opt/homebrew/bin";
        for (String dir : path.split(File.pathSeparator)) {
            Path tool = Path.of(dir, "heif-convert");
            if (Files.isExecutable(tool)) {
                return Optional.of(tool);
            }
        }
        return Optional.empty();
    }

    /** The photo as JPEG bytes at quality 100, with the HEIF's rotation and mirroring applied. */
    static byte[] toJpeg(byte[] heif) throws IOException, UnreadableImageException {
        return convert(TOOL.orElseThrow(), heif, TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
    }

    /**
     * Runs {@code tool} on the photo. What it says goes to a file, not a pipe, so that waiting for it is bounded by
     * the timeout alone (reading a pipe to its end first waits as long as the tool pleases); past the timeout the
     * process and its children are killed.
     */
    static byte[] convert(Path tool, byte[] heif, long timeoutMillis) throws IOException, UnreadableImageException {
        Path dir = Files.createTempDirectory("clipd-heif");
        try {
            Path in = Files.write(dir.resolve("photo.heif"), heif);
            Path out = dir.resolve("photo.jpg");
            Path said = dir.resolve("output.txt");
            Process p = new ProcessBuilder(tool.toString(), "-q", "100", in.toString(), out.toString())
                    .redirectErrorStream(true).redirectOutput(said.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new UnreadableImageException(UnreadableImageException.Kind.TOO_COSTLY,
                        "heif-convert did not finish within " + timeoutMillis / 1000.0 + " s");
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(out)) {
                String reason = Files.readString(said, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank())
                        .reduce((a, b) -> b).orElse("no message");
                throw new UnreadableImageException(UnreadableImageException.Kind.CORRUPT,
                        "heif-convert cannot decode it: " + reason);
            }
            return Files.readAllBytes(out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while converting a HEIF photo", e);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }
}
