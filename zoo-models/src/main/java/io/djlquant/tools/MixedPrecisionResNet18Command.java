package io.djlquant.tools;

import io.djlquant.dataset.FashionMnist;
import io.djlquant.zoo.workflow.MixedPrecisionResNet18;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Accuracy-aware mixed precision on the zoo's float ResNet18 ({@link MixedPrecisionResNet18}). */
@Command(
        name = "MixedPrecisionResNet18",
        sortOptions = false,
        description = {
            "PTQ of the zoo's float ResNet18 with a QConfig that loses accuracy, then the search"
                    + " for the fewest layers kept in float that bring top-1 on held-out training"
                    + " images within --max-drop; the chosen model is saved as .jq, run on"
                    + " JavaQuant and scored on the test set.",
            "With --algorithms the search is not run: PTQ runs once per variant of the PTQ"
                    + " algorithms instead."
        })
public final class MixedPrecisionResNet18Command implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Mixin HelpOption help;

    @Option(
            names = "--max-drop",
            paramLabel = "X",
            description = "Top-1 budget of the search, a fraction (default: ${DEFAULT-VALUE}).")
    double maxDrop = 0.005;

    @Option(
            names = "--max-float",
            paramLabel = "N",
            description = "At most this many layers in float (default: ${DEFAULT-VALUE}).")
    int maxFloat = 6;

    @Option(
            names = "--calib-size",
            paramLabel = "N",
            description = "Calibration images from the training split (default: ${DEFAULT-VALUE}).")
    int calibSize = 1000;

    @Option(
            names = "--val-size",
            paramLabel = "N",
            description =
                    "Validation images, the training images after the calibration images"
                            + " (default: ${DEFAULT-VALUE}).")
    int valSize = 2000;

    @Option(
            names = "--test-limit",
            paramLabel = "N",
            description = "Test images scored (default: ${DEFAULT-VALUE}).")
    int testLimit = 10000;

    @Option(
            names = "--qconfig",
            paramLabel = "int4-weights|int8",
            description = "The QConfig searched over (default: ${DEFAULT-VALUE}).")
    String qconfig = "int4-weights";

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("target", "mixed-precision-resnet18");

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "Fashion-MNIST directory (default: ${DEFAULT-VALUE}).")
    Path data = FashionMnist.DEFAULT_DIRECTORY;

    @Mixin PtqAlgorithmOptions ptq;

    /**
     * Runs the program.
     *
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        Tools.main(new MixedPrecisionResNet18Command(), args);
    }

    /**
     * The options the flags give.
     *
     * @return the checked options
     * @throws picocli.CommandLine.ParameterException naming a bad value
     */
    MixedPrecisionResNet18.Options options() {
        return Tools.check(
                spec,
                () ->
                        new MixedPrecisionResNet18.Options(
                                maxDrop,
                                maxFloat,
                                calibSize,
                                valSize,
                                testLimit,
                                qconfig,
                                out,
                                data,
                                ptq.algorithms,
                                ptq.objective));
    }

    /**
     * Runs the search (or the algorithm variants) and prints the report.
     *
     * @return 0
     * @throws Exception if a step fails
     */
    @Override
    public Integer call() throws Exception {
        MixedPrecisionResNet18.run(options());
        return 0;
    }
}
