package io.djlquant.quantized;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.djlquant.kernels.Int8Kernels;
import io.djlquant.quantization.qparams.QParams;

/** Where quantization ends: returns {@code (q - zp) * scale} as float32 on the input's engine. */
public class DequantStub extends QuantizedBlock {

    private final QParams input;

    /**
     * Creates the block.
     *
     * @param input the parameters of its (quantized) input
     */
    public DequantStub(QParams input) {
        this.input = ActivationParams.check(name(), "input", input);
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardQuantized(NDList inputs) {
        expectInputs(inputs, 1);
        NDArray x = inputs.head();
        QActivation a = ActivationIO.read(name(), x, input);
        float[] f = Int8Kernels.dequantize(a.data(), a.kernelQuant());
        return new NDList(ActivationIO.writeFloats(f, x.getShape(), x));
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    /**
     * @return the parameters of its input
     */
    public QParams getInputQParams() {
        return input;
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return name() + "(" + input + ")";
    }

    /**
     * Converts a calibrated or trained QAT block whose input is quantized (the mapping keeps the
     * float block otherwise).
     *
     * @param qat the QAT block
     * @return the int8 block
     * @throws IllegalStateException if its fake quants have not observed data
     */
    public static DequantStub fromQat(io.djlquant.qat.DequantStub qat) {
        return new DequantStub(qat.getInputQParams());
    }
}
