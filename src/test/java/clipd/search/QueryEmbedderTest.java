package clipd.search;

import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.image.ImageDecoder;
import clipd.image.Preprocessor;
import clipd.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QueryEmbedderTest {
    private static QueryEmbedder embedder(ClipModel model) {
        ModelDescriptor d = model.descriptor();
        return new QueryEmbedder(model, new ImageDecoder(50_000_000L, 4 * d.imageSize()),
                new Preprocessor(d.imageSize(), d.mean(), d.std()));
    }

    @Test
    void aTextSearchNeverLoadsTheVisualEncoder() throws Exception {
        try (ClipModel model = new ClipModel(ModelDescriptor.load(Fixtures.TINY_MODEL), 1)) {
            embedder(model).embed(QueryParser.parse(List.of("horse", "+", "stripes", "-", "zebra"), Path.of("/")));
            assertTrue(model.textualLoaded());
            assertFalse(model.visualLoaded());
        }
    }

    @Test
    void differentPromptsEmbedDifferently() throws Exception {
        try (ClipModel model = new ClipModel(ModelDescriptor.load(Fixtures.TINY_MODEL), 1)) {
            float[][] v = model.embedTexts(List.of("a cat", "a dog", "a cat", "mountain lake at dawn"));
            float catDog = clipd.embed.Vectors.dot(v[0], v[1]);
            float catLake = clipd.embed.Vectors.dot(v[0], v[3]);
            assertTrue(catDog < 0.9f && catLake < catDog, "prompts must be told apart: " + catDog + ", " + catLake);
            assertArrayEquals(v[0], v[2], 1e-6f);
        }
    }

    @Test
    void aTextAskedForAgainIsNotEncodedAgainAndItsKeptEmbeddingCannotBeChanged() throws Exception {
        try (ClipModel model = new ClipModel(ModelDescriptor.load(Fixtures.TINY_MODEL), 1)) {
            float[] cat = model.embedTexts(List.of("a cat"))[0];
            assertEquals(1, model.textRuns());
            float[] copy = cat.clone();
            java.util.Arrays.fill(cat, 0f); // what a caller does with its array is its own business
            float[][] again = model.embedTexts(List.of("a dog", "a cat"));
            assertEquals(2, model.textRuns(), "only the dog was encoded");
            assertArrayEquals(copy, again[1]);
            try (ClipModel fresh = new ClipModel(ModelDescriptor.load(Fixtures.TINY_MODEL), 1)) {
                assertArrayEquals(fresh.embedTexts(List.of("a dog"))[0], again[0], 1e-6f);
            }
        }
    }

    @Test
    void termsAreSummedWithTheirSignedWeights() throws Exception {
        try (ClipModel model = new ClipModel(ModelDescriptor.load(Fixtures.TINY_MODEL), 1)) {
            float[][] t = model.embedTexts(List.of("horse", "zebra"));
            Path bee = Fixtures.SHARED_IMAGES.resolve("bee.jpg");
            float[] image = embedder(model).embed(QueryParser.parse(List.of(bee.toString()), Path.of("/")));
            float[] q = embedder(model).embed(QueryParser.parse(
                    List.of("2:horse", "-", "zebra", "+", "0.5:" + bee), Path.of("/")));
            float[] expected = new float[q.length];
            for (int i = 0; i < q.length; i++) {
                expected[i] = 2 * t[0][i] - t[1][i] + 0.5f * image[i];
            }
            assertArrayEquals(expected, q, 1e-5f);
            assertTrue(model.visualLoaded());
        }
    }
}
