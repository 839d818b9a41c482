package clipd.index;

import clipd.image.UnreadableImageException;

/** Why a file in a photo folder was not indexed. */
public enum SkipReason {
    NOT_AN_IMAGE("not an image"),
    UNSUPPORTED_FORMAT("format without a decoder"),
    CORRUPT("damaged or truncated image"),
    TOO_LARGE("image too large"),
    EMPTY("empty file"),
    UNREADABLE("cannot be read"),
    NOT_A_FILE("not a regular file"),
    /** clipd itself failed on the file (a bug, or too little memory for a worker): not the photo's fault. */
    CLIPD_ERROR("clipd failed on it (see the log)"),
    /** A link to a folder that is indexed where it really is (a loop is one): following it would index twice. */
    LINK_INSIDE_LIBRARY("link to a folder already in the library");

    private final String description;

    SkipReason(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    static SkipReason of(UnreadableImageException.Kind kind) {
        return switch (kind) {
            case NOT_AN_IMAGE -> NOT_AN_IMAGE;
            case UNSUPPORTED_FORMAT -> UNSUPPORTED_FORMAT;
            case CORRUPT -> CORRUPT;
            case TOO_LARGE -> TOO_LARGE;
        };
    }
}
