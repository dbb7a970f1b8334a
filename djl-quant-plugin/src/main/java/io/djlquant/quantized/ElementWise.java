package io.djlquant.quantized;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.djlquant.kernels.Int8Kernels;
import io.djlquant.nn.ElementWise.Mode;
import io.djlquant.quantization.qparams.QParams;

/**
 * Quantized element-wise join of two activations with NumPy broadcasting: {@code quantize(a + b)},
 * {@code quantize(relu(a + b))} or {@code quantize(a * b)} with the output parameters, where {@code
 * a} and {@code b} are dequantized in float32.
 */
public class ElementWise extends QuantizedBlock {

    private final Mode mode;
    private final QParams inputA;
    private final QParams inputB;
    private final QParams output;

    /**
     * Creates the block.
     *
     * @param mode the operation
     * @param inputA the parameters of the first input
     * @param inputB the parameters of the second input
     * @param output the parameters of the output
     */
    public ElementWise(Mode mode, QParams inputA, QParams inputB, QParams output) {
        if (mode == null) {
            throw new IllegalArgumentException(name() + " needs a mode");
        }
        this.mode = mode;
        this.inputA = ActivationParams.check(name(), "first input", inputA);
        this.inputB = ActivationParams.check(name(), "second input", inputB);
        this.output = ActivationParams.check(name(), "output", output);
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardQuantized(NDList inputs) {
        expectInputs(inputs, 2);
        NDArray xa = inputs.get(0);
        NDArray xb = inputs.get(1);
        QActivation a = ActivationIO.read(name(), xa, inputA);
        QActivation b = ActivationIO.read(name(), xb, inputB);
        Shape shape = Broadcast.shape(name(), a.shape(), b.shape());
        byte[] da = Broadcast.expand(a.data(), a.shape(), shape);
        byte[] db = Broadcast.expand(b.data(), b.shape(), shape);
        byte[] y;
        if (mode == Mode.MUL) {
            y = Int8Kernels.mul(da, a.kernelQuant(), db, b.kernelQuant(), outQuant(), false);
        } else {
            y =
                    Int8Kernels.add(
                            da,
                            a.kernelQuant(),
                            db,
                            b.kernelQuant(),
                            outQuant(),
                            mode == Mode.ADD_RELU);
        }
        return new NDList(ActivationIO.write(new QActivation(y, shape, output), xa));
    }

    private io.djlquant.kernels.ActivationQuant outQuant() {
        return QActivation.kernelQuant(output);
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        if (inputShapes.length != 2) {
            throw new IllegalArgumentException(name() + " expects two input shapes");
        }
        return new Shape[] {Broadcast.shape(name(), inputShapes[0], inputShapes[1])};
    }

    /**
     * @return the operation
     */
    public Mode getMode() {
        return mode;
    }

    /**
     * @return the parameters of the first input
     */
    public QParams getInputAQParams() {
        return inputA;
    }

    /**
     * @return the parameters of the second input
     */
    public QParams getInputBQParams() {
        return inputB;
    }

    /**
     * @return the parameters of the output
     */
    public QParams getOutputQParams() {
        return output;
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return name() + "(" + mode + ", a=" + inputA + ", b=" + inputB + ", out=" + output + ")";
    }

    /**
     * Converts a calibrated or trained QAT block.
     *
     * @param qat the QAT block
     * @return the int8 block
     * @throws IllegalStateException if its fake quants have not observed data
     */
    public static ElementWise fromQat(io.djlquant.qat.ElementWise qat) {
        return new ElementWise(
                qat.getMode(),
                qat.getInputQParams(0),
                qat.getInputQParams(1),
                qat.getOutputQParams());
    }
}
