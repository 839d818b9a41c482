package clipd.identify;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Which XMP sidecar is a photo's: {@code photo.jpg.xmp} (digiKam's and darktable's naming) always, and
 * {@code photo.xmp} (Lightroom's) only when no other file shares the photo's base name: {@code IMG_1.xmp} next to
 * {@code IMG_1.CR2} and {@code IMG_1.jpg} is the RAW's, and clipd writes {@code IMG_1.jpg.xmp} instead. The one
 * place that knows the naming, for reading facts, indexing and tagging alike.
 */
public final class Sidecars {
    private Sidecars() {
    }

    public static Path full(Path photo) {
        return photo.resolveSibling(photo.getFileName() + ".xmp");
    }

    public static Path basename(Path photo) {
        return photo.resolveSibling(base(photo.getFileName().toString()) + ".xmp");
    }

    /**
     * The photo's sidecar in use (photo.jpg.xmp first, then its own photo.xmp), else null. A link or a folder by
     * that name counts too: the writer then refuses it rather than writing a second sidecar.
     */
    public static Path existing(Path photo) throws IOException {
        Path full = full(photo);
        if (Files.exists(full, LinkOption.NOFOLLOW_LINKS)) {
            return full;
        }
        Path basename = basename(photo);
        return Files.exists(basename, LinkOption.NOFOLLOW_LINKS) && ownsBasename(photo) ? basename : null;
    }

    /** The sidecar in use, else where a new one goes. */
    public static Path of(Path photo, boolean basenameNaming) throws IOException {
        Path existing = existing(photo);
        if (existing != null) {
            return existing;
        }
        return basenameNaming && ownsBasename(photo) ? basename(photo) : full(photo);
    }

    /** Whether no other file in the folder has the photo's base name (sidecars and clipd's own files aside). */
    public static boolean ownsBasename(Path photo) throws IOException {
        String name = photo.getFileName().toString();
        String base = base(name).toLowerCase(Locale.ROOT);
        Path folder = photo.toAbsolutePath().getParent();
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(folder)) {
            for (Path sibling : siblings) {
                String other = sibling.getFileName().toString();
                String lower = other.toLowerCase(Locale.ROOT);
                if (!other.equals(name) && lower.startsWith(base + ".") && !lower.endsWith(".xmp")
                        && lower.indexOf('.', base.length() + 1) < 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The name a sidecar is for, beside it: {@code photo.jpg} for {@code photo.jpg.xmp}, and the base name
     * {@code photo} for Lightroom's {@code photo.xmp}.
     */
    public static Path photoOf(Path sidecar) {
        String name = sidecar.getFileName().toString();
        return sidecar.resolveSibling(name.substring(0, name.length() - ".xmp".length()));
    }

    private static String base(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
