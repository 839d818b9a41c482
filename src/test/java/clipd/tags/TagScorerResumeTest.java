package clipd.tags;

import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.store.PhotoStore;
import clipd.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A stop during the first computation of the tag embeddings is honoured at once, and the work done is kept. */
class TagScorerResumeTest {
    @TempDir
    Path tmp;

    @Test
    void aStoppedComputationKeepsItsPartsAndResumesToTheSameResult() throws Exception {
        Path list = tmp.resolve("tags.txt");
        Files.writeString(list, IntStream.range(0, 40).mapToObj(i -> "thing " + i).collect(Collectors.joining("\n")));
        TagVocabulary vocabulary = TagVocabulary.load(list, null);
        try (ClipModel model = new ClipModel(ModelDescriptor.load(Fixtures.TINY_MODEL), 1);
             PhotoStore stopped = PhotoStore.open(tmp.resolve("a/index.db"));
             PhotoStore whole = PhotoStore.open(tmp.resolve("b/index.db"))) {
            int dim = model.descriptor().embeddingDim();
            AtomicInteger asked = new AtomicInteger();
            assertNull(TagScorer.load(model, vocabulary, stopped, () -> asked.incrementAndGet() > 2),
                    "stopped after two calls of the text encoder");
            String key = TagScorer.key(model.descriptor().name(), vocabulary);
            assertEquals(32 * dim, stopped.tagVectorsPart(key).length, "two calls of 16 tags are kept");
            AtomicInteger resumedCalls = new AtomicInteger();
            TagScorer resumed = TagScorer.load(model, vocabulary, stopped, () -> {
                resumedCalls.incrementAndGet();
                return false;
            });
            assertNotNull(resumed);
            assertEquals(1, resumedCalls.get(), "only the last 8 tags were left to compute");
            assertNull(stopped.tagVectorsPart(key), "the parts are dropped once complete");
            assertNotNull(TagScorer.load(model, vocabulary, whole, () -> false));
            assertArrayEquals(whole.tagVectors(key), stopped.tagVectors(key), 1e-6f);
        }
    }
}
