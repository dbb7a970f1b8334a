package io.djlquant.quantized;

import ai.djl.ndarray.types.Shape;
import io.djlquant.quantization.qparams.QParams;

/** Quantized batch flatten: (N, d1, d2, ...) to (N, d1*d2*...), integers unchanged. */
public class Flatten extends QuantizedGlue {

    /**
     * Creates the block.
     *
     * @param qparams the parameters of its input
     */
    public Flatten(QParams qparams) {
        super(qparams);
    }

    @Override
    protected QActivation apply(QActivation a) {
        return a.reshape(outputShape(a.shape()));
    }

    @Override
    protected Shape outputShape(Shape in) {
        if (in.dimension() < 1) {
            throw new IllegalArgumentException(name() + " needs an input with a batch axis");
        }
        return new Shape(in.get(0), in.dimension() == 1 ? 1 : in.slice(1).size());
    }
}
