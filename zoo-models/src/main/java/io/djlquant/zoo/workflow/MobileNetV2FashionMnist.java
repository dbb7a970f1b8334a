package io.djlquant.zoo.workflow;

import ai.djl.Model;
import ai.djl.basicmodelzoo.cv.classification.MobileNetV2;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.djlquant.dataset.FashionMnist;
import io.djlquant.quantization.QConfig;
import io.djlquant.quantization.QConfigs;
import io.djlquant.quantization.convert.CrossLayerEqualization;
import io.djlquant.quantization.convert.ParameterSnapshot;
import io.djlquant.quantization.convert.PtqAlgorithms;
import io.djlquant.quantization.convert.Quantizer;
import io.djlquant.quantization.convert.ScaleSearch;
import io.djlquant.quantized.QuantizedModels;
import io.djlquant.zoo.DjlQuantModelZoo;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * DJL's own {@code MobileNetV2} (unmodified, from {@code ai.djl.basicmodelzoo}) on Fashion-MNIST at
 * 32x32 with the ResNet18's preprocessing: {@code Quantizer.prepare}, float training (Adam, cosine
 * schedule), then PTQ per-tensor and per-channel and a short QAT, each converted to int8, saved as
 * {@code .jq}, loaded on JavaQuant and scored on the test set.
 *
 * <p>Run: {@code mvn -B -ntp -Pquantize -pl zoo-models -am package -DskipTests
 * -Dquantize.main=io.djlquant.tools.MobileNetV2FashionMnistCommand -Dquantize.args="..."} with
 * flags {@code --epochs 2 --batch 64 --lr 0.002 --calib-size 1000 --qat-steps 300 --qat-lr 0.0001
 * --test-limit 10000 --out DIR --data DIR}.
 *
 * <p>PTQ algorithms ({@code io.djlquant.quantization.convert.PtqAlgorithms}): {@code --algorithms
 * none,cle,cle+bc,cle+ss+bc} runs per-tensor min-max PTQ once per comma-separated variant (each
 * from the same trained float parameters; names: none, cle, cle6, bc, ss joined by '+') and prints
 * a table; {@code --standard false} skips the per-channel and QAT stages; {@code --float-params
 * FILE} loads the trained float parameters from FILE if it exists, else trains and saves them
 * there; {@code --search-objective mse|cosine} picks the scale search's score.
 */
public final class MobileNetV2FashionMnist {

    private MobileNetV2FashionMnist() {}

    /**
     * What the program does (the flags of {@code
     * io.djlquant.tools.MobileNetV2FashionMnistCommand}).
     *
     * @param epochs float training epochs
     * @param batch training batch size
     * @param lr the Adam learning rate (cosine to 0)
     * @param calibSize calibration images from the training split
     * @param qatSteps QAT fine-tuning steps
     * @param qatLr the QAT learning rate
     * @param testLimit test images to score
     * @param out the output directory
     * @param data the Fashion-MNIST directory
     * @param algorithms PTQ algorithm variants separated by commas, or empty for none
     * @param standard whether to run the per-tensor, per-channel and QAT stages
     * @param floatParams where the trained float parameters are loaded from, or saved to when the
     *     file does not exist yet; null to train without saving
     * @param objective the scale search's score
     */
    public record Options(
            int epochs,
            int batch,
            float lr,
            int calibSize,
            int qatSteps,
            float qatLr,
            int testLimit,
            Path out,
            Path data,
            String algorithms,
            boolean standard,
            Path floatParams,
            ScaleSearch.Objective objective) {

        /** Checks the values, naming the flag of the first bad one. */
        public Options {
            if (epochs < 1 || batch < 1 || calibSize < 1 || testLimit < 1) {
                throw new IllegalArgumentException(
                        "--epochs, --batch, --calib-size and --test-limit must be >= 1");
            }
            if (qatSteps < 0) {
                throw new IllegalArgumentException("--qat-steps must be >= 0, got " + qatSteps);
            }
            if (!(lr > 0) || !(qatLr > 0)) {
                throw new IllegalArgumentException("--lr and --qat-lr must be positive");
            }
        }
    }

