package io.djlquant.zoo.workflow;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import io.djlquant.quantization.QConfig;
import io.djlquant.quantization.QConfigs;
import io.djlquant.quantization.convert.MixedPrecision;
import io.djlquant.quantization.convert.ParameterSnapshot;
import io.djlquant.quantization.convert.PtqAlgorithms;
import io.djlquant.quantization.convert.Quantizer;
import io.djlquant.quantization.convert.ScaleSearch;
import io.djlquant.quantized.QuantizedModels;
import io.djlquant.zoo.DjlQuantModelZoo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Accuracy-aware mixed precision on the zoo's float ResNet18 (Fashion-MNIST, 32x32): PTQ with a
 * QConfig that loses accuracy (4-bit weights by default), then {@link MixedPrecision#search} keeps
 * the fewest layers in float that bring top-1 on held-out training images within the budget. The
 * chosen model is converted, saved as {@code .jq}, loaded on JavaQuant (its float layers run in
 * Java) and scored on the test set next to the float, all-quantized and all-int8 models.
 *
 * <p>Run: {@code mvn -B -ntp -Pquantize -pl zoo-models -am package -DskipTests
 * -Dquantize.main=io.djlquant.tools.MixedPrecisionResNet18Command -Dquantize.args="..."} with flags
 * {@code --max-drop 0.005 --max-float 6 --calib-size 1000 --val-size 2000 --test-limit 10000
 * --qconfig int4-weights|int8 --out DIR --data DIR}.
 *
 * <p>With {@code --algorithms none,cle,cle+ss+bc} (names none, cle, cle6, bc, ss joined by '+') the
 * search is not run; instead PTQ with the QConfig runs once per variant of {@code
 * io.djlquant.quantization.convert.PtqAlgorithms} (from the same float parameters) and each Q model
 * is scored on the test set; {@code --search-objective mse|cosine} picks the scale search's score.
 */
public final class MixedPrecisionResNet18 {

    private MixedPrecisionResNet18() {}

    /**
     * What the program does (the flags of {@code io.djlquant.tools.MixedPrecisionResNet18Command}).
     *
     * @param maxDrop the top-1 budget of the search (a fraction, 0.005 is half a point)
     * @param maxFloat at most this many layers kept in float
     * @param calibSize calibration images from the training split
     * @param valSize validation images (training images after the calibration images)
     * @param testLimit test images to score
     * @param qconfig {@code int4-weights} or {@code int8}
     * @param out the output directory
     * @param data the Fashion-MNIST directory
     * @param algorithms PTQ algorithm variants separated by commas instead of the search, or empty
     * @param objective the scale search's score
     */
    public record Options(
            double maxDrop,
            int maxFloat,
            int calibSize,
            int valSize,
            int testLimit,
            String qconfig,
            Path out,
            Path data,
            String algorithms,
            ScaleSearch.Objective objective) {

        /** Checks the values, naming the flag of the first bad one. */
        public Options {
            if (!(maxDrop >= 0 && maxDrop < 1)) {
                throw new IllegalArgumentException("--max-drop must be in [0, 1), got " + maxDrop);
            }
            if (maxFloat < 0) {
                throw new IllegalArgumentException("--max-float must be >= 0, got " + maxFloat);
            }
            if (calibSize < 1 || valSize < 1 || testLimit < 1) {
                throw new IllegalArgumentException(
                        "--calib-size, --val-size and --test-limit must be >= 1");
            }
            preset(qconfig);
        }

        /** Evaluation batch size (not a flag). */
        int batch() {
            return 100;
        }

        QConfig preset() {
            return preset(qconfig);
        }

        private static QConfig preset(String qconfig) {
            return switch (qconfig) {
                case "int4-weights" -> QConfigs.int4Weights();
                case "int8" -> QConfigs.calibration();
                default ->
                        throw new IllegalArgumentException(
                                "unknown --qconfig " + qconfig + ", expected int4-weights or int8");
            };
        }
    }

    /**
     * Runs the search and the evaluation.
     *
     * @param o the options
     * @throws Exception if a step fails
     */
    public static void run(Options o) throws Exception {
        Files.createDirectories(o.out());
        Engine.getEngine("PyTorch").setRandomSeed(7);
        // validation: training images after the calibration images (the test set is only reported)
        ImageSet trainHead =
                ImageSet.open(
                        o.data(), Dataset.Usage.TRAIN, o.calibSize() + o.valSize(), o.batch());
        ImageSet val = trainHead.tail(o.calibSize());
        ImageSet test = ImageSet.open(o.data(), Dataset.Usage.TEST, o.testLimit(), o.batch());
        try (Model floatModel = FloatModels.loadShipped();
                NDManager pt = NDManager.newBaseManager("PyTorch");
                NDManager jq =
                        Engine.getEngine(DjlQuantModelZoo.QUANTIZED_ENGINE).newBaseManager()) {
            Block floatBlock = floatModel.getBlock();
            if (!o.algorithms().isBlank()) {
                String table = algorithms(floatBlock, o, pt, jq, test);
                Files.writeString(o.out().resolve("ptq-algorithms.txt"), table);
                System.out.println();
                System.out.print(table);
                return;
            }
            MixedPrecision.Preparation calibrate =
                    qf ->
                            Quantizer.calibrate(
                                    qf,
                                    ImageSet.dataset(
                                            o.data(),
                                            Dataset.Usage.TRAIN,
                                            o.calibSize(),
                                            o.batch(),
                                            false),
                                    pt,
                                    (o.calibSize() + o.batch() - 1) / o.batch());
            MixedPrecision.Accuracy accuracy =
                    m ->
                            Predictions.run("validation top-1", m, pt, val, o.batch(), false)
                                    .top1(val);
            MixedPrecision.Result r =
                    MixedPrecision.search(
                            floatBlock, o.preset(), calibrate, accuracy, o.maxDrop(), o.maxFloat());
            System.out.print(r.table());

            double floatTest =
                    Predictions.run("Float test", floatBlock, pt, test, o.batch(), false)
                            .top1(test);
            Block allQ = Quantizer.quantizeQat(floatBlock, o.preset());
            calibrate.prepare(allQ);
            Block int8 = Quantizer.quantizeQat(floatBlock, QConfigs.calibration());
            calibrate.prepare(int8);
            StringBuilder report = new StringBuilder(r.table());
            report.append(
                    String.format(Locale.ROOT, "test set (%d images), top-1:%n", test.size()));
            report.append(
                    String.format(
                            Locale.ROOT,
                            "  Float (PyTorch)                  %.2f%%%n",
                            100 * floatTest));
            report.append(line("all " + o.qconfig(), allQ, o, test, jq, "all"));
            report.append(
                    line(
                            o.qconfig() + " + " + r.chosen().floatLayers().size() + " in float",
                            r.qfloat(),
                            o,
                            test,
                            jq,
                            "mixed"));
            report.append(line("all int8 (calibration)", int8, o, test, jq, "int8"));
            Files.writeString(o.out().resolve("mixed-precision.txt"), report.toString());
            System.out.println();
            System.out.print(report);
        }
    }

    /**
     * PTQ with the QConfig once per variant of --algorithms, each from the shipped float
     * parameters.
     */
    private static String algorithms(
            Block net, Options o, NDManager pt, NDManager jq, ImageSet test) throws Exception {
        List<NDArray> calibration = new ArrayList<>();
        for (Batch b :
                ImageSet.dataset(o.data(), Dataset.Usage.TRAIN, o.calibSize(), o.batch(), false)
                        .getData(pt)) {
            NDArray x = b.getData().head();
            x.attach(pt);
            calibration.add(x);
            b.close();
        }
        double floatTest =
                Predictions.run("Float test", net, pt, test, o.batch(), false).top1(test);
        StringBuilder sb =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "ResNet18, PTQ %s with PTQ algorithms (%d calibration images), test"
                                        + " set (%d images), top-1:%n",
                                o.qconfig(),
                                o.calibSize(),
                                test.size()));
        sb.append(
                String.format(
                        Locale.ROOT,
                        "  Float (PyTorch)                  %.2f%%%n",
                        100 * floatTest));
        try (ParameterSnapshot shipped = ParameterSnapshot.take(net)) {
            for (String variant : o.algorithms().split(",")) {
                shipped.restore();
                PtqAlgorithms.Options opts =
                        PtqAlgorithms.Options.parse(variant.trim())
                                .search(o.objective(), ScaleSearch.defaultFactors());
                long t0 = System.nanoTime();
                PtqAlgorithms.Outcome out =
                        PtqAlgorithms.quantize(net, o.preset(), calibration, opts);
                double seconds = (System.nanoTime() - t0) / 1e9;
                System.out.print(out.report().summary());
                String row =
                        line(
                                o.qconfig() + " " + opts.label(),
                                out.qfloat(),
                                o,
                                test,
                                jq,
                                "ptq-"
                                        + opts.label()
                                                .replaceAll("[^A-Za-z0-9]+", "-")
                                                .toLowerCase(Locale.ROOT));
                System.out.print(row);
                sb.append(row)
                        .append(
                                String.format(
                                        Locale.ROOT,
                                        "      (%.0f s) %s%n",
                                        seconds,
                                        out.report().summary().strip().replace("\n", "; ")));
            }
            shipped.restore();
        }
        return sb.toString();
    }

    /** Converts, saves, loads on JavaQuant and scores one configuration. */
    private static String line(
            String title, Block qfloat, Options o, ImageSet test, NDManager jq, String file)
            throws Exception {
        Path path = o.out().resolve("resnet18-" + file + ".jq");
        QuantizedModels.save(Quantizer.quantize(qfloat), path, Map.of("dataset", "fashion-mnist"));
        try (Model loaded = Model.newInstance(file, DjlQuantModelZoo.QUANTIZED_ENGINE)) {
            loaded.load(path);
            double top1 =
                    Predictions.run(title + " Q", loaded.getBlock(), jq, test, o.batch(), false)
                            .top1(test);
            return String.format(
                    Locale.ROOT,
                    "  %-32s %.2f%% (Q on JavaQuant, %s, %,d bytes)%n",
                    title,
                    100 * top1,
                    path.getFileName(),
                    Files.size(path));
        }
    }
}
