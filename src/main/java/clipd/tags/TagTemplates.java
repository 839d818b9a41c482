package clipd.tags;

import clipd.embed.ClipModel;
import clipd.embed.ModelUnavailableException;
import clipd.embed.Vectors;

import java.util.List;

/** How a tag becomes text for the text encoder. */
public final class TagTemplates {
    /**
     * The prompt ensemble: a tag's embedding is the normalised mean of these. They are from CLIP's ImageNet
     * prompts, the ones that describe a photograph (not a drawing, a toy or a video game), since clipd tags photos.
     */
    public static final List<String> ENSEMBLE = List.of("a photo of a {}.", "a close-up photo of the {}.",
            "a photo of a small {}.", "a photo of the large {}.", "itap of a {}.", "a bad photo of the {}.",
            "a cropped photo of the {}.");

    private TagTemplates() {
    }

    public static List<String> texts(List<String> templates, String tag) {
        return templates.stream().map(t -> t.replace("{}", tag)).toList();
    }

    /** The normalised mean of the templates' text embeddings for one tag or class name. */
    public static float[] embed(ClipModel model, List<String> templates, String tag) throws ModelUnavailableException {
        return Vectors.normalizedMean(model.embedTexts(texts(templates, tag)), 0, templates.size());
    }
}
