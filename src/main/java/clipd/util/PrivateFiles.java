package clipd.util;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The data directory is its owner's alone: it holds every photo's path, place and embedding and the access token.
 * Folders are made 0700 and files 0600 whatever the umask; on a file system without POSIX modes (FAT, SMB) they
 * are made as the file system allows.
 */
public final class PrivateFiles {
    private static final System.Logger LOG = System.getLogger(PrivateFiles.class.getName());
    public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {
    }

    /**
     * Creates {@code dir} 0700 (missing parents get the usual mode). An existing folder of ours that others may
     * read (an older clipd made it 0755) is narrowed to 0700, with a log line; one of another user is left alone.
     */
    public static void createDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Path parent = dir.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try {
                Files.createDirectory(dir, attributes(dir, DIRECTORY));
            } catch (FileAlreadyExistsException e) {
                // made meanwhile by another process
            }
        }
        if (isPosix(dir) && !Files.getPosixFilePermissions(dir).equals(DIRECTORY) && isOurs(dir)) {
            LOG.log(System.Logger.Level.INFO, "making {0} private to its owner (mode 0700)", dir);
            Files.setPosixFilePermissions(dir, DIRECTORY);
        }
    }

    /** Whether anyone but the owner may read, write or enter the file (the link itself, never its target). */
    public static boolean hasGroupOrOtherBits(Path path) throws IOException {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        return mode.stream().anyMatch(p -> !p.name().startsWith("OWNER_"));
    }

    /** Whether this process's user owns the file (the link itself, never its target). */
    public static boolean isOurs(Path path) throws IOException {
        return ((Number) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue() == uid();
    }

    /** This process's user id. */
    public static long uid() {
        return new com.sun.security.auth.module.UnixSystem().getUid();
    }

    /** Makes an existing file 0600. */
    public static void restrict(Path file) throws IOException {
        if (isPosix(file) && !Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS).equals(FILE)) {
            Files.setPosixFilePermissions(file, FILE);
        }
    }

    /** Replaces {@code file} by {@code content} in one step, the new file 0600 from its first byte. */
    public static void writeAtomically(Path file, String content) throws IOException {
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, content);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static FileAttribute<?>[] attributes(Path path, Set<PosixFilePermission> mode) {
        return isPosix(path) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(mode)}
                : new FileAttribute<?>[0];
    }

    private static boolean isPosix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
