package io.djlquant.quantized;

import ai.djl.ndarray.types.Shape;
import io.djlquant.kernels.Int8Kernels;
import io.djlquant.quantization.qparams.QParams;

/**
 * Quantized global average pooling: NCHW to (N, C) like the float block; each mean is rounded
 * half-to-even onto the input's grid.
 */
public class GlobalAvgPool2d extends QuantizedGlue {

    /**
     * Creates the block.
     *
     * @param qparams the parameters of its input
     */
    public GlobalAvgPool2d(QParams qparams) {
        super(qparams);
    }

    @Override
    protected QActivation apply(QActivation a) {
        Shape s = a.shape();
        expectRank(s, 4);
        byte[] y =
                Int8Kernels.globalAvgPool2d(
                        a.data(),
                        (int) s.get(0),
                        (int) s.get(1),
                        (int) s.get(2),
                        (int) s.get(3),
                        a.kernelQuant());
        return new QActivation(y, outputShape(s), a.qparams());
    }

    @Override
    protected Shape outputShape(Shape in) {
        expectRank(in, 4);
        return new Shape(in.get(0), in.get(1));
    }

    /**
     * Converts a calibrated or trained QAT block whose input is quantized (the mapping keeps the
     * float block otherwise).
     *
     * @param qat the QAT block
     * @return the int8 block
     * @throws IllegalStateException if its fake quants have not observed data
     */
    public static GlobalAvgPool2d fromQat(io.djlquant.qat.GlobalAvgPool2d qat) {
        return new GlobalAvgPool2d(qat.getInputQParams());
    }
}
