package io.djlquant.quantization.fakequant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.PairList;
import io.djlquant.quantization.QConfig;
import io.djlquant.quantization.QConfigs;
import io.djlquant.quantization.observer.MovingAverageMinMaxObserver;
import io.djlquant.quantization.observer.PerChannelMinMaxObserver;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantization.qparams.QScheme;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Fake-quant blocks as children of a QAT-style block: training, saving and reloading. */
class BlockTreeTest {

    private static NDManager manager;

    @BeforeAll
    static void setUp() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    /** A minimal linear layer wired the way the QAT blocks use this package (test fixture). */
    static final class TinyQatLinear extends AbstractBlock {
        final Parameter weight;
        final FakeQuantizeBase weightFq;
        final FakeQuantizeBase outFq;

        TinyQatLinear(FakeQuantizeBase weightFq, FakeQuantizeBase outFq) {
            super((byte) 1);
            weight =
                    addParameter(
                            Parameter.builder()
                                    .setName("weight")
                                    .setType(Parameter.Type.WEIGHT)
                                    .optShape(new Shape(2, 3))
                                    .optInitializer(new ConstantInitializer(0.3f))
                                    .build());
            this.weightFq = addChildBlock("weight_fq", weightFq);
            this.outFq = addChildBlock("out_fq", outFq);
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
            NDArray x = inputs.singletonOrThrow();
            NDArray w = weightFq.apply(ps, ps.getValue(weight, x.getDevice(), training), training);
            return new NDList(outFq.apply(ps, x.matMul(w.transpose()), training));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {new Shape(inputShapes[0].get(0), 2)};
        }

        @Override
        protected void initializeChildBlocks(NDManager m, DataType t, Shape... inputShapes) {
            weightFq.initialize(m, t, new Shape(2, 3));
            outFq.initialize(m, t, getOutputShapes(inputShapes));
        }
    }

    private static TinyQatLinear lsqBlock() {
        return new TinyQatLinear(
                new LsqFakeQuantize(
                        new PerChannelMinMaxObserver(
                                QDType.QINT8_NARROW, QScheme.PER_CHANNEL_SYMMETRIC)),
                new FakeQuantize(
                        new MovingAverageMinMaxObserver(QDType.QUINT8, QScheme.PER_TENSOR_AFFINE)));
    }

    @Test
    void trainSaveReload() throws Exception {
        TinyQatLinear block = lsqBlock();
        NDArray x = manager.create(new float[] {1f, -2f, 0.5f, 0.25f, 3f, -1f}, new Shape(2, 3));
        byte[] saved;
        float[] trainedOut;
        QParams weightQp;
        QParams outQp;
        try (Model model = Model.newInstance("tiny", "PyTorch")) {
            model.setBlock(block);
            DefaultTrainingConfig config =
                    new DefaultTrainingConfig(Loss.l2Loss())
                            .optOptimizer(
                                    Optimizer.sgd()
                                            .setLearningRateTracker(Tracker.fixed(0.01f))
                                            .build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(2, 3));
                // the learnable weight scale is a parameter of the block tree
                assertTrue(
                        block.getParameters().keys().stream().anyMatch(k -> k.contains("scale")),
                        block.getParameters().keys().toString());
                float scaleAfterInit = Float.NaN;
                for (int step = 0; step < 2; step++) {
                    try (GradientCollector gc = trainer.newGradientCollector()) {
                        NDArray y = trainer.forward(new NDList(x)).singletonOrThrow();
                        gc.backward(y.sub(1f).square().sum());
                    }
                    if (step == 0) {
                        scaleAfterInit = block.weightFq.getQParams().scale(0);
                    }
                    trainer.step();
                }
                // 0.3 / 127 was the observer's scale; training moved it
                assertEquals(0.3f / 127f, scaleAfterInit, 1e-8);
                assertNotEquals(scaleAfterInit, block.weightFq.getQParams().scale(0));
                block.outFq.enableObserver(false);
                trainedOut =
                        block.forward(new ParameterStore(manager, false), new NDList(x), false)
                                .singletonOrThrow()
                                .toFloatArray();
                weightQp = block.weightFq.getQParams();
                outQp = block.outFq.getQParams();
                ByteArrayOutputStream bos = new ByteArrayOutputStream();
                try (DataOutputStream os = new DataOutputStream(bos)) {
                    block.saveParameters(os);
                }
                saved = bos.toByteArray();
            }
        }

        TinyQatLinear reloaded = lsqBlock();
        try (DataInputStream is = new DataInputStream(new ByteArrayInputStream(saved))) {
            reloaded.loadParameters(manager, is);
        }
        assertEquals(weightQp, reloaded.weightFq.getQParams());
        assertEquals(outQp, reloaded.outFq.getQParams());
        float[] out =
                reloaded.forward(new ParameterStore(manager, false), new NDList(x), false)
                        .singletonOrThrow()
                        .toFloatArray();
        assertArrayEquals(trainedOut, out);
    }

    @Test
    void calibrationPresetOnlyObserves() {
        QConfig cal = QConfigs.calibration();
        TinyQatLinear block = new TinyQatLinear(cal.newWeightFakeQuant(), cal.newActFakeQuant());
        block.initialize(manager, DataType.FLOAT32, new Shape(2, 3));
        NDArray x = manager.create(new float[] {1f, -2f, 0.5f, 0.25f, 3f, -1f}, new Shape(2, 3));
        float[] y =
                block.forward(new ParameterStore(manager, false), new NDList(x), false)
                        .singletonOrThrow()
                        .toFloatArray();
        // float output unchanged: 0.3 * (1 - 2 + 0.5) = -0.15 and 0.3 * (0.25 + 3 - 1) = 0.675
        assertArrayEquals(new float[] {-0.15f, -0.15f, 0.675f, 0.675f}, y, 1e-6f);
        assertTrue(block.outFq.getObserver().hasObserved());
        assertTrue(block.weightFq.getQParams().isPerChannel());
    }
}
