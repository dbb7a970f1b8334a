package io.djlquant.quantized;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.djlquant.quantization.qparams.QParams;

/**
 * Base of the one-input blocks that keep their input's quantization parameters (pooling, flatten,
 * identity, ReLU): the output integers mean {@code (q - zp) * scale} with the same parameters.
 */
public abstract class QuantizedGlue extends QuantizedBlock {

    private final QParams qparams;

    /**
     * Creates the block.
     *
     * @param qparams the per-tensor parameters of its input (and output)
     */
    protected QuantizedGlue(QParams qparams) {
        this.qparams = ActivationParams.check(name(), "input", qparams);
    }

    /**
     * Computes the output integers.
     *
     * @param a the input (never modified)
     * @return the output with the same parameters
     */
    protected abstract QActivation apply(QActivation a);

    /**
     * The output shape for an input shape.
     *
     * @param in the input shape
     * @return the output shape
     */
    protected abstract Shape outputShape(Shape in);

    /** {@inheritDoc} */
    @Override
    protected NDList forwardQuantized(NDList inputs) {
        expectInputs(inputs, 1);
        NDArray x = inputs.head();
        QActivation a = ActivationIO.read(name(), x, qparams);
        return new NDList(ActivationIO.write(apply(a), x));
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
     * @return the parameters of the input and output activations
     */
    public QParams getQParams() {
        return qparams;
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return name() + "(" + qparams + ")";
    }
}
