package io.djlquant.quantized;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import io.djlquant.nn.ElementWise.Mode;
import io.djlquant.quantization.QConfig;
import io.djlquant.quantization.QConfigs;
import io.djlquant.quantization.convert.QuantizedConverter;
import io.djlquant.quantization.fakequant.FakeQuantize;
import io.djlquant.quantization.observer.MovingAverageMinMaxObserver;
import io.djlquant.quantization.observer.PerChannelMinMaxObserver;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QScheme;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Golden tests: each quantized block against its QFloat block on the same input (QFloat in
 * inference mode, observers off, fake quant on). The dequantized Q output must equal the QFloat
 * output within one quantization step of the output scale.
 */
class GoldenTest {

    private static final List<String> REPORT = new ArrayList<>();

    /** Per-channel QINT8_NARROW weights, QINT8 affine activations. */
    private static QConfig int8Acts() {
        return new QConfig(
                () ->
                        new PerChannelMinMaxObserver(
                                QDType.QINT8_NARROW, QScheme.PER_CHANNEL_SYMMETRIC),
                FakeQuantize::new,
                () -> new MovingAverageMinMaxObserver(QDType.QINT8, QScheme.PER_TENSOR_AFFINE),
                FakeQuantize::new);
    }

    private static final Shape IMG = new Shape(4, 6, 9, 9);
    private static final Shape VEC = new Shape(8, 20);

    /**
     * Runs the golden comparison and returns the max |Q - QFloat| in output steps.
     *
     * @param name the case name
     * @param qc the recipe
     * @param in the input shape
     * @param body the float body (between QuantStub and DequantStub)
     * @return the max difference in steps
     */
    private static double golden(String name, QConfig qc, Shape in, Supplier<Block[]> body) {
        try (NDManager pt = NDManager.newBaseManager("PyTorch");
                NDManager jq = QTests.jq()) {
            SequentialBlock floatNet = QFloatFixture.wrap(body.get());
            Block qat = QFloatFixture.qfloat(floatNet, qc, pt, in, -3f, 3f);
            Block q = QuantizedConverter.quantize(qat);
            float[] x = QTests.uniform(name.hashCode(), (int) in.size(), -3.3f, 3.3f);
            NDArray yf = QTests.run(qat, pt, pt.create(x, in));
            NDArray yq = QTests.run(q, jq, jq.create(x, in));
            assertEquals(yf.getShape(), yq.getShape(), name);
            SequentialBlock qs = (SequentialBlock) q;
            DequantStub last =
                    (DequantStub) qs.getChildren().get(qs.getChildren().size() - 1).getValue();
            float step = last.getInputQParams().scale(0);
            float[] a = yf.toFloatArray();
            float[] b = yq.toFloatArray();
            double max = 0;
            int distinct =
                    (int)
                            java.util.stream.IntStream.range(0, b.length)
                                    .mapToObj(i -> b[i])
                                    .distinct()
                                    .count();
            for (int i = 0; i < a.length; i++) {
                max = Math.max(max, Math.abs(a[i] - b[i]) / step);
            }
            REPORT.add(
                    String.format(
                            "%-36s max |Q - QFloat| = %.4f steps (%d values, %d distinct)",
                            name, max, b.length, distinct));
            assertTrue(
                    distinct > 3,
                    name + ": output is degenerate (" + distinct + " distinct values)");
            assertTrue(max <= 1.0001, name + ": max difference " + max + " steps");
            return max;
        }
    }

