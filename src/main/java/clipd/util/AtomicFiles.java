package clipd.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces a file so that a crash, a full disk or a failed check at any moment leaves either the old file or the
 * new one, never a mix: the new bytes go to a hidden temporary file in the same folder, are flushed to the disk,
 * read back and checked, get the old file's permissions (and, for a photo, its modification time), and only then
 * are renamed over the original in one step.
 */
public final class AtomicFiles {
    /**
     * Temporary files start with this and the writing process's id; they are hidden, so the indexer and the watcher
     * pass them by, and one whose process is gone (killed mid-write) is deleted by the next scan of its folder.
     */
    public static final String TEMP_PREFIX = ".clipd-tmp-";

    public interface Check {
        /** Throws when the bytes as read back from the disk are not what was meant. */
        void check(byte[] written) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Writes {@code bytes} to {@code file} (which may not exist yet).
     *
     * @param keepModifiedTime give the new file the old one's modification time (photos: their date stays)
     */
    public static void write(Path file, byte[] bytes, boolean keepModifiedTime, Check check) throws IOException {
        // not named after the file: a name near the 255-byte limit would leave no room for a prefix
        Path temp = file.resolveSibling(TEMP_PREFIX + ProcessHandle.current().pid() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        boolean exists = Files.exists(file);
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            check.check(Files.readAllBytes(temp));
            if (exists) {
                copyPermissions(file, temp);
                if (keepModifiedTime) {
                    Files.setLastModifiedTime(temp, Files.getLastModifiedTime(file));
                }
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system cannot replace files atomically; nothing was written", e);
            }
            syncFolder(file.getParent());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Whether a file is a temporary file of a clipd process that no longer runs. */
    public static boolean abandoned(Path file) {
        String name = file.getFileName().toString();
        if (!name.startsWith(TEMP_PREFIX)) {
            return false;
        }
        int dash = name.indexOf('-', TEMP_PREFIX.length());
        try {
            long pid = Long.parseLong(name.substring(TEMP_PREFIX.length(), dash < 0 ? name.length() : dash));
            return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return true; // written by a clipd from before temporary names carried the process id
        }
    }

    /** Deletes a file clipd created, as one step. */
    public static void delete(Path file) throws IOException {
        Files.deleteIfExists(file);
        syncFolder(file.getParent());
    }

    private static void copyPermissions(Path from, Path to) throws IOException {
        PosixFileAttributeView source = Files.getFileAttributeView(from, PosixFileAttributeView.class);
        if (source != null) {
            Files.setPosixFilePermissions(to, source.readAttributes().permissions());
        }
    }

    /** Makes the rename itself durable; not every system lets a folder be opened for this, which is harmless. */
    private static void syncFolder(Path folder) {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // the rename is done; only its durability across a power cut is up to the file system now
        }
    }
}
