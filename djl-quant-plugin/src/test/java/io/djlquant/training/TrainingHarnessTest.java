package io.djlquant.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.djlquant.dataset.FashionMnist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The harness end to end on a tiny network: training, checkpoints, resume, Adam. */
@ExtendWith(SingleThreadedTorch.class)
class TrainingHarnessTest {

    @TempDir Path out;

    private TrainOptions.Builder tiny() {
        return TrainOptions.builder()
                .imageSize(28)
                .channels(1)
                .batchSize(32)
                .limit(640)
                .testLimit(200)
                .seed(7L)
                .outputDir(out)
                .modelName("tiny");
    }

    @Test
    void trainsSavesEveryEpochAndResumes() throws Exception {
        TrainOptions two = tiny().epochs(2).build();
        TrainingHistory h = TrainFloat.run(TinyNet::create, two);
        assertEquals(2, h.epochs().size());
        assertEquals(2 * 20, h.batchLosses().length);
        Checkpoints ck = new Checkpoints(out, "tiny");
        assertTrue(Files.isRegularFile(ck.file(1)));
        assertTrue(Files.isRegularFile(ck.file(2)));
        assertEquals(ck.file(2), h.last().checkpoint());
        assertEquals(OptionalInt.of(2), ck.latestEpoch());
        assertTrue(h.last().testAccuracy() > 0.3, "test accuracy " + h.last().testAccuracy());

        // Resuming with epochs=3 runs only epoch 3, starting from the saved epoch-2 weights.
        TrainingHistory resumed =
                TrainFloat.run(TinyNet::create, tiny().epochs(3).resume(true).build());
        assertEquals(1, resumed.epochs().size());
        assertEquals(3, resumed.last().epoch());
        assertTrue(Files.isRegularFile(ck.file(3)));
        // A resumed model starts trained: its first-batch loss is far below a fresh model's.
        assertTrue(
                resumed.batchLosses()[0] < h.batchLosses()[0] * 0.8,
                "resumed first loss "
                        + resumed.batchLosses()[0]
                        + " vs fresh "
                        + h.batchLosses()[0]);
        // No leftover temporary directories from the atomic save.
        try (var files = Files.list(out)) {
            assertEquals(3, files.count());
        }
    }

    @Test
    void loadRestoresParametersAndRunningStatistics() throws Exception {
        TrainingHistory h = TrainFloat.run(TinyNet::create, tiny().epochs(1).build());
        Checkpoints ck = new Checkpoints(out, "tiny");
        TrainOptions opts = tiny().build();
        try (Model trained = loaded(ck, opts, 1);
                Model again = loaded(ck, opts, 1);
                Model fresh = freshModel(opts)) {
            Block a = trained.getBlock();
            Block b = again.getBlock();
            for (Pair<String, Parameter> p : a.getParameters()) {
                NDArray x = p.getValue().getArray();
                NDArray y = b.getParameters().get(p.getKey()).getArray();
                assertArrayEquals(x.toFloatArray(), y.toFloatArray(), 0f, p.getKey());
            }
            // The BatchNorm running mean moved away from its initial zeros during training.
            NDArray runningMean = runningMean(a);
            assertTrue(runningMean.abs().sum().getFloat() > 0f);
            assertEquals(0f, runningMean(fresh.getBlock()).abs().sum().getFloat(), "fresh BN mean");
            // Same parameters give the same inference output.
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                NDArray x = m.randomNormal(new Shape(4, 1, 28, 28));
                NDArray ya = a.forward(new ParameterStore(m, false), new NDList(x), false).head();
                NDArray yb = b.forward(new ParameterStore(m, false), new NDList(x), false).head();
                assertArrayEquals(ya.toFloatArray(), yb.toFloatArray(), 0f);
            }
            // The saved model reproduces the test accuracy the training run reported.
            double acc =
                    Evaluator.top1(
                            trained, TrainFloat.testSet(opts, FashionMnist.DEFAULT_DIRECTORY), 50);
            assertEquals(h.last().testAccuracy(), acc, 1e-12);
        }
    }

    @Test
    void latestEpochAndMissingCheckpoints() throws Exception {
        Checkpoints ck = new Checkpoints(out.resolve("none"), "m");
        assertFalse(ck.latestEpoch().isPresent());
        Files.createDirectories(out.resolve("mixed"));
        for (String f :
                new String[] {
                    "m-0001.params",
                    "m-0010.params",
                    "m-0002.params",
                    "other-0099.params",
                    "m-0003.params.tmp"
                }) {
            Files.writeString(out.resolve("mixed").resolve(f), "x");
        }
        Checkpoints mixed = new Checkpoints(out.resolve("mixed"), "m");
        assertEquals(OptionalInt.of(10), mixed.latestEpoch());
        try (Model model = freshModel(tiny().build())) {
            IOException e = assertThrows(IOException.class, () -> mixed.load(model, 4));
            assertTrue(e.getMessage().contains("m-0004.params"), e.getMessage());
            assertEquals(0, ck.resume(model));
        }
        assertThrows(IllegalArgumentException.class, () -> new Checkpoints(out, "../evil"));
    }

    @Test
    void adamAlsoLearns() throws Exception {
        TrainOptions adam =
                tiny().outputDir(null)
                        .optimizer(TrainOptions.OptimizerKind.ADAM)
                        .learningRate(0.01f)
                        .weightDecay(1e-4f)
                        .cosineSchedule(true)
                        .build();
        TrainingHistory h = TrainFloat.run(TinyNet::create, adam);
        float[] l = h.batchLosses();
        assertTrue(
                mean(l, 15, 20) < 0.75 * mean(l, 0, 5), "losses " + java.util.Arrays.toString(l));
        assertTrue(h.last().testAccuracy() > 0.3, "test accuracy " + h.last().testAccuracy());
        assertEquals(null, h.last().checkpoint());
    }

    static double mean(float[] v, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += v[i];
        }
        return s / (to - from);
    }

    private static NDArray runningMean(Block block) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getKey().endsWith("runningMean")) {
                return p.getValue().getArray();
            }
        }
        throw new AssertionError("no BatchNorm running mean in " + block.getParameters().keys());
    }

    private static Model freshModel(TrainOptions opts) {
        Model model = Model.newInstance("tiny", Device.cpu(), "PyTorch");
        model.setBlock(TinyNet.create());
        model.getBlock()
                .initialize(
                        model.getNDManager(),
                        ai.djl.ndarray.types.DataType.FLOAT32,
                        new Shape(1, opts.channels(), opts.imageSize(), opts.imageSize()));
        return model;
    }

    private static Model loaded(Checkpoints ck, TrainOptions opts, int epoch) throws Exception {
        Model model = freshModel(opts);
        ck.load(model, epoch);
        return model;
    }
}
