package clipd.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The secret that mutating API calls must carry: made on first start in the data directory, readable by its owner
 * only, read by the {@code clipd} command itself. A web page on another site cannot know it.
 */
public final class AccessToken {
    public static final String FILE_NAME = "token";
    private final String value;

    private AccessToken(String value) {
        this.value = value;
    }

    public static AccessToken loadOrCreate(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            Files.createDirectories(dataDir);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, HexFormat.of().formatHex(random) + "\n");
            } catch (FileAlreadyExistsException e) {
                // another process made it first; use theirs
            } catch (UnsupportedOperationException e) {
                Files.writeString(file, HexFormat.of().formatHex(random) + "\n"); // not a POSIX file system
            }
        }
        return new AccessToken(Files.readString(file).trim());
    }

    /** The token a running daemon made, for the clipd command; never creates one. */
    public static java.util.Optional<String> read(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE_NAME);
        return Files.isReadable(file) ? java.util.Optional.of(Files.readString(file).trim()) : java.util.Optional.empty();
    }

    public String value() {
        return value;
    }

    /** Constant-time comparison, so the token cannot be guessed a character at a time. */
    boolean matches(String candidate) {
        return candidate != null && MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8),
                candidate.getBytes(StandardCharsets.UTF_8));
    }
}
