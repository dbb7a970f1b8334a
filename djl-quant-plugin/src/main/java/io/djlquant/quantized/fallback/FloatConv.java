package io.djlquant.quantized.fallback;

import ai.djl.ndarray.types.Shape;
import io.djlquant.kernels.ConvParams;
import java.util.List;

/**
 * A 2-d convolution in float with batch norm folded in and an optional ReLU (the float form of
 * {@code ConvBn2d}, {@code ConvBnRelu2d}, {@code ConvRelu2d} and {@code PlainConv2d}).
 *
 * @param weight OIHW weights, {@code O x I/groups x KH x KW}
 * @param weightShape their shape
 * @param bias one value per output channel
 * @param geometry stride, padding and dilation
 * @param groups the number of groups
 * @param relu whether a ReLU follows
 */
public record FloatConv(
        float[] weight,
        Shape weightShape,
        float[] bias,
        ConvParams geometry,
        int groups,
        boolean relu)
        implements FloatOp {

    /** Checks that the parts fit together. */
    public FloatConv {
        if (weight == null || weightShape == null || bias == null || geometry == null) {
            throw new IllegalArgumentException("a float conv needs weights, bias and geometry");
        }
        if (weightShape.dimension() != 4 || weightShape.size() != weight.length) {
            throw new IllegalArgumentException(
                    "float conv weights of shape "
                            + weightShape
                            + " must be OIHW and hold "
                            + weight.length
                            + " values");
        }
        if (groups <= 0 || weightShape.get(0) % groups != 0) {
            throw new IllegalArgumentException(
                    "groups "
                            + groups
                            + " must be > 0 and divide "
                            + weightShape.get(0)
                            + " output channels");
        }
        if (bias.length != weightShape.get(0)) {
            throw new IllegalArgumentException(
                    "float conv bias has "
                            + bias.length
                            + " values for "
                            + weightShape.get(0)
                            + " output channels");
        }
    }

    private int outChannels() {
        return (int) weightShape.get(0);
    }

    private int groupInChannels() {
        return (int) weightShape.get(1);
    }

    /** {@inheritDoc} */
    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape in = FloatOp.rank("float conv", FloatOp.single("float conv", inputs), 4);
        if (in.get(1) != (long) groupInChannels() * groups) {
            throw new IllegalArgumentException(
                    "float conv expects "
                            + groupInChannels() * groups
                            + " input channels, got"
                            + " shape "
                            + in);
        }
        int oh = geometry.outH((int) in.get(2), (int) weightShape.get(2));
        int ow = geometry.outW((int) in.get(3), (int) weightShape.get(3));
        if (oh <= 0 || ow <= 0) {
            throw new IllegalArgumentException(
                    "float conv kernel " + weightShape + " does not fit input shape " + in);
        }
        return new Shape(in.get(0), outChannels(), oh, ow);
    }

    /** {@inheritDoc} */
    @Override
    public FloatValues apply(List<FloatValues> inputs) {
        Shape outShape = outputShape(List.of(FloatOp.single("float conv", inputs).shape()));
        FloatValues x = inputs.get(0);
        int n = x.dim(0);
        int c = x.dim(1);
        int h = x.dim(2);
        int w = x.dim(3);
        int oc = outChannels();
        int oh = (int) outShape.get(2);
        int ow = (int) outShape.get(3);
        float[] out = new float[Math.toIntExact(outShape.size())];
        for (int img = 0; img < n; img++) {
            for (int o = 0; o < oc; o++) {
                plane(x.data(), (img * c) * h * w, h, w, o, out, (img * oc + o) * oh * ow, oh, ow);
            }
        }
        return new FloatValues(out, outShape);
    }

    /** One output plane: bias, then every input channel and tap in order, then the ReLU. */
    private void plane(
            float[] in, int inBase, int h, int w, int o, float[] out, int outBase, int oh, int ow) {
        int gin = groupInChannels();
        int kh = (int) weightShape.get(2);
        int kw = (int) weightShape.get(3);
        int firstChannel = o / (outChannels() / groups) * gin;
        java.util.Arrays.fill(out, outBase, outBase + oh * ow, bias[o]);
        int sh = geometry.strideH();
        int sw = geometry.strideW();
        for (int ci = 0; ci < gin; ci++) {
            int plane = inBase + (firstChannel + ci) * h * w;
            for (int i = 0; i < kh; i++) {
                int rowShift = i * geometry.dilationH() - geometry.padH();
                for (int j = 0; j < kw; j++) {
                    float wv = weight[((o * gin + ci) * kh + i) * kw + j];
                    int colShift = j * geometry.dilationW() - geometry.padW();
                    // output columns whose input column lies inside the image
                    int lo = Math.max(0, ceilDiv(-colShift, sw));
                    int hi = Math.min(ow - 1, Math.floorDiv(w - 1 - colShift, sw));
                    for (int y = 0; y < oh; y++) {
                        int iy = y * sh + rowShift;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        int src = plane + iy * w + colShift;
                        int dst = outBase + y * ow;
                        for (int x = lo; x <= hi; x++) {
                            out[dst + x] += wv * in[src + x * sw];
                        }
                    }
                }
            }
        }
        if (relu) {
            for (int p = outBase; p < outBase + oh * ow; p++) {
                out[p] = Math.max(out[p], 0f);
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }
}
