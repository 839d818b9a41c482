package clipd.image;

/** Why an image could not be decoded; the message is one line for a person. */
public final class UnreadableImageException extends Exception {
    /** TOO_COSTLY: decoding would take more time than any photo needs (thousands of scans, a hung converter). */
    public enum Kind { NOT_AN_IMAGE, UNSUPPORTED_FORMAT, CORRUPT, TOO_LARGE, TOO_COSTLY }

    private final Kind kind;

    public UnreadableImageException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public UnreadableImageException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
