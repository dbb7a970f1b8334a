package io.djlquant.quantized;

import ai.djl.ndarray.types.Shape;
import io.djlquant.kernels.ConvParams;

/**
 * Window, stride and padding of a quantized pooling block (floor output size, no dilation).
 *
 * @param kernelH window height
 * @param kernelW window width
 * @param params stride and padding (dilation 1)
 */
public record PoolGeometry(int kernelH, int kernelW, ConvParams params) {

    /** Validates the geometry. */
    public PoolGeometry {
        if (kernelH < 1 || kernelW < 1) {
            throw new IllegalArgumentException(
                    "pool kernel must be >= 1, got " + kernelH + "x" + kernelW);
        }
        if (params == null || params.dilationH() != 1 || params.dilationW() != 1) {
            throw new IllegalArgumentException("pooling needs stride/padding with dilation 1");
        }
        if (params.padH() > kernelH / 2 || params.padW() > kernelW / 2) {
            throw new IllegalArgumentException(
                    "pool padding "
                            + params.padH()
                            + "x"
                            + params.padW()
                            + " must be at most half the kernel "
                            + kernelH
                            + "x"
                            + kernelW);
        }
    }

    /**
     * Builds the geometry from DJL shapes.
     *
     * @param kernel (KH, KW)
     * @param stride (SH, SW)
     * @param padding (PH, PW)
     * @return the geometry
     */
    public static PoolGeometry of(Shape kernel, Shape stride, Shape padding) {
        return new PoolGeometry(
                (int) kernel.get(0),
                (int) kernel.get(1),
                new ConvParams(
                        (int) stride.get(0),
                        (int) stride.get(1),
                        (int) padding.get(0),
                        (int) padding.get(1),
                        1,
                        1));
    }

    /**
     * The NCHW output shape for an NCHW input shape.
     *
     * @param in the input shape
     * @return the output shape
     */
    Shape outputShape(Shape in) {
        int oh = params.outH((int) in.get(2), kernelH);
        int ow = params.outW((int) in.get(3), kernelW);
        if (oh <= 0 || ow <= 0) {
            throw new IllegalArgumentException(
                    "pool window " + kernelH + "x" + kernelW + " does not fit input " + in);
        }
        return new Shape(in.get(0), in.get(1), oh, ow);
    }
}
