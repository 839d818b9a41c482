package clipd.tags;

import clipd.cli.CliRunner;
import clipd.testing.Fixtures;
import clipd.testing.ImageVariants;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Concepts as keywords, read back by exiftool: a concept's photos get it in every keyword field, and each change of
 * the concept rewrites exactly the sidecars whose concept keywords change (same bytes and same file for the rest).
 */
class ConceptTaggingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private record Sidecar(byte[] bytes, Object fileKey) {
        boolean same(Sidecar other) {
            return Arrays.equals(bytes, other.bytes) && fileKey.equals(other.fileKey);
        }
    }

    private CliRunner.Run clipd(String... args) {
        CliRunner.Run r = CliRunner.run(Map.of("CLIPD_MODEL_DIR", Fixtures.TINY_MODEL.toString(),
                "CLIPD_DATA_DIR", tmp.resolve("data").toString(), "XDG_CONFIG_HOME", tmp.resolve("config").toString()),
                tmp, args);
        assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
        return r;
    }

    @Test
    void aConceptChangeRewritesOnlyTheSidecarsWhoseConceptKeywordsChange() throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        ImageVariants.write(Fixtures.SHARED_IMAGES.resolve("bee.jpg"), photos, "bee");
        for (String name : List.of("cat.jpg", "books.jpg", "cake.jpg", "camera.jpg", "boats on a lake.png")) {
            Files.copy(Fixtures.SHARED_IMAGES.resolve(name), photos.resolve(name));
        }
        Path vocabulary = Files.writeString(tmp.resolve("tags.txt"), "insect\nanimal\nfood\nthing\n");
        // every photo gets one tag of a small vocabulary (quick to embed), so every photo has a sidecar
        Files.writeString(Files.createDirectories(tmp.resolve("config/clipd")).resolve("config.properties"),
                "tags_min_probability = 0\ntags_max = 1\ntags_vocabulary = " + vocabulary + "\n");
        clipd("index", photos.toString());
        Map<String, Sidecar> before = sidecars(photos);
        Map<String, List<String>> subjectsBefore = keywords(photos, "Subject");
        assertEquals(9, before.size(), before.keySet().toString());

        CliRunner.Run add = clipd("concept", "add", "Bee", "photos/bee-original.jpg", "photos/bee-q60.jpg");
        assertTrue(add.out().startsWith("concept Bee: 2 examples, 0 counter-examples; threshold "), add.out());
        Map<String, Sidecar> withBee = sidecars(photos);
        Map<String, List<String>> subjects = keywords(photos, "Subject");
        Map<String, List<String>> hierarchical = keywords(photos, "HierarchicalSubject");
        int tagged = 0;
        for (String photo : before.keySet()) {
            boolean bee = subjects.get(photo).contains("Bee");
            tagged += bee ? 1 : 0;
            assertEquals(bee, hierarchical.get(photo).contains("clipd|Bee"), photo);
            assertEquals(bee, !before.get(photo).same(withBee.get(photo)), photo + ": rewritten only for the concept");
            List<String> others = new ArrayList<>(subjects.get(photo));
            others.remove("Bee");
            assertEquals(subjectsBefore.get(photo), others, photo + ": its other keywords stay");
        }
        assertTrue(subjects.get("bee-original.jpg").contains("Bee") && subjects.get("bee-q60.jpg").contains("Bee"));
        assertFalse(subjects.get("cat.jpg").contains("Bee"));
        assertTrue(add.out().contains("; " + tagged + " XMP files re-tagged"), add.out());

        clipd("concept", "add", "Bee", "--threshold", "-1"); // now every photo belongs to it
        Map<String, Sidecar> all = sidecars(photos);
        subjects = keywords(photos, "Subject");
        for (String photo : before.keySet()) {
            assertTrue(subjects.get(photo).contains("Bee"), photo);
            boolean hadIt = !before.get(photo).same(withBee.get(photo));
            assertEquals(hadIt, withBee.get(photo).same(all.get(photo)), photo + ": untouched when it had the keyword");
        }

        JsonNode list = JSON.readTree(clipd("concept", "list", "--json").out()).get("concepts");
        assertEquals(1, list.size());
        assertEquals(-1, list.get(0).get("threshold").asDouble(), 1e-6);
        assertTrue(list.get(0).get("threshold_by_hand").asBoolean());
        assertEquals(2, list.get(0).get("examples").asInt());

        clipd("concept", "remove", "Bee");
        assertEquals(subjectsBefore, keywords(photos, "Subject"), "removing the concept takes its keyword away");
        assertTrue(clipd("concept", "list").out().isEmpty());
        assertEquals(2, CliRunner.run(Map.of("CLIPD_MODEL_DIR", Fixtures.TINY_MODEL.toString(), "CLIPD_DATA_DIR",
                tmp.resolve("data").toString(), "XDG_CONFIG_HOME", tmp.resolve("config").toString()), tmp,
                "concept", "remove", "Bee").code(), "no such concept: a usage error");
    }

    /** Each photo's sidecar (photo.jpg.xmp), by photo name. */
    private static Map<String, Sidecar> sidecars(Path photos) throws Exception {
        Map<String, Sidecar> out = new TreeMap<>();
        try (var files = Files.list(photos)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".xmp")).toList()) {
                out.put(p.getFileName().toString().replaceFirst("\\.xmp$", ""), new Sidecar(Files.readAllBytes(p),
                        Files.readAttributes(p, BasicFileAttributes.class).fileKey()));
            }
        }
        return out;
    }

    /** One XMP list tag of every sidecar, as exiftool reads it, by photo name. */
    private static Map<String, List<String>> keywords(Path photos, String tag) throws Exception {
        Process p = new ProcessBuilder("exiftool", "-q", "-j", "-XMP:" + tag, "-ext", "xmp", photos.toString())
                .redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor(), new String(out));
        Map<String, List<String>> byPhoto = new TreeMap<>();
        for (JsonNode file : JSON.readTree(out)) {
            List<String> values = new ArrayList<>();
            JsonNode v = file.path(tag);
            if (v.isArray()) {
                v.forEach(x -> values.add(x.asText()));
            } else if (!v.isMissingNode()) {
                values.add(v.asText());
            }
            byPhoto.put(Path.of(file.get("SourceFile").asText()).getFileName().toString().replaceFirst("\\.xmp$", ""),
                    values);
        }
        return byPhoto;
    }
}
