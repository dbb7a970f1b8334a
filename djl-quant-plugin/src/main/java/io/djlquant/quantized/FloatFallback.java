package io.djlquant.quantized;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.djlquant.kernels.Int8Kernels;
import io.djlquant.quantization.QParams;
import java.util.Arrays;

/**
 * A block kept in float inside a quantized model: its inputs are dequantized (with the producers'
 * parameters, or taken as float where the QFloat input was float), the float block runs on the
 * PyTorch engine, and its output is quantized with the parameters the QFloat output fake quant
 * learned. The float block keeps its (shared) parameters; the wrapper still refuses training.
 */
public class FloatFallback extends QuantizedBlock {

    /** Engine that runs the float block. */
    static final String FLOAT_ENGINE = "PyTorch";

    private final Block floatBlock;
    private final QParams[] inputs;
    private final QParams output;

    /**
     * Creates the block.
     *
     * @param floatBlock the initialized float block (its parameters on the PyTorch engine)
     * @param inputs per input: the parameters it is quantized with, or {@code null} for a float
     *     input
     * @param output the parameters of the quantized output
     */
    public FloatFallback(Block floatBlock, QParams[] inputs, QParams output) {
        if (floatBlock == null || inputs == null) {
            throw new IllegalArgumentException(name() + " needs a float block and input qparams");
        }
        this.inputs = inputs.clone();
        for (int i = 0; i < this.inputs.length; i++) {
            if (this.inputs[i] != null) {
                ActivationParams.check(name(), "input " + i, this.inputs[i]);
            }
        }
        this.output = ActivationParams.check(name(), "output", output);
        this.floatBlock = addChildBlock("float", floatBlock);
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardQuantized(NDList in) {
        if (inputs.length > 0) {
            expectInputs(in, inputs.length);
        }
        NDArray like = in.head();
        if (!Engine.hasEngine(FLOAT_ENGINE)) {
            throw new IllegalStateException(
                    name() + " runs " + floatBlock.getClass().getSimpleName() + " in float on the "
                            + FLOAT_ENGINE + " engine, which is not on the class path; add"
                            + " ai.djl.pytorch:pytorch-engine and the pytorch-native-cpu jar of your"
                            + " platform, or quantize that block too");
        }
        float[] result;
        Shape shape;
        try (NDManager m = Engine.getEngine(FLOAT_ENGINE).newBaseManager()) {
            NDList floats = new NDList(in.size());
            for (int i = 0; i < in.size(); i++) {
                NDArray x = in.get(i);
                QParams q = i < inputs.length ? inputs[i] : null;
                float[] v;
                if (q == null) {
                    v = ActivationIO.realValues(name(), x);
                } else {
                    QActivation a = ActivationIO.read(name(), x, q);
                    v = Int8Kernels.dequantize(a.data(), a.kernelQuant());
                }
                floats.add(m.create(v, x.getShape()));
            }
            NDList out = floatBlock.forward(new ParameterStore(m, false), floats, false);
            if (out.size() != 1) {
                throw new IllegalStateException(
                        name() + ": the float block must return one array, got " + out.size());
            }
            shape = out.head().getShape();
            result = ActivationIO.floats(out.head());
        }
        byte[] q = Int8Kernels.quantize(result, QActivation.kernelQuant(output));
        return new NDList(ActivationIO.write(new QActivation(q, shape, output), like));
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return floatBlock.getOutputShapes(inputShapes);
    }

    /** @return the float block */
    public Block getFloatBlock() {
        return floatBlock;
    }

    /** @return per input the parameters, or null for float inputs (a copy) */
    public QParams[] getInputQParams() {
        return inputs.clone();
    }

    /** @return the parameters of the quantized output */
    public QParams getOutputQParams() {
        return output;
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return name() + "(" + floatBlock.getClass().getSimpleName() + ", in="
                + Arrays.toString(inputs) + ", out=" + output + ")";
    }
}
