package clipd.http;

import clipd.image.ImageDecoder;
import clipd.image.RgbImage;
import clipd.image.UnreadableImageException;
import clipd.util.PrivateFiles;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.stream.Stream;

/**
 * JPEG thumbnails made on demand and kept in a bounded disk cache (0700, its files 0600: they show the photos). The
 * file name carries the photo's content hash, so an edited photo gets a new thumbnail; the oldest files go when the
 * cache outgrows its limit. Only a few are made at once, whatever the number of requests, and only in a few sizes
 * (a request is rounded up to the next), so requests cannot fill the disk with one file per size.
 */
final class Thumbnails {
    /** The longest side of every thumbnail made: a request is rounded up to the next of these. */
    static final int[] SIZES = {64, 128, 256, 512, 1024, PhotoRoutes.DISPLAY_SIZE};

    /** Where the photo's bytes come from, read only when its thumbnail is not in the cache. */
    interface Photo {
        byte[] read() throws IOException;
    }

    private final Path dir;
    private final long maxBytes;
    private final long maxPixels;
    private final Semaphore makers;

    Thumbnails(Path dir, long maxBytes, long maxPixels, int concurrency) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.maxPixels = maxPixels;
        this.makers = new Semaphore(concurrency);
    }

    /** The size a thumbnail of at least {@code requested} pixels is made in. */
    static int rounded(int requested) {
        for (int size : SIZES) {
            if (size >= requested) {
                return size;
            }
        }
        return SIZES[SIZES.length - 1];
    }

    /** The thumbnail file of a photo whose longest side is {@code size}, rounded up; made if needed. */
    Path get(Photo photo, String hash, int requested)
            throws IOException, UnreadableImageException, InterruptedException {
        int size = rounded(requested);
        Path file = dir.resolve(hash + "-" + size + ".jpg");
        if (Files.exists(file)) {
            return file;
        }
        makers.acquire();
        try {
            if (!Files.exists(file)) {
                PrivateFiles.createDirectory(dir);
                RgbImage image = new ImageDecoder(maxPixels, size).decode(photo.read());
                Path tmp = Files.createTempFile(dir, "thumb", ".tmp");
                try {
                    writeJpeg(scale(image, size), tmp);
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(tmp);
                }
                evictOldest();
            }
            return file;
        } finally {
            makers.release();
        }
    }

    private static BufferedImage scale(RgbImage image, int size) {
        double f = Math.min(1.0, (double) size / Math.max(image.width(), image.height()));
        int w = Math.max(1, (int) Math.round(image.width() * f));
        int h = Math.max(1, (int) Math.round(image.height() * f));
        BufferedImage source = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        source.setRGB(0, 0, image.width(), image.height(), image.pixels(), 0, image.width());
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(source, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    private static void writeJpeg(BufferedImage image, Path file) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.85f);
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
    }

    private void evictOldest() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".jpg")).sorted(Comparator.comparingLong(Thumbnails::modified))
                    .toList();
        }
        long total = 0;
        for (Path p : files) {
            total += Files.size(p);
        }
        for (Path p : files) {
            if (total <= maxBytes) {
                return;
            }
            total -= Files.size(p);
            Files.deleteIfExists(p);
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
