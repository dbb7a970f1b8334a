package io.djlquant.quantized;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import io.djlquant.kernels.ConvParams;
import io.djlquant.nn.ElementWise.Mode;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QParams;
import java.util.Random;

/** Quantized blocks with random integer weights, built directly (no QFloat model needed). */
final class HandBuilt {

    private HandBuilt() {}

    static QParams act(QDType d, float scale, int zp) {
        return QParams.perTensor(d, scale, zp);
    }

    static QuantizedWeights weights(Random r, QDType d, boolean perChannel, long... dims) {
        Shape shape = new Shape(dims);
        int out = (int) dims[0];
        byte[] v = new byte[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) (d.qmin() + r.nextInt(d.qmax() - d.qmin() + 1));
        }
        float[] scales = new float[perChannel ? out : 1];
        for (int c = 0; c < scales.length; c++) {
            scales[c] = 0.002f + 0.01f * r.nextFloat();
        }
        QParams q =
                perChannel
                        ? QParams.perChannel(d, scales, new int[out])
                        : QParams.perTensor(d, scales[0], 0);
        int[] bias = new int[out];
        for (int c = 0; c < out; c++) {
            bias[c] = r.nextInt(2001) - 1000;
        }
        return new QuantizedWeights(v, shape, q, bias);
    }

    /**
     * Every quantized block type in one tree: QuantStub, convs (per-channel, per-tensor, 4-bit),
     * pools, a residual with ADD_RELU, a MUL, flatten, linears, DequantStub. Input (N, 3, 8, 8).
     */
    static SequentialBlock network(long seed) {
        Random r = new Random(seed);
        QParams a0 = act(QDType.QUINT8, 0.02f, 128);
        QParams a1 = act(QDType.QUINT8, 0.05f, 0);
        QParams a2 = act(QDType.QINT8, 0.04f, -3);
        QParams a3 = act(QDType.QUINT8, 0.06f, 10);
        QParams a4 = act(QDType.QUINT8, 0.07f, 0);
        QParams a5 = act(QDType.QINT8, 0.1f, 2);
        ConvParams same = ConvParams.of(1, 1, 1);
        Residual res =
                new Residual(
                        new SequentialBlock()
                                .add(
                                        new ConvRelu2d(
                                                weights(r, QDType.QINT8_NARROW, true, 8, 8, 3, 3),
                                                same,
                                                1,
                                                a1,
                                                a3))
                                .add(
                                        new PlainConv2d(
                                                weights(r, QDType.QINT8, false, 8, 8, 1, 1),
                                                ConvParams.of(1, 0, 1),
                                                1,
                                                a3,
                                                a2)),
                        new Identity(a1),
                        new ElementWise(Mode.ADD_RELU, a2, a1, a4));
        return new SequentialBlock()
                .add(new QuantStub(a0))
                .add(
                        new ConvBnRelu2d(
                                weights(r, QDType.QINT8_NARROW, true, 8, 3, 3, 3), same, 1, a0, a1))
                .add(new MaxPool2d(new PoolGeometry(2, 2, ConvParams.of(2, 0, 1)), a1))
                .add(res)
                .add(
                        new ConvBn2d(
                                weights(r, QDType.QINT4, false, 8, 2, 3, 3),
                                ConvParams.of(1, 1, 1),
                                4,
                                a4,
                                a2))
                .add(new Relu(a2))
                .add(new AvgPool2d(new PoolGeometry(3, 3, ConvParams.of(1, 1, 1)), true, a2))
                .add(
                        new Residual(
                                new Identity(a2),
                                new Identity(a2),
                                new ElementWise(Mode.MUL, a2, a2, a5)))
                .add(new GlobalAvgPool2d(a5))
                .add(new Flatten(a5))
                .add(new LinearBnRelu1d(weights(r, QDType.QINT8_NARROW, true, 16, 8), a5, a1))
                .add(new LinearBn1d(weights(r, QDType.QINT8, false, 12, 16), a1, a2))
                .add(new LinearRelu(weights(r, QDType.QINT4, true, 12, 12), a2, a4))
                .add(new PlainLinear(weights(r, QDType.QINT8_NARROW, true, 10, 12), a4, a3))
                .add(new DequantStub(a3));
    }
}
