package clipd.image;

/**
 * CLIP's image preprocessing as rclip does it for its ONNX models: the short side resized to the model size
 * (Pillow's bicubic), a centre crop, pixels scaled to [0,1] and normalised per channel, laid out CHW. All float
 * arithmetic is float32, in the same order as the reference's numpy code, so the tensors are bit-identical.
 */
public final class Preprocessor {
    private final int size;
    private final float[] mean;
    private final float[] std;

    public Preprocessor(int size, float[] mean, float[] std) {
        this.size = size;
        this.mean = mean.clone();
        this.std = std.clone();
    }

    public int size() {
        return size;
    }

    /** Writes 3 × size × size floats (CHW) at {@code offset}. */
    public void preprocess(RgbImage image, float[] out, int offset) {
        int w = image.width();
        int h = image.height();
        int newW;
        int newH;
        // int(h * size / w) in Python: exact product, correctly rounded division, truncation.
        if (w < h) {
            newW = size;
            newH = (int) ((double) ((long) h * size) / w);
        } else {
            newH = size;
            newW = (int) ((double) ((long) w * size) / h);
        }
        RgbImage resized = PillowResampler.resize(image, newW, newH);
        int left = (int) Math.rint((newW - size) / 2.0); // Python's round(): half to even
        int top = (int) Math.rint((newH - size) / 2.0);
        int plane = size * size;
        int[] px = resized.pixels();
        for (int y = 0; y < size; y++) {
            int row = (y + top) * newW + left;
            for (int x = 0; x < size; x++) {
                int p = px[row + x];
                int i = offset + y * size + x;
                out[i] = (((p >> 16) & 0xff) / 255f - mean[0]) / std[0];
                out[i + plane] = (((p >> 8) & 0xff) / 255f - mean[1]) / std[1];
                out[i + 2 * plane] = ((p & 0xff) / 255f - mean[2]) / std[2];
            }
        }
    }
}
