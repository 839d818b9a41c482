package clipd.search;

import java.nio.file.Path;
import java.util.List;

/** A parsed query: text and image terms, each with a signed weight (negative for terms after '-'). */
public record Query(List<Term> terms) {
    public sealed interface Term permits Text, Image {
        float weight();
    }

    public record Text(String text, float weight) implements Term {
    }

    public record Image(Path path, float weight) implements Term {
    }

    public boolean hasImages() {
        return terms.stream().anyMatch(t -> t instanceof Image);
    }
}
