package clipd.reliability;

import clipd.index.SkipReason;
import clipd.testing.ImageBytes;
import clipd.testing.Fixtures;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A folder of everything that goes wrong in real photo folders, made fresh by the test (no committed binaries):
 * each entry with what clipd must make of it, a skip reason or null for "indexed".
 */
final class BadFiles {
    private BadFiles() {
    }

    static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    /** Creates the corpus under {@code dir}; returns file name (relative) to expected skip reason, null = indexed. */
    static Map<String, SkipReason> create(Path dir) throws Exception {
        Map<String, SkipReason> expected = new LinkedHashMap<>();
        byte[] cat = Files.readAllBytes(Fixtures.SHARED_IMAGES.resolve("cat.jpg"));
        byte[] png = Files.readAllBytes(Fixtures.SHARED_IMAGES.resolve("boats on a lake.png"));
        byte[] webp = Files.readAllBytes(Fixtures.SHARED_IMAGES.resolve("tree.webp"));
        put(dir, expected, "good.jpg", cat, null);
        put(dir, expected, "empty.jpg", new byte[0], SkipReason.EMPTY);
        put(dir, expected, "truncated.jpg", Arrays.copyOf(cat, cat.length / 2), SkipReason.CORRUPT);
        put(dir, expected, "truncated.png", Arrays.copyOf(png, png.length / 2), SkipReason.CORRUPT);
        put(dir, expected, "truncated.webp", Arrays.copyOf(webp, webp.length / 2), SkipReason.CORRUPT);
        put(dir, expected, "corrupt exif.jpg", withGarbageExif(cat), null);
        put(dir, expected, "bomb.png", ImageBytes.pngBomb(50_000, 50_000), SkipReason.TOO_LARGE);
        put(dir, expected, "bomb.jpg", ImageBytes.jpegBomb(cat, 50_000, 50_000), SkipReason.TOO_LARGE);
        put(dir, expected, "text.jpg", "not a photo at all\n".getBytes(StandardCharsets.UTF_8), SkipReason.NOT_AN_IMAGE);
        Files.createDirectories(dir.resolve("folder.jpg")); // a directory with a photo's name: walked, not read
        put(dir, expected, "folder.jpg/inside.jpg", cat, null);
        Files.createSymbolicLink(dir.resolve("loop"), dir); // a link back to the library's top
        expected.put("loop", SkipReason.LINK_INSIDE_LIBRARY);
        run("mkfifo", dir.resolve("pipe.jpg").toString());
        expected.put("pipe.jpg", SkipReason.NOT_A_FILE);
        unreadable(dir, expected, cat);
        String longName = "très ".repeat(40) + "long.jpg"; // 208 characters, 248 bytes: near the 255-byte limit
        put(dir, expected, longName, cat, null);
        put(dir, expected, "cafe\u0301 NFD.jpg", cat, null); // decomposed é, as macOS writes names
        put(dir, expected, "caf\u00e9 NFC.jpg", cat, null);
        Files.write(dir.resolve("emoji \uD83D\uDC08 cat.jpg"), cat);
        expected.put("emoji \uD83D\uDC08 cat.jpg", null);
        return expected;
    }

    /** Unreadable by permissions; as root, which reads anything, by a link to nothing. */
    private static void unreadable(Path dir, Map<String, SkipReason> expected, byte[] cat) throws IOException {
        if (ROOT) {
            Files.createSymbolicLink(dir.resolve("unreadable.jpg"), dir.resolve("gone.jpg"));
            Files.createSymbolicLink(dir.resolve("unreadable folder"), dir.resolve("gone folder"));
        } else {
            Path file = Files.write(dir.resolve("unreadable.jpg"), cat);
            file.toFile().setReadable(false, false);
            Path folder = Files.createDirectories(dir.resolve("unreadable folder"));
            Files.write(folder.resolve("hidden away.jpg"), cat);
            folder.toFile().setExecutable(false, false);
            folder.toFile().setReadable(false, false);
        }
        expected.put("unreadable.jpg", SkipReason.UNREADABLE);
        expected.put("unreadable folder", SkipReason.UNREADABLE);
    }

    private static void put(Path dir, Map<String, SkipReason> expected, String name, byte[] bytes, SkipReason reason)
            throws IOException {
        Files.write(dir.resolve(name), bytes);
        expected.put(name, reason);
    }

    /** An APP1 "Exif" segment full of noise right after SOI: metadata that cannot be parsed, pixels that can. */
    private static byte[] withGarbageExif(byte[] jpeg) {
        byte[] payload = new byte[600];
        new java.util.Random(7).nextBytes(payload);
        System.arraycopy("Exif\0\0MM\0*".getBytes(StandardCharsets.ISO_8859_1), 0, payload, 0, 10);
        return ImageBytes.withJpegSegment(jpeg, 0xe1, payload);
    }

    static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + ": " + out);
        }
    }
}
