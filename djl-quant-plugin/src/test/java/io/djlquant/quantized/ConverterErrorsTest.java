package io.djlquant.quantized;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import io.djlquant.quantization.QConfig;
import io.djlquant.quantization.QConfigs;
import io.djlquant.quantization.convert.QuantizedConverter;
import io.djlquant.quantization.convert.QuantizedMappings;
import io.djlquant.quantization.convert.Quantizer;
import io.djlquant.quantization.fakequant.FakeQuantize;
import io.djlquant.quantization.observer.MinMaxObserver;
import io.djlquant.quantization.observer.PerChannelMinMaxObserver;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QScheme;
import org.junit.jupiter.api.Test;

/** What the int8 converter refuses, and how it says so. */
class ConverterErrorsTest {

    private static final Shape IN = new Shape(2, 3, 6, 6);

    private static Block conv() {
        return io.djlquant.nn.ConvBnRelu2d.builder()
                .setKernelShape(new Shape(3, 3))
                .setFilters(4)
                .build();
    }

    @Test
    void uncalibratedQFloatNamesTheBlock() {
        try (NDManager pt = NDManager.newBaseManager("PyTorch")) {
            SequentialBlock floatNet = QFloatFixture.wrap(conv());
            QFloatFixture.randomInit(floatNet);
            Block qat = Quantizer.quantizeQat(floatNet, QConfigs.minMaxFakeQuantPerChannel());
            qat.initialize(pt, DataType.FLOAT32, IN);
            IllegalStateException e =
                    assertThrows(
                            IllegalStateException.class, () -> QuantizedConverter.quantize(qat));
            assertTrue(e.getMessage().contains("QuantStub"), e.getMessage());
            assertTrue(e.getMessage().contains("calibrat"), e.getMessage());
        }
    }

    @Test
    void convertedModelHasNoTrainableParameters() {
        try (NDManager pt = NDManager.newBaseManager("PyTorch")) {
            Block qat =
                    QFloatFixture.qfloat(
                            QFloatFixture.wrap(conv()), QConfigs.emaFakeQuant(), pt, IN, -1f, 1f);
            Block q = QuantizedConverter.quantize(qat);
            assertTrue(q.getParameters().isEmpty());
            assertInstanceOf(
                    ConvBnRelu2d.class, ((SequentialBlock) q).getChildren().get(1).getValue());
        }
    }

    @Test
    void excludePadAveragePoolIsRefused() {
        try (NDManager pt = NDManager.newBaseManager("PyTorch")) {
            Block pool =
                    new io.djlquant.nn.AvgPool2d(
                            new Shape(3, 3), new Shape(1, 1), new Shape(1, 1), false, false);
            Block qat =
                    QFloatFixture.qfloat(
                            QFloatFixture.wrap(conv(), pool),
                            QConfigs.emaFakeQuant(),
                            pt,
                            IN,
                            -1f,
                            1f);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class, () -> QuantizedConverter.quantize(qat));
            assertTrue(e.getMessage().contains("countIncludePad"), e.getMessage());
            assertTrue(e.getMessage().contains("AvgPool2d"), e.getMessage());
        }
    }

    @Test
    void unmappedBlockIsNamed() {
        try (NDManager pt = NDManager.newBaseManager("PyTorch")) {
            Block qat =
                    QFloatFixture.qfloat(
                            QFloatFixture.wrap(conv()), QConfigs.emaFakeQuant(), pt, IN, -1f, 1f);
            QuantizedMappings m = QuantizedMappings.defaults();
            QuantizedMappings without = QuantizedMappings.empty();
            for (Class<?> c : m.mappedClasses()) {
                if (c != io.djlquant.qat.ConvBnRelu2d.class) {
                    register(without, m, c);
                }
            }
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> new QuantizedConverter(without).convert(qat));
            assertTrue(e.getMessage().contains("io.djlquant.qat.ConvBnRelu2d"), e.getMessage());
            assertTrue(e.getMessage().contains("QuantizedMappings.register"), e.getMessage());
        }
    }

    @Test
    void unsignedWeightsAreRefusedNamingTheBlock() {
        // QConfig accepts any observer dtype, but the int8 kernels multiply signed weights: the
        // Q converter must refuse QUINT8 weights clearly instead of producing wrong integers.
        QConfig unsignedWeights =
                new QConfig(
                        () -> new MinMaxObserver(QDType.QUINT8, QScheme.PER_TENSOR_AFFINE),
                        FakeQuantize::new,
                        () -> new MinMaxObserver(QDType.QUINT8, QScheme.PER_TENSOR_AFFINE),
                        FakeQuantize::new);
        try (NDManager pt = NDManager.newBaseManager("PyTorch")) {
            Block qat =
                    QFloatFixture.qfloat(
                            QFloatFixture.wrap(conv()), unsignedWeights, pt, IN, -1f, 1f);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class, () -> QuantizedConverter.quantize(qat));
            assertTrue(e.getMessage().contains("ConvBnRelu2d"), e.getMessage());
            assertTrue(e.getMessage().contains("signed"), e.getMessage());
            assertTrue(e.getMessage().contains("QUINT8"), e.getMessage());
        }
    }

    @Test
    void fourBitPerChannelWeightsWithFourBitActivationsConvert() {
        // 4-bit per-channel weights and 4-bit activations are supported (not a float fallback):
        // the Q model follows its QFloat model.
        QConfig lowBit =
                new QConfig(
                        () ->
                                new PerChannelMinMaxObserver(
                                        QDType.QINT4, QScheme.PER_CHANNEL_SYMMETRIC),
                        FakeQuantize::new,
                        () -> new MinMaxObserver(QDType.QUINT4, QScheme.PER_TENSOR_AFFINE),
                        FakeQuantize::new);
        try (NDManager pt = NDManager.newBaseManager("PyTorch")) {
            Block qat = QFloatFixture.qfloat(QFloatFixture.wrap(conv()), lowBit, pt, IN, -1f, 1f);
            Block q = QuantizedConverter.quantize(qat);
            ConvBnRelu2d conv =
                    (ConvBnRelu2d) ((SequentialBlock) q).getChildren().get(1).getValue();
            assertTrue(conv.getWeights().getQParams().getDType() == QDType.QINT4, conv.toString());
            ai.djl.ndarray.NDArray x = QTests.input(pt, 4, IN, -1f, 1f);
            float[] expected = QTests.run(qat, pt, x).toFloatArray();
            float[] actual = QTests.run(q, pt, x).toFloatArray();
            // QFloat and Q agree up to one output step (rounding of the requantization)
            float step = conv.getOutputQParams().scale(0);
            int differ = 0;
            for (int i = 0; i < expected.length; i++) {
                assertTrue(
                        Math.abs(expected[i] - actual[i]) <= step * 1.001f,
                        i + ": " + expected[i] + " vs " + actual[i] + ", step " + step);
                differ += expected[i] == actual[i] ? 0 : 1;
            }
            assertTrue(
                    differ < expected.length / 10, differ + " of " + expected.length + " differ");
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void register(QuantizedMappings to, QuantizedMappings from, Class c) {
        to.register(c, from.factoryFor(c));
    }
}
