package clipd.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Files made to cost gigabytes or minutes are refused or subsampled from their headers, within bounds. */
class ImageBombsTest {
    private static final ImageDecoder DECODER = new ImageDecoder(150_000_000L, 896);

    @TempDir
    Path tmp;

    /** A grey 8-bit PNG of one colour: tiny on disk whatever its size, since the rows deflate to almost nothing. */
    static byte[] png(int width, int height) throws IOException {
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat)) {
            byte[] row = new byte[width + 1]; // filter byte 0, then black pixels
            for (int y = 0; y < height; y++) {
                z.write(row);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(ihdr);
        h.writeInt(width);
        h.writeInt(height);
        h.write(new byte[] {8, 0, 0, 0, 0}); // 8 bits, grey, deflate, no filter method, no interlace
        chunk(out, "IHDR", ihdr.toByteArray());
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        d.write(t);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }

    /** A progressive JPEG whose last scan is repeated until it has {@code scans} of them. */
    static byte[] manyScans(int scans) throws IOException {
        BufferedImage image = new BufferedImage(256, 256, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 256; x++) {
                image.setRGB(x, y, (x * 7 ^ y * 13) & 0xffffff);
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        byte[] jpeg = bytes.toByteArray();
        int lastSos = -1;
        for (int i = 0; i + 1 < jpeg.length; i++) {
            if ((jpeg[i] & 0xff) == 0xff && (jpeg[i + 1] & 0xff) == 0xda) {
                lastSos = i;
            }
        }
        int eoi = jpeg.length - 2;
        int have = JpegScans.count(jpeg, Integer.MAX_VALUE);
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        bomb.write(jpeg, 0, eoi);
        for (int i = have; i < scans; i++) {
            bomb.write(jpeg, lastSos, eoi - lastSos);
        }
        bomb.write(jpeg, eoi, 2);
        return bomb.toByteArray();
    }

    @Test
    void aStripOfAHundredByAMillionAndAHalfPixelsIsRefusedFromItsHeader() throws Exception {
        byte[] bomb = png(100, 1_490_000); // 149 MP, under the pixel limit, 14,900:1
        assertTrue(bomb.length < 1_000_000, bomb.length + " bytes");
        long t0 = System.nanoTime();
        UnreadableImageException e = assertThrows(UnreadableImageException.class, () -> DECODER.decode(bomb));
        assertEquals(UnreadableImageException.Kind.TOO_LARGE, e.kind());
        assertTrue(e.getMessage().contains("strip"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "refused without decoding");
    }

    @Test
    void aLongImageIsSubsampledFromItsLongSideToo() throws Exception {
        assertEquals(4, ImageDecoder.subsampling(3000, 50_000, 896), "the short side alone would say 3");
        assertEquals(3, ImageDecoder.subsampling(4000, 3000, 896), "an ordinary photo still by its short side");
        RgbImage image = DECODER.decode(png(1000, 25_000)); // 25 MP, 25:1
        assertTrue((long) image.width() * image.height() <= ImageDecoder.MAX_DECODED_PIXELS,
                image.width() + "×" + image.height());
        float[] pixels = new float[3 * 224 * 224];
        new Preprocessor(224, new float[] {0, 0, 0}, new float[] {1, 1, 1}).preprocess(image, pixels, 0);
    }

    @Test
    void aJpegOfTwoThousandScansIsRefusedBeforeDecoding() throws Exception {
        byte[] bomb = manyScans(2000);
        assertEquals(ImageDecoder.MAX_JPEG_SCANS + 1, JpegScans.count(bomb, ImageDecoder.MAX_JPEG_SCANS));
        long t0 = System.nanoTime();
        UnreadableImageException e = assertThrows(UnreadableImageException.class, () -> DECODER.decode(bomb));
        assertEquals(UnreadableImageException.Kind.TOO_COSTLY, e.kind());
        assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "refused without decoding");
        assertTrue(DECODER.decode(manyScans(20)).width() == 256, "a progressive JPEG of 20 scans still decodes");
    }

    @Test
    void realJpegsAreFarBelowTheScanLimit() throws Exception {
        List<Path> jpegs;
        try (Stream<Path> files = Files.list(Path.of("../shared/photos/third-party"))) {
            jpegs = files.filter(p -> p.toString().toLowerCase().endsWith(".jpg")).toList();
        }
        assertTrue(jpegs.size() > 20);
        for (Path p : jpegs) {
            int scans = JpegScans.count(Files.readAllBytes(p), ImageDecoder.MAX_JPEG_SCANS);
            assertTrue(scans <= 12, p + " has " + scans + " scans");
        }
    }

    /** ftyp heic, then meta › iprp › ipco › ispe declaring {@code width}×{@code height}. */
    static byte[] heifDeclaring(long width, long height) throws IOException {
        byte[] ispe = box("ispe", concat(new byte[4], u32(width), u32(height)));
        byte[] meta = box("meta", concat(new byte[4], box("iprp", box("ipco", ispe))));
        return concat(box("ftyp", concat("heic".getBytes(StandardCharsets.US_ASCII), new byte[4],
                "mif1heic".getBytes(StandardCharsets.US_ASCII))), meta);
    }

    private static byte[] box(String type, byte[] content) throws IOException {
        return concat(u32(8 + content.length), type.getBytes(StandardCharsets.US_ASCII), content);
    }

    private static byte[] u32(long v) {
        return new byte[] {(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v};
    }

    private static byte[] concat(byte[]... parts) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p);
        }
        return out.toByteArray();
    }

    @Test
    void aHeifDeclaringGigapixelsIsRefusedBeforeAnyConverterRuns() throws Exception {
        byte[] bomb = heifDeclaring(65_536, 65_536);
        assertEquals(65_536L * 65_536, HeifSize.maxDeclaredPixels(bomb));
        UnreadableImageException e = assertThrows(UnreadableImageException.class, () -> DECODER.decode(bomb));
        assertEquals(UnreadableImageException.Kind.TOO_LARGE, e.kind());
        assertTrue(e.getMessage().contains("declares"), e.getMessage());
        byte[] bee = Files.readAllBytes(Path.of("../shared/photos/rclip-e2e/images heic/bee.heic"));
        long declared = HeifSize.maxDeclaredPixels(bee);
        assertTrue(declared > 10_000 && declared < 150_000_000, "a real HEIC declares its size: " + declared);
    }

    @Test
    void aHungConverterIsKilledAtItsTimeout() throws Exception {
        Path tool = Files.writeString(tmp.resolve("heif-convert"), "#!/bin/sh\necho starting\nsleep 30\n");
        assumeTrue(tool.toFile().setExecutable(true));
        long t0 = System.nanoTime();
        UnreadableImageException e = assertThrows(UnreadableImageException.class,
                () -> HeifConverter.convert(tool, heifDeclaring(100, 100), 500));
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(UnreadableImageException.Kind.TOO_COSTLY, e.kind());
        assertTrue(millis < 5_000, "returned after " + millis + " ms");
    }

    @Test
    void aLinkToAFifoIsRefusedWithoutOpeningIt() throws Exception {
        Path fifo = tmp.resolve("pipe");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(mkfifo.waitFor() == 0, "mkfifo");
        Path link = Files.createSymbolicLink(tmp.resolve("photo.jpg"), fifo);
        for (Path p : List.of(fifo, link)) {
            RegularFiles.NotRegularFileException e = assertThrows(RegularFiles.NotRegularFileException.class,
                    () -> DECODER.decodeFile(p, 1 << 20));
            assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        }
    }
}
