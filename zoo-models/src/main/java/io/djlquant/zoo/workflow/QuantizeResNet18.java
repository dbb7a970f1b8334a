package io.djlquant.zoo.workflow;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.dataset.Dataset;
import io.djlquant.dataset.FashionMnist;
import io.djlquant.quantization.convert.LayerComparison;
import io.djlquant.quantization.convert.Quantizer;
import io.djlquant.quantized.QuantizedModels;
import io.djlquant.training.Checkpoints;
import io.djlquant.training.TrainFloat;
import io.djlquant.training.TrainOptions;
import io.djlquant.zoo.DjlQuantModelZoo;
import io.djlquant.zoo.ResNet18Loader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * ResNet18 on Fashion-MNIST end to end, MegEngine style: Float -> (PTQ | QAT) QFloat -> int8 Q on
 * the JavaQuant engine, with a table of top-1 accuracy, QFloat/Q agreement, file sizes and latency
 * (text, JSON and PNG) and the int8 models saved as {@code .jq} files.
 *
 * <p>Run it with {@code mvn -B -ntp -Pquantize -pl zoo-models -am package -DskipTests
 * -Dquantize.args="..."} (the program {@code io.djlquant.tools.QuantizeResNet18Command}); {@code
 * --help} prints the options.
 */
public final class QuantizeResNet18 {

    /** Test images of the per-layer comparison. */
    static final int COMPARE_IMAGES = 500;

    private QuantizeResNet18() {}

    /**
     * Runs the workflow and writes {@code report.txt}, {@code report.json}, {@code top1.png} and
     * the model files into the output directory.
     *
     * @param o the options
     * @return the report table, as in {@code report.txt}
     * @throws Exception if a step fails
     */
    public static String run(WorkflowOptions o) throws Exception {
        Files.createDirectories(o.out());
        Engine.getEngine("PyTorch").setRandomSeed(o.seed());
        log("[1/5] Float model");
        Path floatFile = floatCheckpoint(o);
        ImageSet test = ImageSet.open(o.data(), Dataset.Usage.TEST, o.testLimit(), o.batch());
        log("loading " + test.size() + " test images");
        test.pixels(0, 1);

        try (Model floatModel =
                        floatFile == null
                                ? FloatModels.loadShipped()
                                : FloatModels.load(floatFile);
                NDManager pt = NDManager.newBaseManager("PyTorch");
                NDManager jq =
                        Engine.getEngine(DjlQuantModelZoo.QUANTIZED_ENGINE).newBaseManager()) {
            Path params = floatFile == null ? FloatModels.paramsFile(floatModel) : floatFile;
            Path floatCopy = o.out().resolve("resnet18-float-" + epochOf(params) + ".params");
            if (!Files.isSameFile(params.toAbsolutePath().getParent(), o.out().toAbsolutePath())) {
                Files.copy(params, floatCopy, StandardCopyOption.REPLACE_EXISTING);
            }
            Block floatBlock = floatModel.getBlock();
            Predictions floatPred =
                    Predictions.run("Float top-1 (PyTorch)", floatBlock, pt, test, o.batch());
            double floatTop1 = floatPred.top1(test);
            log(String.format(Locale.ROOT, "Float top-1 %.2f%%", 100 * floatTop1));
            double floatLatency = Latency.medianMillis(floatBlock, pt, test, o.latencyImages());

            log("[2/5] PTQ with " + o.ptqPreset() + " on " + o.calibSize() + " training images");
            Block ptqQFloat = Quantizer.quantizeQat(floatBlock, o.ptqQConfig());
            FashionMnist calib =
                    ImageSet.dataset(
                            o.data(), Dataset.Usage.TRAIN, o.calibSize(), o.batch(), false);
            calib.prepare();
            Quantizer.calibrate(ptqQFloat, calib, pt, (o.calibSize() + o.batch() - 1) / o.batch());
            StageResult ptq =
                    stage(
                            "PTQ",
                            o.ptqPreset(),
                            floatBlock,
                            ptqQFloat,
                            floatPred,
                            floatTop1,
                            test,
                            pt,
                            jq,
                            o);

            log("[3/5] QAT with " + o.qatPreset() + ", " + o.qatSteps() + " steps");
            StageResult qat;
            // QAT trains the float parameters it shares, so it starts from a fresh copy.
            try (Model qatFloat = FloatModels.load(floatCopy)) {
                Block qatQFloat = Quantizer.quantizeQat(qatFloat.getBlock(), o.qatQConfig());
                QatFineTune.run(
                        qatQFloat,
                        o.data(),
                        o.qatSteps(),
                        o.qatBatch(),
                        o.qatLr(),
                        o.qatFreezeBnAt(),
                        o.seed());
                qat =
                        stage(
                                "QAT",
                                o.qatPreset(),
                                floatBlock,
                                qatQFloat,
                                floatPred,
                                floatTop1,
                                test,
                                pt,
                                jq,
                                o);
            }

            log("[4/5] report");
            Report report =
                    new Report(
                            test.size(),
                            o.toString(),
                            floatCopy.getFileName().toString(),
                            Files.size(floatCopy),
                            floatLatency,
                            floatPred.millisPerImage(),
                            List.of(ptq, qat));
            Files.writeString(
                    o.out().resolve("report.txt"), report.table(), StandardCharsets.UTF_8);
            Files.writeString(
                    o.out().resolve("report.json"), report.json(), StandardCharsets.UTF_8);
            BarChart.write(report, o.out().resolve("top1.png"));

            log("[5/5] model files in " + o.out().toAbsolutePath());
            if (o.publish() != null) {
                List<ZooPublisher.Entry> entries = new ArrayList<>();
                entries.add(
                        new ZooPublisher.Entry(
                                ResNet18Loader.NONE,
                                DjlQuantModelZoo.FLOAT_ENGINE,
                                floatCopy,
                                "resnet18-float-" + epochOf(params) + ".params",
                                extra(floatTop1, null, test)));
                entries.add(
                        new ZooPublisher.Entry(
                                ResNet18Loader.PTQ,
                                DjlQuantModelZoo.QUANTIZED_ENGINE,
                                o.out().resolve(ptq.modelFile()),
                                ptq.modelFile(),
                                extra(ptq.qTop1(), ptq.qconfig(), test)));
                entries.add(
                        new ZooPublisher.Entry(
                                ResNet18Loader.QAT,
                                DjlQuantModelZoo.QUANTIZED_ENGINE,
                                o.out().resolve(qat.modelFile()),
                                qat.modelFile(),
                                extra(qat.qTop1(), qat.qconfig(), test)));
                ZooPublisher.publish(o.publish(), entries);
                log(
                        "published the zoo artifacts under "
                                + ZooPublisher.artifactDir(o.publish()).toAbsolutePath());
            }
            return report.table();
        }
    }

