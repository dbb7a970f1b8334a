package io.djlquant.quantized;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.djlquant.kernels.ActivationQuant;
import io.djlquant.kernels.ConvParams;
import io.djlquant.kernels.Int8Kernels;
import io.djlquant.kernels.PackedConvWeights;
import io.djlquant.quantization.qparams.QParams;

/**
 * Common base of the quantized 2-d convolutions ({@link ConvBnRelu2d}, {@link ConvBn2d}, {@link
 * ConvRelu2d}, {@link PlainConv2d}): batch norm is already folded into the integer weights and
 * bias, so the subclasses differ only in the fused ReLU.
 *
 * <p>Output {@code y = clamp(rint(acc * M[c]) + zpOut, qmin, qmax)} with the int32 accumulator
 * {@code acc} (bias included) and {@code M[c] = inputScale * weightScale[c] / outputScale}.
 */
public abstract class QuantizedConv2d extends QuantizedBlock {

    private final QuantizedWeights weights;
    private final ConvParams geometry;
    private final int groups;
    private final QParams input;
    private final QParams output;
    private final boolean relu;
    private final boolean relu6;

    private final PackedConvWeights packed;
    private final float[] multipliers;
    private final ActivationQuant inQuant;
    private final ActivationQuant outQuant;

    /**
     * Creates the block.
     *
     * @param weights OIHW integer weights (O x I/groups x KH x KW) and int32 bias
     * @param geometry stride, padding and dilation
     * @param groups the number of groups
     * @param input the input activation parameters
     * @param output the output activation parameters
     * @param relu whether ReLU is fused (clamp at the output zero point)
     */
    protected QuantizedConv2d(
            QuantizedWeights weights,
            ConvParams geometry,
            int groups,
            QParams input,
            QParams output,
            boolean relu) {
        this(weights, geometry, groups, input, output, relu, false);
    }

    /**
     * Creates the block, with a ReLU6 if {@code relu6}: the output is also clamped at the integer
     * of 6 ({@code zp + rint(6 / scale)}), which is what fake quant of {@code relu6(y)} gives.
     *
     * @param weights OIHW integer weights (O x I/groups x KH x KW) and int32 bias
     * @param geometry stride, padding and dilation
     * @param groups the number of groups
     * @param input the input activation parameters
     * @param output the output activation parameters
     * @param relu whether ReLU is fused (clamp at the output zero point)
     * @param relu6 whether that ReLU is a ReLU6
     */
    protected QuantizedConv2d(
            QuantizedWeights weights,
            ConvParams geometry,
            int groups,
            QParams input,
            QParams output,
            boolean relu,
            boolean relu6) {
        if (weights == null || geometry == null) {
            throw new IllegalArgumentException(name() + " needs weights and geometry");
        }
        if (weights.getShape().dimension() != 4) {
            throw new IllegalArgumentException(
                    name() + ": weights must be OIHW, got shape " + weights.getShape());
        }
        this.geometry = geometry;
        this.groups = groups;
        this.input = ActivationParams.check(name(), "input", input);
        this.output = ActivationParams.check(name(), "output", output);
        this.relu = relu;
        if (relu6 && !relu) {
            throw new IllegalArgumentException(name() + ": ReLU6 needs a fused ReLU");
        }
        this.relu6 = relu6;
        Shape s = weights.getShape();
        packed =
                PackedConvWeights.pack(
                        weights.values(),
                        (int) s.get(0),
                        Math.multiplyExact((int) s.get(1), groups),
                        (int) s.get(2),
                        (int) s.get(3),
                        groups,
                        weights.bias());
        // The packed copy is the only one this layer keeps; the weights' values are read back from
        // it.
        this.weights = weights.readingFrom(packed::weights);
        multipliers =
                Int8Kernels.requantMultipliers(
                        input.scale(0), weights.channelScales(), output.scale(0));
        inQuant = QActivation.kernelQuant(input);
        outQuant =
                relu6 ? capAtSix(QActivation.kernelQuant(output)) : QActivation.kernelQuant(output);
    }

