package io.djlquant.quantized;

import ai.djl.ndarray.types.Shape;
import io.djlquant.kernels.Int8Kernels;
import io.djlquant.quantization.QParams;

/**
 * Quantized 2-d average pooling: each mean is rounded half-to-even onto the input's grid, so it is
 * within half a quantization step of the float average.
 */
public class AvgPool2d extends QuantizedGlue {

    private final PoolGeometry geometry;
    private final boolean countIncludePad;

    /**
     * Creates the block.
     *
     * @param geometry window, stride and padding (floor output size)
     * @param countIncludePad whether padded zeros count in the divisor
     * @param qparams the parameters of its input
     */
    public AvgPool2d(PoolGeometry geometry, boolean countIncludePad, QParams qparams) {
        super(qparams);
        if (geometry == null) {
            throw new IllegalArgumentException(name() + " needs a geometry");
        }
        this.geometry = geometry;
        this.countIncludePad = countIncludePad;
    }

    @Override
    protected QActivation apply(QActivation a) {
        Shape s = a.shape();
        expectRank(s, 4);
        byte[] y =
                Int8Kernels.avgPool2d(
                        a.data(),
                        (int) s.get(0),
                        (int) s.get(1),
                        (int) s.get(2),
                        (int) s.get(3),
                        a.kernelQuant(),
                        geometry.kernelH(),
                        geometry.kernelW(),
                        geometry.params(),
                        countIncludePad);
        return new QActivation(y, outputShape(s), a.qparams());
    }

    @Override
    protected Shape outputShape(Shape in) {
        expectRank(in, 4);
        return geometry.outputShape(in);
    }

    /**
     * @return window, stride and padding
     */
    public PoolGeometry getGeometry() {
        return geometry;
    }

    /**
     * @return whether padded zeros count in the divisor
     */
    public boolean isCountIncludePad() {
        return countIncludePad;
    }
}
