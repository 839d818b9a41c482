package clipd.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes a visual encoder with the compute of OpenCLIP ViT-B-32 at 256 px and random weights, for measuring
 * {@code clipd bench index} where the real model cannot be downloaded: what the model costs depends on its
 * shapes, not on its weights. Patch embedding 3→768 (32×32, stride 32: 64 patches), a class token, positional
 * embeddings, 12 pre-norm transformer blocks (12 heads of 64, MLP 3072 with exact GELU), the class token's
 * LayerNorm and a projection to 512: about 88 million parameters (a 350 MB file) and 4.4 GFLOPs per image. The
 * text encoder is the tiny one (the benchmark does not use it). Run from the project root:
 * <pre>
 * mvn -q test-compile && java -Xmx6g -cp target/test-classes:target/clipd.jar clipd.testing.VitCostModel /tmp/vit-b-32-cost
 * CLIPD_MODEL_DIR=/tmp/vit-b-32-cost ./clipd bench index DIR
 * </pre>
 */
public final class VitCostModel {
    private static final int WIDTH = 768;
    private static final int LAYERS = 12;
    private static final int HEADS = 12;
    private static final int MLP = 3072;
    private static final int PATCH = 32;
    private static final int TOKENS = (256 / PATCH) * (256 / PATCH) + 1;
    private static final long SEED = 20261124L;

