package clipd.cli;

import clipd.util.PrivateFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the running {@code clipd serve} of a data directory answers: {@code DATA_DIR/endpoint.json} with its pid,
 * listen address and port, written once it listens and removed when it stops. The clipd command finds the daemon
 * by it (so {@code --port 0} and a changed config still work); {@code --port} overrides it.
 */
record Endpoint(long pid, String listen, int port) {
    static final String FILE_NAME = "endpoint.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    static Optional<Endpoint> read(Path dataDir) {
        try {
            JsonNode n = JSON.readTree(Files.readString(dataDir.resolve(FILE_NAME)));
            return Optional.of(new Endpoint(n.path("pid").asLong(), n.path("listen").asText("127.0.0.1"),
                    n.path("port").asInt()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // half a file from an old crash: as if none
        }
    }

    /** Whether the process that wrote this still runs (a killed daemon leaves its file behind). */
    boolean alive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The address to connect to: loopback when the daemon listens on every interface. */
    String url() {
        String host = listen.equals("0.0.0.0") || listen.equals("::") ? "127.0.0.1"
                : listen.contains(":") ? "[" + listen + "]" : listen;
        return "http://" + host + ":" + port;
    }

    void write(Path dataDir) throws IOException {
        PrivateFiles.writeAtomically(dataDir.resolve(FILE_NAME), JSON.writeValueAsString(this) + "\n");
    }

    /** Removes the file if it is still this process's. */
    void remove(Path dataDir) {
        try {
            if (read(dataDir).filter(e -> e.pid == pid).isPresent()) {
                Files.deleteIfExists(dataDir.resolve(FILE_NAME));
            }
        } catch (IOException e) {
            // the next start replaces it
        }
    }
}
