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
        Path dir = Files.createTempDirectory("clipd-heif");
        try {
            Path in = Files.write(dir.resolve("photo.heif"), heif);
            Path out = dir.resolve("photo.jpg");
            Process p = new ProcessBuilder(TOOL.orElseThrow().toString(), "-q", "100", in.toString(), out.toString())
                    .redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            boolean finished = p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!finished) {
                p.destroyForcibly();
                throw new UnreadableImageException(UnreadableImageException.Kind.CORRUPT,
                        "heif-convert did not finish within " + TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(out)) {
                String reason = said.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("no message");
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
