package clipd.daemon;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** What the HTTP API may ask of the running daemon; called from HTTP threads, so every method is thread-safe. */
public interface LibraryControl {
    /** State, folders and counters, by their JSON names. */
    Map<String, Object> status();

    List<Path> folders();

    /** Compares every folder with the disk soon. */
    void requestRescan();

    void addFolder(Path folder);

    void removeFolder(Path folder);
}
