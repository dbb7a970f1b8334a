package io.djlquant.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Batch-norm folding, the single place where {@code conv/linear + BN} becomes one weight and bias.
 * Used by the QAT blocks (with batch or running statistics) and by the int8 converter (running
 * statistics), so both compute the same folded layer.
 *
 * <p>With {@code factor[c] = gamma[c] / sqrt(var[c] + eps)}: {@code W'[c] = W[c] * factor[c]} and
 * {@code b'[c] = beta[c] + (b[c] - mean[c]) * factor[c]} ({@code b = 0} without a layer bias). All
 * arguments may carry gradients; nothing is detached here.
 */
public final class BnFolding {

    private BnFolding() {}

    /**
     * A folded weight and bias.
     *
     * @param weight the folded weight, same shape as the layer weight (axis 0 = output channels)
     * @param bias the folded bias, shape (C)
     */
    public record Folded(NDArray weight, NDArray bias) {}

    /**
     * Computes {@code gamma / sqrt(var + eps)}.
     *
     * @param gamma the batch norm scale, shape (C)
     * @param var the variance (running or batch), shape (C)
     * @param epsilon the batch norm epsilon
     * @return the per-channel factor, shape (C)
     */
    public static NDArray factor(NDArray gamma, NDArray var, float epsilon) {
        return gamma.div(var.add(epsilon).sqrt());
    }

    /**
     * Scales each output channel (axis 0) of a weight by {@code factor}.
     *
     * @param weight the weight, OIHW or (out, in)
     * @param factor the per-channel factor, shape (O)
     * @return the folded weight
     */
    public static NDArray foldWeight(NDArray weight, NDArray factor) {
        Shape ws = weight.getShape();
        if (factor.getShape().dimension() != 1 || factor.getShape().get(0) != ws.get(0)) {
            throw new IllegalArgumentException(
                    "batch norm has " + factor.getShape() + " channels but the weight is " + ws);
        }
        long[] b = new long[ws.dimension()];
        java.util.Arrays.fill(b, 1);
        b[0] = ws.get(0);
        return weight.mul(factor.reshape(new Shape(b)));
    }

    /**
     * Computes the folded bias {@code beta + (bias - mean) * factor}.
     *
     * @param bias the layer bias, or {@code null} for none
     * @param beta the batch norm shift
     * @param mean the mean (running or batch)
     * @param factor the factor from {@link #factor}
     * @return the folded bias, shape (C)
     */
    public static NDArray foldBias(NDArray bias, NDArray beta, NDArray mean, NDArray factor) {
        NDArray centered = bias == null ? mean.neg() : bias.sub(mean);
        return beta.add(centered.mul(factor));
    }

    /**
     * Folds a batch norm into the preceding layer.
     *
     * @param weight the layer weight (axis 0 = output channels)
     * @param bias the layer bias, or {@code null}
     * @param gamma the batch norm scale
     * @param beta the batch norm shift
     * @param mean the mean to fold with (running for inference, batch for QAT training)
     * @param var the variance to fold with (biased batch variance in QAT training)
     * @param epsilon the batch norm epsilon
     * @return the folded weight and bias
     */
    public static Folded fold(
            NDArray weight,
            NDArray bias,
            NDArray gamma,
            NDArray beta,
            NDArray mean,
            NDArray var,
            float epsilon) {
        NDArray f = factor(gamma, var, epsilon);
        return new Folded(foldWeight(weight, f), foldBias(bias, beta, mean, f));
    }
}
