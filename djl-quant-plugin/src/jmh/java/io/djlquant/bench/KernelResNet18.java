package io.djlquant.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.djlquant.kernels.ActivationQuant;
import io.djlquant.kernels.ConvParams;
import io.djlquant.kernels.Int8Kernels;
import io.djlquant.kernels.PackedConvWeights;
import io.djlquant.kernels.PackedLinearWeights;
import io.djlquant.models.ResNet18;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * ResNet18 (ImageNet stem) executed directly on {@link Int8Kernels}: the same layer sequence and
 * shapes as the quantized block tree, with the float model's conv/fc weights quantized per channel
 * (symmetric, [-127, 127]); BN is not folded and activation parameters are fixed, so the outputs are
 * not meaningful, only the work is. It measures the kernels without block/engine overhead, so the
 * difference to the Q model is the cost of the blocks and the engine.
 */
final class KernelResNet18 {

    private static final ActivationQuant INPUT = ActivationQuant.int8(0.02f, 0);
    private static final ActivationQuant ACT = ActivationQuant.uint8(0.05f, 0);
    private static final ActivationQuant PRE = ActivationQuant.uint8(0.05f, 128);
    private static final ActivationQuant LOGITS = ActivationQuant.int8(0.1f, 0);

    /** One quantized conv with its geometry. */
    private record Conv(PackedConvWeights w, ConvParams p, float[] m) {
        int outSize(int in) {
            return p.outH(in, w.kernelH());
        }
    }

    private final Conv stem;
    private final List<Conv[]> blocks = new ArrayList<>(); // {conv1, conv2, downsample or null}
    private final PackedLinearWeights fc;
    private final float[] fcM;
    private final long bytes;

    KernelResNet18(Block floatResNet) {
        Map<String, Parameter> p = ResNet18.torchvisionParameters(floatResNet);
        long[] size = {0};
        stem = conv(p, "conv1.weight", 2, 3, size);
        for (int layer = 1; layer <= 4; layer++) {
            for (int b = 0; b < 2; b++) {
                String pre = "layer" + layer + "." + b + ".";
                int stride = layer > 1 && b == 0 ? 2 : 1;
                Conv ds = p.containsKey(pre + "downsample.0.weight")
                        ? conv(p, pre + "downsample.0.weight", stride, 0, size) : null;
                blocks.add(new Conv[] {conv(p, pre + "conv1.weight", stride, 1, size),
                    conv(p, pre + "conv2.weight", 1, 1, size), ds});
            }
        }
        float[] fw = p.get("fc.weight").getArray().toFloatArray();
        int out = (int) p.get("fc.weight").getArray().getShape().get(0);
        int in = fw.length / out;
        QuantizedTensor q = QuantizedTensor.perChannel(fw, out);
        fc = PackedLinearWeights.pack(q.values, out, in, new int[out]);
        fcM = Int8Kernels.requantMultipliers(ACT.scale(), q.scales, LOGITS.scale());
        size[0] += q.values.length + 4L * out + 4L * out;
        bytes = size[0];
    }

    private static Conv conv(Map<String, Parameter> p, String name, int stride, int pad, long[] size) {
        NDArray a = p.get(name).getArray();
        long[] s = a.getShape().getShape();
        QuantizedTensor q = QuantizedTensor.perChannel(a.toFloatArray(), (int) s[0]);
        PackedConvWeights w = PackedConvWeights.pack(q.values, (int) s[0], (int) s[1], (int) s[2], (int) s[3], 1,
                new int[(int) s[0]]);
        size[0] += q.values.length + 8L * s[0]; // int8 weights + int32 bias + float multiplier
        return new Conv(w, ConvParams.of(stride, pad, 1), Int8Kernels.requantMultipliers(ACT.scale(), q.scales,
                ACT.scale()));
    }

    /** Weight bytes as the int8 model stores them (int8 weights, int32 bias, float scale per channel). */
    long modelBytes() {
        return bytes;
    }

    /** Forward pass of n images NCHW (float) to n x 1000 logits. */
    float[] forward(float[] x, int n, int side) {
        byte[] a = Int8Kernels.quantize(x, INPUT);
        int h = side;
        a = Int8Kernels.conv2d(a, n, 3, h, h, INPUT, stem.w, stem.p, stem.m, ACT, true);
        h = stem.outSize(h);
        ConvParams poolP = ConvParams.of(2, 1, 1);
        a = Int8Kernels.maxPool2d(a, n, 64, h, h, ACT, 3, 3, poolP);
        h = poolP.outH(h, 3);
        int c = 64;
        for (Conv[] b : blocks) {
            Conv c1 = b[0];
            Conv c2 = b[1];
            int oc = c1.w.outChannels();
            byte[] y = Int8Kernels.conv2d(a, n, c, h, h, ACT, c1.w, c1.p, c1.m, ACT, true);
            int h1 = c1.outSize(h);
            y = Int8Kernels.conv2d(y, n, oc, h1, h1, ACT, c2.w, c2.p, c2.m, PRE, false);
            byte[] sc = a;
            ActivationQuant scq = ACT;
            if (b[2] != null) {
                sc = Int8Kernels.conv2d(a, n, c, h, h, ACT, b[2].w, b[2].p, b[2].m, PRE, false);
                scq = PRE;
            }
            a = Int8Kernels.add(y, PRE, sc, scq, ACT, true);
            c = oc;
            h = h1;
        }
        byte[] pooled = Int8Kernels.globalAvgPool2d(a, n, c, h, h, ACT);
        byte[] logits = Int8Kernels.linear(pooled, n, ACT, fc, fcM, LOGITS, false);
        return Int8Kernels.dequantize(logits, LOGITS);
    }

    /** Per-output-channel symmetric int8 ([-127, 127]) quantization of a row-major tensor. */
    private static final class QuantizedTensor {
        final byte[] values;
        final float[] scales;

        private QuantizedTensor(byte[] values, float[] scales) {
            this.values = values;
            this.scales = scales;
        }

        static QuantizedTensor perChannel(float[] w, int channels) {
            int per = w.length / channels;
            byte[] q = new byte[w.length];
            float[] s = new float[channels];
            for (int o = 0; o < channels; o++) {
                float max = 0f;
                for (int i = 0; i < per; i++) {
                    max = Math.max(max, Math.abs(w[o * per + i]));
                }
                s[o] = max > 0 ? max / 127f : 1f;
                for (int i = 0; i < per; i++) {
                    q[o * per + i] = (byte) Math.max(-127, Math.min(127, Math.rint(w[o * per + i] / s[o])));
                }
            }
            return new QuantizedTensor(q, s);
        }
    }
}
