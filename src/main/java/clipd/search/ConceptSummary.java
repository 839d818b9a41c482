package clipd.search;

import clipd.store.ConceptRecord;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** A concept as {@code clipd concept list --json} and {@code GET /api/concepts} show it. */
public record ConceptSummary(String name, int examples, @JsonProperty("counter_examples") int counterExamples,
                             String text, float threshold, @JsonProperty("threshold_by_hand") boolean thresholdByHand,
                             @JsonProperty("threshold_source") String thresholdSource,
                             @JsonProperty("example_paths") List<String> examplePaths,
                             @JsonProperty("counter_example_paths") List<String> counterExamplePaths) {
    public static ConceptSummary of(ConceptRecord c) {
        return new ConceptSummary(c.name(), c.positives().size(), c.negatives().size(), c.text(), c.threshold(),
                c.manual(), c.thresholdSource(), c.positives().stream().map(ConceptRecord.Example::path).toList(),
                c.negatives().stream().map(ConceptRecord.Example::path).toList());
    }
}
