package io.djlquant.quantized;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.djlquant.nn.Residual;
import io.djlquant.quantization.QConfig;
import io.djlquant.quantization.QConfigs;
import io.djlquant.quantization.convert.LayerComparison;
import io.djlquant.quantization.convert.QConfigOverrides;
import io.djlquant.quantization.convert.Quantizer;
import io.djlquant.quantization.fakequant.FakeQuantizeBase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Quantizer#compare}: the per-layer report of the small residual CNN finds the one layer
 * given 4 bits, shows Q computing what QFloat predicts at every layer, and leaves the QFloat tree's
 * state as it was.
 */
class LayerComparisonTest {

    private static final int BATCH = 64;
    private static final Shape INPUT = new Shape(BATCH, 1, SmallCnn.SIDE, SmallCnn.SIDE);

    /** SmallCnn's layers in execution order (identity shortcut not tapped). */
    private static final int LAYERS = 13;

    @Test
    void findsTheLowBitLayerAndQMatchesQFloat() {
        float[][] protos = SmallCnn.prototypes(42);
        try (NDManager pt = NDManager.newBaseManager("PyTorch")) {
            SequentialBlock net = SmallCnn.build();
            net.initialize(pt, DataType.FLOAT32, INPUT);
            List<NDArray> batches = batches(pt, protos, 2, 900);

            LayerComparison plain =
                    quantizeAndCompare(net, QConfigOverrides.none(), pt, protos, batches);
            System.out.print(plain.table());
            assertEquals(LAYERS, plain.layers().size());
            assertEquals(2 * BATCH, plain.images());
            assertEquals("QuantStub", plain.layers().get(0).block());
            assertEquals("DequantStub", plain.layers().get(LAYERS - 1).block());
            for (LayerComparison.Layer l : plain.layers()) {
                // the int8 engine computes what QFloat predicts: within a step or two at every
                // layer
                assertTrue(
                        l.qVsQfloat().exact() || l.qVsQfloat().sqnrDb() > 30,
                        l.path() + " Q/QFloat " + l.qVsQfloat());
                // 8 bits everywhere: no layer loses much against float
                assertTrue(
                        l.qfloatVsFloat().sqnrDb() > 15,
                        l.path() + " QFloat/Float " + l.qfloatVsFloat());
                assertEquals(l.block(), l.qBlock(), "the three forms have the same layers");
            }
            JsonObject json = JsonParser.parseString(plain.json()).getAsJsonObject();
            assertEquals(LAYERS, json.getAsJsonArray("layers").size());
            assertEquals(2 * BATCH, json.get("images").getAsInt());

            // one conv with 4-bit weights and activations: the report must point at it
            Block target =
                    ((SequentialBlock) ((Residual) net.getChildren().get(4).getValue()).getMain())
                            .getChildren()
                            .get(0)
                            .getValue();
            LayerComparison lowBit =
                    quantizeAndCompare(
                            net,
                            QConfigOverrides.none().forBlock(target, QConfigs.emaLowBit()),
                            pt,
                            protos,
                            batches);
            System.out.print(lowBit.table());
            LayerComparison.Layer drop = lowBit.largestDrop();
            assertTrue(
                    drop.path().endsWith("01ConvBnRelu2d") && drop.path().contains("05Residual"),
                    "largest drop at " + drop.path());
            int at = indexOf(lowBit, drop.path());
            double before = plain.layers().get(at).qfloatVsFloat().sqnrDb();
            double after = lowBit.layers().get(at).qfloatVsFloat().sqnrDb();
            assertTrue(
                    before - after > 10,
                    "4 bits cost " + (before - after) + " dB at " + drop.path());
            assertTrue(
                    lowBit.layers().get(at).qVsQfloat().sqnrDb() > 20,
                    "Q still matches QFloat at 4 bits");
            assertTrue(lowBit.table().contains("largest QFloat/Float SQNR drop at " + drop.path()));
        }
    }

    @Test
    void keepsTheQFloatStateAndRejectsOtherNetworks() {
        float[][] protos = SmallCnn.prototypes(43);
        try (NDManager pt = NDManager.newBaseManager("PyTorch")) {
            SequentialBlock net = SmallCnn.build();
            net.initialize(pt, DataType.FLOAT32, INPUT);
            Block qat = Quantizer.quantizeQat(net, QConfigs.emaFakeQuantPerChannel());
            calibrate(qat, pt, protos);
            Block q = Quantizer.quantize(qat);
            List<NDArray> batches = batches(pt, protos, 1, 700);

            // observers on (as during QAT): compare must not move the quantization parameters
            Quantizer.enableObserver(qat, true);
            Map<String, FakeQuantizeBase> fqs = Quantizer.findFakeQuants(qat);
            List<String> before = new ArrayList<>();
            for (FakeQuantizeBase fq : fqs.values()) {
                before.add(fq.getQParams().toString());
            }
            Quantizer.compare(net, qat, q, batches);
            int i = 0;
            for (FakeQuantizeBase fq : fqs.values()) {
                assertTrue(fq.isObserverEnabled(), "observer state restored");
                assertEquals(
                        before.get(i++), fq.getQParams().toString(), "compare must not observe");
            }

            SequentialBlock other =
                    new SequentialBlock()
                            .add(new io.djlquant.nn.QuantStub())
                            .add(new io.djlquant.nn.DequantStub());
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> Quantizer.compare(other, qat, q, batches));
            assertTrue(e.getMessage().contains("three forms of one network"), e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> Quantizer.compare(net, qat, q, List.of()));
            assertTrue(e.getMessage().contains("at least one input batch"), e.getMessage());
            assertFalse(fqs.isEmpty());
        }
    }

    private static LayerComparison quantizeAndCompare(
            Block net,
            QConfigOverrides overrides,
            NDManager pt,
            float[][] protos,
            List<NDArray> batches) {
        QConfig base = QConfigs.emaFakeQuantPerChannel();
        Block qat = Quantizer.quantizeQat(net, base, overrides);
        calibrate(qat, pt, protos);
        Block q = Quantizer.quantize(qat);
        return Quantizer.compare(net, qat, q, batches);
    }

    private static void calibrate(Block qat, NDManager pt, float[][] protos) {
        Quantizer.enableObserver(qat, true);
        Quantizer.enableFakeQuant(qat, false);
        for (NDArray x : batches(pt, protos, 3, 5000)) {
            QTests.run(qat, pt, x);
        }
        Quantizer.enableObserver(qat, false);
        Quantizer.enableFakeQuant(qat, true);
    }

    private static List<NDArray> batches(NDManager m, float[][] protos, int count, long seed) {
        List<NDArray> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] labels = new float[BATCH];
            out.add(m.create(SmallCnn.images(protos, BATCH, seed + i, labels), INPUT));
        }
        return out;
    }

    private static int indexOf(LayerComparison c, String path) {
        for (int i = 0; i < c.layers().size(); i++) {
            if (c.layers().get(i).path().equals(path)) {
                return i;
            }
        }
        throw new AssertionError("no layer " + path);
    }
}
