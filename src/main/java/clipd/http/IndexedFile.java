package clipd.http;

import clipd.store.PhotoRecord;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A photo opened for serving only if it is, now, the file that was indexed: a regular file with the size and
 * modification time of its record, whose first bytes are those of an image. So re-pointing an indexed link at
 * another file (a key, a text file) or replacing the photo serves nothing until the index has looked at it again.
 * The file is opened first and checked after, and its size is also taken from the open file itself, so a swap
 * between the check and the open is caught too. Its type comes from those bytes, never from the name.
 */
final class IndexedFile implements AutoCloseable {
    /** Enough for every signature below. */
    private static final int HEAD = 32;
    private final FileChannel channel;
    private final String contentType;

    private IndexedFile(FileChannel channel, String contentType) {
        this.channel = channel;
        this.contentType = contentType;
    }

    static IndexedFile open(Path path, PhotoRecord record) {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
            BasicFileAttributes now = Files.readAttributes(path, BasicFileAttributes.class);
            if (!now.isRegularFile() || now.size() != record.size() || channel.size() != record.size()
                    || now.lastModifiedTime().toMillis() != record.modifiedMillis()) {
                throw new ApiError(404, "changed", "the photo changed since it was indexed; try again in a moment");
            }
            ByteBuffer head = ByteBuffer.allocate(HEAD);
            while (head.hasRemaining() && channel.read(head, head.position()) > 0) {
                // positional reads: the channel still starts at 0 for the stream
            }
            String type = contentType(head.array(), head.position());
            if (type == null) {
                throw new ApiError(404, "not_an_image", "the file is not an image clipd can serve");
            }
            IndexedFile file = new IndexedFile(channel, type);
            channel = null;
            return file;
        } catch (IOException e) {
            throw new ApiError(404, "not_found", "the photo cannot be read now");
        } finally {
            closeQuietly(channel);
        }
    }

    String contentType() {
        return contentType;
    }

    /** The bytes from the start; closing the stream closes the file. */
    InputStream stream() {
        return Channels.newInputStream(channel);
    }

    byte[] readAll() throws IOException {
        try (InputStream in = stream()) {
            return in.readAllBytes();
        }
    }

    /** The MIME type the first bytes announce, among the formats clipd indexes; null for anything else. */
    static String contentType(byte[] b, int n) {
        if (n >= 3 && u(b[0]) == 0xff && u(b[1]) == 0xd8 && u(b[2]) == 0xff) {
            return "image/jpeg";
        }
        if (n >= 8 && u(b[0]) == 0x89 && ascii(b, 1, 3).equals("PNG")) {
            return "image/png";
        }
        if (n >= 6 && ascii(b, 0, 4).equals("GIF8")) {
            return "image/gif";
        }
        if (n >= 12 && ascii(b, 0, 4).equals("RIFF") && ascii(b, 8, 4).equals("WEBP")) {
            return "image/webp";
        }
        if (n >= 4 && (ascii(b, 0, 4).equals("II*\0") || ascii(b, 0, 4).equals("MM\0*"))) {
            return "image/tiff";
        }
        if (n >= 2 && ascii(b, 0, 2).equals("BM")) {
            return "image/bmp";
        }
        if (n >= 3 && b[0] == 'P' && b[1] >= '1' && b[1] <= '7' && Character.isWhitespace(b[2])) {
            return "image/x-portable-anymap";
        }
        if (n >= 12 && ascii(b, 4, 4).equals("ftyp")) {
            String brand = ascii(b, 8, 4);
            if (brand.startsWith("avi")) {
                return "image/avif";
            }
            if (brand.startsWith("hei") || brand.startsWith("hev") || brand.equals("mif1") || brand.equals("msf1")) {
                return "image/heic";
            }
        }
        if (n >= 12 && ascii(b, 4, 8).equals("jP  \r\n\u0087\n") || n >= 4 && ascii(b, 0, 4).equals("\u00ffO\u00ffQ")) {
            return "image/jp2";
        }
        return null;
    }

    private static int u(byte b) {
        return b & 0xff;
    }

    private static String ascii(byte[] b, int from, int length) {
        return new String(b, from, length, StandardCharsets.ISO_8859_1);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing was served from it
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
