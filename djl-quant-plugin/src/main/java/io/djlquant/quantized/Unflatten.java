package io.djlquant.quantized;

import ai.djl.ndarray.types.Shape;
import io.djlquant.quantization.qparams.QParams;

/** Quantized (N, C) to (N, C, 1, 1), integers unchanged. */
public class Unflatten extends QuantizedGlue {

    /**
     * Creates the block.
     *
     * @param qparams the parameters of its input
     */
    public Unflatten(QParams qparams) {
        super(qparams);
    }

    @Override
    protected QActivation apply(QActivation a) {
        return a.reshape(outputShape(a.shape()));
    }

    @Override
    protected Shape outputShape(Shape in) {
        if (in.dimension() != 2) {
            throw new IllegalArgumentException(name() + " expects a rank-2 input, got shape " + in);
        }
        return new Shape(in.get(0), in.get(1), 1, 1);
    }
}
