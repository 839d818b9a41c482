package clipd.index;

import clipd.image.ImageDecoder;
import clipd.util.TempFiles;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Walks a photo folder and sorts what it finds into photos to index and files to skip, without opening any file.
 * Symbolic links are followed (people link other folders into their photo folder), except links to folders inside
 * the same root, which would index its photos a second time under another path (a link loop is one such link).
 */
public final class FolderScanner {
    /** Folders rclip skips by default: NAS thumbnails, dependencies, version control, Windows system data. */
    public static final Set<String> DEFAULT_EXCLUDED_DIRS =
            Set.of("@eaDir", "node_modules", ".git", "System Volume Information");

    /** Photo formats people have but no decoder here reads: skipped by name, without reading them. */
    static final Set<String> UNDECODABLE_PHOTO_EXTENSIONS = Set.of(
            "heic", "heif", "avif", "jxl", "dng", "cr2", "cr3", "nef", "nrw", "arw", "srf", "sr2", "orf", "rw2",
            "raf", "pef", "srw", "x3f", "3fr", "erf", "kdc", "mos", "raw", "rwl", "iiq");

    public record Candidate(Path path, long size, long modifiedMillis) {
    }

    public interface Sink {
        void photo(Candidate candidate);

        void skipped(Path path, SkipReason reason, String detail);

        /** A file or folder that could not be looked at now: what the index knows of it must stay. */
        void unseen(Path path, String reason);

        /** An XMP sidecar, read with its photo rather than as a file of its own. */
        default void sidecar(Path file) {
        }
    }

    private static final System.Logger LOG = System.getLogger(FolderScanner.class.getName());

    private final Set<String> excludedDirs;
    private final boolean includeHidden;
    /** Absolute folders never scanned, wherever they are (clipd's data directory: its thumbnails are JPEGs). */
    private final Set<Path> excludedPaths;

    public FolderScanner(Set<String> excludedDirs, boolean includeHidden) {
        this(excludedDirs, includeHidden, Set.of());
    }

    private FolderScanner(Set<String> excludedDirs, boolean includeHidden, Set<Path> excludedPaths) {
        this.excludedDirs = Set.copyOf(excludedDirs);
        this.includeHidden = includeHidden;
        this.excludedPaths = Set.copyOf(excludedPaths);
    }

    /** This scanner, also skipping {@code folder} and everything in it. */
    public FolderScanner excluding(Path folder) {
        Set<Path> paths = new java.util.HashSet<>(excludedPaths);
        paths.add(folder.toAbsolutePath().normalize());
        return new FolderScanner(excludedDirs, includeHidden, paths);
    }

