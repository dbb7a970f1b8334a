package io.djlquant.quantization.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.basicmodelzoo.basic.Mlp;
import ai.djl.basicmodelzoo.cv.classification.LeNet;
import ai.djl.basicmodelzoo.cv.classification.MobileNetV2;
import ai.djl.basicmodelzoo.cv.classification.ResNetV1;
import ai.djl.basicmodelzoo.cv.classification.SqueezeNet;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.NoopTranslator;
import io.djlquant.dataset.FashionMnist;
import io.djlquant.nn.DequantStub;
import io.djlquant.nn.QuantStub;
import io.djlquant.nn.Residual;
import io.djlquant.quantization.QConfigs;
import io.djlquant.quantized.QuantizedModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models built with DJL's own API ({@code ai.djl.basicmodelzoo}), unmodified, go through prepare,
 * QAT conversion, calibration, int8 conversion, save and reload on JavaQuant, trained a little on
 * real Fashion-MNIST images.
 */
class PrepareDjlModelsTest {

    private static final int BATCH = 64;
    private static final int TRAIN_STEPS = 40;
    private static final int EVAL = 500;
    private static final int EVAL_BATCH = 100;
    private static final int CLASSES = FashionMnist.NUM_CLASSES;
    private static final Shape TRAIN_SHAPE = new Shape(BATCH, 1, 28, 28);

    /**
     * Measured on this host (Zen 5, DJL 0.36 PyTorch): 498/500 for ResNet-20 and 500/500 for the
     * MLP; int8 rounding flips the top-1 only where two logits are within a step or so, and 2 % of
     * the images leaves room for that without letting a broken conversion through.
     */
    private static final double MIN_Q_QFLOAT_AGREEMENT = 0.98;

    /** Measured QFloat minus Float: -3/500 (ResNet-20), 0/500 (MLP); 10 images of slack. */
    private static final double MAX_QFLOAT_DROP = 0.02;

    /** Chance is 10 %; 40 SGD steps reach 47 % (ResNet-20) and 72 % (MLP) here. */
    private static final double MIN_FLOAT_ACCURACY = 0.35;

    private static FashionMnist train;
    private static float[] evalImages;
    private static int[] evalLabels;

