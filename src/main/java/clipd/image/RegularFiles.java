package clipd.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads a photo file only when it is a regular file, checked without following links first: opening a FIFO waits
 * for a writer forever, and a device never ends. A link is followed to its real target, whose own type is checked
 * the same way, and that target is opened without following links again.
 */
public final class RegularFiles {
    private RegularFiles() {
    }

    /** The file's bytes; {@link NotRegularFileException} for anything else, {@code TOO_LARGE} past the bound. */
    public static byte[] read(Path file, long maxBytes) throws IOException, UnreadableImageException {
        Path target = file;
        BasicFileAttributes a = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink()) {
            target = file.toRealPath();
            a = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        }
        if (!a.isRegularFile()) {
            throw new NotRegularFileException(file.toString(), a.isDirectory() ? "a folder" : "a device, pipe or socket");
        }
        if (a.size() > maxBytes) {
            throw new UnreadableImageException(UnreadableImageException.Kind.TOO_LARGE,
                    (a.size() >> 20) + " MB file, more than " + (maxBytes >> 20) + " MB");
        }
        try (InputStream in = Files.newInputStream(target, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw new UnreadableImageException(UnreadableImageException.Kind.TOO_LARGE,
                        "more than " + (maxBytes >> 20) + " MB");
            }
            return bytes;
        }
    }

    /** The path names something other than a regular file. */
    public static final class NotRegularFileException extends FileSystemException {
        public NotRegularFileException(String file, String what) {
            super(file, null, "not a regular file but " + what);
        }
    }
}
