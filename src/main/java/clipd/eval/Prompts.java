package clipd.eval;

import java.util.List;

/** How a class name becomes text for the text encoder. */
public enum Prompts {
    /** The bare class name. */
    NAME(List.of("{}")),
    /** The CLIP paper's default prompt. */
    PHOTO(List.of("a photo of a {}.")),
    /**
     * An ensemble: each class is the normalised mean of these templates' embeddings. These seven are the subset
     * of CLIP's ImageNet prompts its authors found to work best together.
     */
    ENSEMBLE(List.of("itap of a {}.", "a bad photo of the {}.", "a origami {}.", "a photo of the large {}.",
            "a {} in a video game.", "art of the {}.", "a photo of the small {}."));

    private final List<String> templates;

    Prompts(List<String> templates) {
        this.templates = templates;
    }

    public List<String> texts(String className) {
        return templates.stream().map(t -> t.replace("{}", className)).toList();
    }
}
