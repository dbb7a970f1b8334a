package io.djlquant.quantized;

import ai.djl.ndarray.types.Shape;
import io.djlquant.quantization.qparams.QParams;

/** Quantized nearest-neighbour upsampling: integers repeated, parameters unchanged. */
public class Upsample extends QuantizedGlue {

    private final int scale;

    /**
     * Creates the block.
     *
     * @param scale the factor along height and width
     * @param qparams the parameters of its input
     */
    public Upsample(int scale, QParams qparams) {
        super(qparams);
        this.scale = io.djlquant.nn.Upsample.checkScale(scale);
    }

    @Override
    protected QActivation apply(QActivation a) {
        Shape in = a.shape();
        Shape out = outputShape(in);
        int planes = Math.toIntExact(in.get(0) * in.get(1));
        int h = (int) in.get(2);
        int w = (int) in.get(3);
        int ow = w * scale;
        byte[] x = a.data();
        byte[] y = new byte[Math.toIntExact(out.size())];
        for (int p = 0; p < planes; p++) {
            for (int r = 0; r < h; r++) {
                int dst = (p * h * scale + r * scale) * ow;
                int src = (p * h + r) * w;
                for (int c = 0; c < w; c++) {
                    java.util.Arrays.fill(y, dst + c * scale, dst + (c + 1) * scale, x[src + c]);
                }
                for (int k = 1; k < scale; k++) {
                    System.arraycopy(y, dst, y, dst + k * ow, ow);
                }
            }
        }
        return new QActivation(y, out, a.qparams());
    }

    @Override
    protected Shape outputShape(Shape in) {
        expectRank(in, 4);
        return new Shape(in.get(0), in.get(1), in.get(2) * scale, in.get(3) * scale);
    }

    /**
     * @return the factor along height and width
     */
    public int getScale() {
        return scale;
    }

    /**
     * Converts the float glue block QAT kept as it is (it commutes with quantization), in a
     * quantized region.
     *
     * @param f the float block
     * @param in the parameters of its input activation (also its output's)
     * @return the int8 block
     */
    public static Upsample fromFloat(io.djlquant.nn.Upsample f, QParams in) {
        return new Upsample(f.getScale(), in);
    }
}
