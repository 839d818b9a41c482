package clipd.testing;

import org.apache.commons.imaging.formats.jpeg.exif.ExifRewriter;
import org.apache.commons.imaging.formats.tiff.constants.ExifTagConstants;
import org.apache.commons.imaging.formats.tiff.constants.TiffDirectoryType;
import org.apache.commons.imaging.formats.tiff.constants.TiffTagConstants;
import org.apache.commons.imaging.formats.tiff.taginfos.TagInfoAscii;
import org.apache.commons.imaging.formats.tiff.write.TiffOutputDirectory;
import org.apache.commons.imaging.formats.tiff.write.TiffOutputSet;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Real JPEGs with real EXIF, written by commons-imaging's lossless rewriter (pixels untouched). */
public final class ExifPhotos {
    /** EXIF 2.31's OffsetTimeOriginal (0x9011), which commons-imaging has no constant for. */
    private static final TagInfoAscii OFFSET_TIME_ORIGINAL =
            new TagInfoAscii("OffsetTimeOriginal", 0x9011, 7, TiffDirectoryType.EXIF_DIRECTORY_EXIF_IFD);

    private ExifPhotos() {
    }

    /** What to write; null leaves a tag out. */
    public record Exif(String dateTimeOriginal, String offset, Double latitude, Double longitude, String make,
                       String model, String lens) {
    }

    public static byte[] jpeg(int seed, int width, int height) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(seed * 50 % 256, seed * 90 % 256, seed * 130 % 256));
        g.fillRect(0, 0, width, height);
        g.setColor(Color.WHITE);
        g.fillOval(seed * 7 % width, seed * 5 % height, width / 3, height / 3);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", out);
        return out.toByteArray();
    }

    public static byte[] withExif(byte[] jpeg, Exif exif) throws Exception {
        TiffOutputSet set = new TiffOutputSet();
        TiffOutputDirectory root = set.getOrCreateRootDirectory();
        TiffOutputDirectory sub = set.getOrCreateExifDirectory();
        if (exif.make() != null) {
            root.add(TiffTagConstants.TIFF_TAG_MAKE, exif.make());
        }
        if (exif.model() != null) {
            root.add(TiffTagConstants.TIFF_TAG_MODEL, exif.model());
        }
        if (exif.dateTimeOriginal() != null) {
            sub.add(ExifTagConstants.EXIF_TAG_DATE_TIME_ORIGINAL, exif.dateTimeOriginal());
        }
        if (exif.offset() != null) {
            sub.add(OFFSET_TIME_ORIGINAL, exif.offset());
        }
        if (exif.lens() != null) {
            sub.add(ExifTagConstants.EXIF_TAG_LENS_MODEL, exif.lens());
        }
        if (exif.latitude() != null) {
            set.setGpsInDegrees(exif.longitude(), exif.latitude());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ExifRewriter().updateExifMetadataLossless(jpeg, out, set);
        return out.toByteArray();
    }

    public static Path write(Path file, byte[] bytes) throws Exception {
        Files.createDirectories(file.getParent());
        return Files.write(file, bytes);
    }
}
