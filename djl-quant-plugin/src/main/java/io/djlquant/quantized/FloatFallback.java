package io.djlquant.quantized;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.djlquant.kernels.Int8Kernels;
import io.djlquant.quantization.fakequant.FakeQuantizeBase;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantized.fallback.FloatOp;
import io.djlquant.quantized.fallback.FloatOps;
import io.djlquant.quantized.fallback.FloatValues;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A block kept in float inside a quantized model: its inputs are dequantized (with the producers'
 * parameters, or taken as float where the QFloat input was float), the float computation runs, and
 * its output is quantized with the parameters the QFloat output fake quant learned.
 *
 * <p>Where the float block is made of the project's blocks ({@link FloatOps}), it runs in Java
 * ({@link FloatOp}, batch norm folded, parameters copied), is saved in {@code .jq} files and needs
 * no native engine. Any other float block runs on the PyTorch engine with its (shared) parameters;
 * such a model works in memory but cannot be saved. The wrapper refuses training.
 */
public class FloatFallback extends QuantizedBlock {

    /** Engine that runs the float block. */
    static final String FLOAT_ENGINE = "PyTorch";

    private final Block floatBlock;
    private final FloatOp floatOp;
    private final String noJavaForm;
    private final QParams[] inputs;
    private final QParams output;

    /**
     * Creates the block from a float block tree, in Java where {@link FloatOps} converts it.
     *
     * @param floatBlock the initialized float block
     * @param inputs per input: the parameters it is quantized with, or {@code null} for a float
     *     input
     * @param output the parameters of the quantized output
     */
    public FloatFallback(Block floatBlock, QParams[] inputs, QParams output) {
        this(floatBlock, floatBlock == null ? null : FloatOps.of(floatBlock), inputs, output);
    }

    /**
     * Creates the block from Java float ops (as read from a {@code .jq} file).
     *
     * @param floatOp the float computation
     * @param inputs per input: the parameters it is quantized with, or {@code null} for a float
     *     input
     * @param output the parameters of the quantized output
     */
    public FloatFallback(FloatOp floatOp, QParams[] inputs, QParams output) {
        this(null, new FloatOps.Conversion(floatOp, null), inputs, output);
    }

    private FloatFallback(
            Block floatBlock, FloatOps.Conversion java, QParams[] inputs, QParams output) {
        if (java == null || (java.op() == null && floatBlock == null) || inputs == null) {
            throw new IllegalArgumentException(
                    name() + " needs a float block or float ops, and input qparams");
        }
        this.inputs = inputs.clone();
        for (int i = 0; i < this.inputs.length; i++) {
            if (this.inputs[i] != null) {
                ActivationParams.check(name(), "input " + i, this.inputs[i]);
            }
        }
        this.output = ActivationParams.check(name(), "output", output);
        this.floatOp = java.op();
        this.noJavaForm = java.problem();
        if (floatOp != null
                && this.inputs.length > 0
                && this.inputs.length != floatOp.inputCount()) {
            throw new IllegalArgumentException(
                    name()
                            + ": the float ops take "
                            + floatOp.inputCount()
                            + " input(s), "
                            + this.inputs.length
                            + " input qparams given");
        }
        // the Java form copies the parameters; only the native path keeps the float block
        this.floatBlock = floatOp == null ? addChildBlock("float", floatBlock) : floatBlock;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardQuantized(NDList in) {
        if (inputs.length > 0) {
            expectInputs(in, inputs.length);
        }
        NDArray like = in.head();
        FloatValues out = floatOp != null ? forwardInJava(in) : forwardOnPyTorch(in);
        byte[] q = Int8Kernels.quantize(out.data(), QActivation.kernelQuant(output));
        return new NDList(ActivationIO.write(new QActivation(q, out.shape(), output), like));
    }

    private FloatValues forwardInJava(NDList in) {
        List<FloatValues> values = new ArrayList<>(in.size());
        for (int i = 0; i < in.size(); i++) {
            values.add(new FloatValues(dequantized(in, i), in.get(i).getShape()));
        }
        return floatOp.apply(values);
    }

    private float[] dequantized(NDList in, int i) {
        NDArray x = in.get(i);
        QParams q = i < inputs.length ? inputs[i] : null;
        if (q == null) {
            return ActivationIO.realValues(name(), x);
        }
        QActivation a = ActivationIO.read(name(), x, q);
        return Int8Kernels.dequantize(a.data(), a.kernelQuant());
    }

    private FloatValues forwardOnPyTorch(NDList in) {
        if (!Engine.hasEngine(FLOAT_ENGINE)) {
            throw new IllegalStateException(
                    name()
                            + " runs "
                            + floatBlock.getClass().getSimpleName()
                            + " in float on the "
                            + FLOAT_ENGINE
                            + " engine ("
                            + noJavaForm
                            + "), which is not on the class path; add ai.djl.pytorch:pytorch-engine"
                            + " and the pytorch-native-cpu jar of your platform, or quantize that"
                            + " block too");
        }
        try (NDManager m = Engine.getEngine(FLOAT_ENGINE).newBaseManager()) {
            NDList floats = new NDList(in.size());
            for (int i = 0; i < in.size(); i++) {
                floats.add(m.create(dequantized(in, i), in.get(i).getShape()));
            }
            NDList out = floatBlock.forward(new ParameterStore(m, false), floats, false);
            if (out.size() != 1) {
                throw new IllegalStateException(
                        name() + ": the float block must return one array, got " + out.size());
            }
            return new FloatValues(ActivationIO.floats(out.head()), out.head().getShape());
        }
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        if (floatOp != null) {
            return new Shape[] {floatOp.outputShape(Arrays.asList(inputShapes))};
        }
        return floatBlock.getOutputShapes(inputShapes);
    }

    /**
     * @return the float block it was made from, or {@code null} when read from a file
     */
    public Block getFloatBlock() {
        return floatBlock;
    }

    /**
     * @return the Java float ops, or {@code null} where the float block runs on PyTorch
     */
    public FloatOp getFloatOp() {
        return floatOp;
    }

    /**
     * Returns why the float block has no Java form (and so runs on PyTorch and cannot be saved).
     *
     * @return the first block without a Java float form, or {@code null} when it runs in Java
     */
    public String getNoJavaFormReason() {
        return noJavaForm;
    }

    /**
     * @return per input the parameters, or null for float inputs (a copy)
     */
    public QParams[] getInputQParams() {
        return inputs.clone();
    }

    /**
     * @return the parameters of the quantized output
     */
    public QParams getOutputQParams() {
        return output;
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        String what =
                floatOp != null
                        ? "Java " + floatOp.getClass().getSimpleName()
                        : "PyTorch " + floatBlock.getClass().getSimpleName();
        return name() + "(" + what + ", in=" + Arrays.toString(inputs) + ", out=" + output + ")";
    }

    /**
     * Converts a calibrated or trained QAT block.
     *
     * @param qat the QAT block
     * @return the int8 block
     * @throws IllegalStateException if its fake quants have not observed data
     */
    public static FloatFallback fromQat(io.djlquant.qat.FloatFallback qat) {
        FakeQuantizeBase[] producers = qat.getInputQuantizers();
        QParams[] in = new QParams[producers.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = producers[i] == null ? null : producers[i].getQParams();
        }
        return new FloatFallback(qat.getFloatBlock(), in, qat.getOutputQParams());
    }
}