    /** Evaluates a QFloat tree, converts it to int8, saves it, reloads it and evaluates it. */
    private static StageResult stage(
            String name,
            String qconfig,
            Block floatBlock,
            Block qfloat,
            Predictions floatPred,
            double floatTop1,
            ImageSet test,
            NDManager pt,
            NDManager jq,
            WorkflowOptions o)
            throws Exception {
        Predictions qfloatPred =
                Predictions.run(
                        name + " QFloat top-1 (PyTorch)", qfloat, pt, test, o.batch(), false);
        Block q = Quantizer.quantize(qfloat);
        compareLayers(name, floatBlock, qfloat, q, test, pt, o);
        String fileName = "resnet18-" + name.toLowerCase(Locale.ROOT) + ".jq";
        Path file = o.out().resolve(fileName);
        QuantizedModels.save(
                q, file, Map.of("dataset", "fashion-mnist", "stage", name, "qconfig", qconfig));
        // Evaluate what was saved: the model the engine (and the zoo) loads from the file.
        try (Model loaded = Model.newInstance(name, DjlQuantModelZoo.QUANTIZED_ENGINE)) {
            loaded.load(file);
            Predictions qPred =
                    Predictions.run(
                            name + " Q top-1 (JavaQuant)", loaded.getBlock(), jq, test, o.batch());
            if (qPred.foreignArrays() != 0) {
                // the batched Q time must measure int8 from input to logits, not engine copies
                throw new IllegalStateException(
                        name
                                + " Q evaluation passed "
                                + qPred.foreignArrays()
                                + " non-JavaQuant arrays through its Q blocks");
            }
            double latency = Latency.medianMillis(loaded.getBlock(), jq, test, o.latencyImages());
            StageResult r =
                    new StageResult(
                            name,
                            qconfig,
                            floatTop1,
                            qfloatPred.top1(test),
                            qPred.top1(test),
                            qfloatPred.agreement(qPred),
                            floatPred.agreement(qPred),
                            fileName,
                            Files.size(file),
                            latency,
                            qPred.millisPerImage());
            log(
                    String.format(
                            Locale.ROOT,
                            "%s: QFloat %.2f%%, Q %.2f%%, QFloat/Q agreement %.2f%%",
                            name,
                            100 * r.qfloatTop1(),
                            100 * r.qTop1(),
                            100 * r.qfloatQAgreement()));
            return r;
        }
    }

