package clipd.tags;

import clipd.cli.CliRunner;
import clipd.identify.ContentHasher;
import clipd.util.TempFiles;
import clipd.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tags written by {@code clipd index} and removed by {@code clipd untag}, read back by real clients (exiftool and
 * exiv2, from Debian) from sidecars and from JPEGs, on copies of the shared photos; keywords another app wrote
 * survive, and the image data of every written photo stays byte for byte what it was.
 */
class TaggingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SEP = "@@";

    @TempDir
    Path tmp;
    private Path photos;
    private Map<String, byte[]> originals;

    @BeforeEach
    void copyPhotos() throws Exception {
        photos = Fixtures.copyTree(Fixtures.SHARED_IMAGES, tmp.resolve("photos"));
        // keywords a person added with another app before clipd ever ran: one embedded, one in a sidecar
        exiftool("-overwrite_original", "-XMP-dc:Subject+=grandma", photos.resolve("cat.jpg").toString());
        exiftool("-XMP-dc:Subject=garden", photos.resolve("bee.jpg.xmp").toString());
        originals = new HashMap<>();
        for (Path p : listPhotos()) {
            originals.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
        Path config = Files.createDirectories(tmp.resolve("config/clipd")).resolve("config.properties");
        // the tiny test model's probabilities are flat: take the best three, whatever their probability
        Files.writeString(config, "tags_min_probability = 0\ntags_max = 3\n");
    }

    private CliRunner.Run clipd(String... args) {
        return CliRunner.run(Map.of("CLIPD_MODEL_DIR", Fixtures.TINY_MODEL.toString(),
                "CLIPD_DATA_DIR", tmp.resolve("data").toString(), "XDG_CONFIG_HOME", tmp.resolve("config").toString()),
                tmp, args);
    }

    @Test
    void sidecarsCarryTheTagsEveryReaderLooksForAndKeepAPersonsKeywords() throws Exception {
        CliRunner.Run index = clipd("index", photos.toString());
        assertEquals(0, index.code(), index.err());
        assertTrue(index.out().contains("tags (sidecar): "), index.out());

        for (Path photo : listPhotos()) {
            assertArrayEquals(originals.get(photo.getFileName().toString()), Files.readAllBytes(photo),
                    "sidecar mode never touches a photo: " + photo);
        }
        Path beeSidecar = photos.resolve("bee.jpg.xmp");
        List<String> beeTags = chosen(photos.resolve("bee.jpg"));
        assertEquals(3, beeTags.size());
        List<String> subject = new ArrayList<>(List.of("garden"));
        subject.addAll(beeTags);
        assertEquals(subject, exiftoolList(beeSidecar, "XMP-dc:Subject"));
        assertEquals(beeTags.stream().map(t -> "clipd|" + t).toList(),
                exiftoolList(beeSidecar, "XMP-lr:HierarchicalSubject"));
        assertEquals(beeTags.stream().map(t -> "clipd/" + t).toList(), exiftoolList(beeSidecar, "XMP-digiKam:TagsList"));
        assertEquals(beeTags, exiftoolList(beeSidecar, "XMP-microsoft:LastKeywordXMP"));
        String exiv2 = exiv2(beeSidecar);
        for (String t : beeTags) {
            assertTrue(exiv2.matches("(?s).*Xmp\\.dc\\.subject\\s+XmpBag\\s+4\\s+garden, .*" + t + ".*"), exiv2);
            assertTrue(exiv2.contains("clipd|" + t) && exiv2.contains("clipd/" + t), exiv2);
        }

        Path png = photos.resolve("boats on a lake.png");
        assertEquals(chosen(png), exiftoolList(photos.resolve("boats on a lake.png.xmp"), "XMP-dc:Subject"));

        CliRunner.Run again = clipd("index", photos.toString());
        assertTrue(again.out().contains("tags (sidecar): 0 XMP files written"), "nothing changed, nothing written: "
                + again.out());

        // a new threshold re-tags from the stored embeddings, without embedding anything again
        Files.writeString(tmp.resolve("config/clipd/config.properties"), "tags_min_probability = 0\ntags_max = 2\n");
        CliRunner.Run retag = clipd("index", photos.toString());
        assertTrue(retag.out().contains(" 0 embedded") && retag.out().contains("tags (sidecar): 22 XMP files written"),
                retag.out());
        assertEquals(beeTags.subList(0, 2), exiftoolList(beeSidecar, "XMP-lr:HierarchicalSubject").stream()
                .map(t -> t.substring("clipd|".length())).toList());

        CliRunner.Run untag = clipd("untag", photos.toString());
        assertEquals(0, untag.code(), untag.out() + untag.err());
        assertEquals(List.of("garden"), exiftoolList(beeSidecar, "XMP-dc:Subject"), "a person's keyword stays");
        assertEquals(List.of(), exiftoolList(beeSidecar, "XMP-lr:HierarchicalSubject"));
        assertFalse(Files.exists(photos.resolve("boats on a lake.png.xmp")), "a sidecar only clipd wrote goes");
        assertEquals(List.of(), leftovers());
    }

    @Test
    void embeddedTagsChangeOnlyTheXmpOfJpegsAndSurviveAnotherAppsKeyword() throws Exception {
        Path cat = photos.resolve("cat.jpg");
        FileTime catTime = FileTime.fromMillis(1_600_000_000_000L);
        Files.setLastModifiedTime(cat, catTime);
        Files.setPosixFilePermissions(cat, PosixFilePermissions.fromString("rw-r-----"));
        Path lens = photos.resolve("camera lens.jpg");
        lens.toFile().setWritable(false);

        CliRunner.Run index = clipd("index", "--tags", "embed", photos.toString());
        assertEquals(0, index.code(), index.err());
        assertTrue(index.out().contains("1 read-only"), index.out());

        List<String> catTags = chosen(cat);
        List<String> subject = new ArrayList<>(List.of("grandma"));
        subject.addAll(catTags);
        assertEquals(subject, exiftoolList(cat, "XMP-dc:Subject"));
        assertEquals(catTags.stream().map(t -> "clipd|" + t).toList(), exiftoolList(cat, "XMP-lr:HierarchicalSubject"));
        assertTrue(exiv2(cat).contains("clipd/" + catTags.get(0)));
        assertEquals(catTime, Files.getLastModifiedTime(cat), "the photo keeps its modification time");
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(cat)));
        assertArrayEquals(originals.get("camera lens.jpg"), Files.readAllBytes(lens), "read-only photos are skipped");

        for (Path photo : listPhotos()) {
            byte[] before = originals.get(photo.getFileName().toString());
            byte[] after = Files.readAllBytes(photo);
            String name = photo.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
            if (!name.matches(".*\\.(jpg|jpeg|jpe)") || photo.equals(lens)) {
                assertArrayEquals(before, after, "only writable JPEGs (by name and content) are written into: " + photo);
                continue;
            }
            assertFalse(Arrays.equals(before, after), "tagged: " + photo);
            assertEquals(ContentHasher.hash(before), ContentHasher.hash(after), "same entropy-coded data: " + photo);
            assertTrue(JpegXmp.sameButXmp(before, after), "EXIF, ICC and the rest unchanged: " + photo);
            assertTrue(samePixels(before, after), "same decoded pixels: " + photo);
        }
        assertTrue(Files.exists(photos.resolve("boats on a lake.png.xmp")), "other formats get a sidecar");
        assertEquals(List.of(), leftovers());

        CliRunner.Run untag = clipd("untag", "--all");
        assertEquals(0, untag.code(), untag.out() + untag.err());
        assertEquals(List.of("grandma"), exiftoolList(cat, "XMP-dc:Subject"));
        assertEquals(List.of(), exiftoolList(cat, "XMP-digiKam:TagsList"));
        assertEquals(ContentHasher.hash(originals.get("cat.jpg")), ContentHasher.hash(Files.readAllBytes(cat)));
    }

    @Test
    void aDryRunWritesNothingAndTellsWhatItWould() throws Exception {
        CliRunner.Run dry = clipd("index", "--dry-run", photos.toString());
        assertEquals(0, dry.code(), dry.err());
        assertTrue(dry.out().contains("would write to \"" + photos.resolve("cat.jpg.xmp") + "\": "), dry.out());
        assertTrue(dry.out().contains("dry run"), dry.out());
        for (Path photo : listPhotos()) {
            assertArrayEquals(originals.get(photo.getFileName().toString()), Files.readAllBytes(photo));
        }
        try (Stream<Path> files = Files.list(photos)) {
            assertEquals(List.of("bee.jpg.xmp"), files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".xmp")).toList());
        }
    }

    @Test
    void explanationsListCandidatesWithScoresAndWhatWasWritten() throws Exception {
        clipd("index", photos.toString());
        JsonNode r = JSON.readTree(clipd("tags", "--json", "--top", "5", photos.resolve("bee.jpg").toString()).out());
        assertEquals(5, r.get("candidates").size());
        double previous = 2;
        for (JsonNode c : r.get("candidates")) {
            assertTrue(c.get("cosine").asDouble() <= previous);
            previous = c.get("cosine").asDouble();
        }
        assertEquals(r.get("chosen"), r.get("clipd_keywords"));
        String text = clipd("tags", photos.resolve("bee.jpg").toString()).out();
        assertTrue(text.contains("clipd's tags: " + String.join(", ", chosen(photos.resolve("bee.jpg")))), text);
        assertTrue(text.contains("garden"), text);
    }

    private List<String> chosen(Path photo) throws IOException {
        JsonNode r = JSON.readTree(clipd("tags", "--json", photo.toString()).out());
        List<String> tags = new ArrayList<>();
        r.get("chosen").forEach(t -> tags.add(t.asText()));
        return tags;
    }

    private List<Path> listPhotos() throws IOException {
        try (Stream<Path> files = Files.list(photos)) {
            return files.filter(p -> !p.getFileName().toString().endsWith(".xmp")
                    && !p.getFileName().toString().endsWith(".txt")).sorted().toList();
        }
    }

    private List<Path> leftovers() throws IOException {
        try (Stream<Path> files = Files.walk(tmp)) {
            return files.filter(p -> p.getFileName().toString().startsWith(TempFiles.PREFIX)).toList();
        }
    }

    private static boolean samePixels(byte[] a, byte[] b) throws IOException {
        BufferedImage x = ImageIO.read(new ByteArrayInputStream(a));
        BufferedImage y = ImageIO.read(new ByteArrayInputStream(b));
        return Arrays.equals(x.getRGB(0, 0, x.getWidth(), x.getHeight(), null, 0, x.getWidth()),
                y.getRGB(0, 0, y.getWidth(), y.getHeight(), null, 0, y.getWidth()));
    }

    private static List<String> exiftoolList(Path file, String tag) throws Exception {
        String out = exiftool("-s3", "-sep", SEP, "-" + tag, file.toString()).strip();
        return out.isEmpty() ? List.of() : List.of(out.split(SEP));
    }

    private static String exiftool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("exiftool", "-q"));
        command.addAll(List.of(args));
        return run(command);
    }

    private static String exiv2(Path file) throws Exception {
        return run(List.of("exiv2", "-px", file.toString()));
    }

    private static String run(List<String> command) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError(command.get(0) + " is not installed (Debian: libimage-exiftool-perl, exiv2; "
                    + ".ci/run installs them)", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), command + ": " + out);
        return out;
    }
}
