package clipd.cli;

import clipd.testing.ExifPhotos;
import clipd.testing.Fixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Filters by when, where and with what, from the command line, on photos with real EXIF. */
class MetadataFilterTest {
    @TempDir
    Path tmp;
    private Path photos;

    private List<String> run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> env = Map.of("CLIPD_DATA_DIR", tmp.resolve("data").toString(),
                "CLIPD_MODEL_DIR", Fixtures.TINY_MODEL.toString(), "XDG_CONFIG_HOME", tmp.resolve("cfg").toString());
        List<String> all = new ArrayList<>(List.of(args));
        if (args[0].equals("search")) {
            all.addAll(1, List.of("--port", "1")); // nothing listens there: the in-process path
        }
        int code = Main.run(all, new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env, photos, false));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }

    private List<String> names(String... args) {
        List<String> words = new ArrayList<>(List.of("search", "-f", "-t", "50"));
        words.addAll(List.of(args));
        return run(words.toArray(String[]::new)).stream().map(p -> Path.of(p).getFileName().toString()).toList();
    }

    @BeforeEach
    void library() throws Exception {
        photos = tmp.resolve("photos");
        ExifPhotos.write(photos.resolve("paris.jpg"), ExifPhotos.withExif(ExifPhotos.jpeg(1, 120, 80),
                new ExifPhotos.Exif("2023:06:30 23:30:00", "+02:00", 48.8566, 2.3522, "Canon", "Canon EOS R5", null)));
        // 00:30 on 1 July in Tokyo is still 30 June in UTC: the wall clock decides which month it is in
        ExifPhotos.write(photos.resolve("tokyo.jpg"), ExifPhotos.withExif(ExifPhotos.jpeg(2, 120, 80),
                new ExifPhotos.Exif("2023:07:01 00:30:00", "+09:00", 35.6812, 139.7671, "FUJIFILM", "X-T4", null)));
        ExifPhotos.write(photos.resolve("old.jpg"), ExifPhotos.withExif(ExifPhotos.jpeg(3, 120, 80),
                new ExifPhotos.Exif("2021:03:01 08:00:00", null, null, null, "NIKON CORPORATION", "NIKON Z 6", null)));
        BufferedImage png = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        png.setRGB(3, 3, 0xffffff);
        ByteArrayOutputStream pngBytes = new ByteArrayOutputStream();
        ImageIO.write(png, "png", pngBytes);
        Files.setLastModifiedTime(ExifPhotos.write(photos.resolve("scan.png"), pngBytes.toByteArray()),
                FileTime.from(Instant.parse("2019-01-01T12:00:00Z")));
        run("index", ".");
    }

    @Test
    void datesAreCalendarPeriodsOnThePhotosOwnClock() {
        assertEquals(List.of("paris.jpg"), names("--after", "2023-06", "--before", "2023-07"));
        assertEquals(List.of("tokyo.jpg"), names("--after", "2023-07-01", "--before", "2023-07-02"));
        assertEquals(List.of("tokyo.jpg", "paris.jpg"), names("--after", "2023"), "filters alone: newest first");
        assertEquals(List.of("old.jpg", "scan.png"), names("--before", "2022"), "the PNG dates from its file time");
        assertEquals(List.of("paris.jpg"), names("--after", "2023-06-30", "--before", "2023-07"));
    }

    @Test
    void placeCameraTypeAndGps() {
        assertEquals(List.of("paris.jpg"), names("--near", "48.85,2.35,10"));
        assertEquals(List.of("tokyo.jpg"), names("--near", "35.68,139.77,5"));
        assertEquals(List.of(), names("--near", "48.85,2.35,1", "--camera", "fuji"));
        assertEquals(List.of("paris.jpg"), names("--camera", "CANON"));
        assertEquals(List.of("old.jpg"), names("--camera", "z 6"));
        assertEquals(List.of("scan.png"), names("--type", "png"));
        assertEquals(List.of("tokyo.jpg", "paris.jpg"), names("--has-gps"));
        assertEquals(List.of("old.jpg", "scan.png"), names("--no-gps"));
    }

    @Test
    void filtersCombineWithAQueryAndBadValuesAreUsageErrors() {
        List<String> ranked = names("a city at night", "--has-gps");
        assertEquals(2, ranked.size());
        assertTrue(ranked.containsAll(List.of("paris.jpg", "tokyo.jpg")));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of("search", "--port", "1", "--after", "June", "cat"), new Cli(
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of("CLIPD_DATA_DIR", tmp.resolve("data").toString(), "CLIPD_MODEL_DIR",
                        Fixtures.TINY_MODEL.toString(), "XDG_CONFIG_HOME", tmp.resolve("cfg").toString()), photos, false));
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("after takes a date like 2023"), err.toString());
    }
}
