package clipd.tags;

import java.util.List;
import java.util.Locale;

/**
 * Which tags a photo gets: those whose probability reaches {@code minProbability}, best first, at most
 * {@code maxTags}. Precision matters more than recall (a wrong keyword in a person's library is worse than a
 * missing one), hence a high bar and a small number by default.
 */
public record TagPolicy(double minProbability, int maxTags) {
    public static final double DEFAULT_MIN_PROBABILITY = 0.2;
    public static final int DEFAULT_MAX_TAGS = 5;

    public List<String> choose(List<TagScorer.Candidate> ranked) {
        return ranked.stream().filter(c -> c.probability() >= minProbability).limit(maxTags)
                .map(TagScorer.Candidate::tag).toList();
    }

    /** Everything the chosen tags and where they go depend on, as one string to compare with a photo's state. */
    String fingerprint(String scorerKey, XmpFiles files) {
        return String.format(Locale.ROOT, "%s p>=%s k=%d %s%s", scorerKey, minProbability, maxTags,
                files.mode(), files.basenameSidecar() ? " basename" : "");
    }
}
