package io.djlquant.zoo.workflow;

import io.djlquant.quantization.QConfig;
import io.djlquant.quantization.QConfigs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Command-line options of {@link QuantizeResNet18}; see {@link #USAGE}. */
public final class WorkflowOptions {

    /** The usage text. */
    public static final String USAGE =
            String.join(
                    "\n",
                    "usage: QuantizeResNet18 [options]",
                    "  --checkpoint FILE   float ResNet18 parameters (<name>-NNNN.params); default:"
                            + " the",
                    "                      float model shipped in the zoo",
                    "  --train             train the float model first with TrainFloat (see"
                            + " --train-epochs,",
                    "                      --train-limit) instead of loading one",
                    "  --train-epochs N    epochs for --train (default 8)",
                    "  --train-limit N     training images for --train (default all 60000)",
                    "  --ptq-qconfig NAME  PTQ recipe (default calibration)",
                    "  --qat-qconfig NAME  QAT recipe (default ema-fake-quant-per-channel)",
                    "  --qconfig NAME      sets both recipes",
                    "  --per-channel on|off  per-channel (on, default) or per-tensor weights for"
                            + " the",
                    "                      ema presets of QAT",
                    "  --calib-size N      calibration images from the training split (default"
                            + " 2000)",
                    "  --qat-steps N       QAT fine-tuning steps (default 50)",
                    "  --qat-batch N       QAT batch size (default 32)",
                    "  --qat-lr X          QAT learning rate, cosine to 0 (default 0.0001)",
                    "  --qat-freeze-bn-at F  fraction of the QAT steps after which batch norm folds"
                            + " with",
                    "                      its running statistics and stops updating them (default"
                            + " 0:",
                    "                      from the start, right for an already trained float"
                            + " model)",
                    "  --test-limit N      test images to evaluate (default 10000, the full test"
                            + " set)",
                    "  --batch N           evaluation batch size (default 100)",
                    "  --latency-images N  single-image timings per model (default 50)",
                    "  --out DIR           output directory (default target/quantize-resnet18)",
                    "  --publish DIR       also write the zoo artifacts (metadata.json and model"
                            + " files)",
                    "                      under this repository root",
                    "  --seed N            random seed (default 7)",
                    "  --data DIR          Fashion-MNIST directory (default"
                            + " /usr/share/datasets/fashion-mnist)",
                    "  qconfig names: " + String.join(", ", qconfigNames()));

    Path checkpoint;
    boolean train;
    int trainEpochs = 8;
    long trainLimit = 60000;
    String ptqQConfig = "calibration";
    String qatQConfig = "ema-fake-quant-per-channel";
    boolean perChannel = true;
    int calibSize = 2000;
    int qatSteps = 50;
    int qatBatch = 32;
    float qatLr = 0.0001f;
    double qatFreezeBnAt = 0;
    int testLimit = 10000;
    int batch = 100;
    int latencyImages = 50;
    Path out = Path.of("target", "quantize-resnet18");
    Path publish;
    int seed = 7;
    Path data = io.djlquant.dataset.FashionMnist.DEFAULT_DIRECTORY;

    private WorkflowOptions() {}

    /**
     * Parses the command line.
     *
     * @param args the arguments
     * @return the options
     * @throws IllegalArgumentException for unknown flags, missing or bad values
     */
    public static WorkflowOptions parse(String... args) {
        WorkflowOptions o = new WorkflowOptions();
        List<String> a = new ArrayList<>(Arrays.asList(args));
        for (int i = 0; i < a.size(); i++) {
            String flag = a.get(i);
            switch (flag) {
                case "--train":
                    o.train = true;
                    continue;
                default:
                    break;
            }
            if (i + 1 >= a.size()) {
                throw new IllegalArgumentException(
                        flag.startsWith("--") && isKnown(flag)
                                ? "missing value for " + flag
                                : "unknown option " + flag + "\n" + USAGE);
            }
            String v = a.get(++i);
            switch (flag) {
                case "--checkpoint":
                    o.checkpoint = Path.of(v);
                    break;
                case "--train-epochs":
                    o.trainEpochs = positive(flag, v);
                    break;
                case "--train-limit":
                    o.trainLimit = positive(flag, v);
                    break;
                case "--qconfig":
                    o.ptqQConfig = known(flag, v);
                    o.qatQConfig = v;
                    break;
                case "--ptq-qconfig":
                    o.ptqQConfig = known(flag, v);
                    break;
                case "--qat-qconfig":
                    o.qatQConfig = known(flag, v);
                    break;
                case "--per-channel":
                    if (!"on".equals(v) && !"off".equals(v)) {
                        throw new IllegalArgumentException(
                                "--per-channel takes on or off, got " + v);
                    }
                    o.perChannel = "on".equals(v);
                    break;
                case "--calib-size":
                    o.calibSize = positive(flag, v);
                    break;
                case "--qat-steps":
                    o.qatSteps = nonNegative(flag, v);
                    break;
                case "--qat-batch":
                    o.qatBatch = positive(flag, v);
                    break;
                case "--qat-lr":
                    o.qatLr = positiveFloat(flag, v);
                    break;
                case "--qat-freeze-bn-at":
                    o.qatFreezeBnAt = fraction(flag, v);
                    break;
                case "--test-limit":
                    o.testLimit = positive(flag, v);
                    break;
                case "--batch":
                    o.batch = positive(flag, v);
                    break;
                case "--latency-images":
                    o.latencyImages = positive(flag, v);
                    break;
                case "--out":
                    o.out = Path.of(v);
                    break;
                case "--publish":
                    o.publish = Path.of(v);
                    break;
                case "--seed":
                    o.seed = parseInt(flag, v);
                    break;
                case "--data":
                    o.data = Path.of(v);
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + flag + "\n" + USAGE);
            }
        }
        if (o.train && o.checkpoint != null) {
            throw new IllegalArgumentException("use either --train or --checkpoint, not both");
        }
        return o;
    }

    private static boolean isKnown(String flag) {
        return USAGE.contains(flag + " ");
    }

    /**
     * @return the QConfig of the PTQ stage
     */
    QConfig ptqQConfig() {
        return qconfig(ptqQConfig, perChannel);
    }

    /**
     * @return the QConfig of the QAT stage
     */
    QConfig qatQConfig() {
        return qconfig(qatQConfig, perChannel);
    }

    static List<String> qconfigNames() {
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
     * Maps a preset name to its QConfig; {@code --per-channel off} turns the per-channel ema and
     * min-max presets into their per-tensor versions (and the reverse for on).
     */
    static QConfig qconfig(String name, boolean perChannel) {
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

    private static String known(String flag, String v) {
        if (!qconfigNames().contains(v)) {
            throw new IllegalArgumentException(
                    flag + ": unknown qconfig " + v + ", expected one of " + qconfigNames());
        }
        return v;
    }

    private static int parseInt(String flag, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs an integer, got " + v, e);
        }
    }

    private static int positive(String flag, String v) {
        int n = parseInt(flag, v);
        if (n < 1) {
            throw new IllegalArgumentException(flag + " must be >= 1, got " + v);
        }
        return n;
    }

    private static int nonNegative(String flag, String v) {
        int n = parseInt(flag, v);
        if (n < 0) {
            throw new IllegalArgumentException(flag + " must be >= 0, got " + v);
        }
        return n;
    }

    private static double fraction(String flag, String v) {
        double f;
        try {
            f = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    flag + " takes a number between 0 and 1, got " + v, e);
        }
        if (!(f >= 0 && f <= 1)) {
            throw new IllegalArgumentException(flag + " takes a number between 0 and 1, got " + v);
        }
        return f;
    }

    private static float positiveFloat(String flag, String v) {
        float f;
        try {
            f = Float.parseFloat(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a number, got " + v, e);
        }
        if (!(f > 0) || !Float.isFinite(f)) {
            throw new IllegalArgumentException(flag + " must be positive, got " + v);
        }
        return f;
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
                ptqQConfig,
                qatQConfig,
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
