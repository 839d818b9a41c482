package clipd.search;

import clipd.embed.ClipModel;
import clipd.embed.ModelUnavailableException;
import clipd.embed.Vectors;
import clipd.store.ConceptRecord;
import clipd.store.PhotoStore;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The concepts a person teaches clipd by example ("this is Rex"), kept in the store: made, extended, replaced and
 * removed here, from the examples' stored embeddings only ({@link ConceptModel}); the text encoder runs once for a
 * new description. Also the query language's lookup of a concept's vector ({@link ConceptVectors}).
 *
 * <p>Thread-safe: changes are serialised on this object; a read sees a concept before or after a change.
 */
public final class Concepts implements ConceptVectors {
    /** Letters and digits first, then also spaces and {@code _ ' & . -}; nothing the query language reads itself. */
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N} _'&.-]{0,63}");
    private static final Pattern LONE_MINUS = Pattern.compile(".*\\s-(\\s.*|$)");

    /**
     * A change asked for: examples by path, the description (null: keep or none), the threshold (null: automatic,
     * or the one a person set before; "auto"; or a cosine).
     */
    public record Change(String name, List<String> positives, List<String> negatives, String text, String threshold) {
        public Change {
            positives = List.copyOf(positives);
            negatives = List.copyOf(negatives);
        }
    }

    private final PhotoStore store;
    private final ClipModel model;

    public Concepts(PhotoStore store, ClipModel model) {
        this.store = store;
        this.model = model;
    }

    public List<ConceptRecord> list() {
        return store.concepts();
    }

    public Optional<ConceptRecord> get(String name) {
        return store.concept(name);
    }

    @Override
    public float[] vector(String name) {
        return store.concept(name).map(ConceptRecord::vector).orElse(null);
    }

    /** Makes a concept, or adds the examples (and a new description or threshold) to the one of that name. */
    public synchronized ConceptRecord add(Change change) throws QueryException, ModelUnavailableException {
        checkName(change.name());
        ConceptRecord old = store.concept(change.name()).orElse(null);
        return save(change, old);
    }

    /** Makes the concept exactly as asked, whatever one of that name held. */
    public synchronized ConceptRecord replace(Change change) throws QueryException, ModelUnavailableException {
        checkName(change.name());
        return save(change, null);
    }

    public synchronized boolean remove(String name) {
        return store.removeConcept(name);
    }

    private ConceptRecord save(Change change, ConceptRecord old) throws QueryException, ModelUnavailableException {
        Map<String, ConceptRecord.Example> positives = new LinkedHashMap<>();
        Map<String, ConceptRecord.Example> negatives = new LinkedHashMap<>();
        if (old != null) {
            old.positives().forEach(e -> positives.put(e.hash(), e));
            old.negatives().forEach(e -> negatives.put(e.hash(), e));
        }
        for (String path : change.positives()) {
            ConceptRecord.Example e = example(path);
            negatives.remove(e.hash());
            positives.putIfAbsent(e.hash(), e);
        }
        for (String path : change.negatives()) {
            ConceptRecord.Example e = example(path);
            if (change.positives().contains(path)) {
                throw new QueryException(path + " cannot be an example and a counter-example of " + change.name());
            }
            positives.remove(e.hash());
            negatives.putIfAbsent(e.hash(), e);
        }
        String text = change.text() != null ? blankToNull(change.text()) : old == null ? null : old.text();
        float[] textVector = text == null ? null : old != null && text.equals(old.text()) ? old.textVector()
                : Vectors.normalize(model.embedTexts(List.of(text))[0]);
        List<float[]> positiveVectors = vectors(positives);
        if (positiveVectors.isEmpty() && text == null) {
            throw new QueryException("a concept needs at least one example photo or a --text description");
        }
        ConceptModel.Examples examples = new ConceptModel.Examples(positiveVectors, vectors(negatives), textVector);
        float[] vector = ConceptModel.vector(examples);
        Float manual = threshold(change.threshold(), old);
        ConceptModel.Threshold threshold = manual != null
                ? new ConceptModel.Threshold(manual, "set by hand")
                : ConceptModel.threshold(examples, libraryScores(vector, positives.keySet(), negatives.keySet()));
        ConceptRecord concept = new ConceptRecord(change.name(), List.copyOf(positives.values()),
                List.copyOf(negatives.values()), text, textVector, vector, threshold.value(), manual != null,
                threshold.source());
        store.putConcept(concept);
        return concept;
    }

    /** The one a person asked for, or the one they set before (unless "auto"), or null for the automatic one. */
    private static Float threshold(String asked, ConceptRecord old) throws QueryException {
        if (asked == null) {
            return old != null && old.manual() ? old.threshold() : null;
        }
        if (asked.equals("auto")) {
            return null;
        }
        try {
            float t = Float.parseFloat(asked);
            if (t >= -1 && t <= 1) {
                return t;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new QueryException("a concept's threshold is a cosine between -1 and 1, or auto, not '" + asked + "'");
    }

    /** An indexed photo's content, by its path; a path not in the index is the person's mistake. */
    private ConceptRecord.Example example(String path) throws QueryException {
        String hash = store.record(path).map(r -> r.hash()).orElse(null);
        if (hash == null || store.vector(hash) == null) {
            throw new QueryException(path + " is not indexed (concepts are made from indexed photos: clipd index "
                    + "its folder first)");
        }
        return new ConceptRecord.Example(hash, path);
    }

    /** The stored embeddings of the examples; one whose photo left the index for good is left out. */
    private List<float[]> vectors(Map<String, ConceptRecord.Example> examples) {
        List<float[]> out = new ArrayList<>();
        examples.values().removeIf(e -> store.vector(e.hash()) == null);
        examples.keySet().forEach(hash -> out.add(store.vector(hash)));
        return out;
    }

    /** The scores of every indexed photo's content that is no example (each content once). */
    private float[] libraryScores(float[] vector, Set<String> positives, Set<String> negatives) {
        Set<String> seen = new HashSet<>(positives);
        seen.addAll(negatives);
        float[][] scores = {new float[1024]};
        int[] n = {0};
        store.forEachRecord("", (path, record) -> {
            float[] v = seen.add(record.hash()) ? store.vector(record.hash()) : null;
            if (v != null && v.length == vector.length) {
                if (n[0] == scores[0].length) {
                    scores[0] = java.util.Arrays.copyOf(scores[0], 2 * n[0]);
                }
                scores[0][n[0]++] = Vectors.dot(vector, v);
            }
        });
        return java.util.Arrays.copyOf(scores[0], n[0]);
    }

    /** Refuses a name the query language or the keyword fields would read otherwise. */
    public static void checkName(String name) throws QueryException {
        if (name == null || !NAME.matcher(name).matches() || name.endsWith(" ") || LONE_MINUS.matcher(name).matches()) {
            throw new QueryException("a concept's name is 1 to 64 letters, digits, spaces and _ ' & . - starting "
                    + "with a letter or digit, without a lone '-' (not '" + (name == null ? "" : name) + "')");
        }
    }

    private static String blankToNull(String s) {
        return s.isBlank() ? null : s.strip();
    }
}
