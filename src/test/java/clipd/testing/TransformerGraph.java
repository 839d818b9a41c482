package clipd.testing;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The pre-norm transformer blocks of CLIP's two towers, written into an {@link OnnxGraph}: multi-head attention
 * (optionally causal, as in the text tower), an MLP with exact GELU, residuals, LayerNorms. The weights are random:
 * what a model costs depends on its shapes, not on its weights.
 */
final class TransformerGraph {
    private final int width;
    private final int heads;
    private final int mlp;
    private final boolean causal;

    /** Adds the shapes and constants the blocks share to {@code g}, for sequences of {@code tokens}. */
    TransformerGraph(OnnxGraph g, int width, int heads, int mlp, int tokens, boolean causal) {
        this.width = width;
        this.heads = heads;
        this.mlp = mlp;
        this.causal = causal;
        g.floats("attn_scale", new float[] {(float) (1 / Math.sqrt(width / heads))})
                .floats("one", new float[] {1f})
                .floats("half", new float[] {0.5f})
                .floats("inv_sqrt2", new float[] {(float) (1 / Math.sqrt(2))})
                .longs("heads_shape", new long[] {0, tokens, heads, width / heads}, 4)
                .longs("tokens_shape", new long[] {0, tokens, width}, 3);
        if (causal) {
            float[] mask = new float[tokens * tokens];
            for (int i = 0; i < tokens; i++) {
                for (int j = i + 1; j < tokens; j++) {
                    mask[i * tokens + j] = -1e9f;
                }
            }
            g.floats("causal_mask", mask, tokens, tokens);
        }
    }

    String block(OnnxGraph g, SplittableRandom random, String x, String p) {
        String h = layerNorm(g, x, p + "_ln1");
        String q = heads(g, linear(g, random, h, p + "_q", width, width), p + "_q", new long[] {0, 2, 1, 3});
        String k = heads(g, linear(g, random, h, p + "_k", width, width), p + "_k", new long[] {0, 2, 3, 1});
        String v = heads(g, linear(g, random, h, p + "_v", width, width), p + "_v", new long[] {0, 2, 1, 3});
        g.node("MatMul", List.of(q, k), p + "_scores")
                .node("Mul", List.of(p + "_scores", "attn_scale"), p + "_scaled");
        String scores = p + "_scaled";
        if (causal) {
            g.node("Add", List.of(scores, "causal_mask"), p + "_masked");
            scores = p + "_masked";
        }
        g.node("Softmax", List.of(scores), p + "_attn", "axis", -1L)
                .node("MatMul", List.of(p + "_attn", v), p + "_mixed")
                .node("Transpose", List.of(p + "_mixed"), p + "_mixed_t", "perm", new long[] {0, 2, 1, 3})
                .node("Reshape", List.of(p + "_mixed_t", "tokens_shape"), p + "_merged");
        String attended = linear(g, random, p + "_merged", p + "_o", width, width);
        g.node("Add", List.of(x, attended), p + "_res1");
        String h2 = layerNorm(g, p + "_res1", p + "_ln2");
        String up = linear(g, random, h2, p + "_fc", width, mlp);
        g.node("Mul", List.of(up, "inv_sqrt2"), p + "_gelu_in")
                .node("Erf", List.of(p + "_gelu_in"), p + "_erf")
                .node("Add", List.of(p + "_erf", "one"), p + "_erf1")
                .node("Mul", List.of(up, p + "_erf1"), p + "_gelu_x")
                .node("Mul", List.of(p + "_gelu_x", "half"), p + "_gelu");
        String down = linear(g, random, p + "_gelu", p + "_proj", mlp, width);
        g.node("Add", List.of(p + "_res1", down), p + "_out");
        return p + "_out";
    }

    private String heads(OnnxGraph g, String x, String p, long[] perm) {
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

    String layerNorm(OnnxGraph g, String x, String p) {
        float[] scale = new float[width];
        Arrays.fill(scale, 1f);
        g.floats(p + "_scale", scale, width).floats(p + "_bias", new float[width], width)
                .node("LayerNormalization", List.of(x, p + "_scale", p + "_bias"), p);
        return p;
    }

    /** Small random weights; their values do not change the cost, only keep the activations finite. */
    static float[] weights(SplittableRandom random, int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) ((random.nextDouble() * 2 - 1) * 0.035);
        }
        return w;
    }
}
