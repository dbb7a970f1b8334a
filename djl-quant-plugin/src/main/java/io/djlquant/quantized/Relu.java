package io.djlquant.quantized;

import ai.djl.ndarray.types.Shape;
import io.djlquant.quantization.qparams.QParams;

/** Quantized standalone ReLU: {@code max(q, zeroPoint)}, exact on the input's grid. */
public class Relu extends QuantizedGlue {

    /**
     * Creates the block.
     *
     * @param qparams the parameters of its input
     */
    public Relu(QParams qparams) {
        super(qparams);
    }

    @Override
    protected QActivation apply(QActivation a) {
        int zp = getQParams().zeroPoint(0);
        int mask = getQParams().getDType().isSigned() ? 0xFFFFFFFF : 0xFF;
        byte[] in = a.data();
        byte[] out = new byte[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = (byte) Math.max(in[i] & mask, zp);
        }
        return new QActivation(out, a.shape(), a.qparams());
    }

    @Override
    protected Shape outputShape(Shape in) {
        return in;
    }
}
