package io.djlquant.quantization.convert;

import static io.djlquant.qat.QatTestNets.maxDiff;
import static io.djlquant.qat.QatTestNets.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.translate.Batchifier;
import io.djlquant.nn.ElementWise;
import io.djlquant.nn.PlainLinear;
import io.djlquant.nn.QuantStub;
import io.djlquant.qat.FloatFallback;
import io.djlquant.qat.QatTestNets;
import io.djlquant.quantization.QConfigs;
import io.djlquant.quantization.fakequant.FakeQuantizeBase;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** quantizeQat conversion errors and overrides, calibration, and save/load of a QFloat tree. */
class QuantizerTest {

    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private List<Batch> batches(int n) {
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            NDArray x = manager.randomNormal(QatTestNets.INPUT);
            out.add(
                    new Batch(
                            manager,
                            new NDList(x),
                            new NDList(),
                            4,
                            Batchifier.STACK,
                            Batchifier.STACK,
                            i,
                            n));
        }
        return out;
    }

    private SequentialBlock initializedCnn() {
        SequentialBlock net = QatTestNets.smallCnn();
        QatTestNets.init(net, manager, QatTestNets.INPUT);
        return net;
    }

    @Test
    void calibrationFixesFiniteScalesEverywhere() {
        SequentialBlock net = initializedCnn();
        Block qat = Quantizer.quantizeQat(net, QConfigs.calibration());
        Map<String, FakeQuantizeBase> fqs = Quantizer.findFakeQuants(qat);
        // 3 convs and 1 linear (weight + output), quant stub, join
        assertEquals(10, fqs.size(), fqs.keySet().toString());
        NDArray x = manager.randomNormal(QatTestNets.INPUT);
        NDArray floatOut = run(net, manager, x, false);
        Quantizer.calibrate(qat, batches(3), 2);
        for (Map.Entry<String, FakeQuantizeBase> e : fqs.entrySet()) {
            FakeQuantizeBase fq = e.getValue();
            assertTrue(fq.isFakeQuantEnabled(), e.getKey());
            assertFalse(fq.isObserverEnabled(), e.getKey());
            for (float s : fq.getQParams().getScales()) {
                assertTrue(Float.isFinite(s) && s > 0f, e.getKey() + " scale " + s);
            }
        }
        // the calibrated model is close to the float one, but quantized
        NDArray q = run(qat, manager, x, false);
        float d = maxDiff(floatOut, q);
        float range = floatOut.abs().max().getFloat();
        assertTrue(d > 0f && d < 0.2f * range, "diff " + d + " for output range " + range);
    }

    @Test
    void calibrateOverDataset() throws Exception {
        SequentialBlock net = initializedCnn();
        Block qat = Quantizer.quantizeQat(net, QConfigs.calibration());
        NDArray data = manager.randomNormal(new Shape(12, 3, 8, 8));
        ArrayDataset ds =
                new ArrayDataset.Builder()
                        .setData(data)
                        .optLabels(manager.zeros(new Shape(12)))
                        .setSampling(4, false)
                        .build();
        Quantizer.calibrate(qat, ds, manager, Integer.MAX_VALUE);
        for (FakeQuantizeBase fq : Quantizer.findFakeQuants(qat).values()) {
            assertTrue(fq.getObserver().hasObserved());
        }
    }

    @Test
    void emptyCalibrationSetIsRejected() {
        Block qat = Quantizer.quantizeQat(initializedCnn(), QConfigs.calibration());
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Quantizer.calibrate(qat, Collections.emptyList(), 10));
        assertTrue(e.getMessage().contains("calibration set is empty"), e.getMessage());
    }

    @Test
    void nanInputNamesTheBlock() {
        Block qat = Quantizer.quantizeQat(initializedCnn(), QConfigs.calibration());
        NDArray x = manager.randomNormal(QatTestNets.INPUT);
        x.set(new ai.djl.ndarray.index.NDIndex("0, 0, 0, 0"), Float.NaN);
        Batch b =
                new Batch(
                        manager,
                        new NDList(x),
                        new NDList(),
                        4,
                        Batchifier.STACK,
                        Batchifier.STACK,
                        0,
                        1);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Quantizer.calibrate(qat, List.of(b), 1));
        assertTrue(e.getMessage().contains("'01QuantStub'"), e.getMessage());
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    }

    @Test
    void unsupportedBlocksNameThePathAndTheWaysOut() {
        SequentialBlock lambda = new SequentialBlock().add(new QuantStub()).add(x -> x);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Quantizer.quantizeQat(lambda, QConfigs.emaFakeQuant()));
        String msg = e.getMessage();
        assertTrue(msg.contains("'02LambdaBlock'"), msg);
        assertTrue(msg.contains(LambdaBlock.class.getName()), msg);
        assertTrue(msg.contains("QatMappings.register"), msg);
        assertTrue(msg.contains("QConfigOverrides"), msg);

        SequentialBlock raw =
                new SequentialBlock()
                        .add(new QuantStub())
                        .add(
                                Conv2d.builder()
                                        .setKernelShape(new Shape(3, 3))
                                        .setFilters(2)
                                        .build());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Quantizer.quantizeQat(raw, QConfigs.emaFakeQuant()));
        assertTrue(
                e.getMessage().contains("'02Conv2d'") && e.getMessage().contains("Fuser"),
                e.getMessage());

        // both ways out work: leave it in float, or register a mapping
        Block kept =
                Quantizer.quantizeQat(
                        lambda,
                        QConfigs.emaFakeQuant(),
                        new QConfigOverrides().forPath("02LambdaBlock", null));
        assertInstanceOf(FloatFallback.class, kept.getChildren().get(1).getValue());
        Block mapped =
                Quantizer.quantizeQat(
                        lambda,
                        QConfigs.emaFakeQuant(),
                        QConfigOverrides.none(),
                        QatMappings.defaults().registerPassThrough(LambdaBlock.class));
        assertInstanceOf(LambdaBlock.class, mapped.getChildren().get(1).getValue());
    }

    @Test
    void floatActivationIntoQuantizedLayerAsksForQuantStub() {
        SequentialBlock net = new SequentialBlock().add(PlainLinear.builder().setUnits(2).build());
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Quantizer.quantizeQat(net, QConfigs.emaFakeQuant()));
        assertTrue(e.getMessage().contains("'01PlainLinear'"), e.getMessage());
        assertTrue(e.getMessage().contains("insert a QuantStub"), e.getMessage());

        SequentialBlock join =
                new SequentialBlock()
                        .add(new QuantStub())
                        .add(new ElementWise(ElementWise.Mode.ADD));
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Quantizer.quantizeQat(join, QConfigs.emaFakeQuant()));
        assertTrue(e.getMessage().contains("'02ElementWise'"), e.getMessage());
    }

    @Test
    void overrideKeepsABlockInFloat() {
        SequentialBlock net = initializedCnn();
        Block linear = net.getChildren().get(5).getValue();
        Block qat =
                Quantizer.quantizeQat(
                        net, QConfigs.calibration(), Collections.singletonMap(linear, null));
        FloatFallback fb = (FloatFallback) qat.getChildren().get(5).getValue();
        assertTrue(fb.getFloatBlock() == linear);
        // it is wired to the pool's producer (the residual join), and produces its own output fq
        assertTrue(fb.getInputQuantizer() != null);
        assertEquals(fb.getOutputFakeQuant(), fb.getOutputQuantizer());
        NDArray x = manager.randomNormal(QatTestNets.INPUT);
        Quantizer.calibrate(qat, batches(2), 2);
        // no weight fake quant for the float linear: 3 convs (2 each) + stub + join + fallback
        // output
        assertEquals(9, Quantizer.findFakeQuants(qat).size());
        QatTestNets.assertOnGrid(run(qat, manager, x, false), fb.getOutputQParams(), "fallback");

        // a type rule: every PlainLinear in float; with fake quant off it equals the float model
        Block qat2 =
                Quantizer.quantizeQat(
                        net,
                        QConfigs.calibration(),
                        new QConfigOverrides().forType(PlainLinear.class, null));
        assertInstanceOf(FloatFallback.class, qat2.getChildren().get(5).getValue());
        assertTrue(maxDiff(run(net, manager, x, false), run(qat2, manager, x, false)) < 1e-5f);
    }

    @Test
    void saveLoadRoundTripOfCalibratedTree() throws Exception {
        SequentialBlock net = initializedCnn();
        Block qat = Quantizer.quantizeQat(net, QConfigs.calibration());
        Quantizer.calibrate(qat, batches(2), 2);
        NDArray x = manager.randomNormal(QatTestNets.INPUT);
        float[] expected = run(qat, manager, x, false).toFloatArray();
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (DataOutputStream os = new DataOutputStream(bos)) {
            qat.saveParameters(os);
        }

        // a fresh, never initialized float model converted the same way, then loaded
        Block fresh = Quantizer.quantizeQat(QatTestNets.smallCnn(), QConfigs.calibration());
        try (DataInputStream is =
                new DataInputStream(new ByteArrayInputStream(bos.toByteArray()))) {
            fresh.loadParameters(manager, is);
        }
        assertArrayEquals(expected, run(fresh, manager, x, false).toFloatArray(), 0f);
        Map<String, FakeQuantizeBase> a = Quantizer.findFakeQuants(qat);
        Map<String, FakeQuantizeBase> b = Quantizer.findFakeQuants(fresh);
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertEquals(a.get(k).getQParams(), b.get(k).getQParams(), k);
            assertEquals(a.get(k).isFakeQuantEnabled(), b.get(k).isFakeQuantEnabled(), k);
        }
    }

    @Test
    void initializedFloatGivesInitializedQatTree() {
        SequentialBlock net = initializedCnn();
        Block qat = Quantizer.quantizeQat(net, QConfigs.emaFakeQuant());
        assertTrue(qat.isInitialized());
        assertEquals(
                DataType.FLOAT32, net.getParameters().get(0).getValue().getArray().getDataType());
    }
}
