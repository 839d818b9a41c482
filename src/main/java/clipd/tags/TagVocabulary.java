package clipd.tags;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The concepts clipd can tag: one per line, {@code #} starts a comment. The built-in list covers everyday photo
 * subjects; a person's own file replaces it or adds to it. A tag is written as it is, so it may not contain the
 * characters that separate levels or items in the keyword fields of photo apps.
 */
public final class TagVocabulary {
    static final String BUILT_IN = "/clipd/tags/vocabulary.txt";
    private static final String FORBIDDEN = "|/,;";
    private static final int MAX_LENGTH = 64;

    private final List<String> tags;

    private TagVocabulary(List<String> tags) {
        this.tags = List.copyOf(tags);
    }

    /**
     * @param replacement a file used instead of the built-in list, or null
     * @param extra       a file whose tags are added, or null
     */
    public static TagVocabulary load(Path replacement, Path extra) throws IOException {
        Set<String> tags = new LinkedHashSet<>();
        if (replacement != null) {
            tags.addAll(parse(Files.readString(replacement, StandardCharsets.UTF_8), replacement.toString()));
        } else {
            try (InputStream in = TagVocabulary.class.getResourceAsStream(BUILT_IN)) {
                if (in == null) {
                    throw new IOException("the built-in tag vocabulary " + BUILT_IN + " is missing from clipd");
                }
                tags.addAll(parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "the built-in vocabulary"));
            }
        }
        if (extra != null) {
            tags.addAll(parse(Files.readString(extra, StandardCharsets.UTF_8), extra.toString()));
        }
        if (tags.isEmpty()) {
            throw new IOException("the tag vocabulary is empty");
        }
        return new TagVocabulary(new ArrayList<>(tags));
    }

    static List<String> parse(String text, String source) throws IOException {
        List<String> tags = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String tag = lines[i].strip();
            if (tag.isEmpty() || tag.startsWith("#")) {
                continue;
            }
            for (char c : FORBIDDEN.toCharArray()) {
                if (tag.indexOf(c) >= 0) {
                    throw new IOException(source + ", line " + (i + 1) + ": a tag may not contain '" + c + "': " + tag);
                }
            }
            if (tag.length() > MAX_LENGTH) {
                throw new IOException(source + ", line " + (i + 1) + ": a tag is at most " + MAX_LENGTH
                        + " characters long");
            }
            tags.add(tag);
        }
        return tags;
    }

    public List<String> tags() {
        return tags;
    }
}
