package clipd.daemon;

/** A folder clipd will not watch, with the reason in a sentence. */
public final class FolderRefusedException extends Exception {
    public FolderRefusedException(String message) {
        super(message);
    }
}
