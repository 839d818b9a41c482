package clipd.search;

import clipd.embed.Vectors;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The mechanics of a concept's vector and threshold, on vectors made to have known answers. */
class ConceptModelTest {
    private static final int DIM = 8;

    private static float[] unit(double... xs) {
        float[] v = new float[DIM];
        for (int i = 0; i < xs.length; i++) {
            v[i] = (float) xs[i];
        }
        return Vectors.normalize(v);
    }

    private static float[] jitter(float[] v, Random random) {
        float[] out = v.clone();
        for (int i = 3; i < DIM; i++) {
            out[i] += (float) (0.05 * random.nextGaussian());
        }
        return Vectors.normalize(out);
    }

    @Test
    void theRegressionSeparatesWhatThePrototypeRanksWrongly() {
        Random random = new Random(7);
        // two clusters of positives, a little toward +e2; negatives on the prototype's own axis, a little toward -e2
        List<float[]> positives = List.of(jitter(unit(1, 0.5, 0.2), random), jitter(unit(1, -0.5, 0.2), random),
                jitter(unit(1, 0.5, 0.2), random), jitter(unit(1, -0.5, 0.2), random));
        List<float[]> negatives = List.of(jitter(unit(1, 0, -0.2), random), jitter(unit(1, 0, -0.2), random),
                jitter(unit(1, 0.1, -0.2), random));
        float[] prototype = ConceptModel.prototype(positives, null);
        assertTrue(lowest(prototype, positives) < highest(prototype, negatives),
                "the prototype alone ranks a negative above a positive");

        LogisticRegression.Model fit = LogisticRegression.fit(positives, negatives, scaled(prototype));
        positives.forEach(p -> assertTrue(fit.logit(p) > 0, "every positive is on its side"));
        negatives.forEach(n -> assertTrue(fit.logit(n) < 0, "every negative is on its side"));
        float[] concept = ConceptModel.vector(new ConceptModel.Examples(positives, negatives, null));
        assertEquals(1, Vectors.dot(concept, concept), 1e-5);
        assertTrue(lowest(concept, positives) > highest(concept, negatives),
                "ranked by the concept's vector, every positive comes before every negative");
    }

    @Test
    void withoutNegativesTheVectorIsTheNormalisedMeanMixedWithTheText() {
        float[] a = unit(1, 0, 0);
        float[] b = unit(0, 1, 0);
        float[] text = unit(0, 0, 1);
        assertArrayEquals(unit(1, 1, 0), ConceptModel.vector(new ConceptModel.Examples(List.of(a, b), List.of(), null)),
                1e-6f);
        // the images' mean direction and the text count alike
        assertArrayEquals(unit(Math.sqrt(0.5), Math.sqrt(0.5), 1),
                ConceptModel.vector(new ConceptModel.Examples(List.of(a, b), List.of(), text)), 1e-6f);
        assertArrayEquals(text, ConceptModel.vector(new ConceptModel.Examples(List.of(), List.of(), text)), 1e-6f);
    }

    @Test
    void theThresholdLiesMidwayBetweenTheLeaveOneOutScoresAndTheLibrarysPercentile() {
        float[] a = unit(1, 0.1, 0);
        float[] b = unit(1, 0, 0.1);
        float[] c = unit(1, -0.1, 0);
        ConceptModel.Examples examples = new ConceptModel.Examples(List.of(a, b, c), List.of(), null);
        // leave-one-out by hand: each scored by the normalised mean of the other two
        float la = Vectors.dot(unit(2, -0.1 + 0.0, 0.1), a);
        float lb = Vectors.dot(unit(2, 0, 0), b);
        float lc = Vectors.dot(unit(2, 0.1, 0.1), c);
        assertArrayEquals(new float[] {la, lb, lc}, ConceptModel.leaveOneOut(examples), 1e-6f);
        float lowest = Math.min(la, Math.min(lb, lc));

        float[] library = new float[200];
        for (int i = 0; i < library.length; i++) {
            library[i] = i / 400f; // 0 … 0.4975
        }
        float p99 = library[197]; // nearest rank: ceil(0.99 × 200) = 198th smallest
        assertEquals(p99, ConceptModel.percentile(library, 0.99));
        ConceptModel.Threshold t = ConceptModel.threshold(examples, library);
        assertEquals((lowest + p99) / 2, t.value(), 1e-6);
        assertTrue(t.source().startsWith("midway"), t.source());

        float[] close = library.clone();
        close[199] = close[198] = 0.9999f; // a library scoring higher than the examples
        close[197] = 0.9995f;
        assertEquals(0.9995f, ConceptModel.threshold(examples, close).value(), "not above it: the percentile itself");

        ConceptModel.Examples one = new ConceptModel.Examples(List.of(a), List.of(), null);
        assertEquals(0, ConceptModel.leaveOneOut(one).length);
        assertEquals((1 + p99) / 2, ConceptModel.threshold(one, library).value(), 1e-6,
                "one example: its own score, 1, stands in");
        assertEquals(lowest, ConceptModel.threshold(examples, new float[0]).value(), 1e-6, "an empty library");
    }

    private static float[] scaled(float[] v) {
        float[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] *= ConceptModel.PRIOR_SCALE;
        }
        return out;
    }

    private static float lowest(float[] concept, List<float[]> xs) {
        return (float) xs.stream().mapToDouble(x -> Vectors.dot(concept, x)).min().orElseThrow();
    }

    private static float highest(float[] concept, List<float[]> xs) {
        return (float) xs.stream().mapToDouble(x -> Vectors.dot(concept, x)).max().orElseThrow();
    }
}
