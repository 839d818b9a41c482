package clipd.tags;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A file's extended attributes by full name: {@code user.xdg.tags} and {@code user.rating} (the GNOME and KDE file
 * tags), {@code system.posix_acl_access} (its ACL), {@code security.*}. Java's own view sees only the {@code user.}
 * ones and no ACL on Linux, so there libc's calls are used (through JNA, as for TurboJPEG); elsewhere the user
 * attributes through Java's view. Never follows a symbolic link.
 */
final class ExtendedAttributes {
    private static final int ENOENT = 2;
    private static final int ENODATA = 61;
    private static final int ENOTSUP = 95;
    private static final int ERANGE = 34;
    private static final Optional<LibC> LIBC = load();

    interface LibC extends com.sun.jna.Library {
        NativeLong llistxattr(byte[] path, byte[] list, NativeLong size) throws LastErrorException;

        NativeLong lgetxattr(byte[] path, byte[] name, byte[] value, NativeLong size) throws LastErrorException;

        int lsetxattr(byte[] path, byte[] name, byte[] value, NativeLong size, int flags) throws LastErrorException;

        int lremovexattr(byte[] path, byte[] name) throws LastErrorException;
    }

    private ExtendedAttributes() {
    }

    private static Optional<LibC> load() {
        if (!System.getProperty("os.name", "").equals("Linux")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Native.load("c", LibC.class));
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Every attribute of the file, by full name; empty where the file system has none. */
    static Map<String, byte[]> read(Path file) throws IOException {
        Map<String, byte[]> all = new TreeMap<>();
        if (LIBC.isEmpty()) {
            UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
            if (view != null) {
                try {
                    for (String name : view.list()) {
                        ByteBuffer value = ByteBuffer.allocate(view.size(name));
                        view.read(name, value);
                        all.put("user." + name, value.array());
                    }
                } catch (UnsupportedOperationException e) {
                    // no extended attributes here
                }
            }
            return all;
        }
        byte[] path = bytes(file.toString());
        byte[] names = sized((buffer, size) -> LIBC.get().llistxattr(path, buffer, new NativeLong(size)), file);
        int start = 0;
        for (int i = 0; i < names.length; i++) {
            if (names[i] == 0) {
                String name = new String(names, start, i - start, StandardCharsets.UTF_8);
                byte[] key = bytes(name);
                byte[] value = sized((buffer, size) -> LIBC.get().lgetxattr(path, key, buffer, new NativeLong(size)),
                        file);
                if (value != null) {
                    all.put(name, value);
                }
                start = i + 1;
            }
        }
        return all;
    }

    /** Sets one attribute, replacing any value it had. */
    static void write(Path file, String name, byte[] value) throws IOException {
        if (LIBC.isEmpty()) {
            if (!name.startsWith("user.")) {
                throw new IOException("cannot set " + name + " on this system");
            }
            Files.getFileAttributeView(file, UserDefinedFileAttributeView.class)
                    .write(name.substring("user.".length()), ByteBuffer.wrap(value));
            return;
        }
        try {
            LIBC.get().lsetxattr(bytes(file.toString()), bytes(name), value, new NativeLong(value.length), 0);
        } catch (LastErrorException e) {
            throw new IOException("cannot set " + name + " (errno " + e.getErrorCode() + ")", e);
        }
    }

    static void remove(Path file, String name) throws IOException {
        if (LIBC.isEmpty()) {
            Files.getFileAttributeView(file, UserDefinedFileAttributeView.class)
                    .delete(name.substring("user.".length()));
            return;
        }
        try {
            LIBC.get().lremovexattr(bytes(file.toString()), bytes(name));
        } catch (LastErrorException e) {
            throw new IOException("cannot remove " + name + " (errno " + e.getErrorCode() + ")", e);
        }
    }

    /** Whether two attribute maps hold the same names and values. */
    static boolean same(Map<String, byte[]> a, Map<String, byte[]> b) {
        return a.keySet().equals(b.keySet())
                && a.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), b.get(e.getKey())));
    }

    private interface Fill {
        NativeLong fill(byte[] buffer, int size) throws LastErrorException;
    }

    /**
     * libc's two-step read: ask the size (no buffer), then read into a buffer of that size, again if it grew
     * meanwhile. Null when the attribute is gone.
     */
    private static byte[] sized(Fill fill, Path file) throws IOException {
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                int size = fill.fill(null, 0).intValue();
                byte[] buffer = new byte[size];
                int read = size == 0 ? 0 : fill.fill(buffer, size).intValue();
                return Arrays.copyOf(buffer, read);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == ENODATA) {
                    return null; // removed between listing and reading
                }
                if (e.getErrorCode() == ENOENT) {
                    throw new NoSuchFileException(file.toString());
                }
                if (e.getErrorCode() == ENOTSUP) {
                    return new byte[0];
                }
                if (e.getErrorCode() != ERANGE) { // it grew between the two calls
                    throw new IOException("cannot read the extended attributes of " + file + " (errno "
                            + e.getErrorCode() + ")", e);
                }
            }
        }
        throw new IOException("the extended attributes of " + file + " keep changing");
    }

    /** A NUL-terminated C string in the encoding Java uses for file names. */
    private static byte[] bytes(String s) {
        Charset charset = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        byte[] encoded = s.getBytes(charset);
        return Arrays.copyOf(encoded, encoded.length + 1);
    }
}
