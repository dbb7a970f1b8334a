package io.djlquant.quantized;

import ai.djl.ndarray.types.Shape;
import io.djlquant.quantization.qparams.QParams;

/** Quantized identity (e.g. a residual shortcut): passes the integers through. */
public class Identity extends QuantizedGlue {

    /**
     * Creates the block.
     *
     * @param qparams the parameters of its input
     */
    public Identity(QParams qparams) {
        super(qparams);
    }

    @Override
    protected QActivation apply(QActivation a) {
        return a;
    }

    @Override
    protected Shape outputShape(Shape in) {
        return in;
    }
}
