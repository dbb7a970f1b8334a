package io.djlquant.quantization.convert;

import ai.djl.Model;
import ai.djl.basicmodelzoo.cv.classification.MobileNetV2;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
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
import io.djlquant.dataset.FashionMnist;
import java.util.ArrayList;
import java.util.List;

/**
 * Small networks trained briefly on real Fashion-MNIST for the PTQ algorithm tests, and image
 * batches from the train split (calibration) and the test split (held out).
 */
final class PtqTestNets {

    static final int BATCH = 64;
    static final Shape INPUT = new Shape(BATCH, 1, 28, 28);

    private PtqTestNets() {}

    /**
     * conv3x3(16)+BN+ReLU, depthwise3x3+BN+ReLU, pointwise(32)+BN+ReLU, depthwise3x3 stride 2
     * +BN+ReLU, pointwise(32)+BN, global pool, linear: depthwise/pointwise chains with plain ReLU.
     */
    static Block depthwiseNet() {
        SequentialBlock b = new SequentialBlock();
        conv(b, 16, 3, 1, 1, true);
        conv(b, 16, 3, 1, 16, true);
        conv(b, 32, 1, 1, 1, true);
        conv(b, 32, 3, 2, 32, true);
        conv(b, 32, 1, 1, 1, false);
        b.add(Pool.globalAvgPool2dBlock());
        b.add(Blocks.batchFlattenBlock());
        b.add(Linear.builder().setUnits(FashionMnist.NUM_CLASSES).build());
        return b;
    }

    private static void conv(
            SequentialBlock b, int filters, int k, int stride, int groups, boolean relu) {
        b.add(
                Conv2d.builder()
                        .setKernelShape(new Shape(k, k))
                        .setFilters(filters)
                        .optStride(new Shape(stride, stride))
                        .optPadding(new Shape(k / 2, k / 2))
                        .optGroups(groups)
                        .optBias(false)
                        .build());
        b.add(BatchNorm.builder().build());
        if (relu) {
            b.add(Activation::relu);
        }
    }

    /** DJL's MobileNetV2 with the narrow widths of PrepareDjlModelsTest. */
    static Block mobileNetV2() {
        return MobileNetV2.builder()
                .optFilters(new int[] {16, 8, 16, 16, 32, 48, 80, 160, 320})
                .setOutSize(FashionMnist.NUM_CLASSES)
                .build();
    }

    /**
     * Initializes, prepares (fuses) and trains a DJL tree with Adam on the first {@code steps}
     * batches of the train split.
     *
     * @return the prepared float tree, set as the model's block
     */
    static Block prepareAndTrain(Model model, Block djl, int steps) throws Exception {
        NDManager m = model.getNDManager();
        djl.initialize(m, DataType.FLOAT32, INPUT);
        Block net = Quantizer.prepare(djl, m, INPUT);
        model.setBlock(net);
        FashionMnist train =
                FashionMnist.builder()
                        .optUsage(Dataset.Usage.TRAIN)
                        .optLimit((long) BATCH * steps)
                        .setSampling(BATCH, true)
                        .build();
        train.prepare();
        DefaultTrainingConfig cfg =
                new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                        .optOptimizer(
                                Optimizer.adam()
                                        .optLearningRateTracker(Tracker.fixed(0.003f))
                                        .build());
        try (Trainer trainer = model.newTrainer(cfg)) {
            trainer.initialize(INPUT);
            for (Batch batch : trainer.iterateDataset(train)) {
                try (batch;
                        GradientCollector gc = trainer.newGradientCollector()) {
                    NDList pred = trainer.forward(batch.getData());
                    gc.backward(trainer.getLoss().evaluate(batch.getLabels(), pred));
                }
                trainer.step();
            }
        }
        return net;
    }

    /**
     * Reads images as batches of {@link #BATCH}, skipping the first {@code skip} of the split.
     *
     * @return the batches (with their labels in {@code labels} if not null), owned by {@code m}
     */
    static List<NDArray> images(
            NDManager m, Dataset.Usage usage, int skip, int count, List<Integer> labels)
            throws Exception {
        FashionMnist ds =
                FashionMnist.builder()
                        .optUsage(usage)
                        .optLimit((long) skip + count)
                        .setSampling(BATCH, false)
                        .build();
        ds.prepare();
        List<NDArray> out = new ArrayList<>();
        for (int start = skip; start < skip + count; start += BATCH) {
            int n = Math.min(BATCH, skip + count - start);
            NDList rows = new NDList();
            for (int i = 0; i < n; i++) {
                rows.add(ds.get(m, start + i).getData().head());
                if (labels != null) {
                    labels.add(ds.getLabel(start + i));
                }
            }
            out.add(NDArrays.stack(rows));
        }
        return out;
    }

    /**
     * Inference-mode output of a tree on one batch, as a detached copy owned by the batch's
     * manager.
     */
    static NDArray forward(Block b, NDArray x) {
        NDManager owner = x.getManager();
        try (NDManager scope = owner.newSubManager()) {
            NDList in = new NDList(x);
            in.tempAttach(scope);
            NDArray y = b.forward(new ParameterStore(scope, false), in, false).singletonOrThrow();
            // x is attached to scope until it closes: keep the result with x's real owner
            y.attach(owner);
            return y;
        }
    }

    /** Top-1 accuracy of a tree on batches. */
    static double accuracy(Block b, List<NDArray> batches, List<Integer> labels) {
        int right = 0;
        int k = 0;
        for (NDArray x : batches) {
            try (NDArray y = forward(b, x)) {
                for (long p : y.argMax(1).toLongArray()) {
                    right += p == labels.get(k++) ? 1 : 0;
                }
            }
        }
        return right / (double) k;
    }

    private static final class NDArrays {
        static NDArray stack(NDList l) {
            return ai.djl.ndarray.NDArrays.stack(l);
        }
    }
}
