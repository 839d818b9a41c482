package clipd.cli;

import clipd.testing.Fixtures;
import clipd.testing.ImageVariants;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Near-duplicates among variants of the shared photos made the way people make them: a copy, a re-encode at
 * quality 60, a half-size version and a 90% crop, next to the other photos.
 */
class DuplicatesCommandTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private Run clipd(String... args) {
        Map<String, String> env = new HashMap<>();
        env.put("CLIPD_DATA_DIR", dir.resolve("data").toString());
        env.put("CLIPD_MODEL_DIR", Fixtures.TINY_MODEL.toString());
        env.put("CLIPD_TAGS", "off");
        env.put("XDG_CONFIG_HOME", dir.resolve("no-config").toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of(args), new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env, dir, false));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void groupsReencodesAndResizesOfEachPhotoAndNothingElse() throws Exception {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        List<String> bases = new ArrayList<>();
        try (var listing = Files.list(Fixtures.SHARED_IMAGES)) {
            for (Path p : listing.sorted().toList()) {
                String name = p.getFileName().toString().toLowerCase();
                if (!(name.endsWith(".jpg") || name.endsWith(".jpeg") || name.endsWith(".png"))) {
                    continue;
                }
                String base = "p" + bases.size();
                bases.add(base);
                ImageVariants.write(p, photos, base);
            }
        }
        Files.copy(photos.resolve("p0-original.jpg"), Files.createDirectories(dir.resolve("photos/copies"))
                .resolve("p0-original copy.jpg"));
        assertEquals(0, clipd("index", photos.toString()).code());

        Run r = clipd("duplicates", "--json", "--folder", photos.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode groups = new ObjectMapper().readTree(r.out()).get("groups");
        Set<String> grouped = new HashSet<>();
        int crops = 0;
        for (JsonNode g : groups) {
            Set<String> basesInGroup = new HashSet<>();
            long keeperPixels = g.get("members").get(0).get("width").asLong() * g.get("members").get(0).get("height").asLong();
            for (JsonNode m : g.get("members")) {
                String file = Path.of(m.get("path").asText()).getFileName().toString();
                basesInGroup.add(file.substring(0, file.indexOf('-')));
                grouped.add(file);
                crops += file.contains("crop90") ? 1 : 0;
                assertTrue(m.get("width").asLong() * m.get("height").asLong() <= keeperPixels, "the keeper has the most pixels");
            }
            assertEquals(1, basesInGroup.size(), "a group holds variants of one photo only: " + g);
        }
        for (String base : bases) {
            for (String variant : List.of("-original.jpg", "-q60.jpg", "-half.jpg")) {
                assertTrue(grouped.contains(base + variant), base + variant + " is in its photo's group");
            }
        }
        assertTrue(grouped.contains("p0-original copy.jpg"));
        System.out.printf("duplicates: %d groups of %d photos; %d of %d crops joined their photo%n", groups.size(),
                bases.size(), crops, bases.size());

        Run text = clipd("duplicates", "--folder", photos.resolve("copies").toString());
        assertEquals(0, text.code(), text.err());
        assertEquals("", text.out(), "one photo under the folder: no group");
        Run wrong = clipd("duplicates", "--threshold", "1.5");
        assertEquals(2, wrong.code());
        assertTrue(wrong.err().contains("--threshold"), wrong.err());
    }

    @Test
    void identicalCopiesAreAnExactGroupWithTheKeeperFirst() throws Exception {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        Path bee = Fixtures.SHARED_IMAGES.resolve("bee.jpg");
        Files.copy(bee, photos.resolve("bee.jpg"));
        Files.copy(bee, photos.resolve("bee (1).jpg"));
        Files.copy(Fixtures.SHARED_IMAGES.resolve("cat.jpg"), photos.resolve("cat.jpg"));
        assertEquals(0, clipd("index", photos.toString()).code());
        Run r = clipd("duplicates");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("exact copies, 2 photos:\n  keep 1.000"), r.out());
        assertTrue(r.out().contains("\"" + photos.resolve("bee.jpg") + "\""), "the shorter path is kept: " + r.out());
        assertTrue(r.err().contains("1 group (cosine"), r.err());
    }
}