    @BeforeAll
    static void loadData() throws Exception {
        train =
                FashionMnist.builder()
                        .optUsage(Dataset.Usage.TRAIN)
                        .optLimit((long) BATCH * TRAIN_STEPS)
                        .setSampling(BATCH, true)
                        .build();
        train.prepare();
        FashionMnist test =
                FashionMnist.builder()
                        .optUsage(Dataset.Usage.TEST)
                        .optLimit(EVAL)
                        .setSampling(EVAL_BATCH, false)
                        .build();
        test.prepare();
        evalImages = new float[EVAL * 784];
        evalLabels = new int[EVAL];
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            for (int i = 0; i < EVAL; i++) {
                float[] x = test.get(m, i).getData().head().toFloatArray();
                System.arraycopy(x, 0, evalImages, i * 784, 784);
                evalLabels[i] = test.getLabel(i);
            }
        }
    }

    /** ResNet-20 (CIFAR layout, widths 16/32/64 at 28x28): prepared first, then trained. */
    @Test
    void resNetV1PreparedThenTrained(@TempDir Path dir) throws Exception {
        Engine.getEngine("PyTorch").setRandomSeed(17);
        Block djl =
                ResNetV1.builder()
                        .setImageShape(new Shape(1, 28, 28))
                        .setNumLayers(20)
                        .setOutSize(CLASSES)
                        .build();
        try (Model model = Model.newInstance("resnet20", "PyTorch")) {
            NDManager m = model.getNDManager();
            djl.initialize(m, DataType.FLOAT32, TRAIN_SHAPE);
            // prepare before training: the fused convolutions avoid the host's oneDNN defect
            Block prepared = Quantizer.prepare(djl, m, TRAIN_SHAPE);
            assertBracketed(prepared);
            assertEquals(
                    9, BlockTree.find(prepared, Residual.class).size(), "residual joins found");
            model.setBlock(prepared);
            trainSgd(model);
            endToEnd("resnet20", prepared, m, dir);
        }
    }

    /**
     * DJL's MobileNetV2 (depthwise convolutions, inverted residuals, a 1x1 convolution as the
     * classifier between two reshapes), prepared first, then trained; widths reduced with the
     * builder's own option so the test stays quick.
     */
    @Test
    void mobileNetV2PreparedThenTrained(@TempDir Path dir) throws Exception {
        Engine.getEngine("PyTorch").setRandomSeed(19);
        Block djl =
                MobileNetV2.builder()
                        .optFilters(new int[] {16, 8, 16, 16, 32, 48, 80, 160, 320})
                        .setOutSize(CLASSES)
                        .build();
        try (Model model = Model.newInstance("mobilenetv2", "PyTorch")) {
            NDManager m = model.getNDManager();
            djl.initialize(m, DataType.FLOAT32, TRAIN_SHAPE);
            // the fused tree computes what DJL's does (ReLU6 was once taken for ReLU here)
            io.djlquant.nn.FuseResult fused =
                    io.djlquant.nn.Fuser.fuseWithReport(djl, m, TRAIN_SHAPE);
            assertTrue(fused.getReport().getMaxAbsDiff() < 1e-4, fused.getReport().toString());
            Block prepared = Quantizer.prepare(djl, m, TRAIN_SHAPE);
            assertBracketed(prepared);
            assertEquals(
                    10,
                    BlockTree.find(prepared, Residual.class).size(),
                    "inverted residuals found");
            assertEquals(
                    36,
                    BlockTree.find(prepared, io.djlquant.nn.FusedConv2d.class).values().stream()
                            .filter(io.djlquant.nn.FusedConv2d::hasRelu6)
                            .count(),
                    "ReLU6 convolutions");
            assertEquals(
                    1,
                    BlockTree.find(prepared, io.djlquant.nn.Unflatten.class).size(),
                    "the reshape to 1x1");
            long depthwise =
                    BlockTree.find(prepared, io.djlquant.nn.FusedConv2d.class).values().stream()
                            .filter(c -> c.getGroups() > 1)
                            .count();
            assertEquals(17, depthwise, "depthwise convolutions");
            model.setBlock(prepared);
            // plain SGD barely moves this net in 40 steps (chance level): Adam, two passes
            train(model, Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.005f)).build(), 2);
            endToEnd("mobilenetv2", prepared, m, dir);
        }
    }

    /**
     * DJL's SqueezeNet: fire modules whose two expand branches are joined by channel concatenation
     * (a ParallelBlock), ceil-mode max pools and a dropout. Prepared and converted to int8 (the
     * network is too slow to train in a unit test; {@link #fireNetPreparedThenTrained} trains the
     * same constructs).
     */
    @Test
    void squeezeNetPreparesAndConverts() throws Exception {
        Engine.getEngine("PyTorch").setRandomSeed(20);
        Block djl = SqueezeNet.squeezenet(CLASSES);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Shape in = new Shape(2, 1, 28, 28);
            djl.initialize(m, DataType.FLOAT32, in);
            io.djlquant.nn.FuseResult fused = io.djlquant.nn.Fuser.fuseWithReport(djl, m, in);
            assertTrue(fused.getReport().getMaxAbsDiff() < 1e-4, fused.getReport().toString());
            Block prepared = Quantizer.prepare(djl, m, in);
            assertBracketed(prepared);
            assertEquals(
                    8,
                    BlockTree.find(prepared, io.djlquant.nn.Branches.class).size(),
                    "fire modules found");
            Block qfloat = Quantizer.quantizeQat(prepared, QConfigs.calibration());
            Quantizer.calibrate(qfloat, train, m, 1);
            Block q = Quantizer.quantize(qfloat);
            assertEquals(8, BlockTree.find(q, io.djlquant.quantized.Branches.class).size());
        }
    }

    /**
     * A small SqueezeNet-style network written with DJL's own blocks (Conv2d, BatchNorm, relu,
     * ceil-mode max pools, ParallelBlocks that concatenate a 1x1 and a 3x3 expand branch, a
     * dropout), prepared first, then trained.
     */
    @Test
    void fireNetPreparedThenTrained(@TempDir Path dir) throws Exception {
        Engine.getEngine("PyTorch").setRandomSeed(21);
        SequentialBlock djl =
                new SequentialBlock()
                        .add(convBnRelu(16, 3))
                        .add(
                                Pool.maxPool2dBlock(
                                        new Shape(3, 3), new Shape(2, 2), new Shape(0, 0), true))
                        .add(fire(8, 16))
                        .add(
                                Pool.maxPool2dBlock(
                                        new Shape(3, 3), new Shape(2, 2), new Shape(0, 0), true))
                        .add(fire(16, 32))
                        .add(Dropout.builder().optRate(0.2f).build())
                        .add(Pool.globalAvgPool2dBlock())
                        .add(Linear.builder().setUnits(CLASSES).build());
        try (Model model = Model.newInstance("firenet", "PyTorch")) {
            NDManager m = model.getNDManager();
            djl.initialize(m, DataType.FLOAT32, TRAIN_SHAPE);
            Block prepared = Quantizer.prepare(djl, m, TRAIN_SHAPE);
            assertBracketed(prepared);
            assertEquals(
                    2,
                    BlockTree.find(prepared, io.djlquant.nn.Branches.class).size(),
                    "fire modules found");
            model.setBlock(prepared);
            trainSgd(model);
            endToEnd("firenet", prepared, m, dir);
        }
    }

    private static SequentialBlock convBnRelu(int filters, int kernel) {
        return new SequentialBlock()
                .add(
                        Conv2d.builder()
                                .setKernelShape(new Shape(kernel, kernel))
                                .setFilters(filters)
                                .optPadding(new Shape(kernel / 2, kernel / 2))
                                .build())
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock());
    }

    /**
     * SqueezeNet's fire module with batch norm: squeeze 1x1, then 1x1 and 3x3 expands side by side.
     */
    private static SequentialBlock fire(int squeeze, int expand) {
        ParallelBlock expands =
                new ParallelBlock(
                        outs ->
                                new NDList(
                                        NDArrays.concat(
                                                new NDList(outs.get(0).head(), outs.get(1).head()),
                                                1)),
                        List.of(convBnRelu(expand, 1), convBnRelu(expand, 3)));
        return new SequentialBlock().add(convBnRelu(squeeze, 1)).add(expands);
    }

    /** DJL's Mlp, trained first as a plain DJL model, then prepared. */
    @Test
    void mlpTrainedThenPrepared(@TempDir Path dir) throws Exception {
        Engine.getEngine("PyTorch").setRandomSeed(18);
        Mlp djl = new Mlp(784, CLASSES, new int[] {128, 64});
        try (Model model = Model.newInstance("mlp", "PyTorch")) {
            NDManager m = model.getNDManager();
            model.setBlock(djl);
            trainSgd(model);
            Block prepared = Quantizer.prepare(djl, m, TRAIN_SHAPE);
            assertBracketed(prepared);
            endToEnd("mlp", prepared, m, dir);
        }
    }

    /**
     * A block with no int8 form (an unknown lambda) stays in float between a dequantization and a
     * quantization: the model prepares, converts and runs; saving names the block that has no Java
     * float form, and writes nothing.
     */
    @Test
    void unknownBlockStaysInFloat(@TempDir Path dir) {
        SequentialBlock net = new SequentialBlock();
        net.add(Linear.builder().setUnits(8).build());
        net.add(LambdaBlock.singleton(x -> x.mul(2).add(1), "affine"));
        net.add(Linear.builder().setUnits(3).build());
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Shape in = new Shape(2, 4);
            net.initialize(m, DataType.FLOAT32, in);
            Block prepared = Quantizer.prepare(net, m, in);
            assertBracketed(prepared);
            Map<String, io.djlquant.nn.KeepFloat> kept =
                    BlockTree.find(prepared, io.djlquant.nn.KeepFloat.class);
            assertEquals(1, kept.size(), kept.toString());
            assertInstanceOf(LambdaBlock.class, kept.values().iterator().next().getBlock());

            Block qfloat = Quantizer.quantizeQat(prepared, QConfigs.calibration());
            assertEquals(1, BlockTree.find(qfloat, io.djlquant.qat.FloatFallback.class).size());
            NDArray x = m.randomNormal(new Shape(16, 4));
            ParameterStore ps = new ParameterStore(m, false);
            qfloat.forward(ps, new NDList(x), false);
            Quantizer.enableObserver(qfloat, false);
            Block q = Quantizer.quantize(qfloat);
            NDArray expected = net.forward(ps, new NDList(x), false).head();
            NDArray actual = q.forward(ps, new NDList(x), false).head();
            float range = expected.abs().max().getFloat();
            // int8 input, weights and activations around the float affine: within a few percent
            assertTrue(
                    expected.sub(actual).abs().max().getFloat() < 0.05f * range + 1e-3f,
                    expected + " vs " + actual);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> QuantizedModels.save(q, dir.resolve("affine.jq"), Map.of()));
            assertTrue(e.getMessage().contains("LambdaBlock"), e.getMessage());
            assertTrue(!java.nio.file.Files.exists(dir.resolve("affine.jq")), "nothing written");

            SequentialBlock stubbed = new SequentialBlock().add(new QuantStub());
            stubbed.add(Linear.builder().setUnits(8).build());
            stubbed.initialize(m, DataType.FLOAT32, in);
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> Quantizer.prepare(stubbed, m, in));
            assertTrue(e.getMessage().contains("already holds a QuantStub"), e.getMessage());
        }
    }

    /**
     * DJL's LeNet uses sigmoid, which has no int8 form: its convolutions and linear layers are
     * quantized, the sigmoids run in float between them, and the model saves and runs on JavaQuant.
     */
    @Test
    void djlLeNetKeepsItsSigmoidsInFloat(@TempDir Path dir) throws Exception {
        Engine.getEngine("PyTorch").setRandomSeed(22);
        Block lenet =
                LeNet.builder()
                        .setNumChannels(new int[] {16, 16, 32, 32})
                        .setOutSize(CLASSES)
                        .build();
        try (Model model = Model.newInstance("lenet", "PyTorch")) {
            NDManager m = model.getNDManager();
            lenet.initialize(m, DataType.FLOAT32, TRAIN_SHAPE);
            io.djlquant.nn.FuseResult fused =
                    io.djlquant.nn.Fuser.fuseWithReport(lenet, m, TRAIN_SHAPE);
            assertTrue(fused.getReport().isComplete(), fused.getReport().toString());
            Block prepared = Quantizer.prepare(lenet, m, TRAIN_SHAPE);
            assertBracketed(prepared);
            assertEquals(
                    4, BlockTree.find(prepared, io.djlquant.nn.Sigmoid.class).size(), "sigmoids");
            model.setBlock(prepared);
            train(model, Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.005f)).build(), 2);
            endToEnd("lenet", prepared, m, dir);
        }
    }

    private static void assertBracketed(Block prepared) {
        List<Block> kids = prepared.getChildren().values();
        assertInstanceOf(QuantStub.class, kids.get(0));
        assertInstanceOf(DequantStub.class, kids.get(kids.size() - 1));
        // without stubs quantizeQat refused these trees ("insert a QuantStub")
        assertEquals(1, BlockTree.find(prepared, QuantStub.class).size());
    }

    private static void trainSgd(Model model) throws Exception {
        train(
                model,
                Optimizer.sgd()
                        .setLearningRateTracker(Tracker.fixed(0.05f))
                        .optMomentum(0.9f)
                        .build(),
                1);
    }

    private static void train(Model model, Optimizer optimizer, int passes) throws Exception {
        DefaultTrainingConfig cfg =
                new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(optimizer);
        try (Trainer trainer = model.newTrainer(cfg)) {
            trainer.initialize(TRAIN_SHAPE);
            for (int pass = 0; pass < passes; pass++) {
                for (Batch batch : trainer.iterateDataset(train)) {
                    try (batch;
                            GradientCollector gc = trainer.newGradientCollector()) {
                        NDList pred = trainer.forward(batch.getData());
                        gc.backward(trainer.getLoss().evaluate(batch.getLabels(), pred));
                    }
                    trainer.step();
                }
            }
        }
    }

    /**
     * QAT conversion, calibration, int8, save, reload; checks top-1 of Q (reloaded) vs QFloat and
     * QFloat vs Float on the evaluation images.
     */
    private static void endToEnd(String name, Block floatNet, NDManager m, Path dir)
            throws Exception {
        Block qfloat = Quantizer.quantizeQat(floatNet, QConfigs.calibration());
        Quantizer.calibrate(qfloat, train, m, 8);
        Block q = Quantizer.quantize(qfloat);
        QuantizedModels.save(q, dir.resolve(name + ".jq"), Map.of("classes", "10"));

        float[] fl = forwardAll(floatNet, m);
        float[] qf = forwardAll(qfloat, m);
        float[] jq;
        try (Model loaded = Model.newInstance(name, "JavaQuant")) {
            loaded.load(dir);
            jq = predictAll(loaded);
        }
        int agree = 0;
        int accFloat = 0;
        int accQFloat = 0;
        int accQ = 0;
        for (int i = 0; i < EVAL; i++) {
            int q1 = argmax(jq, i);
            int qf1 = argmax(qf, i);
            agree += q1 == qf1 ? 1 : 0;
            accFloat += argmax(fl, i) == evalLabels[i] ? 1 : 0;
            accQFloat += qf1 == evalLabels[i] ? 1 : 0;
            accQ += q1 == evalLabels[i] ? 1 : 0;
        }
        System.out.printf(
                "%s: top-1 on %d test images Float %d, QFloat %d, Q (reloaded, JavaQuant) %d;"
                        + " Q vs QFloat agreement %d/%d%n",
                name, EVAL, accFloat, accQFloat, accQ, agree, EVAL);
        // the few training steps must have taught the float model something
        assertTrue(
                accFloat >= MIN_FLOAT_ACCURACY * EVAL,
                name + " float model did not learn: " + accFloat);
        assertTrue(
                agree >= MIN_Q_QFLOAT_AGREEMENT * EVAL, name + " Q vs QFloat agreement " + agree);
        assertTrue(
                accQFloat >= accFloat - MAX_QFLOAT_DROP * EVAL,
                name + " QFloat " + accQFloat + " vs Float " + accFloat);
    }

    private static float[] forwardAll(Block b, NDManager m) {
        float[] out = new float[EVAL * CLASSES];
        for (int i = 0; i < EVAL; i += EVAL_BATCH) {
            try (NDManager scope = m.newSubManager()) {
                NDArray x = scope.create(chunk(i), new Shape(EVAL_BATCH, 1, 28, 28));
                NDArray y =
                        b.forward(new ParameterStore(scope, false), new NDList(x), false).head();
                System.arraycopy(y.toFloatArray(), 0, out, i * CLASSES, EVAL_BATCH * CLASSES);
            }
        }
        return out;
    }

    private static float[] predictAll(Model model) throws Exception {
        float[] out = new float[EVAL * CLASSES];
        try (Predictor<NDList, NDList> p = model.newPredictor(new NoopTranslator());
                NDManager jq = Engine.getEngine("JavaQuant").newBaseManager()) {
            for (int i = 0; i < EVAL; i += EVAL_BATCH) {
                NDArray x = jq.create(chunk(i), new Shape(EVAL_BATCH, 1, 28, 28));
                float[] y = p.predict(new NDList(x)).singletonOrThrow().toFloatArray();
                System.arraycopy(y, 0, out, i * CLASSES, y.length);
            }
        }
        return out;
    }

    private static float[] chunk(int first) {
        return java.util.Arrays.copyOfRange(evalImages, first * 784, (first + EVAL_BATCH) * 784);
    }

    private static int argmax(float[] logits, int row) {
        int best = 0;
        for (int c = 1; c < CLASSES; c++) {
            if (logits[row * CLASSES + c] > logits[row * CLASSES + best]) {
                best = c;
            }
        }
        return best;
    }
}
