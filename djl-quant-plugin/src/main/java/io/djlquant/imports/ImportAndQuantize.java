package io.djlquant.imports;

import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.util.ProgressBar;
import ai.djl.translate.NoopTranslator;
import io.djlquant.dataset.FashionMnist;
import io.djlquant.models.TorchvisionLayout;
import io.djlquant.quantization.QConfigs;
import io.djlquant.quantization.convert.LayerComparison;
import io.djlquant.quantization.convert.Quantizer;
import io.djlquant.quantized.QuantizedModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Post-training quantization of an imported torchvision ResNet or MobileNetV2 ({@link #run}); the
 * command-line program is {@code io.djlquant.tools.ImportAndQuantizeCommand} (zoo-models module).
 *
 * <p>Imports the float network ({@link TorchvisionImport}), converts it with {@code
 * Quantizer.quantizeQat(net, QConfigs.calibration())}, calibrates over the images ({@link
 * ImageFiles}: ImageNet preprocessing; or Fashion-MNIST's test split resized to the image size),
 * converts to int8 ({@code Quantizer.quantize}), saves the {@code .jq} file, loads it back through
 * {@code Criteria.optEngine("JavaQuant")} and prints the Float vs Q top-1 agreement on the
 * calibration images.
 */
public final class ImportAndQuantize {

    /**
     * What a run produced.
     *
     * @param out the written {@code .jq} file
     * @param layout the imported network's layout
     * @param images images compared
     * @param agreeing images whose Float and Q top-1 classes agree
     * @param maxLogitDiff the largest |Float - Q| logit difference
     * @param floatClasses how many distinct top-1 classes the float model predicted (agreement with
     *     a near-constant predictor means little)
     * @param floatCorrect images whose float top-1 equals the dataset label
     * @param qCorrect images whose Q top-1 equals the dataset label (labels are meaningful for
     *     Fashion-MNIST; for a folder they are sub-folder indices)
     */
    public record Result(
            Path out,
            TorchvisionLayout layout,
            int images,
            int agreeing,
            float maxLogitDiff,
            int floatClasses,
            int floatCorrect,
            int qCorrect) {
        /**
         * @return the top-1 agreement in [0, 1]
         */
        public double agreement() {
            return agreeing / (double) images;
        }
    }

    private ImportAndQuantize() {}

    /**
     * Imports, calibrates, quantizes, saves, reloads and compares.
     *
     * @param o the options
     * @return the outcome
     * @throws Exception if reading, calibrating or writing fails
     */
    public static Result run(ImportOptions o) throws Exception {
        // the untrusted file is checked completely before any engine or output file is touched
        boolean torchScript = TorchArchive.isTorchScript(o.model());
        Map<String, TorchTensor> archive = TorchArchive.read(o.model());
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            long t0 = System.nanoTime();
            TorchvisionImport.Imported imported =
                    TorchvisionImport.load(
                            o.model(), archive, torchScript, o.stemStride(), manager);
            SequentialBlock net = imported.net();
            TorchvisionLayout layout = imported.layout();
            int channels = (int) net.getInputShapes()[0].get(1);
            int size = o.imageSize() > 0 ? o.imageSize() : layout.defaultImageSize();
            System.out.printf(
                    "Imported %s: %s, input %dx%dx%d (%.1f s)%n",
                    o.model(), layout, channels, size, size, secs(t0));

            long t1 = System.nanoTime();
            RandomAccessDataset data = dataset(o, channels, size);
            System.out.printf("Calibration data: %s (%.1f s)%n", o.calibration(), secs(t1));
            long t2 = System.nanoTime();
            Block qat = Quantizer.quantizeQat(net, QConfigs.calibration());
            Quantizer.calibrate(qat, data, manager, o.batches());
            Block q = Quantizer.quantize(qat);
            System.out.printf("Calibrated and quantized (%.1f s)%n", secs(t2));
            Map<String, String> props = new LinkedHashMap<>();
            props.put("source", o.model().getFileName().toString());
            props.put("layout", layout.toString());
            props.put("input", channels + "x" + size + "x" + size);
            props.put("calibration", o.calibration());
            QuantizedModels.save(q, o.out(), props);
            System.out.println("Wrote " + o.out());
            compareLayers(net, qat, q, data, manager, o);
            long t3 = System.nanoTime();
            Result r = compare(net, data, manager, o, layout);
            System.out.printf("Compared Float and Q (%.1f s)%n", secs(t3));
            return r;
        }
    }

    /**
     * Prints the per-layer error of Float, QFloat and Q on the first calibration batch and writes
     * it as JSON beside the model ({@code <model>.layers.json}).
     */
    private static void compareLayers(
            Block net,
            Block qat,
            Block q,
            RandomAccessDataset data,
            NDManager manager,
            ImportOptions o)
            throws Exception {
        for (Batch batch : data.getData(manager)) {
            try (batch) {
                LayerComparison layers =
                        Quantizer.compare(net, qat, q, List.of(batch.getData().head()));
                System.out.print(layers.table());
                Path json = layersFile(o.out());
                Files.writeString(json, layers.json(), StandardCharsets.UTF_8);
                System.out.println("Wrote " + json);
            }
            return;
        }
    }

    /** {@code dir/name.jq} -> {@code dir/name.layers.json}. */
    static Path layersFile(Path model) {
        String name = model.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return model.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".layers.json");
    }

    private static RandomAccessDataset dataset(ImportOptions o, int channels, int size)
            throws Exception {
        int limit = o.batches() * o.batchSize();
        RandomAccessDataset data;
        if (ImportOptions.FASHION_MNIST.equals(o.calibration())) {
            data =
                    FashionMnist.builder()
                            .optUsage(Dataset.Usage.TEST)
                            .optImageSize(size, FashionMnist.SizeMode.RESIZE)
                            .optChannels(channels)
                            .setSampling(o.batchSize(), false)
                            .optLimit(limit)
                            .build();
        } else {
            data =
                    ImageFiles.builder()
                            .setRoot(Path.of(o.calibration()))
                            .optImageSize(size)
                            .optChannels(channels)
                            .setSampling(o.batchSize(), false)
                            .optLimit(limit)
                            .build();
        }
        data.prepare(new ProgressBar());
        return data;
    }

    /** Float (PyTorch) vs the saved Q model reloaded on the JavaQuant engine, image by image. */
    private static Result compare(
            Block net,
            RandomAccessDataset data,
            NDManager manager,
            ImportOptions o,
            TorchvisionLayout layout)
            throws Exception {
        Criteria<NDList, NDList> criteria =
                Criteria.builder()
                        .setTypes(NDList.class, NDList.class)
                        .optModelPath(o.out())
                        .optEngine("JavaQuant")
                        .optTranslator(new NoopTranslator())
                        .build();
        int images = 0;
        int agreeing = 0;
        float maxDiff = 0;
        Set<Integer> predicted = new HashSet<>();
        int floatCorrect = 0;
        int qCorrect = 0;
        try (ZooModel<NDList, NDList> model = criteria.loadModel();
                Predictor<NDList, NDList> predictor = model.newPredictor();
                NDManager jq = Engine.getEngine("JavaQuant").newBaseManager()) {
            ProgressBar bar = new ProgressBar("Float vs Q", o.batches());
            bar.start(0);
            int seen = 0;
            for (Batch batch : data.getData(manager)) {
                try (batch) {
                    if (seen++ >= o.batches()) {
                        break;
                    }
                    NDArray x = batch.getData().head();
                    float[] f =
                            net.forward(new ParameterStore(manager, false), new NDList(x), false)
                                    .head()
                                    .toFloatArray();
                    float[] q;
                    try (NDManager scope = jq.newSubManager()) {
                        NDArray xq = scope.create(x.toFloatArray(), x.getShape());
                        q = predictor.predict(new NDList(xq)).head().toFloatArray();
                    }
                    int n = (int) x.getShape().get(0);
                    float[] labels =
                            batch.getLabels().head().toType(DataType.FLOAT32, false).toFloatArray();
                    int classes = f.length / n;
                    for (int i = 0; i < n; i++) {
                        int top = argmax(f, i, classes);
                        int topQ = argmax(q, i, classes);
                        predicted.add(top);
                        agreeing += top == topQ ? 1 : 0;
                        floatCorrect += top == (int) labels[i] ? 1 : 0;
                        qCorrect += topQ == (int) labels[i] ? 1 : 0;
                        for (int c = 0; c < classes; c++) {
                            maxDiff =
                                    Math.max(
                                            maxDiff,
                                            Math.abs(f[i * classes + c] - q[i * classes + c]));
                        }
                    }
                    images += n;
                }
                bar.increment(1);
            }
            bar.end();
        }
        return new Result(
                o.out(),
                layout,
                images,
                agreeing,
                maxDiff,
                predicted.size(),
                floatCorrect,
                qCorrect);
    }

    private static double secs(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static int argmax(float[] logits, int row, int classes) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (logits[row * classes + c] > logits[row * classes + best]) {
                best = c;
            }
        }
        return best;
    }
}
