package clipd.tags;

import clipd.embed.ClipModel;
import clipd.embed.ModelUnavailableException;
import clipd.embed.Vectors;
import clipd.store.PhotoStore;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * Zero-shot scores of every tag for a photo's embedding: the cosine with each tag's ensemble embedding, and the
 * softmax of 100 × cosine over the vocabulary, as CLIP classifies. The tag embeddings are computed once per model
 * and vocabulary and kept in the store, so re-tagging needs neither the text encoder nor the photos.
 */
public final class TagScorer {
    private static final System.Logger LOG = System.getLogger(TagScorer.class.getName());
    private static final int TAGS_PER_CALL = 16;
    /** How often a first computation of the tag embeddings keeps what it has, in case it is stopped or killed. */
    private static final long KEEP_PROGRESS_NANOS = 10_000_000_000L;
    /** CLIP's learned logit scale, 100 for the OpenAI and OpenCLIP models. */
    private static final double LOGIT_SCALE = 100;

    public record Candidate(String tag, float cosine, double probability) {
    }

    private final List<String> tags;
    private final float[] rows;
    private final int dim;
    private final String key;

    private TagScorer(List<String> tags, float[] rows, int dim, String key) {
        this.tags = tags;
        this.rows = rows;
        this.dim = dim;
        this.key = key;
    }

    /** Who waits for a first computation of the tag embeddings: asked whether to stop, told how far it got. */
    @FunctionalInterface
    public interface Computation {
        boolean stopped();

        /** {@code done} of {@code total} tags have their embeddings; told at the start and after each call. */
        default void progress(int done, int total) {
        }
    }

    /**
     * Loads the vocabulary's embeddings from the store, computing and keeping them the first time. The computation
     * (minutes with a real model) keeps its progress in the store every few seconds and stops between two calls of
     * the text encoder once {@code computation} says so: then it returns null, and the next load resumes.
     */
    public static TagScorer load(ClipModel model, TagVocabulary vocabulary, PhotoStore store,
                                 Computation computation) throws ModelUnavailableException {
        List<String> tags = vocabulary.tags();
        int dim = model.descriptor().embeddingDim();
        String key = key(model.descriptor().name(), vocabulary);
        float[] rows = store.tagVectors(key);
        if (rows == null || rows.length != tags.size() * dim) {
            rows = new float[tags.size() * dim];
            float[] part = store.tagVectorsPart(key);
            int done = part == null || part.length % dim != 0 || part.length > rows.length ? 0 : part.length / dim;
            if (done > 0) {
                System.arraycopy(part, 0, rows, 0, part.length);
            }
            LOG.log(System.Logger.Level.INFO, "computing the text embeddings of {0} tags with {1} prompts each "
                    + "(once per model and vocabulary){2}", tags.size(), TagTemplates.ENSEMBLE.size(),
                    done > 0 ? ", resuming after " + done : "");
            done = embedFrom(model, tags, dim, rows, done, store, key, computation);
            if (done < tags.size()) {
                store.putTagVectorsPart(key, Arrays.copyOf(rows, done * dim));
                LOG.log(System.Logger.Level.INFO, "stopped after {0} of {1} tags; the rest follows next time",
                        done, tags.size());
                return null;
            }
            store.putTagVectors(key, rows);
        }
        return new TagScorer(tags, rows, dim, key);
    }

    /**
     * Fills {@code rows} with the ensemble embeddings of the tags from {@code done} on, several tags to a call of the
     * text encoder; returns how many tags are done (all of them unless stopped).
     */
    private static int embedFrom(ClipModel model, List<String> tags, int dim, float[] rows, int done,
                                 PhotoStore store, String key, Computation computation)
            throws ModelUnavailableException {
        int prompts = TagTemplates.ENSEMBLE.size();
        long lastKept = System.nanoTime();
        for (int from = done; from < tags.size(); from += TAGS_PER_CALL) {
            computation.progress(from, tags.size());
            if (computation.stopped()) {
                return from;
            }
            List<String> some = tags.subList(from, Math.min(tags.size(), from + TAGS_PER_CALL));
            List<String> texts = new ArrayList<>();
            some.forEach(tag -> texts.addAll(TagTemplates.texts(TagTemplates.ENSEMBLE, tag)));
            float[][] each = model.embedTexts(texts);
            for (int t = 0; t < some.size(); t++) {
                System.arraycopy(Vectors.normalizedMean(each, t * prompts, prompts), 0, rows, (from + t) * dim, dim);
            }
            if (System.nanoTime() - lastKept > KEEP_PROGRESS_NANOS) {
                store.putTagVectorsPart(key, Arrays.copyOf(rows, (from + some.size()) * dim));
                lastKept = System.nanoTime();
            }
        }
        computation.progress(tags.size(), tags.size());
        return tags.size();
    }

    /** Names the model, vocabulary and prompts the scores come from. */
    public String key() {
        return key;
    }

    public int size() {
        return tags.size();
    }

    /** Every tag, best first. */
    public List<Candidate> rank(float[] photo) {
        float[] cosines = new float[tags.size()];
        float max = Float.NEGATIVE_INFINITY;
        for (int t = 0; t < cosines.length; t++) {
            float c = 0;
            for (int i = 0, o = t * dim; i < dim; i++) {
                c += photo[i] * rows[o + i];
            }
            cosines[t] = c;
            max = Math.max(max, c);
        }
        double sum = 0;
        for (float c : cosines) {
            sum += Math.exp(LOGIT_SCALE * (c - max));
        }
        List<Candidate> ranked = new ArrayList<>(cosines.length);
        for (int t = 0; t < cosines.length; t++) {
            ranked.add(new Candidate(tags.get(t), cosines[t], Math.exp(LOGIT_SCALE * (cosines[t] - max)) / sum));
        }
        ranked.sort(Comparator.comparingDouble(Candidate::cosine).reversed());
        return ranked;
    }

    /** Names the model, vocabulary and prompts that scores come from, without computing anything. */
    static String key(String model, TagVocabulary vocabulary) {
        List<String> tags = vocabulary.tags();
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String part : List.of(model, String.join("\n", TagTemplates.ENSEMBLE), String.join("\n", tags))) {
                digest.update(part.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            return model + "/" + HexFormat.of().formatHex(digest.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
