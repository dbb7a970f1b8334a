package io.djlquant.quantized;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.djlquant.nn.BnFolding;
import io.djlquant.qat.WeightedQatBlock;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QParams;
import java.util.function.Supplier;

/**
 * Integer weights and bias of a quantized convolution or linear layer: signed symmetric weights
 * (zero point 0, per tensor or per output channel along axis 0) and an int32 bias with {@code
 * scale[c] = inputScale * weightScale[c]}. Immutable; getters return copies.
 *
 * <p>A layer keeps its weights once, packed the way its kernel reads them: it holds a view made by
 * {@link #readingFrom} whose values are read back from that packed copy when asked for (saving,
 * inspection), instead of a second array.
 */
public final class QuantizedWeights {

    /** The integers, or null when they are read back from {@link #source}. */
    private final byte[] values;

    /** Gives a fresh copy of the integers when {@link #values} is null. */
    private final Supplier<byte[]> source;

    private final Shape shape;
    private final QParams qparams;
    private final int[] bias;

    /**
     * Wraps already quantized weights after checking them.
     *
     * @param values the integers, row-major in {@code shape}, inside the dtype range
     * @param shape OIHW for convolutions, (out, in) for linear layers
     * @param qparams signed symmetric parameters (all zero points 0), per tensor or one scale per
     *     output channel
     * @param bias one int32 per output channel (the bias of the integer accumulator)
     * @throws IllegalArgumentException naming the problem if anything does not fit
     */
    public QuantizedWeights(byte[] values, Shape shape, QParams qparams, int[] bias) {
        if (values == null || shape == null || qparams == null || bias == null) {
            throw new IllegalArgumentException(
                    "QuantizedWeights needs values, shape, qparams and bias");
        }
        checkQParams(qparams, shape);
        if (shape.size() != values.length) {
            throw new IllegalArgumentException(
                    "weights of shape "
                            + shape
                            + " need "
                            + shape.size()
                            + " values, got "
                            + values.length);
        }
        if (bias.length != shape.get(0)) {
            throw new IllegalArgumentException(
                    "bias has "
                            + bias.length
                            + " values but the weights have "
                            + shape.get(0)
                            + " output channels");
        }
        QDType d = qparams.getDType();
        for (int i = 0; i < values.length; i++) {
            if (values[i] < d.qmin() || values[i] > d.qmax()) {
                throw new IllegalArgumentException(
                        "weight value "
                                + values[i]
                                + " at index "
                                + i
                                + " is outside ["
                                + d.qmin()
                                + ", "
                                + d.qmax()
                                + "] of "
                                + d);
            }
        }
        this.values = values.clone();
        this.source = null;
        this.shape = shape;
        this.qparams = qparams;
        this.bias = bias.clone();
    }

    private QuantizedWeights(QuantizedWeights w, Supplier<byte[]> source) {
        this.values = null;
        this.source = source;
        this.shape = w.shape;
        this.qparams = w.qparams;
        this.bias = w.bias;
    }

    /**
     * The same weights without their own array: values are read back from {@code source}, which
     * must give exactly {@link #getValues()} of this object (a layer's packed copy of them).
     */
    QuantizedWeights readingFrom(Supplier<byte[]> source) {
        return new QuantizedWeights(this, source);
    }

