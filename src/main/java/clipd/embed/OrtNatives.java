package clipd.embed;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * ONNX Runtime's native libraries, unpacked once per version into clipd's cache folder and loaded from there.
 * Left to itself, ONNX Runtime's Java loader copies its 24 MB of libraries into a new folder under /tmp at every
 * start and only marks them for deletion at exit: a normal exit leaves an empty folder behind, and a process that
 * is killed (an out-of-memory kill, kill -9, a power cut) leaves all 24 MB, every time. Where the cache cannot be
 * written, ONNX Runtime does as it always does.
 */
final class OrtNatives {
    private static final System.Logger LOG = System.getLogger(OrtNatives.class.getName());
    private static final String PROPERTY = "onnxruntime.native.path";
    private static boolean done;

    private OrtNatives() {
    }

    /** Before ONNX Runtime's first use: unpacks its libraries if needed and tells its loader where they are. */
    static synchronized void unpackOnce() {
        if (done || System.getProperty(PROPERTY) != null) {
            return;
        }
        done = true;
        String folder = "ai/onnxruntime/native/" + platform() + "/";
        URL library = OrtNatives.class.getClassLoader().getResource(folder + System.mapLibraryName("onnxruntime"));
        if (library == null || !"jar".equals(library.getProtocol())) {
            return; // libraries from the system, or classes not in a jar (an IDE): nothing to unpack
        }
        try {
            JarURLConnection connection = (JarURLConnection) library.openConnection();
            connection.setUseCaches(false);
            try (JarFile jar = connection.getJarFile()) {
                JarEntry main = connection.getJarEntry();
                Path target = cacheHome().resolve("clipd/onnxruntime")
                        .resolve(platform() + "-" + Long.toHexString(main.getCrc()) + "-" + main.getSize());
                Files.createDirectories(target);
                for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                    JarEntry e = entries.nextElement();
                    if (!e.isDirectory() && e.getName().startsWith(folder) && e.getName().indexOf('/', folder.length()) < 0) {
                        unpack(jar, e, target.resolve(e.getName().substring(folder.length())));
                    }
                }
                System.setProperty(PROPERTY, target.toString());
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "ONNX Runtime's libraries not unpacked to clipd's cache ({0}); "
                    + "it unpacks them itself", e.toString());
        }
    }

    /** Writes an entry unless a file of its size is there; through a temporary file, so a reader never sees half. */
    private static void unpack(JarFile jar, JarEntry entry, Path file) throws IOException {
        if (Files.isRegularFile(file) && Files.size(file) == entry.getSize()) {
            return;
        }
        Path temp = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".tmp");
        try (InputStream in = jar.getInputStream(entry)) {
            Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The folder name ONNX Runtime's jar uses for this system, as its own loader computes it. */
    private static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.contains("mac") ? "osx" : os.contains("win") ? "win" : "linux";
        String a = arch.startsWith("aarch64") || arch.startsWith("arm64") ? "aarch64"
                : arch.equals("amd64") || arch.equals("x86_64") ? "x64" : arch;
        return o + "-" + a;
    }

    private static Path cacheHome() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg);
        }
        Path home = clipd.util.Home.of(System.getenv());
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("mac")
                ? home.resolve("Library/Caches") : home.resolve(".cache");
    }
}
