package io.djlquant.tools;

import ai.djl.nn.Block;
import ai.djl.pytorch.jni.JniUtils;
import io.djlquant.dataset.FashionMnist;
import io.djlquant.training.EpochStats;
import io.djlquant.training.EpochTimeEstimate;
import io.djlquant.training.TrainFloat;
import io.djlquant.training.TrainOptions;
import io.djlquant.training.Trainers;
import io.djlquant.training.TrainingHistory;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Float training on Fashion-MNIST ({@link TrainFloat#run}), our ResNet18 by default. */
@Command(
        name = "TrainFloat",
        sortOptions = false,
        description = {
            "Trains a float network on Fashion-MNIST, evaluating top-1 on the test split after"
                    + " every epoch and saving a checkpoint per epoch with --out."
        })
public final class TrainFloatCommand implements Callable<Integer> {

    /** The library's defaults, shown by --help. */
    private static final TrainOptions DEFAULTS = TrainOptions.builder().build();

    @Spec CommandSpec spec;

    @Mixin HelpOption help;

    @Option(
            names = "--model",
            paramLabel = "NAME",
            completionCandidates = Models.class,
            description = "The network: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    String model = TrainFloat.DEFAULT_MODEL;

    @Option(
            names = "--epochs",
            paramLabel = "N",
            description =
                    "Epochs, counting those restored by --resume (default: ${DEFAULT-VALUE}).")
    int epochs = DEFAULTS.epochs();

    @Option(
            names = "--batch",
            paramLabel = "N",
            description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batch = DEFAULTS.batchSize();

    @Option(
            names = "--lr",
            paramLabel = "X",
            description = "(Initial) learning rate (default: ${DEFAULT-VALUE}).")
    float lr = DEFAULTS.learningRate();

    @Option(
            names = "--optimizer",
            paramLabel = "sgd|adam",
            description = "SGD with momentum or Adam (default: ${DEFAULT-VALUE}).")
    String optimizer = "sgd";

    @Option(
            names = "--momentum",
            paramLabel = "X",
            description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    float momentum = DEFAULTS.momentum();

    @Option(
            names = "--wd",
            paramLabel = "X",
            description = "L2 weight decay (default: ${DEFAULT-VALUE}).")
    float wd = DEFAULTS.weightDecay();

    @Option(names = "--cosine", description = "Cosine decay of the learning rate to 0.")
    boolean cosine;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Checkpoint directory (default: no checkpoints).")
    Path out;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            description = "Checkpoint file prefix (default: ${DEFAULT-VALUE}).")
    String name = DEFAULTS.modelName();

    @Option(names = "--resume", description = "Continue from the latest checkpoint in --out.")
    boolean resume;

    @Option(
            names = "--limit",
            paramLabel = "N",
            description = "Training images used (default: all).")
    long limit = DEFAULTS.limit();

    @Option(
            names = "--test-limit",
            paramLabel = "N",
            description = "Test images evaluated (default: all).")
    long testLimit = DEFAULTS.testLimit();

    @Option(
            names = "--image-size",
            paramLabel = "N",
            description = "Square image side fed to the network (default: ${DEFAULT-VALUE}).")
    int imageSize = DEFAULTS.imageSize();

    @Option(
            names = "--channels",
            paramLabel = "1|3",
            description = "Image channels (default: ${DEFAULT-VALUE}).")
    int channels = DEFAULTS.channels();

    @Option(
            names = "--seed",
            paramLabel = "N",
            description = "Random seed of initialisation and shuffling (default: none).")
    Long seed;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "Fashion-MNIST directory (default: ${DEFAULT-VALUE}).")
    Path data = FashionMnist.DEFAULT_DIRECTORY;

    @Option(names = "--quiet", description = "No progress bars or per-epoch log.")
    boolean quiet;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "PyTorch intra-op threads (default: the engine's).")
    Integer threads;

    @Option(
            names = "--time-batches",
            paramLabel = "N",
            description = "Only time N batches and estimate the epoch time.")
    Integer timeBatches;

    /** The names {@code --model} accepts, for the help text. */
    public static final class Models implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return TrainFloat.MODELS.iterator();
        }
    }

    /**
     * Runs the program.
     *
     * @param args the flags; {@code --help} lists them
     */
    public static void main(String[] args) {
        Tools.main(new TrainFloatCommand(), args);
    }

    /**
     * The hyper-parameters the flags give.
     *
     * @return the checked options
     * @throws picocli.CommandLine.ParameterException naming a bad value
     */
    TrainOptions options() {
        if (!TrainFloat.MODELS.contains(model)) {
            throw Tools.error(
                    spec, "--model must be one of " + TrainFloat.MODELS + ", got " + model);
        }
        if (threads != null && threads < 1) {
            throw Tools.error(spec, "--threads must be >= 1");
        }
        if (timeBatches != null && timeBatches < 1) {
            throw Tools.error(spec, "--time-batches must be >= 1");
        }
        TrainOptions.OptimizerKind kind =
                switch (optimizer.toLowerCase(Locale.ROOT)) {
                    case "sgd" -> TrainOptions.OptimizerKind.SGD_MOMENTUM;
                    case "adam" -> TrainOptions.OptimizerKind.ADAM;
                    default ->
                            throw Tools.error(
                                    spec, "--optimizer must be sgd or adam, got " + optimizer);
                };
        return Tools.check(
                spec,
                () ->
                        TrainOptions.builder()
                                .epochs(epochs)
                                .batchSize(batch)
                                .learningRate(lr)
                                .optimizer(kind)
                                .momentum(momentum)
                                .weightDecay(wd)
                                .cosineSchedule(cosine)
                                .outputDir(out)
                                .modelName(name)
                                .resume(resume)
                                .limit(limit)
                                .testLimit(testLimit)
                                .imageSize(imageSize)
                                .channels(channels)
                                .seed(seed)
                                .verbose(!quiet)
                                .build());
    }

    /**
     * Trains (or, with {@code --time-batches}, only estimates the epoch time) and prints each
     * epoch's numbers.
     *
     * @return 0
     * @throws Exception if training fails
     */
    @Override
    public Integer call() throws Exception {
        TrainOptions options = options();
        if (threads != null) {
            // On a shared machine one thread can be much faster than busy-waiting OpenMP threads.
            Trainers.engine();
            JniUtils.setNumThreads(threads);
        }
        Supplier<Block> factory = TrainFloat.modelFactory(model, options);
        if (timeBatches != null) {
            EpochTimeEstimate e = EpochTimeEstimate.measure(factory, options, data, 5, timeBatches);
            System.out.printf(
                    Locale.ROOT,
                    "%d batches of %d: %.3f s/batch -> one epoch of %d images ~ %.1f min%n",
                    e.timedBatches(),
                    e.batchSize(),
                    e.secondsPerBatch(),
                    e.epochImages(),
                    e.epochSeconds() / 60);
            return 0;
        }
        TrainingHistory history = TrainFloat.run(factory, options, data);
        for (EpochStats s : history.epochs()) {
            System.out.printf(
                    Locale.ROOT,
                    "epoch %d: loss %.4f, train acc %.4f, test top-1 %.4f, %.1f s%s%n",
                    s.epoch(),
                    s.trainLoss(),
                    s.trainAccuracy(),
                    s.testAccuracy(),
                    s.seconds(),
                    s.checkpoint() == null ? "" : ", saved " + s.checkpoint());
        }
        return 0;
    }
}