    /**
     * Trains, quantizes and evaluates.
     *
     * @param o the options
     * @throws Exception if a step fails
     */
    public static void run(Options o) throws Exception {
        Files.createDirectories(o.out());
        Engine.getEngine("PyTorch").setRandomSeed(7);
        ImageSet test = ImageSet.open(o.data(), Dataset.Usage.TEST, o.testLimit(), 100);
        Shape input = new Shape(o.batch(), ImageSet.CHANNELS, ImageSet.SIZE, ImageSet.SIZE);
        StringBuilder report = new StringBuilder();
        try (Model model = Model.newInstance("mobilenetv2", "PyTorch");
                NDManager jq =
                        Engine.getEngine(DjlQuantModelZoo.QUANTIZED_ENGINE).newBaseManager()) {
            NDManager pt = model.getNDManager();
            Block djl = MobileNetV2.builder().setOutSize(FashionMnist.NUM_CLASSES).build();
            djl.initialize(pt, DataType.FLOAT32, input);
            Block net = Quantizer.prepare(djl, pt, input);
            model.setBlock(net);
            long t0 = System.nanoTime();
            if (o.floatParams() != null && Files.exists(o.floatParams())) {
                try (DataInputStream in =
                        new DataInputStream(
                                new BufferedInputStream(Files.newInputStream(o.floatParams())))) {
                    net.loadParameters(pt, in);
                }
                System.out.println("float parameters loaded from " + o.floatParams());
            } else {
                train(model, o, input);
                if (o.floatParams() != null) {
                    try (DataOutputStream os =
                            new DataOutputStream(
                                    new BufferedOutputStream(
                                            Files.newOutputStream(o.floatParams())))) {
                        net.saveParameters(os);
                    }
                }
            }
            double trainMinutes = (System.nanoTime() - t0) / 60e9;
            double floatTop1 = Predictions.run("Float", net, pt, test, 100, false).top1(test);
            report.append(
                    String.format(
                            Locale.ROOT,
                            "DJL MobileNetV2, Fashion-MNIST 32x32, %d epochs (%.1f min), test top-1"
                                    + " on %d images%n",
                            o.epochs(),
                            trainMinutes,
                            test.size()));
            report.append(
                    String.format(
                            Locale.ROOT, "  %-34s %.2f%%%n", "Float (PyTorch)", 100 * floatTop1));
            if (!o.algorithms().isBlank()) {
                report.append(algorithms(net, pt, jq, o, test, floatTop1));
            }
            if (!o.standard()) {
                Files.writeString(o.out().resolve("mobilenetv2.txt"), report.toString());
                System.out.println();
                System.out.print(report);
                return;
            }
            report.append(
                    ptq(
                            "PTQ per-tensor (min-max)",
                            QConfigs.minMaxFakeQuant(),
                            net,
                            pt,
                            jq,
                            o,
                            test,
                            floatTop1));
            report.append(
                    ptq(
                            "PTQ per-channel (calibration)",
                            QConfigs.calibration(),
                            net,
                            pt,
                            jq,
                            o,
                            test,
                            floatTop1));
            // QAT last: it trains the float parameters it shares
            Block qat = Quantizer.quantizeQat(net, QConfigs.emaFakeQuantPerChannel());
            QatFineTune.run(qat, o.data(), o.qatSteps(), 32, o.qatLr(), 0.0, 7);
            report.append(
                    stage(
                            "QAT per-channel, " + o.qatSteps() + " steps",
                            qat,
                            pt,
                            jq,
                            o,
                            test,
                            floatTop1));
        }
        Files.writeString(o.out().resolve("mobilenetv2.txt"), report.toString());
        System.out.println();
        System.out.print(report);
    }

