package io.djlquant.tools;

import io.djlquant.dataset.FashionMnist;
import io.djlquant.zoo.workflow.QuantizeResNet18;
import io.djlquant.zoo.workflow.WorkflowOptions;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The main job ({@code mvn -B -ntp -Pquantize -pl zoo-models -am package -DskipTests
 * -Dquantize.args="..."}): the ResNet18 workflow of {@link QuantizeResNet18#run}.
 */
@Command(
        name = "QuantizeResNet18",
        sortOptions = false,
        description = {
            "ResNet18 on Fashion-MNIST end to end: Float -> PTQ and QAT QFloat -> int8 Q on"
                    + " JavaQuant, with a report (report.txt, report.json, top1.png) and the"
                    + " int8 models as .jq files in --out."
        })
public final class QuantizeResNet18Command implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Mixin HelpOption help;

    @Option(
            names = "--checkpoint",
            paramLabel = "FILE",
            description =
                    "Float ResNet18 parameters (<name>-NNNN.params); default: the float model"
                            + " shipped in the zoo.")
    Path checkpoint;

    @Option(
            names = "--train",
            description =
                    "Train the float model first (see --train-epochs, --train-limit) instead of"
                            + " loading one.")
    boolean train;

    @Option(
            names = "--train-epochs",
            paramLabel = "N",
            description = "Epochs for --train (default: ${DEFAULT-VALUE}).")
    int trainEpochs = 8;

    @Option(
            names = "--train-limit",
            paramLabel = "N",
            description = "Training images for --train (default: all ${DEFAULT-VALUE}).")
    long trainLimit = 60000;

    @Option(
            names = "--ptq-qconfig",
            paramLabel = "NAME",
            completionCandidates = QConfigNames.class,
            description = "PTQ recipe (default: ${DEFAULT-VALUE}).")
    String ptqQConfig = "calibration";

    @Option(
            names = "--qat-qconfig",
            paramLabel = "NAME",
            completionCandidates = QConfigNames.class,
            description = "QAT recipe (default: ${DEFAULT-VALUE}).")
    String qatQConfig = "ema-fake-quant-per-channel";

    @Option(
            names = "--per-channel",
            paramLabel = "on|off",
            description =
                    "Per-channel (on) or per-tensor (off) weights for the ema and min-max presets"
                            + " (default: ${DEFAULT-VALUE}).")
    String perChannel = "on";

    @Option(
            names = "--calib-size",
            paramLabel = "N",
            description = "Calibration images from the training split (default: ${DEFAULT-VALUE}).")
    int calibSize = 2000;

    @Option(
            names = "--qat-steps",
            paramLabel = "N",
            description = "QAT fine-tuning steps (default: ${DEFAULT-VALUE}).")
    int qatSteps = 50;

    @Option(
            names = "--qat-batch",
            paramLabel = "N",
            description = "QAT batch size (default: ${DEFAULT-VALUE}).")
    int qatBatch = 32;

    @Option(
            names = "--qat-lr",
            paramLabel = "X",
            description = "QAT learning rate, cosine to 0 (default: 0.0001).")
    float qatLr = 0.0001f;

    @Option(
            names = "--qat-freeze-bn-at",
            paramLabel = "F",
            description =
                    "Fraction of the QAT steps after which batch norm folds with its running"
                            + " statistics and stops updating them (default: ${DEFAULT-VALUE}:"
                            + " from the start, right for an already trained float model).")
    double qatFreezeBnAt;

    @Option(
            names = "--test-limit",
            paramLabel = "N",
            description = "Test images to evaluate (default: ${DEFAULT-VALUE}, the full test set).")
    int testLimit = 10000;

    @Option(
            names = "--batch",
            paramLabel = "N",
            description = "Evaluation batch size (default: ${DEFAULT-VALUE}).")
    int batch = 100;

    @Option(
            names = "--latency-images",
            paramLabel = "N",
            description = "Single-image timings per model (default: ${DEFAULT-VALUE}).")
    int latencyImages = 50;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("target", "quantize-resnet18");

    @Option(
            names = "--publish",
            paramLabel = "DIR",
            description =
                    "Also write the zoo artifacts (metadata.json and model files) under this"
                            + " repository root.")
    Path publish;

    @Option(
            names = "--seed",
            paramLabel = "N",
            description = "Random seed (default: ${DEFAULT-VALUE}).")
    int seed = 7;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "Fashion-MNIST directory (default: ${DEFAULT-VALUE}).")
    Path data = FashionMnist.DEFAULT_DIRECTORY;

    /** The QConfig preset names, for the help text. */
    public static final class QConfigNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return WorkflowOptions.qconfigNames().iterator();
        }
    }

    /**
     * Sets both recipes.
     *
     * @param name a preset name
     */
    @Option(
            names = "--qconfig",
            paramLabel = "NAME",
            completionCandidates = QConfigNames.class,
            description = "Sets both recipes; qconfig names: ${COMPLETION-CANDIDATES}.")
    void qconfig(String name) {
        if (name == null) {
            // no value to set (picocli may pass its absent default)
            return;
        }
        if (!WorkflowOptions.qconfigNames().contains(name)) {
            throw Tools.error(
                    spec,
                    "--qconfig: unknown qconfig "
                            + name
                            + ", expected one of "
                            + WorkflowOptions.qconfigNames());
        }
        ptqQConfig = name;
        qatQConfig = name;
    }

    /**
     * Runs the main job.
     *
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        Tools.main(new QuantizeResNet18Command(), args);
    }

    /**
     * The options the flags give.
     *
     * @return the checked options
     * @throws picocli.CommandLine.ParameterException naming a bad value
     */
    WorkflowOptions options() {
        if (!"on".equals(perChannel) && !"off".equals(perChannel)) {
            throw Tools.error(spec, "--per-channel takes on or off, got " + perChannel);
        }
        return Tools.check(
                spec,
                () ->
                        new WorkflowOptions(
                                checkpoint,
                                train,
                                trainEpochs,
                                trainLimit,
                                ptqQConfig,
                                qatQConfig,
                                "on".equals(perChannel),
                                calibSize,
                                qatSteps,
                                qatBatch,
                                qatLr,
                                qatFreezeBnAt,
                                testLimit,
                                batch,
                                latencyImages,
                                out,
                                publish,
                                seed,
                                data));
    }

    /**
     * Runs the workflow and prints the report.
     *
     * @return 0
     * @throws Exception if a step fails
     */
    @Override
    public Integer call() throws Exception {
        String report = QuantizeResNet18.run(options());
        System.out.println();
        System.out.print(report);
        return 0;
    }
}