    private VitCostModel() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "/tmp/vit-b-32-cost");
        TinyClipModel.write(dir); // the descriptor and the tiny text encoder
        Files.write(dir.resolve("visual.onnx"), visual(new SplittableRandom(SEED)));
        Path tokenizer = Path.of("../shared/clip/bpe_simple_vocab_16e6.txt.gz").toAbsolutePath().normalize();
        Files.writeString(dir.resolve("model.properties"), Files.readString(dir.resolve("model.properties"))
                .replace("name=tiny-test", "name=vit-b-32-cost")
                .replaceAll("description=.*", "description=Random weights with the compute of ViT-B-32 at 256 px, for benchmarks")
                .replaceAll("tokenizer.file=.*", "tokenizer.file=" + tokenizer.toString().replace("\\", "/")));
        System.out.println("wrote " + dir);
    }

    private static byte[] visual(SplittableRandom random) {
        OnnxGraph g = new OnnxGraph()
                .input("input", OnnxGraph.FLOAT, "batch", 3, 256, 256)
                .output("output", OnnxGraph.FLOAT, "batch", TinyClipModel.DIM)
                .floats("patch_w", weights(random, WIDTH * 3 * PATCH * PATCH), WIDTH, 3, PATCH, PATCH)
                .floats("cls", weights(random, WIDTH), 1, 1, WIDTH)
                .floats("pos", weights(random, TOKENS * WIDTH), TOKENS, WIDTH)
                .floats("attn_scale", new float[] {0.125f})
                .floats("one", new float[] {1f})
                .floats("half", new float[] {0.5f})
                .floats("inv_sqrt2", new float[] {(float) (1 / Math.sqrt(2))})
                .floats("proj", weights(random, WIDTH * TinyClipModel.DIM), WIDTH, TinyClipModel.DIM)
                .longs("patches_shape", new long[] {0, WIDTH, TOKENS - 1}, 3)
                .longs("heads_shape", new long[] {0, TOKENS, HEADS, WIDTH / HEADS}, 4)
                .longs("tokens_shape", new long[] {0, TOKENS, WIDTH}, 3)
                .longs("zero", new long[] {0}, 1)
                .longs("one_index", new long[] {1}, 1)
                .longs("first", new long[] {0})
                .node("Conv", List.of("input", "patch_w"), "patches", "kernel_shape", new long[] {PATCH, PATCH},
                        "strides", new long[] {PATCH, PATCH})
                .node("Reshape", List.of("patches", "patches_shape"), "flat")
                .node("Transpose", List.of("flat"), "seq", "perm", new long[] {0, 2, 1})
                // the class token, broadcast to the batch: (first patch × 0) + cls
                .node("Slice", List.of("seq", "zero", "one_index", "one_index"), "first_patch")
                .node("Mul", List.of("first_patch", "zero_f"), "zeros")
                .node("Add", List.of("zeros", "cls"), "cls_tokens")
                .node("Concat", List.of("cls_tokens", "seq"), "tokens", "axis", 1L)
                .node("Add", List.of("tokens", "pos"), "embedded");
        g.floats("zero_f", new float[] {0f});
        String x = layerNorm(g, "embedded", "ln_pre");
        for (int l = 0; l < LAYERS; l++) {
            x = block(g, random, x, "b" + l);
        }
        g.node("Gather", List.of(x, "first"), "class_token", "axis", 1L);
        String pooled = layerNorm(g, "class_token", "ln_post");
        g.node("MatMul", List.of(pooled, "proj"), "output");
        return g.toModel("vit_b_32_cost_visual");
    }

    private static String block(OnnxGraph g, SplittableRandom random, String x, String p) {
        String h = layerNorm(g, x, p + "_ln1");
        String q = heads(g, linear(g, random, h, p + "_q", WIDTH, WIDTH), p + "_q", new long[] {0, 2, 1, 3});
        String k = heads(g, linear(g, random, h, p + "_k", WIDTH, WIDTH), p + "_k", new long[] {0, 2, 3, 1});
        String v = heads(g, linear(g, random, h, p + "_v", WIDTH, WIDTH), p + "_v", new long[] {0, 2, 1, 3});
        g.node("MatMul", List.of(q, k), p + "_scores")
                .node("Mul", List.of(p + "_scores", "attn_scale"), p + "_scaled")
                .node("Softmax", List.of(p + "_scaled"), p + "_attn", "axis", -1L)
                .node("MatMul", List.of(p + "_attn", v), p + "_mixed")
                .node("Transpose", List.of(p + "_mixed"), p + "_mixed_t", "perm", new long[] {0, 2, 1, 3})
                .node("Reshape", List.of(p + "_mixed_t", "tokens_shape"), p + "_merged");
        String attended = linear(g, random, p + "_merged", p + "_o", WIDTH, WIDTH);
        g.node("Add", List.of(x, attended), p + "_res1");
        String h2 = layerNorm(g, p + "_res1", p + "_ln2");
        String up = linear(g, random, h2, p + "_fc", WIDTH, MLP);
        g.node("Mul", List.of(up, "inv_sqrt2"), p + "_gelu_in")
                .node("Erf", List.of(p + "_gelu_in"), p + "_erf")
                .node("Add", List.of(p + "_erf", "one"), p + "_erf1")
                .node("Mul", List.of(up, p + "_erf1"), p + "_gelu_x")
                .node("Mul", List.of(p + "_gelu_x", "half"), p + "_gelu");
        String down = linear(g, random, p + "_gelu", p + "_proj", MLP, WIDTH);
        g.node("Add", List.of(p + "_res1", down), p + "_out");
        return p + "_out";
    }

    private static String heads(OnnxGraph g, String x, String p, long[] perm) {
        g.node("Reshape", List.of(x, "heads_shape"), p + "_heads")
                .node("Transpose", List.of(p + "_heads"), p + "_t", "perm", perm);
        return p + "_t";
    }

    private static String linear(OnnxGraph g, SplittableRandom random, String x, String p, int in, int out) {
        g.floats(p + "_w", weights(random, in * out), in, out)
                .floats(p + "_b", new float[out], out)
                .node("MatMul", List.of(x, p + "_w"), p + "_mm")
                .node("Add", List.of(p + "_mm", p + "_b"), p + "_lin");
        return p + "_lin";
    }

    private static String layerNorm(OnnxGraph g, String x, String p) {
        float[] scale = new float[WIDTH];
        java.util.Arrays.fill(scale, 1f);
        g.floats(p + "_scale", scale, WIDTH).floats(p + "_bias", new float[WIDTH], WIDTH)
                .node("LayerNormalization", List.of(x, p + "_scale", p + "_bias"), p);
        return p;
    }

    /** Small random weights; their values do not change the cost, only keep the activations finite. */
    private static float[] weights(SplittableRandom random, int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) ((random.nextDouble() * 2 - 1) * 0.035);
        }
        return w;
    }
}
