package clipd.image;

/**
 * Pillow's antialiased bicubic resize of 8-bit images (Resample.c), ported operation for operation so that clipd
 * feeds the model the same pixels rclip does: the filter support grows with the downscale factor, coefficients are
 * normalised and turned into 22-bit fixed point, the horizontal pass runs first over just the rows the vertical
 * pass reads, and every intermediate pixel is rounded and clipped to 8 bits as Pillow does.
 */
final class PillowResampler {
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double BICUBIC_SUPPORT = 2.0;

    private PillowResampler() {
    }

    /** Resampling weights of one axis: for each output pixel, the first input pixel, how many, and the weights. */
    private record Coefficients(int ksize, int[] bounds, int[] weights) {
    }

    static RgbImage resize(RgbImage in, int width, int height) {
        if (width == in.width() && height == in.height()) {
            return in;
        }
        Coefficients horizontal = coefficients(in.width(), width);
        Coefficients vertical = coefficients(in.height(), height);
        int[] pixels = in.pixels();
        int rows = in.height();
        if (width != in.width()) {
            int firstRow = vertical.bounds[0];
            int lastRow = vertical.bounds[2 * height - 2] + vertical.bounds[2 * height - 1];
            for (int i = 0; i < height; i++) {
                vertical.bounds[2 * i] -= firstRow;
            }
            pixels = horizontalPass(pixels, in.width(), firstRow, lastRow - firstRow, width, horizontal);
            rows = lastRow - firstRow;
        }
        if (height != in.height()) {
            pixels = verticalPass(pixels, width, height, vertical);
            rows = height;
        }
        return new RgbImage(width, rows, pixels);
    }

    private static double bicubic(double x) {
        final double a = -0.5;
        if (x < 0.0) {
            x = -x;
        }
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    /** precompute_coeffs followed by normalize_coeffs_8bpc, for the box (0, inSize). */
    private static Coefficients coefficients(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = BICUBIC_SUPPORT * filterScale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[outSize * 2];
        int[] weights = new int[outSize * ksize];
        double[] k = new double[ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++) {
                double w = bicubic((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++) {
                double w = ww != 0.0 ? k[x] / ww : k[x];
                weights[xx * ksize + x] = w < 0
                        ? (int) (-0.5 + w * (1 << PRECISION_BITS))
                        : (int) (0.5 + w * (1 << PRECISION_BITS));
            }
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = xmax;
        }
        return new Coefficients(ksize, bounds, weights);
    }

    private static int[] horizontalPass(int[] src, int srcWidth, int firstRow, int rows, int width, Coefficients c) {
        int[] out = new int[width * rows];
        for (int y = 0; y < rows; y++) {
            int rowStart = (y + firstRow) * srcWidth;
            for (int xx = 0; xx < width; xx++) {
                int xmin = c.bounds[xx * 2];
                int count = c.bounds[xx * 2 + 1];
                int k = xx * c.ksize;
                int r = 1 << (PRECISION_BITS - 1);
                int g = r;
                int b = r;
                for (int x = 0; x < count; x++) {
                    int p = src[rowStart + xmin + x];
                    int w = c.weights[k + x];
                    r += ((p >> 16) & 0xff) * w;
                    g += ((p >> 8) & 0xff) * w;
                    b += (p & 0xff) * w;
                }
                out[y * width + xx] = clip8(r) << 16 | clip8(g) << 8 | clip8(b);
            }
        }
        return out;
    }

    private static int[] verticalPass(int[] src, int width, int height, Coefficients c) {
        int[] out = new int[width * height];
        for (int yy = 0; yy < height; yy++) {
            int ymin = c.bounds[yy * 2];
            int count = c.bounds[yy * 2 + 1];
            int k = yy * c.ksize;
            for (int x = 0; x < width; x++) {
                int r = 1 << (PRECISION_BITS - 1);
                int g = r;
                int b = r;
                for (int y = 0; y < count; y++) {
                    int p = src[(ymin + y) * width + x];
                    int w = c.weights[k + y];
                    r += ((p >> 16) & 0xff) * w;
                    g += ((p >> 8) & 0xff) * w;
                    b += (p & 0xff) * w;
                }
                out[yy * width + x] = clip8(r) << 16 | clip8(g) << 8 | clip8(b);
            }
        }
        return out;
    }

    private static int clip8(int v) {
        if (v >= 1 << PRECISION_BITS << 8) {
            return 255;
        }
        if (v <= 0) {
            return 0;
        }
        return v >> PRECISION_BITS;
    }
}
