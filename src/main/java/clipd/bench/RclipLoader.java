package clipd.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * rclip's side of {@code clipd bench index --compare-rclip}: runs rclip's own loader step (rclip/main.py
 * {@code _read_and_preprocess}: its sampled sha256, Pillow's decode, its CLIP preprocessing) from a checkout, on
 * rclip's own thread pool, with the system's Python, Pillow and numpy (Debian: python3-pil, python3-numpy).
 * With the model's CPU time per image, which is the same for both (the same ONNX model), that bounds rclip's
 * indexing rate on this machine from above.
 */
public final class RclipLoader {
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Result(int photos, double seconds, double cpuSeconds, int workers, String pillow) {
        public double cpuMillisPerPhoto() {
            return 1000 * cpuSeconds / photos;
        }

        /**
         * Images per second rclip could index on {@code cores} if loading and inference (both CPU-bound) kept
         * every core busy with nothing lost to waiting: cores / (loader CPU + inference CPU per photo).
         */
        public double bestCaseRate(int cores, double inferenceCpuMillis) {
            return cores * 1000 / (cpuMillisPerPhoto() + inferenceCpuMillis);
        }
    }

    private final Path checkout;
    private final String python;

    public RclipLoader(Path checkout, String python) throws IOException {
        if (!Files.isRegularFile(checkout.resolve("rclip/main.py"))) {
            throw new IOException(checkout + " is not an rclip checkout (no rclip/main.py): clone "
                    + "github.com/yurijmikhalevich/rclip and name its folder");
        }
        this.checkout = checkout;
        this.python = python;
    }

    public Result run(List<Path> photos, Path workDir) throws IOException, InterruptedException {
        Path script = workDir.resolve("rclip_loader.py");
        try (InputStream in = RclipLoader.class.getResourceAsStream("rclip_loader.py")) {
            Files.write(script, in.readAllBytes());
        }
        Process p = new ProcessBuilder(python, script.toString(), checkout.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (OutputStream stdin = p.getOutputStream()) {
            for (Path photo : photos) {
                stdin.write((photo + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("rclip's loader failed (" + python + " exited with " + p.exitValue()
                    + "; it needs Pillow and numpy: apt install python3-pil python3-numpy)");
        }
        JsonNode r = JSON.readTree(out.substring(out.lastIndexOf("\n{") + 1));
        return new Result(r.path("photos").asInt(), r.path("seconds").asDouble(), r.path("cpu_seconds").asDouble(),
                r.path("workers").asInt(), r.path("pillow").asText());
    }
}
