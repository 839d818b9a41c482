package clipd.image;

import clipd.identify.XmpLimits;
import com.drew.imaging.ImageMetadataReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * Decodes a photo's bytes to RGB the way Pillow's {@code convert("RGB")} would see them, with EXIF orientation
 * applied. Formats come from ImageIO plugins (JDK, TwelveMonkeys, JAI JPEG 2000), JPEGs from libjpeg-turbo when the
 * system has it, HEIC and AVIF from libheif's heif-convert when the system has it.
 */
public final class ImageDecoder {
    private static final Set<String> EXTENSIONS = Set.of(
            "jpg", "jpeg", "jpe", "png", "webp", "tif", "tiff", "bmp", "gif", "jp2", "j2k", "jpf", "pnm", "pbm",
            "pgm", "ppm");
    private static final Set<String> WITH_HEIF = java.util.stream.Stream.concat(EXTENSIONS.stream(),
            java.util.stream.Stream.of("heic", "heif", "avif")).collect(java.util.stream.Collectors.toUnmodifiableSet());
    private static final Set<String> HEIF_BRANDS = Set.of(
            "heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1", "avif", "avis");

    static {
        ImageIO.setUseCache(false);
    }

    private final long maxPixels;
    private final int minShortSide;

    /**
     * @param maxPixels    images declaring more pixels are refused from their header (decompression bombs)
     * @param minShortSide big images are decoded subsampled, keeping the short side at least this long
     */
    public ImageDecoder(long maxPixels, int minShortSide) {
        this.maxPixels = maxPixels;
        this.minShortSide = minShortSide;
    }

    /** File extensions (lower case, no dot) of the formats this decoder reads. */
    public static Set<String> supportedExtensions() {
        return HeifConverter.available() ? WITH_HEIF : EXTENSIONS;
    }

    public RgbImage decode(byte[] bytes) throws UnreadableImageException {
        return decode(bytes, -1);
    }

    /**
     * Decodes with an EXIF orientation already read from the same bytes (the indexer has it from the photo's facts),
     * or -1 to read it here.
     */
    public RgbImage decode(byte[] bytes, int orientation) throws UnreadableImageException {
        if (bytes.length == 0) {
            throw new UnreadableImageException(UnreadableImageException.Kind.NOT_AN_IMAGE, "empty file");
        }
        String heif = heifBrand(bytes);
        if (heif != null) {
            if (!HeifConverter.available()) {
                throw new UnreadableImageException(UnreadableImageException.Kind.UNSUPPORTED_FORMAT,
                        "no decoder for " + heif.toUpperCase(Locale.ROOT) + " (HEIF) images; install heif-convert "
                                + "(Debian: libheif-examples, macOS: brew install libheif)");
            }
            try {
                // libheif has applied the file's own rotation; its EXIF orientation must not turn it again
                return read(HeifConverter.toJpeg(bytes));
            } catch (IOException | RuntimeException e) {
                throw new UnreadableImageException(UnreadableImageException.Kind.CORRUPT, "cannot decode: "
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
            }
        }
        RgbImage image;
        try {
            image = read(bytes);
        } catch (IOException | RuntimeException e) {
            throw new UnreadableImageException(UnreadableImageException.Kind.CORRUPT,
                    "cannot decode: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        } catch (OutOfMemoryError e) {
            throw new UnreadableImageException(UnreadableImageException.Kind.TOO_LARGE, "not enough memory to decode");
        }
        return Orientation.apply(image, orientation < 0 ? exifOrientation(bytes) : orientation);
    }

    private RgbImage read(byte[] bytes) throws IOException, UnreadableImageException {
        if (isJpeg(bytes) && TurboJpeg.get().isPresent()) {
            TurboJpeg turbo = TurboJpeg.get().get();
            TurboJpeg.Header header = turbo.header(bytes);
            if (header != null && header.supported()) {
                checkSize(header.width(), header.height());
                RgbImage image = turbo.decode(bytes, header, minShortSide);
                if (image != null) {
                    return image;
                }
            }
        }
        return readWithImageIo(bytes);
    }

    /** Whether TurboJPEG decodes JPEGs here (the name of the decoder, for benchmarks and status). */
    public static String jpegDecoder() {
        return TurboJpeg.get().isPresent() ? "libjpeg-turbo (DCT-scaled)" : "ImageIO (subsampled)";
    }

    private static boolean isJpeg(byte[] b) {
        return b.length > 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff;
    }

    private void checkSize(long width, long height) throws UnreadableImageException {
        if (width * height > maxPixels) {
            throw new UnreadableImageException(UnreadableImageException.Kind.TOO_LARGE, String.format(
                    Locale.ROOT, "%d×%d is %.0f megapixels, more than the limit of %.0f", width, height,
                    width * height / 1e6, maxPixels / 1e6));
        }
    }

    private RgbImage readWithImageIo(byte[] bytes) throws IOException, UnreadableImageException {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new UnreadableImageException(UnreadableImageException.Kind.NOT_AN_IMAGE,
                        "not an image in any format clipd reads");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long width = reader.getWidth(0);
                long height = reader.getHeight(0);
                checkSize(width, height);
                ImageReadParam param = reader.getDefaultReadParam();
                int step = (int) Math.max(1, Math.min(width, height) / minShortSide);
                if (step > 1) {
                    param.setSourceSubsampling(step, step, 0, 0);
                }
                TruncationWatch truncation = new TruncationWatch();
                reader.addIIOReadWarningListener(truncation);
                BufferedImage image = reader.read(0, param);
                if (truncation.seen != null) {
                    throw new UnreadableImageException(UnreadableImageException.Kind.CORRUPT,
                            "truncated (" + truncation.seen + ")");
                }
                return toRgb(image);
            } finally {
                reader.dispose();
            }
        }
    }

