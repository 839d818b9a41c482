package clipd.search;

import clipd.embed.ClipModel;
import clipd.embed.ModelUnavailableException;
import clipd.image.ImageDecoder;
import clipd.image.Preprocessor;
import clipd.image.UnreadableImageException;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a query into one vector as rclip does: the weighted sum of the normalised term embeddings, negative terms
 * subtracted. A text term that is a concept's name (exactly, or in double quotes) stands for the concept's vector
 * instead of its text ({@link QueryParser#conceptName}). The visual encoder is loaded only when the query has an
 * image term.
 */
public final class QueryEmbedder {
    private final ClipModel model;
    private final ImageDecoder decoder;
    private final Preprocessor preprocessor;
    private final ConceptVectors concepts;

    public QueryEmbedder(ClipModel model, ImageDecoder decoder, Preprocessor preprocessor) {
        this(model, decoder, preprocessor, ConceptVectors.NONE);
    }

    public QueryEmbedder(ClipModel model, ImageDecoder decoder, Preprocessor preprocessor, ConceptVectors concepts) {
        this.model = model;
        this.decoder = decoder;
        this.preprocessor = preprocessor;
        this.concepts = concepts;
    }

    public float[] embed(Query query) throws ModelUnavailableException, QueryException {
        float[] sum = new float[model.descriptor().embeddingDim()];
        List<Query.Text> texts = new ArrayList<>();
        for (Query.Term t : query.terms()) {
            float[] concept = t instanceof Query.Text text ? concepts.vector(QueryParser.conceptName(text.text())) : null;
            if (concept != null) {
                add(sum, concept, t.weight());
            } else if (t instanceof Query.Text text) {
                texts.add(text);
            } else {
                add(sum, embedImage((Query.Image) t), t.weight());
            }
        }
        if (!texts.isEmpty()) {
            float[][] vectors = model.embedTexts(texts.stream().map(Query.Text::text).toList());
            for (int i = 0; i < vectors.length; i++) {
                add(sum, vectors[i], texts.get(i).weight());
            }
        }
        return sum;
    }

    private float[] embedImage(Query.Image term) throws ModelUnavailableException, QueryException {
        return embedImage(read(term), term.path().toString());
    }

    /** The bytes of an image named in a query. */
    public static byte[] read(Query.Image term) throws QueryException {
        try {
            return Files.readAllBytes(term.path());
        } catch (IOException e) {
            throw new QueryException("cannot read the query image " + term.path() + ": "
                    + (Files.isDirectory(term.path()) ? "it is a folder" : clipd.util.Problems.reason(e)));
        }
    }

    /** The normalised embedding of an image given as bytes; {@code name} only for the error message. */
    public float[] embedImage(byte[] bytes, String name) throws ModelUnavailableException, QueryException {
        float[] pixels = new float[3 * preprocessor.size() * preprocessor.size()];
        try {
            preprocessor.preprocess(decoder.decode(bytes), pixels, 0);
        } catch (UnreadableImageException e) {
            throw new QueryException("the query image " + name + " cannot be used: " + e.getMessage());
        }
        return model.embedImages(pixels, 1)[0];
    }

    private static void add(float[] sum, float[] v, float weight) {
        for (int i = 0; i < sum.length; i++) {
            sum[i] += weight * v[i];
        }
    }
}
