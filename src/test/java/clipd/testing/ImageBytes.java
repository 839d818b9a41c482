package clipd.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/** Image files built or edited byte by byte: metadata inserted as other apps would, and decompression bombs. */
public final class ImageBytes {
    private ImageBytes() {
    }

    /** Inserts a segment (marker + length + payload) right after SOI, as a metadata editor would. */
    public static byte[] withJpegSegment(byte[] jpeg, int marker, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.write(0xff);
        out.write(marker);
        out.write((body.length + 2) >> 8);
        out.write((body.length + 2) & 0xff);
        out.writeBytes(body);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** Inserts a chunk just before IEND. */
    public static byte[] withPngChunk(byte[] png, String type, byte[] data) {
        int iend = png.length - 12;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, iend);
        chunk(out, type, data);
        out.write(png, iend, 12);
        return out.toByteArray();
    }

    /** A decompression bomb: a valid PNG header claiming {@code width}×{@code height} RGB pixels, one tiny IDAT. */
    public static byte[] pngBomb(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0).array());
        chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /** A decompression bomb: the JPEG with the size in its frame header (SOF0/SOF2) changed. */
    public static byte[] jpegBomb(byte[] jpeg, int width, int height) {
        byte[] d = jpeg.clone();
        int pos = 2;
        while (pos + 9 < d.length) {
            int marker = d[pos + 1] & 0xff;
            int length = ((d[pos + 2] & 0xff) << 8) | (d[pos + 3] & 0xff);
            if (marker == 0xc0 || marker == 0xc2) {
                d[pos + 5] = (byte) (height >> 8);
                d[pos + 6] = (byte) height;
                d[pos + 7] = (byte) (width >> 8);
                d[pos + 8] = (byte) width;
                return d;
            }
            pos += 2 + length;
        }
        throw new IllegalStateException("no frame header");
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