    /** The output range with its top at the integer of 6 (never below the zero point). */
    private static ActivationQuant capAtSix(ActivationQuant q) {
        double six = q.zeroPoint() + Math.rint(6f / q.scale());
        int top = (int) Math.max(q.zeroPoint(), Math.min(q.qmax(), six));
        return new ActivationQuant(q.scale(), q.zeroPoint(), q.qmin(), top);
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardQuantized(NDList inputs) {
        expectInputs(inputs, 1);
        NDArray x = inputs.head();
        Shape in = x.getShape();
        expectRank(in, 4);
        if (in.get(1) != packed.inChannels()) {
            throw new IllegalArgumentException(
                    name()
                            + " expects "
                            + packed.inChannels()
                            + " input channels, got shape "
                            + in);
        }
        QActivation a = ActivationIO.read(name(), x, input);
        int n = (int) in.get(0);
        int h = (int) in.get(2);
        int w = (int) in.get(3);
        byte[] y =
                Int8Kernels.conv2d(
                        a.data(),
                        n,
                        packed.inChannels(),
                        h,
                        w,
                        inQuant,
                        packed,
                        geometry,
                        multipliers,
                        outQuant,
                        relu);
        Shape outShape = outputShape(in);
        return new NDList(ActivationIO.write(new QActivation(y, outShape, output), x));
    }

    private Shape outputShape(Shape in) {
        return new Shape(
                in.get(0),
                packed.outChannels(),
                geometry.outH((int) in.get(2), packed.kernelH()),
                geometry.outW((int) in.get(3), packed.kernelW()));
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        if (inputShapes.length != 1) {
            throw new IllegalArgumentException(name() + " expects one input shape");
        }
        expectRank(inputShapes[0], 4);
        return new Shape[] {outputShape(inputShapes[0])};
    }

    /**
     * @return the integer weights and bias
     */
    public QuantizedWeights getWeights() {
        return weights;
    }

    /**
     * @return stride, padding and dilation
     */
    public ConvParams getGeometry() {
        return geometry;
    }

    /**
     * @return the number of groups
     */
    public int getGroups() {
        return groups;
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
     * @return whether the fused ReLU is a ReLU6
     */
    public boolean hasRelu6() {
        return relu6;
    }

    /**
     * @return a copy of the requantization multipliers, one per output channel
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
                + ", "
                + geometry
                + ", groups="
                + groups
                + (relu6 ? ", relu6" : "")
                + ", in="
                + input
                + ", out="
                + output
                + ")";
    }

    /** Constructor shape of the four int8 convolutions (relu6 only with a fused ReLU). */
    @FunctionalInterface
    interface Ctor<Q extends QuantizedConv2d> {
        Q create(
                QuantizedWeights w,
                ConvParams g,
                int groups,
                QParams in,
                QParams out,
                boolean relu6);
    }

    /**
     * The shared body of the subclasses' {@code fromQat}: geometry from the float block, weights
     * folded and quantized once, activation parameters from the wired fake quants.
     */
    static <Q extends QuantizedConv2d> Q fromQat(io.djlquant.qat.FusedConv2d b, Ctor<Q> ctor) {
        io.djlquant.nn.FusedConv2d f = b.getFloatBlock();
        QParams in = b.getInputQParams();
        ConvParams g =
                new ConvParams(
                        (int) f.getStride().get(0),
                        (int) f.getStride().get(1),
                        (int) f.getPadding().get(0),
                        (int) f.getPadding().get(1),
                        (int) f.getDilation().get(0),
                        (int) f.getDilation().get(1));
        return ctor.create(
                QuantizedWeights.fromQat(b, in),
                g,
                f.getGroups(),
                in,
                b.getOutputQParams(),
                f.hasRelu6());
    }
}
