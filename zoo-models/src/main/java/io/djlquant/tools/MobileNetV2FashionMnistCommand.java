package io.djlquant.tools;

import io.djlquant.dataset.FashionMnist;
import io.djlquant.zoo.workflow.MobileNetV2FashionMnist;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** DJL's MobileNetV2 on Fashion-MNIST, trained and quantized ({@link MobileNetV2FashionMnist}). */
@Command(
        name = "MobileNetV2FashionMnist",
        sortOptions = false,
        description = {
            "DJL's own MobileNetV2 on Fashion-MNIST at 32x32: float training (Adam, cosine), then"
                    + " PTQ per-tensor and per-channel and a short QAT, each converted to int8,"
                    + " saved as .jq, run on JavaQuant and scored on the test set."
        })
public final class MobileNetV2FashionMnistCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Mixin HelpOption help;

    @Option(
            names = "--epochs",
            paramLabel = "N",
            description = "Float training epochs (default: ${DEFAULT-VALUE}).")
    int epochs = 2;

    @Option(
            names = "--batch",
            paramLabel = "N",
            description = "Training batch size (default: ${DEFAULT-VALUE}).")
    int batch = 64;

    @Option(
            names = "--lr",
            paramLabel = "X",
            description = "Adam learning rate, cosine to 0 (default: ${DEFAULT-VALUE}).")
    float lr = 0.002f;

    @Option(
            names = "--calib-size",
            paramLabel = "N",
            description = "Calibration images from the training split (default: ${DEFAULT-VALUE}).")
    int calibSize = 1000;

    @Option(
            names = "--qat-steps",
            paramLabel = "N",
            description = "QAT fine-tuning steps (default: ${DEFAULT-VALUE}).")
    int qatSteps = 300;

    @Option(
            names = "--qat-lr",
            paramLabel = "X",
            description = "QAT learning rate (default: 0.0001).")
    float qatLr = 0.0001f;

    @Option(
            names = "--test-limit",
            paramLabel = "N",
            description = "Test images scored (default: ${DEFAULT-VALUE}).")
    int testLimit = 10000;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("target", "mobilenetv2-fashion-mnist");

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "Fashion-MNIST directory (default: ${DEFAULT-VALUE}).")
    Path data = FashionMnist.DEFAULT_DIRECTORY;

    @Mixin PtqAlgorithmOptions ptq;

    @Option(
            names = "--standard",
            arity = "1",
            paramLabel = "true|false",
            description =
                    "Run the per-tensor, per-channel and QAT stages (default: ${DEFAULT-VALUE}).")
    boolean standard = true;

    @Option(
            names = "--float-params",
            paramLabel = "FILE",
            description =
                    "Load the trained float parameters from FILE if it exists, else train and save"
                            + " them there.")
    Path floatParams;

    /**
     * Runs the program.
     *
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        Tools.main(new MobileNetV2FashionMnistCommand(), args);
    }

    /**
     * The options the flags give.
     *
     * @return the checked options
     * @throws picocli.CommandLine.ParameterException naming a bad value
     */
    MobileNetV2FashionMnist.Options options() {
        return Tools.check(
                spec,
                () ->
                        new MobileNetV2FashionMnist.Options(
                                epochs,
                                batch,
                                lr,
                                calibSize,
                                qatSteps,
                                qatLr,
                                testLimit,
                                out,
                                data,
                                ptq.algorithms,
                                standard,
                                floatParams,
                                ptq.objective));
    }

    /**
     * Trains, quantizes, evaluates and prints the report.
     *
     * @return 0
     * @throws Exception if a step fails
     */
    @Override
    public Integer call() throws Exception {
        MobileNetV2FashionMnist.run(options());
        return 0;
    }
}
