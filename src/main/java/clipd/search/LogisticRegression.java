package clipd.search;

import java.util.List;

/**
 * A logistic regression on unit embeddings, by plain full-batch gradient descent, with its L2 penalty pulling the
 * weights toward a prior ({@code λ/2·|w − prior|²}) rather than toward zero: started from and pulled toward a
 * concept's prototype, a handful of negative examples bends the prototype away from them instead of replacing it
 * with whatever separates five photos. A few hundred steps over a few dozen examples take well under a millisecond
 * each; no library is worth it for that.
 */
final class LogisticRegression {
    static final double LAMBDA = 0.01;
    static final int STEPS = 2_000;
    static final double RATE = 0.5;

    /** The weights and bias found; {@code p(x) = σ(w·x + b)}. */
    record Model(float[] weights, double bias) {
        double logit(float[] x) {
            double s = bias;
            for (int i = 0; i < x.length; i++) {
                s += weights[i] * x[i];
            }
            return s;
        }
    }

    private LogisticRegression() {
    }

    /** Fits positives (label 1) against negatives (label 0), both non-empty. */
    static Model fit(List<float[]> positives, List<float[]> negatives, float[] prior) {
        int dim = prior.length;
        double[] w = new double[dim];
        for (int i = 0; i < dim; i++) {
            w[i] = prior[i];
        }
        double b = 0;
        int n = positives.size() + negatives.size();
        double[] grad = new double[dim];
        for (int step = 0; step < STEPS; step++) {
            java.util.Arrays.fill(grad, 0);
            double gradB = 0;
            gradB += accumulate(positives, 1, w, b, grad);
            gradB += accumulate(negatives, 0, w, b, grad);
            for (int i = 0; i < dim; i++) {
                w[i] -= RATE * (grad[i] / n + LAMBDA * (w[i] - prior[i]));
            }
            b -= RATE * gradB / n;
        }
        float[] weights = new float[dim];
        for (int i = 0; i < dim; i++) {
            weights[i] = (float) w[i];
        }
        return new Model(weights, b);
    }

    /** Adds the examples' gradient of the log loss to {@code grad}; returns the bias's part. */
    private static double accumulate(List<float[]> xs, int label, double[] w, double b, double[] grad) {
        double gradB = 0;
        for (float[] x : xs) {
            double z = b;
            for (int i = 0; i < x.length; i++) {
                z += w[i] * x[i];
            }
            double error = 1 / (1 + Math.exp(-z)) - label;
            for (int i = 0; i < x.length; i++) {
                grad[i] += error * x[i];
            }
            gradB += error;
        }
        return gradB;
    }
}
