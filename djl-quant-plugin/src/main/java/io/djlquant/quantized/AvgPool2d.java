package io.djlquant.quantized;

import ai.djl.ndarray.types.Shape;
import io.djlquant.kernels.Int8Kernels;
import io.djlquant.quantization.qparams.QParams;

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

    /**
     * Converts a calibrated or trained QAT block whose input is quantized (the mapping keeps the
     * float block otherwise).
     *
     * @param qat the QAT block
     * @return the int8 block
     * @throws IllegalArgumentException with ceil mode or {@code countIncludePad=false}
     * @throws IllegalStateException if its fake quants have not observed data
     */
    public static AvgPool2d fromQat(io.djlquant.qat.AvgPool2d qat) {
        io.djlquant.nn.AvgPool2d f = qat.getFloatBlock();
        if (f.isCeilMode()) {
            throw new IllegalArgumentException(
                    "the int8 average pool has no ceil mode; use ceilMode=false");
        }
        if (!f.isCountIncludePad()) {
            // DJL 0.36 on PyTorch ignores countIncludePad=false (it always divides by the full
            // window), so the QFloat model was trained with a divisor the int8 pool would not use
            throw new IllegalArgumentException(
                    "countIncludePad=false is not converted: DJL's PyTorch avgPool2d ignores it,"
                            + " so the QFloat model divides by the full window while the int8 pool"
                            + " would not; use countIncludePad=true");
        }
        return new AvgPool2d(
                PoolGeometry.of(f.getKernelShape(), f.getStride(), f.getPadding()),
                true,
                qat.getInputQParams());
    }
}
