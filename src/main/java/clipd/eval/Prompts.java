package clipd.eval;

import clipd.embed.ClipModel;
import clipd.embed.ModelUnavailableException;
import clipd.tags.TagTemplates;

import java.util.List;

/** How a class name becomes text for the text encoder. */
public enum Prompts {
    /** The bare class name. */
    NAME(List.of("{}")),
    /** The CLIP paper's default prompt. */
    PHOTO(List.of("a photo of a {}.")),
    /** The tagging ensemble: each class is the normalised mean of these templates' embeddings. */
    ENSEMBLE(TagTemplates.ENSEMBLE);

    private final List<String> templates;

    Prompts(List<String> templates) {
        this.templates = templates;
    }

    /** The class's text embedding: the normalised mean over this prompt set. */
    public float[] embed(ClipModel model, String className) throws ModelUnavailableException {
        return TagTemplates.embed(model, templates, className);
    }
}
