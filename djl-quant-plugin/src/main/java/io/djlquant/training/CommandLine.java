package io.djlquant.training;

import io.djlquant.dataset.FashionMnist;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/** Parses {@link TrainFloat}'s command line into {@link TrainOptions} plus tool-only flags. */
final class CommandLine {

    private static final Set<String> VALUE_FLAGS =
            Set.of(
                    "--epochs",
                    "--batch",
                    "--lr",
                    "--momentum",
                    "--wd",
                    "--optimizer",
                    "--out",
                    "--name",
                    "--limit",
                    "--test-limit",
                    "--image-size",
                    "--channels",
                    "--seed",
                    "--data",
                    "--time-batches",
                    "--threads",
                    "--model");

    private final TrainOptions options;
    private final Path dataDir;
    private final int timeBatches;
    private final int threads;
    private final String model;

    private CommandLine(
            TrainOptions options, Path dataDir, int timeBatches, int threads, String model) {
        this.model = model;
        this.options = options;
        this.dataDir = dataDir;
        this.timeBatches = timeBatches;
        this.threads = threads;
    }

    TrainOptions options() {
        return options;
    }

    Path dataDir() {
        return dataDir;
    }

    int timeBatches() {
        return timeBatches;
    }

    /** The network to train: one of {@link TrainFloat#MODELS}. */
    String model() {
        return model;
    }

    /** PyTorch intra-op threads to set, or 0 to keep the engine's default. */
    int threads() {
        return threads;
    }

    /**
     * Parses the arguments.
     *
     * @throws IllegalArgumentException naming an unknown flag, a missing value or a bad number
     */
    static CommandLine parse(String[] args) {
        TrainOptions.Builder b = TrainOptions.builder().verbose(true);
        Path dataDir = FashionMnist.DEFAULT_DIRECTORY;
        int timeBatches = 0;
        int threads = 0;
        String model = TrainFloat.DEFAULT_MODEL;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            switch (flag) {
                case "--cosine":
                    b.cosineSchedule(true);
                    continue;
                case "--resume":
                    b.resume(true);
                    continue;
                case "--quiet":
                    b.verbose(false);
                    continue;
                default:
                    break;
            }
            if (!VALUE_FLAGS.contains(flag)) {
                throw new IllegalArgumentException("unknown option " + flag);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + flag);
            }
            String v = args[++i];
            switch (flag) {
                case "--epochs":
                    b.epochs(toInt(flag, v));
                    break;
                case "--batch":
                    b.batchSize(toInt(flag, v));
                    break;
                case "--lr":
                    b.learningRate(toFloat(flag, v));
                    break;
                case "--momentum":
                    b.momentum(toFloat(flag, v));
                    break;
                case "--wd":
                    b.weightDecay(toFloat(flag, v));
                    break;
                case "--optimizer":
                    b.optimizer(optimizer(v));
                    break;
                case "--out":
                    b.outputDir(Path.of(v));
                    break;
                case "--name":
                    b.modelName(v);
                    break;
                case "--limit":
                    b.limit(toLong(flag, v));
                    break;
                case "--test-limit":
                    b.testLimit(toLong(flag, v));
                    break;
                case "--image-size":
                    b.imageSize(toInt(flag, v));
                    break;
                case "--channels":
                    b.channels(toInt(flag, v));
                    break;
                case "--seed":
                    b.seed(toLong(flag, v));
                    break;
                case "--data":
                    dataDir = Path.of(v);
                    break;
                case "--time-batches":
                    timeBatches = toInt(flag, v);
                    if (timeBatches < 1) {
                        throw new IllegalArgumentException("--time-batches must be >= 1");
                    }
                    break;
                case "--threads":
                    threads = toInt(flag, v);
                    if (threads < 1) {
                        throw new IllegalArgumentException("--threads must be >= 1");
                    }
                    break;
                case "--model":
                    if (!TrainFloat.MODELS.contains(v)) {
                        throw new IllegalArgumentException(
                                "--model must be one of " + TrainFloat.MODELS + ", got " + v);
                    }
                    model = v;
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        return new CommandLine(b.build(), dataDir, timeBatches, threads, model);
    }

    private static TrainOptions.OptimizerKind optimizer(String v) {
        switch (v.toLowerCase(Locale.ROOT)) {
            case "sgd":
                return TrainOptions.OptimizerKind.SGD_MOMENTUM;
            case "adam":
                return TrainOptions.OptimizerKind.ADAM;
            default:
                throw new IllegalArgumentException("--optimizer must be sgd or adam, got " + v);
        }
    }

    private static int toInt(String flag, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs an integer, got '" + v + "'", e);
        }
    }

    private static long toLong(String flag, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs an integer, got '" + v + "'", e);
        }
    }

    private static float toFloat(String flag, String v) {
        try {
            return Float.parseFloat(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a number, got '" + v + "'", e);
        }
    }
}
