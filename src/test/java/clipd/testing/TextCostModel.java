package clipd.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes the {@link VitCostModel} directory with a text encoder of ViT-B-32's real text tower shapes as well, so
 * that {@code clipd bench idle} and {@code clipd bench search} measure real-size memory and query cost: a 49,408 ×
 * 512 token embedding, 77 positions, 12 causal pre-norm blocks of width 512 (8 heads of 64, MLP 2048, exact GELU),
 * the final LayerNorm on the end token (the largest id, as CLIP pools) and a projection to 512. About 63 million
 * parameters (a 253 MB file), random weights: the cost depends on the shapes. Run from the project root:
 * <pre>
 * mvn -q test-compile && java -Xmx6g -cp target/test-classes:target/clipd.jar clipd.testing.TextCostModel /tmp/vit-b-32-cost
 * CLIPD_MODEL_DIR=/tmp/vit-b-32-cost ./clipd bench search
 * </pre>
 */
public final class TextCostModel {
    private static final int WIDTH = 512;
    private static final int LAYERS = 12;
    private static final int HEADS = 8;
    private static final int MLP = 2048;
    private static final int CONTEXT = 77;
    private static final int VOCABULARY = 49_408;
    private static final long SEED = 20261201L;

    private TextCostModel() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "/tmp/vit-b-32-cost");
        VitCostModel.main(new String[] {dir.toString()});
        Files.write(dir.resolve("textual.onnx"), textual(new SplittableRandom(SEED)));
        Path properties = dir.resolve("model.properties");
        Files.writeString(properties, Files.readString(properties).replace("ViT-B-32-256's compute",
                "ViT-B-32-256's compute in both towers"));
        System.out.println("wrote " + dir.resolve("textual.onnx"));
    }

    static byte[] textual(SplittableRandom random) {
        OnnxGraph g = new OnnxGraph()
                .input("input", OnnxGraph.INT64, "batch", CONTEXT)
                .output("output", OnnxGraph.FLOAT, "batch", TinyClipModel.DIM)
                .floats("token_embedding", TransformerGraph.weights(random, VOCABULARY * WIDTH), VOCABULARY, WIDTH)
                .floats("pos", TransformerGraph.weights(random, CONTEXT * WIDTH), CONTEXT, WIDTH)
                .floats("proj", TransformerGraph.weights(random, WIDTH * TinyClipModel.DIM), WIDTH, TinyClipModel.DIM)
                .longs("token_axis", new long[] {1}, 1)
                .longs("feature_axis", new long[] {2}, 1)
                .node("Gather", List.of("token_embedding", "input"), "tokens", "axis", 0L)
                .node("Add", List.of("tokens", "pos"), "embedded");
        TransformerGraph t = new TransformerGraph(g, WIDTH, HEADS, MLP, CONTEXT, true);
        String x = "embedded";
        for (int l = 0; l < LAYERS; l++) {
            x = t.block(g, random, x, "b" + l);
        }
        // the end token's features: a one-hot mask at the largest id, summed over the sequence
        g.node("ReduceMax", List.of("input"), "end_id", "axes", new long[] {1}, "keepdims", 1L)
                .node("Equal", List.of("input", "end_id"), "is_end")
                .node("Cast", List.of("is_end"), "end_mask_2d", "to", 1L)
                .node("Unsqueeze", List.of("end_mask_2d", "feature_axis"), "end_mask")
                .node("Mul", List.of(x, "end_mask"), "end_only")
                .node("ReduceSum", List.of("end_only", "token_axis"), "end_token", "keepdims", 0L);
        String pooled = t.layerNorm(g, "end_token", "ln_final");
        g.node("MatMul", List.of(pooled, "proj"), "output");
        return g.toModel("vit_b_32_cost_textual");
    }
}
