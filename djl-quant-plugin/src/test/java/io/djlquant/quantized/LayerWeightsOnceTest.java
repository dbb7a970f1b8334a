package io.djlquant.quantized;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.djlquant.kernels.ConvParams;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QParams;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Layers keep their integer weights once (packed for the kernel); the weights they report, and so
 * what a saved model holds, are still exactly the ones they were built from.
 */
class LayerWeightsOnceTest {

    @Test
    void convolutionsReportTheirWeightsBackForEveryLayout() {
        Random r = new Random(3);
        QParams a = HandBuilt.act(QDType.QUINT8, 0.05f, 3);
        // {oc, ic per group, kh, kw, groups}: odd and even channels, 1x1, grouped, depthwise; 4-bit
        // too
        long[][] shapes = {
            {8, 3, 7, 7, 1}, {8, 4, 3, 3, 1}, {16, 8, 1, 1, 1}, {8, 2, 3, 3, 4}, {6, 1, 3, 3, 6}
        };
        for (long[] s : shapes) {
            for (QDType d : new QDType[] {QDType.QINT8, QDType.QINT4}) {
                QuantizedWeights w = HandBuilt.weights(r, d, true, s[0], s[1], s[2], s[3]);
                PlainConv2d conv = new PlainConv2d(w, ConvParams.of(1, 1, 1), (int) s[4], a, a);
                assertArrayEquals(
                        w.getValues(), conv.getWeights().getValues(), java.util.Arrays.toString(s));
                assertArrayEquals(w.getBias(), conv.getWeights().getBias());
            }
        }
    }

    @Test
    void linearLayersReportTheirWeightsBack() {
        QuantizedWeights w = HandBuilt.weights(new Random(4), QDType.QINT8_NARROW, true, 10, 12);
        QParams a = HandBuilt.act(QDType.QUINT8, 0.05f, 3);
        PlainLinear fc = new PlainLinear(w, a, a);
        assertArrayEquals(w.getValues(), fc.getWeights().getValues());
    }
}
