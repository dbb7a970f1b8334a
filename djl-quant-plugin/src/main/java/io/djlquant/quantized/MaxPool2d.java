package io.djlquant.quantized;

import ai.djl.ndarray.types.Shape;
import io.djlquant.kernels.Int8Kernels;
import io.djlquant.quantization.QParams;

/** Quantized 2-d max pooling (exact: the maximum integer is the maximum value). */
public class MaxPool2d extends QuantizedGlue {

    private final PoolGeometry geometry;

    /**
     * Creates the block.
     *
     * @param geometry window, stride and padding (floor output size)
     * @param qparams the parameters of its input
     */
    public MaxPool2d(PoolGeometry geometry, QParams qparams) {
        super(qparams);
        if (geometry == null) {
            throw new IllegalArgumentException(name() + " needs a geometry");
        }
        this.geometry = geometry;
    }

    @Override
    protected QActivation apply(QActivation a) {
        Shape s = a.shape();
        expectRank(s, 4);
        byte[] y =
                Int8Kernels.maxPool2d(
                        a.data(), (int) s.get(0), (int) s.get(1), (int) s.get(2), (int) s.get(3),
                        a.kernelQuant(), geometry.kernelH(), geometry.kernelW(), geometry.params());
        return new QActivation(y, outputShape(s), a.qparams());
    }

    @Override
    protected Shape outputShape(Shape in) {
        expectRank(in, 4);
        return geometry.outputShape(in);
    }

    /** @return window, stride and padding */
    public PoolGeometry getGeometry() {
        return geometry;
    }
}
