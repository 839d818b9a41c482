package clipd.testing;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/** Versions of a photo as people make them: re-encoded at quality 95 and 60, half the size, cropped to 90%. */
public final class PhotoVariants {
    public static final List<String> SUFFIXES = List.of("-original.jpg", "-q60.jpg", "-half.jpg", "-crop90.jpg");

    private PhotoVariants() {
    }

    /** Writes {@code base + suffix} for every one of {@link #SUFFIXES} into {@code dir}. */
    public static void write(Path source, Path dir, String base) throws Exception {
        BufferedImage image = ImageIO.read(source.toFile());
        int w = image.getWidth(), h = image.getHeight();
        BufferedImage full = rgb(image, 0, 0, w, h, w, h);
        jpeg(full, 0.95f, dir.resolve(base + SUFFIXES.get(0)));
        jpeg(full, 0.6f, dir.resolve(base + SUFFIXES.get(1)));
        jpeg(rgb(image, 0, 0, w, h, w / 2, h / 2), 0.9f, dir.resolve(base + SUFFIXES.get(2)));
        jpeg(rgb(image, w / 20, h / 20, w - w / 10, h - h / 10, w - w / 10, h - h / 10), 0.9f,
                dir.resolve(base + SUFFIXES.get(3)));
    }

    private static void jpeg(BufferedImage image, float quality, Path to) throws Exception {
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
    }

    private static BufferedImage rgb(BufferedImage source, int x, int y, int w, int h, int outW, int outH) {
        BufferedImage out = new BufferedImage(outW, outH, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.drawImage(source, 0, 0, outW, outH, x, y, x + w, y + h, null);
        g.dispose();
        return out;
    }
}
