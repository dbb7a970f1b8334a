package io.djlquant.quantized.fallback;

import ai.djl.ndarray.types.Shape;
import io.djlquant.nn.Upsample;
import java.util.List;

/**
 * Nearest-neighbour upsampling of NCHW in float: every value repeated {@code scale x scale} times.
 *
 * @param scale the factor along height and width
 */
public record FloatUpsample(int scale) implements FloatOp {

    /** Checks the factor. */
    public FloatUpsample {
        Upsample.checkScale(scale);
    }

    /** {@inheritDoc} */
    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape in = FloatOp.single("float upsample", inputs);
        FloatOp.rank("float upsample", in, 4);
        return new Shape(in.get(0), in.get(1), in.get(2) * scale, in.get(3) * scale);
    }

    /** {@inheritDoc} */
    @Override
    public FloatValues apply(List<FloatValues> inputs) {
        FloatValues x = FloatOp.single("float upsample", inputs);
        Shape out = outputShape(List.of(x.shape()));
        int planes = Math.toIntExact(x.shape().get(0) * x.shape().get(1));
        int h = (int) x.shape().get(2);
        int w = (int) x.shape().get(3);
        int ow = w * scale;
        float[] y = new float[Math.toIntExact(out.size())];
        for (int p = 0; p < planes; p++) {
            for (int r = 0; r < h * scale; r++) {
                int src = (p * h + r / scale) * w;
                int dst = (p * h * scale + r) * ow;
                for (int c = 0; c < ow; c++) {
                    y[dst + c] = x.data()[src + c / scale];
                }
            }
        }
        return new FloatValues(y, out);
    }
}
