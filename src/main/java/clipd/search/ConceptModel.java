package clipd.search;

import clipd.embed.Vectors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How a concept's vector and threshold are made from its examples' stored embeddings, never by embedding again.
 *
 * <p>Vector: the prototype is the normalised mean of the positive examples, plus the text embedding of the
 * description when there is one (both unit vectors, equal weight), normalised. With negative examples, a logistic
 * regression of the positives against them, its weights pulled toward 10 × the prototype
 * ({@link LogisticRegression}), and the concept's vector is the direction of those weights: ranking by it is
 * ranking by the regression's probability.
 *
 * <p>Threshold ({@link #THRESHOLD_RULE}): each positive is scored by the concept made without it (leave-one-out);
 * the lowest of those scores is set against the 99th percentile (nearest rank) of the library's scores, every
 * indexed photo that is not an example. When the examples score higher, the threshold lies midway between the two;
 * when not, it is the percentile itself, so that the concept never takes more than about 1% of the library. A
 * concept of one photo and no text has no leave-one-out score: the example's own score, 1, stands in.
 */
public final class ConceptModel {
    public static final String THRESHOLD_RULE = "midway between the lowest leave-one-out score of the examples and "
            + "the library's 99th percentile, or that percentile when the examples score lower";
    static final float PRIOR_SCALE = 10;
    static final double PERCENTILE = 0.99;

    /** What a concept is made of: unit embeddings of its examples, and the unit text embedding or null. */
    public record Examples(List<float[]> positives, List<float[]> negatives, float[] text) {
    }

    /** The threshold and where it came from, in words for {@code concept list}. */
    public record Threshold(float value, String source) {
    }

    private ConceptModel() {
    }

    /** The unit vector photos are scored against; needs a positive or a text. */
    public static float[] vector(Examples e) {
        float[] prototype = prototype(e.positives(), e.text());
        if (e.negatives().isEmpty() || e.positives().isEmpty()) {
            return prototype;
        }
        float[] prior = prototype.clone();
        for (int i = 0; i < prior.length; i++) {
            prior[i] *= PRIOR_SCALE;
        }
        return Vectors.normalize(LogisticRegression.fit(e.positives(), e.negatives(), prior).weights());
    }

    static float[] prototype(List<float[]> positives, float[] text) {
        int dim = text != null ? text.length : positives.get(0).length;
        float[] sum = new float[dim];
        if (!positives.isEmpty()) {
            float[] mean = new float[dim];
            positives.forEach(p -> add(mean, p));
            add(sum, Vectors.normalize(mean));
        }
        if (text != null) {
            add(sum, text);
        }
        return Vectors.normalize(sum);
    }

    /** Each positive's score by the concept made without it; empty when no concept is left without it. */
    static float[] leaveOneOut(Examples e) {
        if (e.positives().size() < 2 && e.text() == null) {
            return new float[0];
        }
        float[] scores = new float[e.positives().size()];
        for (int i = 0; i < scores.length; i++) {
            List<float[]> others = new ArrayList<>(e.positives());
            float[] left = others.remove(i);
            scores[i] = Vectors.dot(vector(new Examples(others, e.negatives(), e.text())), left);
        }
        return scores;
    }

    /** The threshold by {@link #THRESHOLD_RULE}; {@code library} the scores of the photos that are not examples. */
    public static Threshold threshold(Examples e, float[] library) {
        float[] loo = leaveOneOut(e);
        float lowest = 1;
        for (float s : loo) {
            lowest = Math.min(lowest, s);
        }
        String examples = loo.length == 0 ? "one example (scores 1)"
                : String.format(Locale.ROOT, "lowest leave-one-out score %.3f of %d examples", lowest, loo.length);
        if (library.length == 0) {
            return new Threshold(lowest, examples + "; no other photo indexed");
        }
        float percentile = percentile(library, PERCENTILE);
        String lib = String.format(Locale.ROOT, "library 99th percentile %.3f of %,d photos", percentile,
                library.length);
        return lowest > percentile
                ? new Threshold((lowest + percentile) / 2, "midway: " + examples + ", " + lib)
                : new Threshold(percentile, "the percentile: " + examples + " is not above the " + lib);
    }

    /** The nearest-rank percentile: the smallest score with at least {@code p} of the scores at or below it. */
    static float percentile(float[] scores, double p) {
        float[] sorted = scores.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static void add(float[] sum, float[] v) {
        for (int i = 0; i < sum.length; i++) {
            sum[i] += v[i];
        }
    }
}
