package clipd.image;

import clipd.testing.Fixtures;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageDecoderTest {
    @org.junit.jupiter.api.io.TempDir
    Path tmp;
    private final ImageDecoder decoder = new ImageDecoder(100_000_000L, 1024);

    private UnreadableImageException.Kind failure(byte[] bytes) {
        return assertThrows(UnreadableImageException.class, () -> decoder.decode(bytes)).kind();
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, format, out), "no writer for " + format);
        return out.toByteArray();
    }

    @Test
    void decodesEverySharedFormat() throws Exception {
        List<Path> photos;
        try (Stream<Path> files = Files.list(Fixtures.SHARED_IMAGES)) {
            photos = files.filter(p -> !p.toString().endsWith(".txt")).toList();
        }
        assertEquals(22, photos.size());
        for (Path photo : photos) {
            RgbImage image = decoder.decode(Files.readAllBytes(photo));
            assertTrue(image.width() > 10 && image.height() > 10, photo.toString());
            assertTrue(Arrays.stream(image.pixels()).distinct().count() > 1, photo + " decoded to a flat image");
        }
    }

    @Test
    void refusesWhatIsNotADecodableImage() throws Exception {
        assertEquals(UnreadableImageException.Kind.NOT_AN_IMAGE,
                failure(Files.readAllBytes(Fixtures.SHARED_IMAGES.resolve("not-an-image.txt"))));
        assertEquals(UnreadableImageException.Kind.NOT_AN_IMAGE, failure(new byte[0]));
    }

    /** CI installs libheif's heif-convert; without it a HEIC photo is a clear "no decoder" with what to install. */
    @Test
    void heicPhotosDecodeThroughLibheifOrSayWhatIsMissing() throws Exception {
        byte[] heic = Files.readAllBytes(Fixtures.SHARED_PHOTOS.resolve("images heic/bee.heic"));
        if (!ImageDecoder.supportedExtensions().contains("heic")) {
            UnreadableImageException e = assertThrows(UnreadableImageException.class, () -> decoder.decode(heic));
            assertEquals(UnreadableImageException.Kind.UNSUPPORTED_FORMAT, e.kind());
            assertTrue(e.getMessage().contains("HEIC") && e.getMessage().contains("heif-convert"), e.getMessage());
            return;
        }
        RgbImage fromHeic = decoder.decode(heic);
        RgbImage fromJpeg = decoder.decode(Files.readAllBytes(Fixtures.SHARED_PHOTOS.resolve("images heic/bee.jpg")));
        assertEquals(fromJpeg.width(), fromHeic.width());
        assertEquals(fromJpeg.height(), fromHeic.height());
        long sum = 0;
        for (int i = 0; i < fromHeic.pixels().length; i++) {
            for (int shift = 0; shift < 24; shift += 8) {
                sum += Math.abs((fromHeic.pixels()[i] >> shift & 0xff) - (fromJpeg.pixels()[i] >> shift & 0xff));
            }
        }
        double mean = sum / (3.0 * fromHeic.pixels().length);
        assertTrue(mean < 4, "the HEIC and its JPEG twin show the same picture: mean difference " + mean);
        byte[] truncated = Arrays.copyOf(heic, heic.length / 2);
        assertEquals(UnreadableImageException.Kind.CORRUPT, failure(truncated));
        assertTrue(ImageDecoder.supportedExtensions().contains("avif"));
    }

    /** AVIF goes the same way; the test makes one from the shared JPEG with libheif's encoder when it can. */
    @Test
    void avifPhotosDecodeThroughLibheifToo() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ImageDecoder.supportedExtensions().contains("avif"),
                "needs heif-convert");
        Path jpeg = Fixtures.SHARED_PHOTOS.resolve("images heic/bee.jpg");
        Path avif = tmp.resolve("bee.avif");
        Process enc = new ProcessBuilder("heif-enc", "-A", "-q", "90", "-o", avif.toString(), jpeg.toString())
                .redirectErrorStream(true).start();
        String said = new String(enc.getInputStream().readAllBytes());
        assertEquals(0, enc.waitFor(), "heif-enc (libheif-examples) makes the AVIF: " + said);
        RgbImage fromAvif = decoder.decode(Files.readAllBytes(avif));
        RgbImage fromJpeg = decoder.decode(Files.readAllBytes(jpeg));
        assertEquals(fromJpeg.width(), fromAvif.width());
        assertEquals(fromJpeg.height(), fromAvif.height());
    }

    @Test
    void truncatedFilesAreCorruptNotHalfGrey() throws Exception {
        byte[] jpeg = Files.readAllBytes(Fixtures.SHARED_IMAGES.resolve("cat.jpg"));
        assertEquals(UnreadableImageException.Kind.CORRUPT, failure(Arrays.copyOf(jpeg, jpeg.length / 2)));
        byte[] png = Files.readAllBytes(Fixtures.SHARED_IMAGES.resolve("boats on a lake.png"));
        assertEquals(UnreadableImageException.Kind.CORRUPT, failure(Arrays.copyOf(png, png.length / 2)));
    }

    @Test
    void aDecompressionBombIsRefusedFromItsHeader() {
        byte[] png = clipd.testing.ImageBytes.pngBomb(50_000, 50_000);
        UnreadableImageException e = assertThrows(UnreadableImageException.class, () -> decoder.decode(png));
        assertEquals(UnreadableImageException.Kind.TOO_LARGE, e.kind());
        assertTrue(e.getMessage().contains("2500 megapixels"), e.getMessage());
    }

    @Test
    void exifOrientationIsApplied() throws Exception {
        BufferedImage image = new BufferedImage(64, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 64; x++) {
                image.setRGB(x, y, x < 32 ? 0xff0000 : 0x0000ff);
            }
        }
        byte[] jpeg = encode(image, "jpg");
        byte[] exif = {'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1,
                0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0};
        ByteArrayOutputStream rotated = new ByteArrayOutputStream();
        rotated.write(jpeg, 0, 2);
        rotated.writeBytes(new byte[] {(byte) 0xff, (byte) 0xe1, 0, (byte) (exif.length + 2)});
        rotated.writeBytes(exif);
        rotated.write(jpeg, 2, jpeg.length - 2);
        RgbImage out = decoder.decode(rotated.toByteArray());
        assertEquals(32, out.width());
        assertEquals(64, out.height());
        assertTrue(red(out.pixels()[8 * 32 + 16]) > 200, "the left half turned clockwise is on top");
        assertTrue(red(out.pixels()[56 * 32 + 16]) < 60, "and the blue half below");
    }

    private static int red(int rgb) {
        return (rgb >> 16) & 0xff;
    }

    @Test
    void orientationsMoveCornersLikePillow() {
        // 2×3 image with distinct pixels 0..5, row-major; expected layouts follow Pillow's Image.transpose.
        RgbImage in = new RgbImage(2, 3, new int[] {0, 1, 2, 3, 4, 5});
        assertEquals(List.of(1, 0, 3, 2, 5, 4), pixels(Orientation.apply(in, 2)));
        assertEquals(List.of(5, 4, 3, 2, 1, 0), pixels(Orientation.apply(in, 3)));
        assertEquals(List.of(4, 5, 2, 3, 0, 1), pixels(Orientation.apply(in, 4)));
        assertEquals(List.of(0, 2, 4, 1, 3, 5), pixels(Orientation.apply(in, 5)));
        assertEquals(List.of(4, 2, 0, 5, 3, 1), pixels(Orientation.apply(in, 6)));
        assertEquals(List.of(5, 3, 1, 4, 2, 0), pixels(Orientation.apply(in, 7)));
        assertEquals(List.of(1, 3, 5, 0, 2, 4), pixels(Orientation.apply(in, 8)));
    }

    private static List<Integer> pixels(RgbImage image) {
        return Arrays.stream(image.pixels()).boxed().toList();
    }

    @Test
    void convertsGreyPaletteAlphaAndSixteenBitLikePillow() throws Exception {
        BufferedImage grey = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(1, 1, 0, 100);
        RgbImage g = decoder.decode(encode(grey, "png"));
        assertEquals(0x646464, g.pixels()[5], "grey is replicated, not gamma-converted");

        IndexColorModel palette = new IndexColorModel(8, 2, new byte[] {10, 0}, new byte[] {(byte) 200, 0},
                new byte[] {30, 0});
        BufferedImage indexed = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_INDEXED, palette);
        indexed.getRaster().setSample(2, 0, 0, 0);
        indexed.getRaster().setSample(3, 0, 0, 1);
        RgbImage p = decoder.decode(encode(indexed, "png"));
        assertEquals(0x0ac81e, p.pixels()[2]);

        BufferedImage alpha = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        alpha.setRGB(0, 0, 0x00ff8000);
        assertEquals(0xff8000, decoder.decode(encode(alpha, "png")).pixels()[0], "alpha is dropped, not composited");

        BufferedImage deep = new BufferedImage(4, 4, BufferedImage.TYPE_USHORT_GRAY);
        deep.getRaster().setSample(0, 0, 0, 0x8034);
        assertEquals(0x808080, decoder.decode(encode(deep, "png")).pixels()[0], "16-bit keeps the high byte");
    }

    @Test
    void bigImagesAreDecodedSubsampledButNotBelowTheMinimum() throws Exception {
        BufferedImage big = new BufferedImage(400, 300, BufferedImage.TYPE_INT_RGB);
        RgbImage small = new ImageDecoder(100_000_000L, 100).decode(encode(big, "png"));
        assertEquals(134, small.width());
        assertEquals(100, small.height());
        RgbImage full = new ImageDecoder(100_000_000L, 1024).decode(encode(big, "png"));
        assertEquals(400, full.width());
    }
}
