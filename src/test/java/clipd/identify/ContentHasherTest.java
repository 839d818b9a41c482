package clipd.identify;

import clipd.testing.ImageBytes;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class ContentHasherTest {
    static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }

    static BufferedImage gradient(int shift) {
        BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                image.setRGB(x, y, ((x * 4 + shift) & 0xff) << 16 | (y * 5) << 8 | ((x + y) & 0xff));
            }
        }
        return image;
    }

    static byte[] withJpegSegment(byte[] jpeg, int marker, String payload) {
        return ImageBytes.withJpegSegment(jpeg, marker, payload.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] withPngChunk(byte[] png, String type, byte[] data) {
        return ImageBytes.withPngChunk(png, type, data);
    }

    @Test
    void jpegMetadataDoesNotChangeTheHash() throws IOException {
        byte[] jpeg = encode(gradient(0), "jpg");
        String hash = ContentHasher.hash(jpeg);
        assertEquals(hash, ContentHasher.hash(withJpegSegment(jpeg, 0xe1,
                "http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><dc:subject>cat</dc:subject></x:xmpmeta>")));
        assertEquals(hash, ContentHasher.hash(withJpegSegment(jpeg, 0xfe, "a comment")));
        byte[] trailer = java.util.Arrays.copyOf(jpeg, jpeg.length + 5);
        assertEquals(hash, ContentHasher.hash(trailer), "bytes after EOI are not image content");
    }

    @Test
    void jpegPixelsChangeTheHash() throws IOException {
        assertNotEquals(ContentHasher.hash(encode(gradient(0), "jpg")), ContentHasher.hash(encode(gradient(9), "jpg")));
    }

    @Test
    void pngTextChunksDoNotChangeTheHashButPixelsDo() throws IOException {
        byte[] png = encode(gradient(0), "png");
        String hash = ContentHasher.hash(png);
        assertEquals(hash, ContentHasher.hash(withPngChunk(png, "tEXt", "Comment\0hello".getBytes(StandardCharsets.ISO_8859_1))));
        assertEquals(hash, ContentHasher.hash(withPngChunk(png, "iTXt", "XML:com.adobe.xmp\0\0\0\0\0<x/>".getBytes(StandardCharsets.UTF_8))));
        assertNotEquals(hash, ContentHasher.hash(encode(gradient(1), "png")));
        assertNotEquals(hash, ContentHasher.hash(withPngChunk(png, "gAMA", new byte[] {0, 0, (byte) 0xb1, (byte) 0x8f})),
                "chunks that change how pixels look are content");
    }

    @Test
    void otherFilesHashWhole() throws Exception {
        byte[] data = "GIF89a not really".getBytes(StandardCharsets.US_ASCII);
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        assertEquals(expected, ContentHasher.hash(data));
        byte[] brokenJpeg = {(byte) 0xff, (byte) 0xd8, 0x12, 0x34, 0x56};
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(brokenJpeg)),
                ContentHasher.hash(brokenJpeg), "unparseable structure falls back to the whole file");
    }
}
