package clipd.tags;

import java.util.Locale;

/** Why clipd left a photo or sidecar alone although it had tags to write: it could not keep the file as it was. */
public enum Refusal {
    SYMBOLIC_LINK("a symbolic link"),
    HARD_LINK("a hard link"),
    NOT_A_FILE("not a regular file"),
    OWNER("owner or group cannot be kept"),
    ATTRIBUTES("extended attributes or ACL cannot be kept");

    private final String label;

    Refusal(String label) {
        this.label = label;
    }

    /** For people: "a hard link". */
    public String label() {
        return label;
    }

    /** For status JSON: "hard_link". */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