    /**
     * Prints and writes ({@code layers-<stage>.txt/.json}) the per-layer error of Float, QFloat and
     * Q on the first {@link #COMPARE_IMAGES} test images. For QAT the float reference is the model
     * before fine-tuning (the QAT tree trained its own copy).
     */
    private static void compareLayers(
            String name,
            Block floatBlock,
            Block qfloat,
            Block q,
            ImageSet test,
            NDManager pt,
            WorkflowOptions o)
            throws java.io.IOException {
        int n = Math.min(COMPARE_IMAGES, test.size());
        List<NDArray> batches = new ArrayList<>();
        try (NDManager scope = pt.newSubManager()) {
            for (int from = 0; from < n; from += o.batch()) {
                int to = Math.min(n, from + o.batch());
                batches.add(
                        scope.create(
                                test.pixels(from, to),
                                new Shape(
                                        to - from,
                                        ImageSet.CHANNELS,
                                        ImageSet.SIZE,
                                        ImageSet.SIZE)));
            }
            LayerComparison layers = Quantizer.compare(floatBlock, qfloat, q, batches);
            String stem = "layers-" + name.toLowerCase(Locale.ROOT);
            Files.writeString(
                    o.out().resolve(stem + ".txt"), layers.table(), StandardCharsets.UTF_8);
            Files.writeString(
                    o.out().resolve(stem + ".json"), layers.json(), StandardCharsets.UTF_8);
            log(name + " per layer (" + stem + ".txt, .json):");
            System.out.print(layers.table());
        }
    }

    private static Map<String, Object> extra(double top1, String qconfig, ImageSet test) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("top1", String.format(Locale.ROOT, "%.4f", top1));
        m.put("top1Images", test.size());
        if (qconfig != null) {
            m.put("qconfig", qconfig);
        }
        return m;
    }

    /** The float checkpoint: given, trained now, or null for the one shipped in the zoo. */
    private static Path floatCheckpoint(WorkflowOptions o) throws Exception {
        if (o.checkpoint() != null) {
            return o.checkpoint();
        }
        if (!o.train()) {
            return null;
        }
        Path dir = o.out().resolve("train");
        TrainOptions train =
                TrainOptions.builder()
                        .imageSize(32)
                        .channels(3)
                        .batchSize(128)
                        .epochs(o.trainEpochs())
                        .learningRate(0.05f)
                        .weightDecay(5e-4f)
                        .cosineSchedule(true)
                        .limit(o.trainLimit())
                        .outputDir(dir)
                        .modelName("resnet18")
                        .seed((long) o.seed())
                        .verbose(true)
                        .build();
        TrainFloat.run(TrainFloat.modelFactory("resnet18-imagenet-stem", train), train, o.data());
        Checkpoints c = new Checkpoints(dir, "resnet18");
        OptionalInt last = c.latestEpoch();
        if (last.isEmpty()) {
            throw new IllegalStateException("training wrote no checkpoint to " + dir);
        }
        return c.file(last.getAsInt());
    }

    private static String epochOf(Path params) {
        String n = params.getFileName().toString();
        int dash = n.lastIndexOf('-');
        return n.substring(dash + 1, n.length() - ".params".length());
    }

    private static void log(String message) {
        System.out.println(message);
    }
}