    /**
     * Per-tensor min-max PTQ once per variant of {@code --algorithms}, each from the trained float
     * parameters (restored from a snapshot: equalization and bias correction change them).
     */
    private static String algorithms(
            Block net, NDManager pt, NDManager jq, Options o, ImageSet test, double floatTop1)
            throws Exception {
        List<NDArray> calibration = new ArrayList<>();
        for (Batch b :
                ImageSet.dataset(o.data(), Dataset.Usage.TRAIN, o.calibSize(), 100, false)
                        .getData(pt)) {
            NDArray x = b.getData().head();
            x.attach(pt);
            calibration.add(x);
            b.close();
        }
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "  PTQ per-tensor (min-max) with PTQ algorithms, %d calibration images%n",
                        o.calibSize()));
        try (ParameterSnapshot trained = ParameterSnapshot.take(net)) {
            for (String variant : o.algorithms().split(",")) {
                trained.restore();
                PtqAlgorithms.Options opts =
                        PtqAlgorithms.Options.parse(variant.trim())
                                .search(o.objective(), ScaleSearch.defaultFactors());
                String cleFloat = "";
                if (opts.label().startsWith("CLE")) {
                    // the float model after equalization alone: unchanged unless ReLU6 pairs were
                    // equalized
                    CrossLayerEqualization.equalize(
                            net,
                            4,
                            opts.label().startsWith("CLE(relu6)")
                                    ? CrossLayerEqualization.Relu6.EQUALIZE
                                    : CrossLayerEqualization.Relu6.SKIP);
                    double f =
                            Predictions.run(opts.label() + " Float", net, pt, test, 100, false)
                                    .top1(test);
                    cleFloat = String.format(Locale.ROOT, "float after CLE %.2f%%; ", 100 * f);
                    trained.restore();
                }
                long t0 = System.nanoTime();
                PtqAlgorithms.Outcome out =
                        PtqAlgorithms.quantize(net, QConfigs.minMaxFakeQuant(), calibration, opts);
                double seconds = (System.nanoTime() - t0) / 1e9;
                System.out.print(out.report().summary());
                String title = "PTQ per-tensor " + opts.label();
                String row = stage(title, out.qfloat(), pt, jq, o, test, floatTop1);
                String summary = out.report().summary().strip().replace("\n", "; ");
                sb.append(row)
                        .append(
                                String.format(
                                        Locale.ROOT,
                                        "      (%.0f s) %s%s%n",
                                        seconds,
                                        cleFloat,
                                        summary));
                System.out.print(row);
            }
            trained.restore();
        }
        return sb.toString();
    }

    private static String ptq(
            String title,
            QConfig qc,
            Block net,
            NDManager pt,
            NDManager jq,
            Options o,
            ImageSet test,
            double floatTop1)
            throws Exception {
        Block qfloat = Quantizer.quantizeQat(net, qc);
        Quantizer.calibrate(
                qfloat,
                ImageSet.dataset(o.data(), Dataset.Usage.TRAIN, o.calibSize(), 100, false),
                pt,
                (o.calibSize() + 99) / 100);
        return stage(title, qfloat, pt, jq, o, test, floatTop1);
    }

    /** QFloat on PyTorch, then Q converted, saved, loaded on JavaQuant and scored. */
    private static String stage(
            String title,
            Block qfloat,
            NDManager pt,
            NDManager jq,
            Options o,
            ImageSet test,
            double floatTop1)
            throws Exception {
        Predictions qf = Predictions.run(title + " QFloat", qfloat, pt, test, 100, false);
        String file =
                title.replaceAll("[^A-Za-z0-9]+", "-").replaceAll("-$", "").toLowerCase(Locale.ROOT)
                        + ".jq";
        Path path = o.out().resolve(file);
        QuantizedModels.save(Quantizer.quantize(qfloat), path, Map.of("dataset", "fashion-mnist"));
        try (Model loaded = Model.newInstance(file, DjlQuantModelZoo.QUANTIZED_ENGINE)) {
            loaded.load(path);
            Predictions q = Predictions.run(title + " Q", loaded.getBlock(), jq, test, 100, false);
            return String.format(
                    Locale.ROOT,
                    "  %-34s QFloat %.2f%%, Q %.2f%% (drop %.2f), QFloat/Q agreement %.2f%%, %s %,d"
                            + " bytes%n",
                    title,
                    100 * qf.top1(test),
                    100 * q.top1(test),
                    100 * (floatTop1 - q.top1(test)),
                    100 * qf.agreement(q),
                    file,
                    Files.size(path));
        }
    }

    private static void train(Model model, Options o, Shape input) throws Exception {
        FashionMnist train =
                ImageSet.dataset(o.data(), Dataset.Usage.TRAIN, Long.MAX_VALUE, o.batch(), true);
        train.prepare();
        int steps = (int) (o.epochs() * (train.size() / o.batch()));
        Tracker schedule =
                Tracker.cosine()
                        .setBaseValue(o.lr())
                        .optFinalValue(0f)
                        .setMaxUpdates(steps)
                        .build();
        DefaultTrainingConfig cfg =
                new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                        .optOptimizer(Optimizer.adam().optLearningRateTracker(schedule).build());
        try (Trainer trainer = model.newTrainer(cfg)) {
            trainer.initialize(input);
            int step = 0;
            for (int epoch = 0; epoch < o.epochs(); epoch++) {
                double lossSum = 0;
                int count = 0;
                for (Batch batch : trainer.iterateDataset(train)) {
                    try (batch;
                            GradientCollector gc = trainer.newGradientCollector()) {
                        NDList pred = trainer.forward(batch.getData());
                        var loss = trainer.getLoss().evaluate(batch.getLabels(), pred);
                        lossSum += loss.getFloat();
                        count++;
                        gc.backward(loss);
                    }
                    trainer.step();
                    if (++step % 200 == 0) {
                        System.out.printf(
                                Locale.ROOT,
                                "epoch %d step %d: mean loss %.4f%n",
                                epoch + 1,
                                step,
                                lossSum / count);
                    }
                }
            }
        }
    }
}