    /**
     * Decoders report a file that ends early as a warning and return grey where the data is missing; such an image
     * (often one still being copied) must not be indexed as if it were the photo.
     */
    private static final class TruncationWatch implements IIOReadWarningListener {
        private volatile String seen;

        @Override
        public void warningOccurred(ImageReader source, String warning) {
            String w = warning.toLowerCase(Locale.ROOT);
            if (w.contains("premature end") || w.contains("truncat") || w.contains("end of file")) {
                seen = warning;
            }
        }
    }

    /** The HEIF brand of an ISO-BMFF file ("heic", "avif", …), or null. */
    static String heifBrand(byte[] b) {
        if (b.length < 12 || !new String(b, 4, 4, StandardCharsets.ISO_8859_1).equals("ftyp")) {
            return null;
        }
        String brand = new String(b, 8, 4, StandardCharsets.ISO_8859_1);
        return HEIF_BRANDS.contains(brand) ? brand : null;
    }

    /**
     * RGB as Pillow's convert("RGB") gives it: RGB and grey samples taken as stored (16-bit reduced to the high
     * byte, alpha dropped, an embedded ICC profile not applied), palettes looked up. Java's getRGB is only used
     * where a real colour conversion is wanted (CMYK and other colour spaces), since it would gamma-convert grey.
     */
    static RgbImage toRgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] out = new int[w * h];
        ColorModel cm = image.getColorModel();
        int space = cm.getColorSpace().getType();
        if (cm instanceof IndexColorModel || (space != ColorSpace.TYPE_RGB && space != ColorSpace.TYPE_GRAY)) {
            image.getRGB(0, 0, w, h, out, 0, w);
            for (int i = 0; i < out.length; i++) {
                out[i] &= 0xffffff;
            }
            return new RgbImage(w, h, out);
        }
        Raster raster = image.getRaster();
        boolean grey = space == ColorSpace.TYPE_GRAY;
        int[] r = samples(raster, cm, 0);
        int[] g = grey ? r : samples(raster, cm, 1);
        int[] b = grey ? r : samples(raster, cm, 2);
        for (int i = 0; i < out.length; i++) {
            out[i] = r[i] << 16 | g[i] << 8 | b[i];
        }
        return new RgbImage(w, h, out);
    }

    private static int[] samples(Raster raster, ColorModel cm, int band) {
        int[] s = raster.getSamples(0, 0, raster.getWidth(), raster.getHeight(), band, (int[]) null);
        int bits = cm.getComponentSize(band);
        if (bits != 8) {
            for (int i = 0; i < s.length; i++) {
                s[i] = bits > 8 ? s[i] >>> (bits - 8) : s[i] * 255 / ((1 << bits) - 1);
            }
        }
        return s;
    }

    /** EXIF orientation 1–8, 1 when absent or unreadable (metadata never fails a photo). */
    static int exifOrientation(byte[] bytes) {
        try {
            XmpLimits.checkDepth(bytes);
            Metadata metadata = XmpLimits.withDeadline(
                    () -> ImageMetadataReader.readMetadata(new ByteArrayInputStream(bytes), bytes.length));
            ExifIFD0Directory exif = metadata.getFirstDirectoryOfType(ExifIFD0Directory.class);
            if (exif != null && exif.containsTag(ExifIFD0Directory.TAG_ORIENTATION)) {
                int o = exif.getInt(ExifIFD0Directory.TAG_ORIENTATION);
                return o >= 1 && o <= 8 ? o : 1;
            }
        } catch (Exception e) {
            // unreadable or damaged metadata (see XmpLimits): the pixels are still good
        }
        return 1;
    }
}
