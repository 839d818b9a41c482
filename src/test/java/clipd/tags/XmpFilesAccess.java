package clipd.tags;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test access to the package's JPEG XMP reading and comparison. */
public final class XmpFilesAccess {
    private XmpFilesAccess() {
    }

    public static String embeddedPacket(Path jpeg) throws IOException {
        return JpegXmp.read(Files.readAllBytes(jpeg));
    }

    public static boolean sameButXmp(byte[] a, byte[] b) throws IOException {
        return JpegXmp.sameButXmp(a, b);
    }
}
