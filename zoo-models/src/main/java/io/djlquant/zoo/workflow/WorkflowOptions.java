package io.djlquant.zoo.workflow;

import io.djlquant.quantization.QConfig;
import io.djlquant.quantization.QConfigs;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What {@link QuantizeResNet18#run} does. The command-line program ({@code
 * io.djlquant.tools.QuantizeResNet18Command}) fills it from the flags of the same names, which the
 * messages of the checks name.
 *
 * @param checkpoint float ResNet18 parameters ({@code <name>-NNNN.params}), or null for {@link
 *     #train} or the float model shipped in the zoo
 * @param train whether to train the float model first (with {@code TrainFloat})
 * @param trainEpochs epochs of that training
 * @param trainLimit training images of that training
 * @param ptqPreset the PTQ recipe, one of {@link #qconfigNames()}
 * @param qatPreset the QAT recipe, one of {@link #qconfigNames()}
 * @param perChannel per-channel (true) or per-tensor weights for the ema and min-max presets
 * @param calibSize calibration images from the training split
 * @param qatSteps QAT fine-tuning steps
 * @param qatBatch QAT batch size
 * @param qatLr QAT learning rate (cosine to 0)
 * @param qatFreezeBnAt fraction of the QAT steps after which batch norm freezes
 * @param testLimit test images to evaluate
 * @param batch evaluation batch size
 * @param latencyImages single-image timings per model
 * @param out the output directory
 * @param publish the zoo repository root to write the artifacts under, or null
 * @param seed the random seed
 * @param data the Fashion-MNIST directory
 */
public record WorkflowOptions(
        Path checkpoint,
        boolean train,
        int trainEpochs,
        long trainLimit,
        String ptqPreset,
        String qatPreset,
        boolean perChannel,
        int calibSize,
        int qatSteps,
        int qatBatch,
        float qatLr,
        double qatFreezeBnAt,
        int testLimit,
        int batch,
        int latencyImages,
        Path out,
        Path publish,
        int seed,
        Path data) {

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException naming the flag of the first bad value
     */
    public WorkflowOptions {
        positive("--train-epochs", trainEpochs);
        positive("--train-limit", trainLimit);
        known("--ptq-qconfig", ptqPreset);
        known("--qat-qconfig", qatPreset);
        positive("--calib-size", calibSize);
        if (qatSteps < 0) {
            throw new IllegalArgumentException("--qat-steps must be >= 0, got " + qatSteps);
        }
        positive("--qat-batch", qatBatch);
        if (!(qatLr > 0) || !Float.isFinite(qatLr)) {
            throw new IllegalArgumentException("--qat-lr must be positive, got " + qatLr);
        }
        if (!(qatFreezeBnAt >= 0 && qatFreezeBnAt <= 1)) {
            throw new IllegalArgumentException(
                    "--qat-freeze-bn-at takes a number between 0 and 1, got " + qatFreezeBnAt);
        }
        positive("--test-limit", testLimit);
        positive("--batch", batch);
        positive("--latency-images", latencyImages);
        if (out == null || data == null) {
            throw new IllegalArgumentException("--out and --data are required");
        }
        if (train && checkpoint != null) {
            throw new IllegalArgumentException("use either --train or --checkpoint, not both");
        }
    }

    /**
     * @return the QConfig of the PTQ stage
     */
    QConfig ptqQConfig() {
        return qconfig(ptqPreset, perChannel);
    }

    /**
     * @return the QConfig of the QAT stage
     */
    QConfig qatQConfig() {
        return qconfig(qatPreset, perChannel);
    }

    /**
     * @return the preset names {@link #qconfig} knows
     */
    public static List<String> qconfigNames() {
        return List.of(
                "calibration",
                "ema-fake-quant",
                "ema-fake-quant-per-channel",
                "min-max-fake-quant",
                "min-max-fake-quant-per-channel",
                "lsq",
                "tqt");
    }

    /**
     * Maps a preset name to its QConfig; {@code perChannel} false turns the per-channel ema and
     * min-max presets into their per-tensor versions (and true the reverse).
     *
     * @param name one of {@link #qconfigNames()}
     * @param perChannel per-channel or per-tensor weights for the ema and min-max presets
     * @return the QConfig
     */
    public static QConfig qconfig(String name, boolean perChannel) {
        switch (name) {
            case "calibration":
                return QConfigs.calibration();
            case "ema-fake-quant":
            case "ema-fake-quant-per-channel":
                return perChannel ? QConfigs.emaFakeQuantPerChannel() : QConfigs.emaFakeQuant();
            case "min-max-fake-quant":
            case "min-max-fake-quant-per-channel":
                return perChannel
                        ? QConfigs.minMaxFakeQuantPerChannel()
                        : QConfigs.minMaxFakeQuant();
            case "lsq":
                return QConfigs.lsq();
            case "tqt":
                return QConfigs.tqt();
            default:
                throw new IllegalArgumentException(
                        "unknown qconfig " + name + ", expected one of " + qconfigNames());
        }
    }

    private static void known(String flag, String name) {
        if (!qconfigNames().contains(name)) {
            throw new IllegalArgumentException(
                    flag + ": unknown qconfig " + name + ", expected one of " + qconfigNames());
        }
    }

    private static void positive(String flag, long n) {
        if (n < 1) {
            throw new IllegalArgumentException(flag + " must be >= 1, got " + n);
        }
    }

    /**
     * @return the options as one line, for the report
     */
    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "checkpoint=%s train=%s ptq=%s qat=%s perChannel=%s calib=%d qatSteps=%d"
                        + " qatBatch=%d qatLr=%g qatFreezeBnAt=%s testLimit=%d seed=%d",
                checkpoint == null ? (train ? "(trained)" : "(shipped)") : checkpoint,
                train,
                ptqPreset,
                qatPreset,
                perChannel,
                calibSize,
                qatSteps,
                qatBatch,
                qatLr,
                qatFreezeBnAt,
                testLimit,
                seed);
    }
}
