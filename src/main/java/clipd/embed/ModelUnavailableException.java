package clipd.embed;

import java.nio.file.Path;

/**
 * The model directory lacks a file, or a file is not a usable model. The message is one line for a person; the
 * directory lets the caller say how to fetch the model into it.
 */
public final class ModelUnavailableException extends Exception {
    private final transient Path directory;

    public ModelUnavailableException(Path directory, String message) {
        super(message);
        this.directory = directory;
    }

    public ModelUnavailableException(Path directory, String message, Throwable cause) {
        super(message, cause);
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }
}