    /**
     * Quantizes float weights and bias: {@code w_q = clamp(rint(w / s[c]), qmin, qmax)}, {@code b_q
     * = rint(b / (inputScale * s[c]))} (see {@link QParams#forBias}).
     *
     * @param weights float weights, row-major in {@code shape}
     * @param shape OIHW or (out, in)
     * @param qparams the weight fake-quant's parameters (signed, zero points 0)
     * @param bias float bias per output channel, or {@code null} for none (zeros)
     * @param inputScale the scale of the layer's input activation
     * @return the integer weights
     */
    public static QuantizedWeights quantize(
            float[] weights, Shape shape, QParams qparams, float[] bias, float inputScale) {
        checkQParams(qparams, shape);
        int out = (int) shape.get(0);
        if (weights.length != shape.size()) {
            throw new IllegalArgumentException(
                    "weights of shape "
                            + shape
                            + " need "
                            + shape.size()
                            + " values, got "
                            + weights.length);
        }
        int perChannel = weights.length / out;
        byte[] q = new byte[weights.length];
        for (int i = 0; i < q.length; i++) {
            q[i] = (byte) qparams.quantize(weights[i], i / perChannel);
        }
        int[] b = new int[out];
        if (bias != null) {
            if (bias.length != out) {
                throw new IllegalArgumentException(
                        "bias has " + bias.length + " values, expected " + out);
            }
            QParams bq = QParams.forBias(inputScale, qparams.getScales());
            for (int c = 0; c < out; c++) {
                b[c] = bq.quantize(bias[c], c);
            }
        }
        return new QuantizedWeights(q, shape, qparams, b);
    }

    private static void checkQParams(QParams q, Shape shape) {
        if (q == null) {
            throw new IllegalArgumentException("weight qparams must not be null");
        }
        if (shape.dimension() < 2) {
            throw new IllegalArgumentException("weights need rank >= 2, got shape " + shape);
        }
        QDType d = q.getDType();
        if (!d.isSigned() || d == QDType.QINT32) {
            throw new IllegalArgumentException(
                    "the int8 kernels need signed 8-bit or 4-bit weights, got " + d);
        }
        for (int zp : q.getZeroPoints()) {
            if (zp != 0) {
                throw new IllegalArgumentException(
                        "the int8 kernels need symmetric weights (zero point 0), got " + q);
            }
        }
        if (q.isPerChannel() && q.numChannels() != shape.get(0)) {
            throw new IllegalArgumentException(
                    "per-channel weight qparams have "
                            + q.numChannels()
                            + " scales but the weights have "
                            + shape.get(0)
                            + " output channels");
        }
    }

    /**
     * @return a copy of the integer weights
     */
    public byte[] getValues() {
        return values != null ? values.clone() : source.get();
    }

    /** The integers without a copy where this object holds them, else read back. Do not modify. */
    byte[] values() {
        return values != null ? values : source.get();
    }

    /**
     * @return the weight shape
     */
    public Shape getShape() {
        return shape;
    }

    /**
     * @return the weight parameters
     */
    public QParams getQParams() {
        return qparams;
    }

    /**
     * @return a copy of the int32 bias
     */
    public int[] getBias() {
        return bias.clone();
    }

    int[] bias() {
        return bias;
    }

    /**
     * @return the number of output channels
     */
    public int outChannels() {
        return (int) shape.get(0);
    }

    /**
     * Per-channel weight scales expanded to one per output channel.
     *
     * @return the scales
     */
    public float[] channelScales() {
        float[] s = new float[outChannels()];
        for (int c = 0; c < s.length; c++) {
            s[c] = qparams.scale(c);
        }
        return s;
    }

    /**
     * Folds batch norm once (running statistics) and quantizes the weight and the bias of a QAT
     * layer with its weight fake quant's parameters; the bias scale is {@code inputScale *
     * weightScale[c]}.
     *
     * @param b the QAT layer
     * @param in the parameters of its input activation
     * @return the integer weights
     */
    static QuantizedWeights fromQat(WeightedQatBlock b, QParams in) {
        QParams wq = b.getWeightQParams();
        NDManager owner = b.getFloatBlock().getParameters().valueAt(0).getArray().getManager();
        try (NDManager m = owner.newSubManager()) {
            BnFolding.Folded f = b.foldedParameters(m);
            Shape shape = f.weight().getShape();
            float[] w = f.weight().toFloatArray();
            float[] bias = f.bias() == null ? null : f.bias().toFloatArray();
            return quantize(w, shape, wq, bias, in.scale(0));
        }
    }
}
