package io.djlquant.quantized.fallback;

import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * A 2-d pool in float with PyTorch's semantics (floor mode): max ignores the padding, average
 * divides by the window size or, without {@code countIncludePad}, by the pixels inside the image;
 * the global average gives {@code N x C}.
 *
 * @param kind which pool
 * @param kernelH window height (unused by the global pool)
 * @param kernelW window width
 * @param strideH vertical stride
 * @param strideW horizontal stride
 * @param padH vertical padding
 * @param padW horizontal padding
 * @param countIncludePad whether the average counts padding pixels
 */
public record FloatPool(
        Kind kind,
        int kernelH,
        int kernelW,
        int strideH,
        int strideW,
        int padH,
        int padW,
        boolean countIncludePad)
        implements FloatOp {

    /** The pools. */
    public enum Kind {
        /** Window maximum. */
        MAX,
        /** Window average. */
        AVG,
        /** Average of each whole plane. */
        GLOBAL_AVG
    }

    /** Checks the window. */
    public FloatPool {
        if (kind == null) {
            throw new IllegalArgumentException("a float pool needs a kind");
        }
        if (kind != Kind.GLOBAL_AVG
                && (kernelH <= 0
                        || kernelW <= 0
                        || strideH <= 0
                        || strideW <= 0
                        || padH < 0
                        || padW < 0
                        || 2 * padH > kernelH
                        || 2 * padW > kernelW)) {
            throw new IllegalArgumentException(
                    "invalid float pool window: kernel "
                            + kernelH
                            + "x"
                            + kernelW
                            + ", stride "
                            + strideH
                            + "x"
                            + strideW
                            + ", padding "
                            + padH
                            + "x"
                            + padW
                            + " (padding at most half the kernel)");
        }
    }

    /**
     * The global average pool.
     *
     * @return the op
     */
    public static FloatPool globalAverage() {
        return new FloatPool(Kind.GLOBAL_AVG, 0, 0, 0, 0, 0, 0, true);
    }

    /** {@inheritDoc} */
    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape in = FloatOp.rank("float pool", FloatOp.single("float pool", inputs), 4);
        if (kind == Kind.GLOBAL_AVG) {
            return new Shape(in.get(0), in.get(1));
        }
        long oh = (in.get(2) + 2L * padH - kernelH) / strideH + 1;
        long ow = (in.get(3) + 2L * padW - kernelW) / strideW + 1;
        if (in.get(2) + 2L * padH < kernelH || in.get(3) + 2L * padW < kernelW) {
            throw new IllegalArgumentException(
                    "float pool window " + kernelH + "x" + kernelW + " does not fit input " + in);
        }
        return new Shape(in.get(0), in.get(1), oh, ow);
    }

    /** {@inheritDoc} */
    @Override
    public FloatValues apply(List<FloatValues> inputs) {
        Shape outShape = outputShape(List.of(FloatOp.single("float pool", inputs).shape()));
        FloatValues x = inputs.get(0);
        int planes = x.dim(0) * x.dim(1);
        int h = x.dim(2);
        int w = x.dim(3);
        float[] in = x.data();
        float[] out = new float[Math.toIntExact(outShape.size())];
        if (kind == Kind.GLOBAL_AVG) {
            for (int p = 0; p < planes; p++) {
                float sum = 0f;
                for (int i = p * h * w; i < (p + 1) * h * w; i++) {
                    sum += in[i];
                }
                out[p] = sum / (h * w);
            }
            return new FloatValues(out, outShape);
        }
        int oh = (int) outShape.get(2);
        int ow = (int) outShape.get(3);
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < oh; y++) {
                for (int xo = 0; xo < ow; xo++) {
                    out[(p * oh + y) * ow + xo] = window(in, p * h * w, h, w, y, xo);
                }
            }
        }
        return new FloatValues(out, outShape);
    }

    private float window(float[] in, int base, int h, int w, int y, int x) {
        int y0 = y * strideH - padH;
        int x0 = x * strideW - padW;
        int yLo = Math.max(y0, 0);
        int yHi = Math.min(y0 + kernelH, h);
        int xLo = Math.max(x0, 0);
        int xHi = Math.min(x0 + kernelW, w);
        if (kind == Kind.MAX) {
            float max = Float.NEGATIVE_INFINITY;
            for (int i = yLo; i < yHi; i++) {
                for (int j = xLo; j < xHi; j++) {
                    max = Math.max(max, in[base + i * w + j]);
                }
            }
            return max;
        }
        float sum = 0f;
        for (int i = yLo; i < yHi; i++) {
            for (int j = xLo; j < xHi; j++) {
                sum += in[base + i * w + j];
            }
        }
        int count = countIncludePad ? kernelH * kernelW : (yHi - yLo) * (xHi - xLo);
        return sum / count;
    }
}
