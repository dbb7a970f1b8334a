package io.djlquant.quantized;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.djlquant.kernels.ActivationQuant;
import io.djlquant.kernels.Int8Kernels;
import io.djlquant.kernels.PackedLinearWeights;
import io.djlquant.quantization.qparams.QParams;

/**
 * Common base of the quantized fully connected blocks ({@link LinearBnRelu1d}, {@link LinearBn1d},
 * {@link LinearRelu}, {@link PlainLinear}); batch norm is folded into the integer weights and bias.
 * The last input axis holds the features; weights are (out, in).
 */
public abstract class QuantizedLinear extends QuantizedBlock {

    private final QuantizedWeights weights;
    private final QParams input;
    private final QParams output;
    private final boolean relu;

    private final PackedLinearWeights packed;
    private final float[] multipliers;
    private final ActivationQuant inQuant;
    private final ActivationQuant outQuant;

    /**
     * Creates the block.
     *
     * @param weights (out, in) integer weights and int32 bias
     * @param input the input activation parameters
     * @param output the output activation parameters
     * @param relu whether ReLU is fused
     */
    protected QuantizedLinear(
            QuantizedWeights weights, QParams input, QParams output, boolean relu) {
        if (weights == null || weights.getShape().dimension() != 2) {
            throw new IllegalArgumentException(
                    name()
                            + " needs (out, in) weights, got "
                            + (weights == null ? "null" : weights.getShape()));
        }
        this.input = ActivationParams.check(name(), "input", input);
        this.output = ActivationParams.check(name(), "output", output);
        this.relu = relu;
        Shape s = weights.getShape();
        packed =
                PackedLinearWeights.pack(
                        weights.values(), (int) s.get(0), (int) s.get(1), weights.bias());
        // The packed copy is the only one this layer keeps; the weights' values are read back from
        // it.
        this.weights = weights.readingFrom(packed::weights);
        multipliers =
                Int8Kernels.requantMultipliers(
                        input.scale(0), weights.channelScales(), output.scale(0));
        inQuant = QActivation.kernelQuant(input);
        outQuant = QActivation.kernelQuant(output);
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardQuantized(NDList inputs) {
        expectInputs(inputs, 1);
        NDArray x = inputs.head();
        Shape in = x.getShape();
        Shape out = outputShape(in);
        QActivation a = ActivationIO.read(name(), x, input);
        int rows = (int) (in.size() / packed.inFeatures());
        byte[] y = Int8Kernels.linear(a.data(), rows, inQuant, packed, multipliers, outQuant, relu);
        return new NDList(ActivationIO.write(new QActivation(y, out, output), x));
    }

    private Shape outputShape(Shape in) {
        if (in.dimension() < 1 || in.get(in.dimension() - 1) != packed.inFeatures()) {
            throw new IllegalArgumentException(
                    name()
                            + " expects "
                            + packed.inFeatures()
                            + " features on the last axis, got shape "
                            + in);
        }
        long[] dims = in.getShape().clone();
        dims[dims.length - 1] = packed.outFeatures();
        return new Shape(dims);
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        if (inputShapes.length != 1) {
            throw new IllegalArgumentException(name() + " expects one input shape");
        }
        return new Shape[] {outputShape(inputShapes[0])};
    }

    /**
     * @return the integer weights and bias
     */
    public QuantizedWeights getWeights() {
        return weights;
    }

    /**
     * @return the input activation parameters
     */
    public QParams getInputQParams() {
        return input;
    }

    /**
     * @return the output activation parameters
     */
    public QParams getOutputQParams() {
        return output;
    }

    /**
     * @return whether ReLU is fused
     */
    public boolean hasRelu() {
        return relu;
    }

    /**
     * @return a copy of the requantization multipliers, one per output feature
     */
    public float[] getMultipliers() {
        return multipliers.clone();
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return name()
                + "(weights="
                + weights.getShape()
                + ", in="
                + input
                + ", out="
                + output
                + ")";
    }

    /** Constructor shape of the four int8 linear layers. */
    @FunctionalInterface
    interface Ctor<Q extends QuantizedLinear> {
        Q create(QuantizedWeights w, QParams in, QParams out);
    }

    /** The shared body of the subclasses' {@code fromQat}. */
    static <Q extends QuantizedLinear> Q fromQat(io.djlquant.qat.FusedLinear b, Ctor<Q> ctor) {
        QParams in = b.getInputQParams();
        return ctor.create(QuantizedWeights.fromQat(b, in), in, b.getOutputQParams());
    }
}