    /**
     * Whether {@code path} lies in a folder this scanner never scans, inside {@code root} (a data directory that
     * holds the library, rather than lies in it, excludes nothing).
     */
    private boolean excluded(Path root, Path path) {
        for (Path p : excludedPaths) {
            if (p.startsWith(root) && path.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Scans {@code path}, a file or folder somewhere inside {@code root}, exactly as a scan of the whole root would
     * see it: nothing inside an excluded or hidden folder, whatever the depth. {@code path} may be the root itself.
     */
    public void scan(Path root, Path path, Sink sink) throws IOException {
        if (excluded(root, path)) {
            return;
        }
        Path relative = root.relativize(path);
        for (int i = 0; i < relative.getNameCount() - 1; i++) {
            if (skippedFolder(relative.getName(i).toString())) {
                return;
            }
        }
        Path realRoot = realPath(root);
        if (reachedThroughLink(root, realRoot, path)) {
            sink.skipped(path, SkipReason.LINK_INSIDE_LIBRARY, "indexed at " + realPath(path));
            return;
        }
        BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
        if (attrs.isDirectory()) {
            if (path.equals(root) || !skippedFolder(path.getFileName().toString())) {
                walk(realRoot, path, sink);
            }
        } else {
            classify(path, attrs, sink);
        }
    }

    /**
     * Whether {@code path} lies inside the root only through a link somewhere below the root while its real
     * location is in the root too: then the photo is indexed where it really is, and this path is a second name.
     */
    private static boolean reachedThroughLink(Path root, Path realRoot, Path path) {
        Path real = realPath(path);
        return real.startsWith(realRoot) && !real.equals(realRoot.resolve(root.relativize(path)));
    }

    private boolean skippedFolder(String name) {
        return excludedDirs.contains(name) || hidden(name);
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }

    private void walk(Path realRoot, Path start, Sink sink) throws IOException {
        Files.walkFileTree(start, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        if (dir.equals(start)) {
                            return FileVisitResult.CONTINUE;
                        }
                        if (skippedFolder(dir.getFileName().toString()) || excluded(start, dir)) {
                            return FileVisitResult.SKIP_SUBTREE;
                        }
                        if (Files.isSymbolicLink(dir) && realPath(dir).startsWith(realRoot)) {
                            sink.skipped(dir, SkipReason.LINK_INSIDE_LIBRARY, "indexed at " + realPath(dir));
                            return FileVisitResult.SKIP_SUBTREE;
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        if (attrs.isSymbolicLink()) { // only a link whose target is gone is visited as a link
                            if (!hidden(file.getFileName().toString())) {
                                sink.skipped(file, SkipReason.UNREADABLE, "a link to something that does not exist");
                            }
                        } else if (Files.isSymbolicLink(file) && realPath(file).startsWith(realRoot)) {
                            sink.skipped(file, SkipReason.LINK_INSIDE_LIBRARY, "indexed at " + realPath(file));
                        } else {
                            classify(file, attrs, sink);
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        if (e instanceof FileSystemLoopException) {
                            sink.skipped(file, SkipReason.LINK_INSIDE_LIBRARY, "links back to a folder above it");
                        } else if (!hidden(file.getFileName().toString())) {
                            String reason = e instanceof AccessDeniedException ? "permission denied"
                                    : e instanceof NoSuchFileException ? "vanished during the scan"
                                    : String.valueOf(e.getMessage());
                            sink.skipped(file, SkipReason.UNREADABLE, reason);
                            sink.unseen(file, reason);
                        }
                        return FileVisitResult.CONTINUE;
                    }
                });
    }

    private void classify(Path file, BasicFileAttributes attrs, Sink sink) {
        String name = file.getFileName().toString();
        if (TempFiles.abandoned(file)) {
            removeAbandoned(file);
            return;
        }
        if (hidden(name)) {
            return;
        }
        if (!attrs.isRegularFile()) {
            sink.skipped(file, SkipReason.NOT_A_FILE, "device, pipe or socket");
            return;
        }
        String ext = extension(name);
        if (ext.equals("xmp")) {
            sink.sidecar(file);
            return;
        }
        if (ImageDecoder.supportedExtensions().contains(ext)) {
            if (attrs.size() == 0) {
                sink.skipped(file, SkipReason.EMPTY, "0 bytes");
            } else {
                sink.photo(new Candidate(file, attrs.size(), attrs.lastModifiedTime().toMillis()));
            }
        } else if (UNDECODABLE_PHOTO_EXTENSIONS.contains(ext)) {
            sink.skipped(file, SkipReason.UNSUPPORTED_FORMAT, "no decoder for " + ext.toUpperCase(Locale.ROOT));
        } else {
            sink.skipped(file, SkipReason.NOT_AN_IMAGE, ext.isEmpty() ? "no file extension" : "." + ext + " file");
        }
    }

    /** A tag write that a crash or kill -9 interrupted: the original beside it is whole, this copy is garbage. */
    private static void removeAbandoned(Path file) {
        try {
            Files.deleteIfExists(file);
            LOG.log(System.Logger.Level.INFO, "removed {0}, left by an interrupted write", file);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove {0}, left by an interrupted write: {1}", file,
                    e.getMessage());
        }
    }

    private boolean hidden(String name) {
        return !includeHidden && name.startsWith(".");
    }

    public static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
