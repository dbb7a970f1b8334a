package io.djlquant.quantized;

import ai.djl.ndarray.types.Shape;
import io.djlquant.kernels.ConvParams;
import io.djlquant.kernels.Int8Kernels;
import io.djlquant.quantization.qparams.QParams;

/**
 * Quantized 2-d max pooling (exact: the maximum integer is the maximum value). In ceil mode (as
 * SqueezeNet's pools) the last window may reach past the input; the input is then extended at the
 * bottom and right with the lowest integer, which no maximum picks, and pooled in floor mode.
 */
public class MaxPool2d extends QuantizedGlue {

    private final PoolGeometry geometry;
    private final boolean ceilMode;

    /**
     * Creates the block.
     *
     * @param geometry window, stride and padding (floor output size)
     * @param qparams the parameters of its input
     */
    public MaxPool2d(PoolGeometry geometry, QParams qparams) {
        this(geometry, false, qparams);
    }

    /**
     * Creates the block.
     *
     * @param geometry window, stride and padding
     * @param ceilMode whether the output size rounds up (PyTorch's rule: a last window must start
     *     inside the input or its left padding)
     * @param qparams the parameters of its input
     */
    public MaxPool2d(PoolGeometry geometry, boolean ceilMode, QParams qparams) {
        super(qparams);
        if (geometry == null) {
            throw new IllegalArgumentException(name() + " needs a geometry");
        }
        this.geometry = geometry;
        this.ceilMode = ceilMode;
    }

    @Override
    protected QActivation apply(QActivation a) {
        Shape s = a.shape();
        expectRank(s, 4);
        Shape out = outputShape(s);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        byte[] x = a.data();
        if (ceilMode) {
            // the input height/width that floor mode turns into the ceil-mode output size
            int ph =
                    Math.max(
                            h,
                            (int) (out.get(2) - 1) * geometry.params().strideH()
                                    + geometry.kernelH()
                                    - 2 * geometry.params().padH());
            int pw =
                    Math.max(
                            w,
                            (int) (out.get(3) - 1) * geometry.params().strideW()
                                    + geometry.kernelW()
                                    - 2 * geometry.params().padW());
            x = extend(x, (int) (s.get(0) * s.get(1)), h, w, ph, pw, (byte) a.kernelQuant().qmin());
            h = ph;
            w = pw;
        }
        byte[] y =
                Int8Kernels.maxPool2d(
                        x,
                        (int) s.get(0),
                        (int) s.get(1),
                        h,
                        w,
                        a.kernelQuant(),
                        geometry.kernelH(),
                        geometry.kernelW(),
                        geometry.params());
        return new QActivation(y, out, a.qparams());
    }

    /** Copies every h x w plane into a ph x pw one filled with {@code lowest}. */
    private static byte[] extend(byte[] x, int planes, int h, int w, int ph, int pw, byte lowest) {
        if (ph == h && pw == w) {
            return x;
        }
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(planes, ph), pw)];
        java.util.Arrays.fill(out, lowest);
        for (int p = 0; p < planes; p++) {
            for (int r = 0; r < h; r++) {
                System.arraycopy(x, (p * h + r) * w, out, (p * ph + r) * pw, w);
            }
        }
        return out;
    }

    @Override
    protected Shape outputShape(Shape in) {
        expectRank(in, 4);
        Shape floor = geometry.outputShape(in);
        if (!ceilMode) {
            return floor;
        }
        ConvParams p = geometry.params();
        return new Shape(
                in.get(0),
                in.get(1),
                io.djlquant.nn.MaxPool2d.pooledLength(
                        in.get(2), geometry.kernelH(), p.strideH(), p.padH(), true),
                io.djlquant.nn.MaxPool2d.pooledLength(
                        in.get(3), geometry.kernelW(), p.strideW(), p.padW(), true));
    }

    /**
     * @return whether the output size rounds up
     */
    public boolean isCeilMode() {
        return ceilMode;
    }

    /**
     * @return window, stride and padding
     */
    public PoolGeometry getGeometry() {
        return geometry;
    }

    /**
     * Converts the float glue block QAT kept as it is (it commutes with quantization), in a
     * quantized region.
     *
     * @param f the float block
     * @param in the parameters of its input activation (also its output's)
     * @return the int8 block
     */
    public static MaxPool2d fromFloat(io.djlquant.nn.MaxPool2d f, QParams in) {
        return new MaxPool2d(
                PoolGeometry.of(f.getKernelShape(), f.getStride(), f.getPadding()),
                f.isCeilMode(),
                in);
    }
}
