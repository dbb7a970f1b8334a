package io.djlquant.quantized.fallback;

import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * A fully connected layer in float with batch norm folded in and an optional ReLU (the float form
 * of {@code PlainLinear}, {@code LinearRelu}, {@code LinearBn1d} and {@code LinearBnRelu1d}).
 *
 * @param weight {@code out x in} weights, row-major
 * @param outFeatures the number of outputs
 * @param bias one value per output
 * @param relu whether a ReLU follows
 */
public record FloatLinear(float[] weight, int outFeatures, float[] bias, boolean relu)
        implements FloatOp {

    /** Checks that the parts fit together. */
    public FloatLinear {
        if (weight == null || bias == null) {
            throw new IllegalArgumentException("a float linear layer needs weights and bias");
        }
        if (outFeatures <= 0 || weight.length % outFeatures != 0 || weight.length == 0) {
            throw new IllegalArgumentException(
                    weight.length
                            + " float linear weights do not split into "
                            + outFeatures
                            + " outputs");
        }
        if (bias.length != outFeatures) {
            throw new IllegalArgumentException(
                    "float linear bias has "
                            + bias.length
                            + " values for "
                            + outFeatures
                            + " outputs");
        }
    }

    /**
     * @return the number of inputs per row
     */
    public int inFeatures() {
        return weight.length / outFeatures;
    }

    /** {@inheritDoc} */
    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape in = FloatOp.rank("float linear", FloatOp.single("float linear", inputs), 2);
        if (in.get(1) != inFeatures()) {
            throw new IllegalArgumentException(
                    "float linear expects " + inFeatures() + " input features, got shape " + in);
        }
        return new Shape(in.get(0), outFeatures);
    }

    /** {@inheritDoc} */
    @Override
    public FloatValues apply(List<FloatValues> inputs) {
        Shape outShape = outputShape(List.of(FloatOp.single("float linear", inputs).shape()));
        float[] x = inputs.get(0).data();
        int rows = (int) outShape.get(0);
        int k = inFeatures();
        float[] out = new float[rows * outFeatures];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < outFeatures; o++) {
                float acc = bias[o];
                int wRow = o * k;
                int xRow = r * k;
                for (int i = 0; i < k; i++) {
                    acc += x[xRow + i] * weight[wRow + i];
                }
                out[r * outFeatures + o] = relu ? Math.max(acc, 0f) : acc;
            }
        }
        return new FloatValues(out, outShape);
    }
}
