package clipd.testing;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

/** Near-duplicates made the way people make them: re-encoded, resized or cropped copies of a photo (ImageIO). */
public final class ImageVariants {
    /** The versions {@link #write} makes: re-encoded at quality 95 and 60, half the size, cropped to 90%. */
    public static final java.util.List<String> SUFFIXES = java.util.List.of("-original.jpg", "-q60.jpg", "-half.jpg",
            "-crop90.jpg");

    private ImageVariants() {
    }

    /** Writes {@code base + suffix} for every one of {@link #SUFFIXES} into {@code dir}. */
    public static void write(Path source, Path dir, String base) throws Exception {
        BufferedImage image = ImageIO.read(source.toFile());
        int w = image.getWidth(), h = image.getHeight();
        BufferedImage full = scaled(image, 1);
        jpeg(full, 0.95f, dir.resolve(base + SUFFIXES.get(0)));
        jpeg(full, 0.6f, dir.resolve(base + SUFFIXES.get(1)));
        jpeg(region(image, 0, 0, w, h, w / 2, h / 2), 0.9f, dir.resolve(base + SUFFIXES.get(2)));
        jpeg(region(image, w / 20, h / 20, w - w / 10, h - h / 10, w - w / 10, h - h / 10), 0.9f,
                dir.resolve(base + SUFFIXES.get(3)));
    }

    /** Writes {@code image} as a JPEG of the given quality (0 to 1), metadata-free, creating the folder. */
    public static Path jpeg(BufferedImage image, float quality, Path to) throws Exception {
        Files.createDirectories(to.toAbsolutePath().getParent());
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(to.toFile())) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return to;
    }

    /** The {@code w}×{@code h} region at ({@code x}, {@code y}) scaled bicubically to {@code outW}×{@code outH} RGB. */
    public static BufferedImage region(BufferedImage source, int x, int y, int w, int h, int outW, int outH) {
        BufferedImage out = new BufferedImage(outW, outH, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.drawImage(source, 0, 0, outW, outH, x, y, x + w, y + h, null);
        g.dispose();
        return out;
    }

    /** The whole photo at {@code scale} of its size (1 for an RGB copy at full size). */
    public static BufferedImage scaled(BufferedImage source, double scale) {
        int w = source.getWidth(), h = source.getHeight();
        return region(source, 0, 0, w, h, (int) Math.round(w * scale), (int) Math.round(h * scale));
    }
}
