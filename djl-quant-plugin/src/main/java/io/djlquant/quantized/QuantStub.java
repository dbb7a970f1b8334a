package io.djlquant.quantized;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.djlquant.kernels.Int8Kernels;
import io.djlquant.quantization.qparams.QParams;

/**
 * Where quantization starts: quantizes real values with the parameters the QFloat stub's fake-quant
 * learned. A quantized JavaQuant input is dequantized with its own parameters first.
 */
public class QuantStub extends QuantizedBlock {

    private final QParams output;

    /**
     * Creates the block.
     *
     * @param output the parameters of the quantized output
     */
    public QuantStub(QParams output) {
        this.output = ActivationParams.check(name(), "output", output);
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardQuantized(NDList inputs) {
        expectInputs(inputs, 1);
        NDArray x = inputs.head();
        float[] values = ActivationIO.realValues(name(), x);
        ActivationIO.checkFinite(name(), values, x.getShape());
        byte[] q = Int8Kernels.quantize(values, QActivation.kernelQuant(output));
        return new NDList(ActivationIO.write(new QActivation(q, x.getShape(), output), x));
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
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
        return name() + "(" + output + ")";
    }

    /**
     * Converts a calibrated or trained QAT block.
     *
     * @param qat the QAT block
     * @return the int8 block
     * @throws IllegalStateException if its fake quants have not observed data
     */
    public static QuantStub fromQat(io.djlquant.qat.QuantStub qat) {
        return new QuantStub(qat.getOutputQParams());
    }
}
