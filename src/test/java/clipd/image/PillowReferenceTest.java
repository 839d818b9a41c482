package clipd.image;

import clipd.testing.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * clipd's preprocessing against Pillow itself (Debian's python3-pil, run by src/test/python/
 * clip_preprocess_reference.py): the tensors must be bit-identical, except where the two sides' decoders differ.
 */
class PillowReferenceTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path SCRIPT = Path.of("src/test/python/clip_preprocess_reference.py");
    private static final int SIZE = 256;
    private static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    private static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};
    /**
     * Per format, {max, mean} absolute difference allowed in normalised units (1.0 ≈ 69 grey levels). Only WebP has
     * one: TwelveMonkeys decodes VP8 in Java without libwebp's smooth chroma upsampling (the shared photo differs by
     * max 0.36, mean 0.012). JPEG (the JDK's libjpeg against Pillow's libjpeg-turbo) and JPEG 2000 came out
     * bit-identical on every shared photo, so they are held to that.
     */
    private static final Map<String, float[]> TOLERANCE = Map.of("webp", new float[] {0.5f, 0.02f});

    private static boolean pillowPresent;

    @TempDir
    Path tmp;

    @BeforeAll
    static void findPillow() throws Exception {
        if (Files.isExecutable(PYTHON)) {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import PIL, numpy").redirectErrorStream(true).start();
            pillowPresent = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        }
        if (!pillowPresent) {
            System.err.println("PillowReferenceTest skipped: /usr/bin/python3 with Pillow and numpy is missing "
                    + "(apt-get install python3-pil python3-numpy)");
        }
    }

    @Test
    void sharedPhotosMatchPillow() throws Exception {
        assumeTrue(pillowPresent, "needs /usr/bin/python3 with Pillow and numpy");
        List<Path> photos;
        try (Stream<Path> files = Files.list(Fixtures.SHARED_IMAGES)) {
            photos = files.filter(p -> !p.toString().endsWith(".txt")).sorted().toList();
        }
        List<Path> all = new ArrayList<>(photos);
        all.add(Fixtures.SHARED_PHOTOS.resolve("images unicode/鳥鳥.png"));
        Map<Path, float[]> reference = pillow(all);
        StringBuilder report = new StringBuilder();
        StringBuilder failures = new StringBuilder();
        for (Path photo : all) {
            Difference diff = Difference.of(clipd(Files.readAllBytes(photo)), reference.get(photo));
            String ext = photo.getFileName().toString().replaceAll(".*\\.", "").toLowerCase(Locale.ROOT);
            float max = diff.max();
            double mean = diff.mean();
            report.append(String.format(Locale.ROOT, "%-40s max %.4f mean %.6f%n", photo.getFileName(), max, mean));
            float[] tolerance = TOLERANCE.getOrDefault(ext, new float[] {0, 0});
            if (max > tolerance[0] || mean > tolerance[1]) {
                failures.append(photo.getFileName()).append(' ');
            }
        }
        System.out.print("clipd vs Pillow, per photo:\n" + report);
        assertEquals("", failures.toString(), "differ from Pillow beyond their format's tolerance:\n" + report);
    }

    @Test
    void oddSizesAndUpscalingMatchPillowExactly() throws Exception {
        assumeTrue(pillowPresent, "needs /usr/bin/python3 with Pillow and numpy");
        Random random = new Random(42);
        int[][] sizes = {{257, 1000}, {1000, 257}, {300, 300}, {255, 255}, {513, 511}, {1, 400}, {400, 1}, {640, 480},
                {2000, 1333}, {256, 256}, {259, 256}};
        List<Path> files = new ArrayList<>();
        for (int[] s : sizes) {
            BufferedImage image = new BufferedImage(s[0], s[1], BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < s[1]; y++) {
                for (int x = 0; x < s[0]; x++) {
                    // a smooth gradient with noise: both large-scale structure and high frequencies
                    int base = (x * 255 / Math.max(1, s[0] - 1)) << 16 | (y * 255 / Math.max(1, s[1] - 1)) << 8;
                    image.setRGB(x, y, base ^ random.nextInt(0x40) ^ (random.nextInt(0x40) << 8));
                }
            }
            Path file = tmp.resolve(s[0] + "x" + s[1] + ".png");
            ImageIO.write(image, "png", file.toFile());
            files.add(file);
        }
        Map<Path, float[]> reference = pillow(files);
        for (Path file : files) {
            float[] ours = clipd(Files.readAllBytes(file));
            float[] theirs = reference.get(file);
            for (int i = 0; i < ours.length; i++) {
                if (ours[i] != theirs[i]) {
                    throw new AssertionError(file.getFileName() + ": first difference at " + i + ": " + ours[i]
                            + " vs Pillow " + theirs[i]);
                }
            }
        }
    }

    /**
     * Photos over four times the model size are not decoded whole (libjpeg-turbo scales them in the DCT domain,
     * ImageIO subsamples), a deliberate departure from Pillow's full decode; this bounds it on camera-sized JPEGs.
     */
    @Test
    void bigJpegsDecodedAtReducedSizeStayCloseToPillowsFullDecode() throws Exception {
        assumeTrue(pillowPresent, "needs /usr/bin/python3 with Pillow and numpy");
        List<Path> files = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            files.add(new clipd.bench.BenchPhotos(4000, 3000).write(tmp, i));
        }
        Map<Path, float[]> reference = pillow(files);
        for (Path file : files) {
            Difference diff = Difference.of(clipd(Files.readAllBytes(file)), reference.get(file));
            System.out.printf(Locale.ROOT, "%s (4000x3000, decoded by %s) vs Pillow's full decode: max %.4f mean %.6f%n",
                    file.getFileName(), ImageDecoder.jpegDecoder(), diff.max(), diff.mean());
            assertTrue(diff.max() < 0.5 && diff.mean() < 0.02, file + ": " + diff);
        }
    }

    /** How far two model inputs are apart, in normalised units. */
    private record Difference(float max, double mean) {
        static Difference of(float[] ours, float[] theirs) {
            float max = 0;
            double sum = 0;
            for (int i = 0; i < ours.length; i++) {
                float d = Math.abs(ours[i] - theirs[i]);
                max = Math.max(max, d);
                sum += d;
            }
            return new Difference(max, sum / ours.length);
        }
    }

    private static float[] clipd(byte[] bytes) throws UnreadableImageException {
        float[] out = new float[3 * SIZE * SIZE];
        new Preprocessor(SIZE, MEAN, STD).preprocess(new ImageDecoder(200_000_000L, 4 * SIZE).decode(bytes), out, 0);
        return out;
    }

    private Map<Path, float[]> pillow(List<Path> images) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), SCRIPT.toString(), String.valueOf(SIZE)));
        Map<Path, Path> outputs = new LinkedHashMap<>();
        for (Path image : images) {
            Path out = tmp.resolve("ref-" + outputs.size() + ".f32");
            outputs.put(image, out);
            command.add(image.toString());
            command.add(out.toString());
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, "Pillow reference failed: " + output);
        Map<Path, float[]> result = new LinkedHashMap<>();
        for (Map.Entry<Path, Path> e : outputs.entrySet()) {
            ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(e.getValue())).order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[bytes.remaining() / 4];
            bytes.asFloatBuffer().get(values);
            result.put(e.getKey(), values);
        }
        return result;
    }
}