    private static Block convBnRelu(int filters, int k, int stride, int pad, int groups) {
        return io.djlquant.nn.ConvBnRelu2d.builder()
                .setKernelShape(new Shape(k, k))
                .setFilters(filters)
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(pad, pad))
                .optGroups(groups)
                .build();
    }

    @Test
    void convBlocks() {
        golden(
                "ConvBnRelu2d per-channel QUINT8",
                QConfigs.minMaxFakeQuantPerChannel(),
                IMG,
                () -> new Block[] {convBnRelu(8, 3, 1, 1, 1)});
        golden(
                "ConvBn2d per-tensor QUINT8",
                QConfigs.minMaxFakeQuant(),
                IMG,
                () ->
                        new Block[] {
                            io.djlquant.nn.ConvBn2d.builder()
                                    .setKernelShape(new Shape(3, 3))
                                    .setFilters(8)
                                    .optStride(new Shape(2, 2))
                                    .optBias(true)
                                    .build()
                        });
        golden(
                "ConvRelu2d groups+dilation QINT8",
                int8Acts(),
                IMG,
                () ->
                        new Block[] {
                            io.djlquant.nn.ConvRelu2d.builder()
                                    .setKernelShape(new Shape(3, 3))
                                    .setFilters(6)
                                    .optPadding(new Shape(2, 2))
                                    .optDilation(new Shape(2, 2))
                                    .optGroups(3)
                                    .build()
                        });
        golden(
                "PlainConv2d depthwise QINT8",
                int8Acts(),
                IMG,
                () ->
                        new Block[] {
                            io.djlquant.nn.PlainConv2d.builder()
                                    .setKernelShape(new Shape(3, 3))
                                    .setFilters(6)
                                    .optPadding(new Shape(1, 1))
                                    .optGroups(6)
                                    .build()
                        });
        golden(
                "ConvBnRelu2d 4-bit (emaLowBit)",
                QConfigs.emaLowBit(),
                IMG,
                () -> new Block[] {convBnRelu(8, 3, 1, 1, 1)});
    }

    @Test
    void linearBlocks() {
        golden(
                "LinearBnRelu1d per-channel QUINT8",
                QConfigs.emaFakeQuantPerChannel(),
                VEC,
                () -> new Block[] {io.djlquant.nn.LinearBnRelu1d.builder().setUnits(16).build()});
        golden(
                "LinearBn1d per-tensor QUINT8",
                QConfigs.emaFakeQuant(),
                VEC,
                () -> new Block[] {io.djlquant.nn.LinearBn1d.builder().setUnits(16).build()});
        golden(
                "LinearRelu QINT8",
                int8Acts(),
                VEC,
                () -> new Block[] {io.djlquant.nn.LinearRelu.builder().setUnits(16).build()});
        golden(
                "PlainLinear per-tensor QUINT8",
                QConfigs.minMaxFakeQuant(),
                VEC,
                () -> new Block[] {io.djlquant.nn.PlainLinear.builder().setUnits(16).build()});
        golden(
                "PlainLinear 4-bit (emaLowBit)",
                QConfigs.emaLowBit(),
                VEC,
                () -> new Block[] {io.djlquant.nn.PlainLinear.builder().setUnits(16).build()});
    }

    @Test
    void residualJoins() {
        for (Mode mode : Mode.values()) {
            golden(
                    "Residual " + mode + " QUINT8",
                    QConfigs.minMaxFakeQuantPerChannel(),
                    IMG,
                    () ->
                            new Block[] {
                                new io.djlquant.nn.Residual(
                                        io.djlquant.nn.ConvBn2d.builder()
                                                .setKernelShape(new Shape(3, 3))
                                                .setFilters(6)
                                                .optPadding(new Shape(1, 1))
                                                .build(),
                                        new io.djlquant.nn.Identity(),
                                        new io.djlquant.nn.ElementWise(mode))
                            });
        }
        golden(
                "Residual ADD_RELU QINT8 downsample",
                int8Acts(),
                IMG,
                () ->
                        new Block[] {
                            new io.djlquant.nn.Residual(
                                    convBnRelu(8, 3, 2, 1, 1),
                                    io.djlquant.nn.ConvBn2d.builder()
                                            .setKernelShape(new Shape(1, 1))
                                            .setFilters(8)
                                            .optStride(new Shape(2, 2))
                                            .build(),
                                    new io.djlquant.nn.ElementWise(Mode.ADD_RELU))
                        });
    }

    @Test
    void glueBlocks() {
        Shape k2 = new Shape(2, 2);
        Shape k3 = new Shape(3, 3);
        Shape one = new Shape(1, 1);
        Shape zero = new Shape(0, 0);
        golden(
                "MaxPool2d QUINT8",
                QConfigs.minMaxFakeQuant(),
                IMG,
                () -> new Block[] {new io.djlquant.nn.MaxPool2d(k3, k2, one)});
        golden(
                "AvgPool2d countIncludePad QUINT8",
                QConfigs.minMaxFakeQuant(),
                IMG,
                () -> new Block[] {new io.djlquant.nn.AvgPool2d(k3, k2, one)});
        golden(
                "AvgPool2d stride 1 QINT8",
                int8Acts(),
                IMG,
                () -> new Block[] {new io.djlquant.nn.AvgPool2d(k3, one, one)});
        golden(
                "GlobalAvgPool2d QINT8",
                int8Acts(),
                IMG,
                () -> new Block[] {new io.djlquant.nn.GlobalAvgPool2d()});
        golden(
                "Flatten+Identity+Relu QINT8",
                int8Acts(),
                IMG,
                () ->
                        new Block[] {
                            new io.djlquant.nn.Flatten(),
                            new io.djlquant.nn.Identity(),
                            new io.djlquant.nn.Relu()
                        });
        golden(
                "Conv -> MaxPool2d (no pad) QUINT8",
                QConfigs.emaFakeQuantPerChannel(),
                IMG,
                () ->
                        new Block[] {
                            convBnRelu(8, 3, 1, 1, 1), new io.djlquant.nn.MaxPool2d(k2, k2, zero)
                        });
    }

    @Test
    void floatFallback() {
        Shape in = IMG;
        try (NDManager pt = NDManager.newBaseManager("PyTorch");
                NDManager jq = QTests.jq()) {
            SequentialBlock floatNet =
                    QFloatFixture.wrap(
                            convBnRelu(6, 3, 1, 1, 1),
                            ai.djl.nn.Activation.tanhBlock(),
                            io.djlquant.nn.PlainConv2d.builder()
                                    .setKernelShape(new Shape(1, 1))
                                    .setFilters(4)
                                    .build());
            QFloatFixture.randomInit(floatNet);
            Block qat =
                    io.djlquant.quantization.convert.Quantizer.quantizeQat(
                            floatNet,
                            QConfigs.minMaxFakeQuantPerChannel(),
                            new io.djlquant.quantization.convert.QConfigOverrides()
                                    .forPath("03LambdaBlock", null));
            qat.initialize(pt, ai.djl.ndarray.types.DataType.FLOAT32, in);
            QFloatFixture.calibrate(qat, pt, in, -3f, 3f, 4);
            Block q = QuantizedConverter.quantize(qat);
            assertTrue(
                    ((SequentialBlock) q).getChildren().get(2).getValue() instanceof FloatFallback);
            float[] x = QTests.uniform(99, (int) in.size(), -3f, 3f);
            float[] yf = QTests.run(qat, pt, pt.create(x, in)).toFloatArray();
            float[] yq = QTests.run(q, jq, jq.create(x, in)).toFloatArray();
            SequentialBlock qs = (SequentialBlock) q;
            float step =
                    ((DequantStub) qs.getChildren().get(qs.getChildren().size() - 1).getValue())
                            .getInputQParams()
                            .scale(0);
            double max = 0;
            for (int i = 0; i < yf.length; i++) {
                max = Math.max(max, Math.abs(yf[i] - yq[i]) / step);
            }
            REPORT.add(
                    String.format(
                            "%-36s max |Q - QFloat| = %.4f steps",
                            "FloatFallback(tanh) between convs", max));
            assertTrue(max <= 1.0001, "FloatFallback: " + max + " steps");
            assertThrows(
                    IllegalStateException.class,
                    () ->
                            q.forward(
                                    new ai.djl.training.ParameterStore(jq, false),
                                    new ai.djl.ndarray.NDList(jq.create(x, in)),
                                    true));
        }
    }

    @AfterAll
    static void printReport() {
        REPORT.forEach(System.out::println);
    }
}
