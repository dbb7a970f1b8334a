package io.djlquant.qat;

import static io.djlquant.qat.QatTestNets.assertOnGrid;
import static io.djlquant.qat.QatTestNets.maxDiff;
import static io.djlquant.qat.QatTestNets.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.djlquant.nn.BnFolding;
import io.djlquant.quantization.QConfig;
import io.djlquant.quantization.QConfigs;
import io.djlquant.quantization.convert.Quantizer;
import io.djlquant.quantization.fakequant.FakeQuantOps;
import io.djlquant.quantization.fakequant.FakeQuantizeBase;
import io.djlquant.quantization.qparams.QParams;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With fake quant on, activations at wired points lie on their grids; biases use inScale*wScale.
 */
class QatGridTest {

    private NDManager manager;
    private final List<String> checked = new ArrayList<>();

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    /** Runs a block step by step, checking each output against the current producer's grid. */
    private Pair<NDArray, FakeQuantizeBase> walk(
            Block b, NDList in, FakeQuantizeBase producer, String path) {
        ParameterStore ps = new ParameterStore(manager, false);
        if (b instanceof SequentialBlock) {
            NDList x = in;
            FakeQuantizeBase p = producer;
            for (Pair<String, Block> c : b.getChildren()) {
                Pair<NDArray, FakeQuantizeBase> r =
                        walk(c.getValue(), x, p, path + "/" + c.getKey());
                x = new NDList(r.getKey());
                p = r.getValue();
            }
            return new Pair<>(x.head(), p);
        }
        if (b instanceof Residual) {
            Residual res = (Residual) b;
            Pair<NDArray, FakeQuantizeBase> m = walk(res.getMain(), in, producer, path + "/main");
            Pair<NDArray, FakeQuantizeBase> s =
                    walk(res.getShortcut(), in, producer, path + "/shortcut");
            QatModule join = (QatModule) res.getJoin();
            assertEquals(m.getValue(), join.getInputQuantizer(0), "join input 0 wiring");
            assertEquals(s.getValue(), join.getInputQuantizer(1), "join input 1 wiring");
            return walk(
                    res.getJoin(), new NDList(m.getKey(), s.getKey()), producer, path + "/join");
        }
        NDArray y = b.forward(ps, in, false).singletonOrThrow();
        FakeQuantizeBase out = producer;
        if (b instanceof QatModule) {
            QatModule m = (QatModule) b;
            if (m.getInputCount() == 1) {
                assertEquals(producer, m.getInputQuantizer(0), path + " input wiring");
            }
            out = m.getOutputQuantizer();
        }
        if (out != null) {
            assertOnGrid(y, out.getQParams(), path);
            checked.add(path);
        }
        return new Pair<>(y, out);
    }

    @Test
    void everyWiredActivationIsOnItsGrid() {
        for (SequentialBlock net : List.of(QatTestNets.smallCnn(), QatTestNets.wideNet())) {
            QatTestNets.init(net, manager, QatTestNets.INPUT);
            Block qat = Quantizer.quantizeQat(net, QConfigs.emaFakeQuantPerChannel());
            NDArray x = manager.randomNormal(QatTestNets.INPUT);
            // a training step first: observers see batch-folded weights and batch statistics
            run(qat, manager, x, true);
            checked.clear();
            walk(qat, new NDList(x), null, "");
            // QuantStub, convs, pools, joins and linears were all checked (DequantStub is float)
            assertTrue(checked.size() >= 7, "checked only " + checked);
            // with statistics fixed, the step-by-step walk is the same computation as the forward
            Quantizer.enableObserver(qat, false);
            NDArray y = walk(qat, new NDList(x), null, "").getKey();
            assertTrue(maxDiff(y, run(qat, manager, x, false)) < 1e-6f);
        }
    }

    @Test
    void biasIsQuantizedWithInputScaleTimesWeightScale() {
        // fixed scales make the int32 bias grid coarse: 0.5 * 0.25 = 0.125
        QConfig passive = QConfigs.passive(0.5f, 0.25f);
        SequentialBlock net =
                new SequentialBlock()
                        .add(new io.djlquant.nn.QuantStub())
                        .add(
                                io.djlquant.nn.PlainConv2d.builder()
                                        .setKernelShape(new Shape(1, 1))
                                        .setFilters(2)
                                        .build());
        net.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, 1, 2, 2));
        io.djlquant.nn.PlainConv2d fc =
                (io.djlquant.nn.PlainConv2d) net.getChildren().get(1).getValue();
        fc.getWeight().getArray().set(new float[] {1f, -0.5f});
        fc.getBias().getArray().set(new float[] {0.3f, -0.2f});
        Block qat = Quantizer.quantizeQat(net, passive);
        PlainConv2d conv = (PlainConv2d) qat.getChildren().get(1).getValue();
        conv.getOutputFakeQuant().enableFakeQuant(false);
        NDArray x = manager.create(new float[] {0.5f, 1f, -0.25f, 0f}, new Shape(1, 1, 2, 2));
        float[] y = run(qat, manager, x, false).toFloatArray();
        // bias 0.3 -> 0.25 and -0.2 -> -0.25 on the 0.125 grid; weights and input are on their
        // grids
        assertArrayEquals(
                new float[] {0.75f, 1.25f, 0f, 0.25f, -0.5f, -0.75f, -0.125f, -0.25f}, y, 1e-6f);
        assertArrayEquals(new float[] {0.125f}, conv.getBiasQParams().getScales(), 0f);
    }

    @Test
    void perChannelFoldedBiasMatchesManualComputation() {
        SequentialBlock net = QatTestNets.smallCnn();
        QatTestNets.init(net, manager, QatTestNets.INPUT);
        Block qat = Quantizer.quantizeQat(net, QConfigs.emaFakeQuantPerChannel());
        NDArray x = manager.randomNormal(QatTestNets.INPUT);
        run(qat, manager, x, false);
        ConvBnRelu2d conv = (ConvBnRelu2d) qat.getChildren().get(1).getValue();
        conv.getOutputFakeQuant().enableFakeQuant(false);
        Quantizer.enableObserver(qat, false);
        NDArray xq = FakeQuantOps.fakeQuantize(x, conv.getInputQParams());
        NDArray y = run(conv, manager, xq, false);

        QParams in = conv.getInputQParams();
        QParams w = conv.getWeightQParams();
        assertTrue(w.isPerChannel());
        QParams bias = conv.getBiasQParams();
        for (int c = 0; c < w.numChannels(); c++) {
            assertEquals((float) ((double) in.scale(0) * w.scale(c)), bias.scale(c), 0f);
        }
        BnFolding.Folded f = conv.foldedParameters(manager);
        NDArray expected =
                Activation.relu(
                        conv.getFloatBlock()
                                .convolve(
                                        xq,
                                        FakeQuantOps.fakeQuantize(f.weight(), w),
                                        FakeQuantOps.fakeQuantize(f.bias(), bias)));
        assertTrue(maxDiff(expected, y) < 1e-5f, "differs by " + maxDiff(expected, y));
        // and the bias rounding is visible against an unquantized bias
        NDArray unrounded =
                Activation.relu(
                        conv.getFloatBlock()
                                .convolve(xq, FakeQuantOps.fakeQuantize(f.weight(), w), f.bias()));
        assertTrue(maxDiff(unrounded, y) > 0f);
    }
}
