package clipd.embed;

/** Small vector helpers shared by embedding and search. */
public final class Vectors {
    private Vectors() {
    }

    /** Scales v to unit length in place (a zero vector stays zero) and returns it. */
    public static float[] normalize(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        if (sum > 0) {
            float inv = (float) (1.0 / Math.sqrt(sum));
            for (int i = 0; i < v.length; i++) {
                v[i] *= inv;
            }
        }
        return v;
    }

    /** The unit-length mean of {@code count} rows starting at {@code from}: a prompt ensemble's embedding. */
    public static float[] normalizedMean(float[][] rows, int from, int count) {
        float[] mean = new float[rows[from].length];
        for (int r = from; r < from + count; r++) {
            for (int i = 0; i < mean.length; i++) {
                mean[i] += rows[r][i];
            }
        }
        return normalize(mean);
    }

    public static float dot(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
