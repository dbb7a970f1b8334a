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
 * (symmetric, [-127, 127]); BN is not folded and activation parameters are fixed, so the outputs
 * are not meaningful, only the work is. It measures the kernels without block/engine overhead, so
 * the difference to the Q model is the cost of the blocks and the engine.
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

        /** Multiply-adds of one call on n images of side {@code in}. */
        long macs(int n, int in) {
            long out = outSize(in);
            return (long) n
                    * w.outChannels()
                    * out
                    * out
                    * (w.inChannels() / w.groups())
                    * w.kernelH()
                    * w.kernelW();
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
                Conv ds =
                        p.containsKey(pre + "downsample.0.weight")
                                ? conv(p, pre + "downsample.0.weight", stride, 0, size)
                                : null;
                blocks.add(
                        new Conv[] {
                            conv(p, pre + "conv1.weight", stride, 1, size),
                            conv(p, pre + "conv2.weight", 1, 1, size),
                            ds
                        });
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

    private static Conv conv(
            Map<String, Parameter> p, String name, int stride, int pad, long[] size) {
        NDArray a = p.get(name).getArray();
        long[] s = a.getShape().getShape();
        QuantizedTensor q = QuantizedTensor.perChannel(a.toFloatArray(), (int) s[0]);
        PackedConvWeights w =
                PackedConvWeights.pack(
                        q.values,
                        (int) s[0],
                        (int) s[1],
                        (int) s[2],
                        (int) s[3],
                        1,
                        new int[(int) s[0]]);
        size[0] += q.values.length + 8L * s[0]; // int8 weights + int32 bias + float multiplier
        return new Conv(
                w,
                ConvParams.of(stride, pad, 1),
                Int8Kernels.requantMultipliers(ACT.scale(), q.scales, ACT.scale()));
    }

    /**
     * Weight bytes as the int8 model stores them (int8 weights, int32 bias, float scale per
     * channel).
     */
    long modelBytes() {
        return bytes;
    }

    /** Forward pass of n images NCHW (float) to n x 1000 logits. */
    float[] forward(float[] x, int n, int side) {
        return forward(x, n, side, null);
    }

    /** The same pass, timing each layer into {@code clock} when it is not null. */
    float[] forward(float[] x, int n, int side, LayerClock clock) {
        byte[] a = timed(clock, "quantize", 0, () -> Int8Kernels.quantize(x, INPUT));
        int h0 = side;
        byte[] in0 = a;
        a =
                timed(
                        clock,
                        "stem",
                        stem.macs(n, h0),
                        () ->
                                Int8Kernels.conv2d(
                                        in0, n, 3, h0, h0, INPUT, stem.w, stem.p, stem.m, ACT,
                                        true));
        int h1 = stem.outSize(h0);
        ConvParams poolP = ConvParams.of(2, 1, 1);
        byte[] in1 = a;
        a =
                timed(
                        clock,
                        "maxpool",
                        0,
                        () -> Int8Kernels.maxPool2d(in1, n, 64, h1, h1, ACT, 3, 3, poolP));
        int h = poolP.outH(h1, 3);
        int c = 64;
        for (Conv[] b : blocks) {
            Conv c1 = b[0];
            Conv c2 = b[1];
            int oc = c1.w.outChannels();
            int hin = h;
            int cin = c;
            byte[] xin = a;
            String s2 = c1.p.strideH() > 1 ? "s2" : "";
            byte[] y1 =
                    timed(
                            clock,
                            "c" + oc + s2,
                            c1.macs(n, hin),
                            () ->
                                    Int8Kernels.conv2d(
                                            xin, n, cin, hin, hin, ACT, c1.w, c1.p, c1.m, ACT,
                                            true));
            int hout = c1.outSize(h);
            byte[] y2 =
                    timed(
                            clock,
                            "c" + oc,
                            c2.macs(n, hout),
                            () ->
                                    Int8Kernels.conv2d(
                                            y1, n, oc, hout, hout, ACT, c2.w, c2.p, c2.m, PRE,
                                            false));
            byte[] sc = a;
            ActivationQuant scq = ACT;
            if (b[2] != null) {
                Conv ds = b[2];
                sc =
                        timed(
                                clock,
                                "ds" + oc,
                                ds.macs(n, hin),
                                () ->
                                        Int8Kernels.conv2d(
                                                xin, n, cin, hin, hin, ACT, ds.w, ds.p, ds.m, PRE,
                                                false));
                scq = PRE;
            }
            byte[] shortcut = sc;
            ActivationQuant shortcutQ = scq;
            a =
                    timed(
                            clock,
                            "add",
                            0,
                            () -> Int8Kernels.add(y2, PRE, shortcut, shortcutQ, ACT, true));
            c = oc;
            h = hout;
        }
        int hl = h;
        int cl = c;
        byte[] last = a;
        byte[] pooled =
                timed(
                        clock,
                        "avgpool",
                        0,
                        () -> Int8Kernels.globalAvgPool2d(last, n, cl, hl, hl, ACT));
        byte[] logits =
                timed(
                        clock,
                        "fc",
                        (long) n * fcM.length * fc.inFeatures(),
                        () -> Int8Kernels.linear(pooled, n, ACT, fc, fcM, LOGITS, false));
        if (clock != null) {
            clock.passDone();
        }
        return Int8Kernels.dequantize(logits, LOGITS);
    }

    private static byte[] timed(
            LayerClock clock, String name, long macs, java.util.function.Supplier<byte[]> layer) {
        return clock == null ? layer.get() : clock.time(name, macs, layer);
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
                    q[o * per + i] =
                            (byte) Math.max(-127, Math.min(127, Math.rint(w[o * per + i] / s[o])));
                }
            }
            return new QuantizedTensor(q, s);
        }
    }
}
