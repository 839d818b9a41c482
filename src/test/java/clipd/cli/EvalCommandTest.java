package clipd.cli;

import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.embed.Vectors;
import clipd.image.ImageDecoder;
import clipd.image.Preprocessor;
import clipd.store.PhotoStore;
import clipd.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The numbers eval and embed print, checked against the same computation done here by hand. */
class EvalCommandTest {
    @TempDir
    Path tmp;
    private static final Map<String, Integer> COLOURS = Map.of("red", 0xd02020, "green", 0x20c040, "blue", 0x2040e0,
            "dark_yellow", 0x909010);

    private String run(String... args) {
        CliRunner.Run r = CliRunner.run(Map.of("CLIPD_MODEL_DIR", Fixtures.TINY_MODEL.toString(), "CLIPD_DATA_DIR",
                tmp.resolve("data").toString(), "XDG_CONFIG_HOME", tmp.resolve("cfg").toString()), tmp, args);
        assertEquals(0, r.code(), r.err());
        return r.out();
    }

    private Path solidColourClasses() throws Exception {
        Path dir = tmp.resolve("colours");
        for (Map.Entry<String, Integer> c : COLOURS.entrySet()) {
            for (int i = 0; i < 2; i++) {
                BufferedImage image = new BufferedImage(40 + i * 10, 30, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 30; y++) {
                    for (int x = 0; x < image.getWidth(); x++) {
                        image.setRGB(x, y, c.getValue() + i * 0x050505);
                    }
                }
                Files.createDirectories(dir.resolve(c.getKey()));
                ImageIO.write(image, "png", dir.resolve(c.getKey() + "/" + i + ".png").toFile());
            }
        }
        return dir;
    }

    /** The same pipeline as the command, spelt out: decode, preprocess, embed. */
    private static float[] embedImage(ClipModel model, Path file) throws Exception {
        ModelDescriptor d = model.descriptor();
        Preprocessor p = new Preprocessor(d.imageSize(), d.mean(), d.std());
        float[] pixels = new float[3 * d.imageSize() * d.imageSize()];
        p.preprocess(new ImageDecoder(1_000_000L, 1024).decode(Files.readAllBytes(file)), pixels, 0);
        return model.embedImages(pixels, 1)[0];
    }

    @Test
    void classifyPrintsTheAccuracyOfEachWayOfPrompting() throws Exception {
        Path dir = solidColourClasses();
        String out = run("eval", "classify", dir.toString());
        assertTrue(out.startsWith("zero-shot classification, 8 photos in 4 classes"), out);
        List<String> classes = List.of("blue", "dark yellow", "green", "red");
        int correct = 0;
        try (ClipModel model = new ClipModel(ModelDescriptor.load(Fixtures.TINY_MODEL), 1)) {
            float[][] names = model.embedTexts(classes);
            for (int c = 0; c < classes.size(); c++) {
                for (int i = 0; i < 2; i++) {
                    float[] v = embedImage(model, dir.resolve(classes.get(c).replace(' ', '_') + "/" + i + ".png"));
                    int best = 0;
                    for (int k = 1; k < names.length; k++) {
                        if (Vectors.dot(v, names[k]) > Vectors.dot(v, names[best])) {
                            best = k;
                        }
                    }
                    correct += best == c ? 1 : 0;
                }
            }
        }
        String expected = String.format(Locale.ROOT, "name       %6.2f%%  100.00%%", 100.0 * correct / 8);
        assertTrue(out.contains(expected), "expected '" + expected + "' in\n" + out);
        assertTrue(out.contains("photo ") && out.contains("ensemble "), out);
    }

    @Test
    void retrievalPrintsRecallAndEmbedMatchesTheIndex() throws Exception {
        Path dir = solidColourClasses();
        Files.writeString(dir.resolve("pairs.tsv"), "# image\tcaption\nred/0.png\ta red square\n"
                + "green/0.png\ta green square\nblue/1.png\ta blue square\n");
        String out = run("eval", "retrieval", dir.resolve("pairs.tsv").toString());
        assertTrue(out.contains("3 pairs"), out);
        assertTrue(out.contains("recall@5 100.00%  recall@10 100.00%"), out);

        run("index", dir.toString());
        JsonNode json = new ObjectMapper().readTree(run("embed", "--json", dir.resolve("red/0.png").toString()));
        assertEquals(512, json.get("dim").asInt());
        float[] printed = new float[512];
        for (int i = 0; i < 512; i++) {
            printed[i] = (float) json.get("embedding").get(i).asDouble();
        }
        try (PhotoStore store = PhotoStore.open(tmp.resolve("data/index-tiny-test.db"))) {
            String hash = store.record(dir.resolve("red/0.png").toString()).orElseThrow().hash();
            assertArrayEquals(store.vector(hash), printed, 0f, "embed prints what the index holds");
        }
        String text = run("embed", "--text", "a red square");
        assertEquals(512, text.trim().split(" ").length);
    }
}
