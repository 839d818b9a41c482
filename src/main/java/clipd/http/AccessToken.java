package clipd.http;

import clipd.util.PrivateFiles;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The owner's credential: 256 random bits made on first start in the data directory, in a file only its owner can
 * read, read by the {@code clipd} command itself. A web page on another site, or another user of the machine,
 * cannot know it. Keys for other purposes (session cookies, the daemon's proof of identity) are derived from it,
 * so replacing the file revokes them all.
 */
public final class AccessToken {
    public static final String FILE_NAME = "token";
    /** Shorter is guessable; clipd writes 64 hex digits. */
    static final int MIN_LENGTH = 32;
    private static final System.Logger LOG = System.getLogger(AccessToken.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private final String value;

    private AccessToken(String value) {
        this.value = value;
    }

    /**
     * The daemon's token. A token file that others could have read or written (group or other bits, another owner,
     * not a regular file) or that is too short to be secret is replaced, with a log line, rather than trusted.
     */
    public static AccessToken loadOrCreate(Path dataDir) throws IOException {
        PrivateFiles.createDirectory(dataDir);
        Path file = dataDir.resolve(FILE_NAME);
        String distrust = distrust(file);
        if (distrust == null) {
            return new AccessToken(Files.readString(file).trim());
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            LOG.log(System.Logger.Level.WARNING, "replacing the access token {0}: {1}", file, distrust);
        }
        String token = randomHex(32);
        PrivateFiles.writeAtomically(file, token + "\n");
        return new AccessToken(token);
    }

    /** Why the token file cannot be trusted, or null when it can. */
    private static String distrust(Path file) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return "there is none";
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return "it is not a regular file";
        }
        if (file.getFileSystem().supportedFileAttributeViews().contains("unix")) {
            if (!PrivateFiles.isOurs(file)) {
                return "another user owns it";
            }
            if (PrivateFiles.hasGroupOrOtherBits(file)) {
                return "others may read or change it (mode "
                        + java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)) + ")";
            }
        }
        String value = Files.readString(file).trim();
        if (value.length() < MIN_LENGTH || !value.chars().allMatch(c -> c > ' ' && c < 127)) {
            return "its value is too short or not plain text";
        }
        return null;
    }

    /** The token a running daemon made, for the clipd command; never creates one. */
    public static Optional<AccessToken> read(Path dataDir) throws IOException {
        try {
            String value = Files.readString(dataDir.resolve(FILE_NAME)).trim();
            return value.length() >= MIN_LENGTH ? Optional.of(new AccessToken(value)) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    public String value() {
        return value;
    }

    /** Constant-time comparison, so the token cannot be guessed a character at a time. */
    boolean matches(String candidate) {
        return equal(value, candidate);
    }

    /**
     * What the daemon answers to the challenge {@code nonce} on {@code port}: an HMAC a listener without the token
     * cannot make. The port is in it, so a listener on another port cannot pass on the real daemon's answer.
     */
    public String proof(int port, String nonce) {
        return mac("challenge", port + ":" + nonce);
    }

    /** HMAC-SHA256 of {@code purpose}, a NUL and {@code message}, keyed with the token, in hex. */
    String mac(String purpose, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(value.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((purpose + "\0" + message).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has HmacSHA256", e);
        }
    }

    public static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    /** Constant-time equality of two strings; false when either is null. */
    public static boolean equal(String a, String b) {
        return a != null && b != null && MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8),
                b.getBytes(StandardCharsets.UTF_8));
    }
}
