package clipd.bench;

import org.apache.commons.imaging.ImagingException;
import org.apache.commons.imaging.formats.jpeg.exif.ExifRewriter;
import org.apache.commons.imaging.formats.tiff.constants.ExifTagConstants;
import org.apache.commons.imaging.formats.tiff.constants.TiffTagConstants;
import org.apache.commons.imaging.formats.tiff.write.TiffOutputDirectory;
import org.apache.commons.imaging.formats.tiff.write.TiffOutputSet;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;

/**
 * {@code clipd bench photos}: a reproducible folder of camera-sized JPEGs for {@code clipd bench index}. Each is a
 * different scene (sky, textured ground, lit shapes) with sensor-like grain, so that its entropy-coded data is as
 * large as a phone photo's (3–5 MB at 12 MP) and decoding costs what it costs on real photos; EXIF carries a
 * camera, a capture time and a place, as real photos do.
 */
public final class BenchPhotos {
    private static final float QUALITY = 0.9f;
    /** Grain amplitude in 8-bit levels; sets the file size, as sensor noise does in real photos. */
    private static final int GRAIN = 28;
    private static final DateTimeFormatter EXIF_TIME = DateTimeFormatter.ofPattern("yyyy:MM:dd HH:mm:ss");

    private final int width;
    private final int height;

    public BenchPhotos(int width, int height) {
        this.width = width;
        this.height = height;
    }

    /** Writes photo number {@code index} (the same bytes every time for the same index and size). */
    public Path write(Path folder, int index) throws IOException {
        SplittableRandom random = new SplittableRandom(index * 1_000_003L + width);
        byte[] jpeg = withExif(encode(scene(random)), index, random);
        Path file = folder.resolve(String.format("IMG_%05d.jpg", index));
        Files.write(file, jpeg);
        return file;
    }

    private BufferedImage scene(SplittableRandom random) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        int horizon = height * (35 + random.nextInt(30)) / 100;
        g.setPaint(new GradientPaint(0, 0, color(random), 0, horizon, color(random)));
        g.fillRect(0, 0, width, horizon);
        g.setPaint(new GradientPaint(0, horizon, color(random), width, height, color(random)));
        g.fillRect(0, horizon, width, height - horizon);
        for (int i = 0, n = 6 + random.nextInt(10); i < n; i++) {
            int w = width / 12 + random.nextInt(width / 3);
            int h = height / 12 + random.nextInt(height / 3);
            int x = random.nextInt(width) - w / 2;
            int y = horizon / 2 + random.nextInt(height - horizon / 2) - h / 2;
            g.setPaint(new GradientPaint(x, y, color(random), x + w, y + h, color(random)));
            if (random.nextBoolean()) {
                g.fillOval(x, y, w, h);
            } else {
                g.fillRect(x, y, w, h);
            }
        }
        g.dispose();
        addGrain(((DataBufferInt) image.getRaster().getDataBuffer()).getData(), random);
        return image;
    }

    /** Per-channel noise with a triangular distribution: cheap, and as hard to compress as sensor grain. */
    private static void addGrain(int[] pixels, SplittableRandom random) {
        for (int i = 0; i < pixels.length; i++) {
            int p = pixels[i];
            long bits = random.nextLong();
            int r = clamp(((p >> 16) & 0xff) + noise(bits));
            int g = clamp(((p >> 8) & 0xff) + noise(bits >>> 16));
            int b = clamp((p & 0xff) + noise(bits >>> 32));
            pixels[i] = (r << 16) | (g << 8) | b;
        }
    }

    private static int noise(long bits) {
        return (int) ((bits & 0xff) + ((bits >>> 8) & 0xff) - 255) * GRAIN / 255;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    private static Color color(SplittableRandom random) {
        return new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256));
    }

    private static byte[] encode(BufferedImage image) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(QUALITY);
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private byte[] withExif(byte[] jpeg, int index, SplittableRandom random) throws IOException {
        try {
            TiffOutputSet exif = new TiffOutputSet();
            TiffOutputDirectory root = exif.getOrCreateRootDirectory();
            root.add(TiffTagConstants.TIFF_TAG_MAKE, "clipd");
            root.add(TiffTagConstants.TIFF_TAG_MODEL, "bench photos");
            root.add(TiffTagConstants.TIFF_TAG_ORIENTATION, (short) 1);
            exif.getOrCreateExifDirectory().add(ExifTagConstants.EXIF_TAG_DATE_TIME_ORIGINAL,
                    LocalDateTime.of(2024, 6, 1, 8, 0).plusMinutes(7L * index).format(EXIF_TIME));
            exif.setGpsInDegrees(-10 + 30 * random.nextDouble(), 35 + 20 * random.nextDouble());
            ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length + 1024);
            new ExifRewriter().updateExifMetadataLossless(jpeg, out, exif);
            return out.toByteArray();
        } catch (ImagingException e) {
            throw new IOException("cannot write EXIF: " + e.getMessage(), e);
        }
    }
}
