package clipd.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Which folders may be added at run time. A folder is taken by its real path (links and {@code ..} resolved), so it
 * cannot be added twice under two names; the whole disk, the system's own folders and clipd's data directory (whose
 * thumbnails are JPEGs: the index would feed on itself) are refused, and so are the folders above the data
 * directory.
 */
public final class WatchableFolders {
    /** The system's folders, refused with everything under them. */
    static final List<Path> SYSTEM = List.of("/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32",
            "/proc", "/run", "/sbin", "/sys", "/usr", "/var", "/System", "/Library", "/private/etc",
            "/private/var/db").stream().map(Path::of).toList();

    private WatchableFolders() {
    }

    /** The folder's real path, if it may be watched besides {@code watched}. */
    static Path check(Path folder, Path dataDir, List<Path> watched) throws FolderRefusedException {
        Path real;
        try {
            real = folder.toRealPath();
        } catch (IOException e) {
            throw new FolderRefusedException(folder + " does not exist or cannot be reached");
        }
        if (!Files.isDirectory(real)) {
            throw new FolderRefusedException(folder + " is not a folder");
        }
        if (real.getParent() == null) {
            throw new FolderRefusedException("clipd does not watch the whole disk (" + real + "); name the folders "
                    + "that hold photos");
        }
        for (Path system : SYSTEM) {
            if (real.startsWith(system)) {
                throw new FolderRefusedException(real + " is a system folder; clipd watches photo folders only");
            }
        }
        Path data = realOrAsIs(dataDir);
        if (real.startsWith(data) || data.startsWith(real)) {
            throw new FolderRefusedException(real + (real.startsWith(data) ? " is inside" : " holds")
                    + " clipd's data directory " + data + "; choose the photo folders themselves");
        }
        for (Path w : watched) {
            if (realOrAsIs(w).equals(real)) {
                throw new FolderRefusedException(folder + " is already watched" + (w.equals(real) ? "" : " as " + w));
            }
        }
        return real;
    }

    /** The real path (links resolved), or the path as named when it cannot be resolved now. */
    public static Path realOrAsIs(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return path.toAbsolutePath().normalize(); // not there now (an unmounted disk): as it was named
        }
    }
}
