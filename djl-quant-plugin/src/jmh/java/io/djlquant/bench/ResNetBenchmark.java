package io.djlquant.bench;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import com.google.gson.GsonBuilder;
import io.djlquant.kernels.Int8Kernels;
import io.djlquant.kernels.PairProductPeak;
import io.djlquant.models.ResNet18;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * End-to-end ResNet18 (torchvision layout, ImageNet stem, 1000 classes) latency in one JVM with one
 * thread count: (a) the float block tree on DJL's PyTorch engine, (b) the int8 Q model from {@code
 * Quantizer.quantize} on the JavaQuant engine (see {@link QuantizedPath}), and (c) the same int8
 * layer sequence run directly on the kernels ({@link KernelResNet18}). Weights are random (Xavier),
 * which is fine for speed; qparams come from a quick PTQ calibration on random images.
 *
 * <p>Arguments ({@code key=value}, all optional): {@code threads=2}, {@code sizes=224,32}, {@code
 * batches=1,8}, {@code warmup=5}, {@code iters=15}, {@code json=target/resnet-bench.json}, {@code
 * int8=auto|kernels} (kernels: skip the Q model), {@code calib=2} (calibration images), {@code
 * layers=0} (that many extra passes of the kernel path timed layer by layer, on {@code
 * layerSize=224} x {@code layerSize} images in batches of {@code layerBatch=1}, each layer's GMAC/s
 * set against {@link PairProductPeak} measured with the same threads), {@code criteria=true} (also
 * time the Q model saved as .jq and loaded through {@code Criteria}: {@code int8-criteria} = {@code
 * Predictor.predict(NDList)}, {@code int8-criteria-batch} = {@code batchPredict} of single images;
 * see {@link CriteriaPath}), {@code image=true} (also an {@code Image -> Classifications} predictor
 * on Fashion-MNIST test images, {@link ImageCriteriaPath}), {@code peer=} (a Python interpreter,
 * e.g. {@code /usr/bin/python3}: run the PyTorch peer {@code bench/peer/torch_resnet18.py}
 * alongside, see {@link PyTorchPeer}), {@code peerScript=}. Timed passes run round-robin over the
 * models, one pass of every peer model after each round; fp32 (PyTorch) is the ratio's denominator,
 * and a ratio table ({@link CaseRatios}) closes the run.
 */
public final class ResNetBenchmark {

    /** Idle time before each timed pass unless {@code pause=} says otherwise. */
    private static final long PAUSE_MS = 10;

    /** Output classes of the benchmark's ResNet18 (ImageNet head). */
    private static final int IMAGENET_CLASSES = 1000;

    private ResNetBenchmark() {}

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Entry point. */
    public static void main(String[] args)
            throws IOException,
                    ModelNotFoundException,
                    MalformedModelException,
                    InterruptedException {
        Map<String, String> a = parse(args);
        int threads = Integer.parseInt(a.getOrDefault("threads", "2"));
        // Must be set before the PyTorch engine loads.
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        Int8Kernels.setThreads(threads);
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "5"));
        int iters = Integer.parseInt(a.getOrDefault("iters", "15"));
        int[] sizes = ints(a.getOrDefault("sizes", "224,32"));
        int[] batches = ints(a.getOrDefault("batches", "1,8"));
        Path json = Path.of(a.getOrDefault("json", "target/resnet-bench.json"));
        boolean tryQ = !"kernels".equals(a.getOrDefault("int8", "auto"));
        int calib = Integer.parseInt(a.getOrDefault("calib", "2"));
        int layerPasses = Integer.parseInt(a.getOrDefault("layers", "0"));
        long pauseMs = Long.parseLong(a.getOrDefault("pause", Long.toString(PAUSE_MS)));
        int layerSize = Integer.parseInt(a.getOrDefault("layerSize", "224"));
        int layerBatch = Integer.parseInt(a.getOrDefault("layerBatch", "1"));
        boolean criteria = tryQ && Boolean.parseBoolean(a.getOrDefault("criteria", "true"));
        boolean image = criteria && Boolean.parseBoolean(a.getOrDefault("image", "true"));
        String peerPython = a.getOrDefault("peer", "");
        Path peerScript = a.containsKey("peerScript") ? Path.of(a.get("peerScript")) : null;
        HostCpu cpu = HostCpu.read();

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("java", System.getProperty("java.version"));
        report.put("vm", System.getProperty("java.vm.name"));
        report.put("threads", threads);
        report.put("kernels", Int8Kernels.implementationName());
        report.put("weights", "random (Xavier); speed only");
        report.put("cpu", cpu.toMap());
        System.out.printf(
                Locale.ROOT,
                "ResNet18 benchmark: java %s, %d threads, int8 kernels %s, %d warm-up + %d "
                        + "timed iterations, random weights%n",
                report.get("java"),
                threads,
                report.get("kernels"),
                warmup,
                iters);
        System.out.println("host CPU: " + cpu.describe());

        Map<String, Map<String, Object>> models = new LinkedHashMap<>();
        // (a) float on PyTorch; time to first prediction includes loading the native engine.
        long t0 = System.nanoTime();
        NDManager pt = Engine.getEngine("PyTorch").newBaseManager();
        double engineMs = ms(t0);
        Block net = ResNet18.builder().build();
        net.initialize(pt, DataType.FLOAT32, new Shape(1, 3, 224, 224));
        Pass fp32 =
                (x, n, side) -> {
                    try (NDManager s = pt.newSubManager()) {
                        NDArray in = s.create(x, new Shape(n, 3, side, side));
                        net.forward(new ParameterStore(s, false), new NDList(in), false)
                                .singletonOrThrow()
                                .toFloatArray();
                    }
                };
        fp32.run(random(1, 224), 1, 224);
        long fp32Bytes = 0;
        for (Pair<String, Parameter> p : net.getParameters()) {
            fp32Bytes += p.getValue().getArray().getShape().size() * 4;
        }
        models.put(
                "fp32-pytorch",
                model(ms(t0), fp32Bytes, "engine load " + fmt(engineMs) + " ms included"));
        Map<String, Pass> passes = new LinkedHashMap<>();
        passes.put("fp32-pytorch", fp32);
        List<AutoCloseable> closers = new ArrayList<>();

        // (b) int8 Q block tree on JavaQuant.
        if (tryQ) {
            t0 = System.nanoTime();
            Block q = QuantizedPath.convert(net, pt, 224, calib, 1);
            double convertMs = ms(t0);
            NDManager jq = Engine.getEngine("JavaQuant").newBaseManager();
            Pass int8 =
                    (x, n, side) -> {
                        try (NDManager s = jq.newSubManager()) {
                            NDArray in = s.create(x, new Shape(n, 3, side, side));
                            q.forward(new ParameterStore(s, false), new NDList(in), false)
                                    .singletonOrThrow()
                                    .toFloatArray();
                        }
                    };
            int8.run(random(1, 224), 1, 224);
            models.put(
                    "int8-javaquant",
                    model(
                            ms(t0),
                            QuantizedPath.savedBytes(q),
                            "PTQ calibration ("
                                    + calib
                                    + " random 224x224 images) + conversion "
                                    + fmt(convertMs)
                                    + " ms included; "
                                    + "bytes = saved .jq file"));
            passes.put("int8-javaquant", int8);
            addCriteriaModels(q, criteria, image, sizes, batches, models, passes, closers);
        }

        // (c) int8 kernels only.
        t0 = System.nanoTime();
        KernelResNet18 kr = new KernelResNet18(net);
        Pass kernels = (x, n, side) -> kr.forward(x, n, side);
        kernels.run(random(1, 224), 1, 224);
        models.put(
                "int8-kernels",
                model(
                        ms(t0),
                        kr.modelBytes(),
                        "weight quantization included; "
                                + "bytes = int8 weights + int32 bias + float multiplier"));
        passes.put("int8-kernels", kernels);
        report.put("models", models);

        // (d) the PyTorch peer (fp32 eager/TorchScript, oneDNN int8) in a child process, asked for
        // its passes between ours.
        PyTorchPeer peer = null;
        if (!peerPython.isEmpty()) {
            peer = PyTorchPeer.start(peerPython, peerScript, threads, calib);
            closers.add(peer);
            report.put("peer", peer.info());
            System.out.println("PyTorch peer: " + peer.info());
        }

        List<Map<String, Object>> rows = new ArrayList<>();
        CaseRatios ratios = new CaseRatios();
        CaseRatios ratiosOfMin = new CaseRatios();
        CaseRatios ratiosOfCpu = new CaseRatios();
        System.out.printf(
                Locale.ROOT,
                "%n%-5s %5s %-21s %9s %9s %9s %9s %9s %10s %10s%n",
                "size",
                "batch",
                "model",
                "median ms",
                "min ms",
                "p90 ms",
                "cpu ms",
                "img/s",
                "vs fp32",
                "peak heap MB");
        for (int side : sizes) {
            for (int n : batches) {
                float[] x = random(n, side);
                List<String> names = new ArrayList<>(passes.keySet());
                long[] heap = new long[names.size()];
                for (int m = 0; m < names.size(); m++) {
                    // Peak heap of one model alone: reset, then its warm-up passes.
                    HeapPeak.reset();
                    for (int i = 0; i < warmup; i++) {
                        passes.get(names.get(m)).run(x, n, side);
                    }
                    heap[m] = HeapPeak.peakHeap();
                }
                if (peer != null) {
                    peer.run(side, n, 0, warmup);
                }
                Map<String, double[]> peerTimes = new LinkedHashMap<>();
                Map<String, double[]> peerCpu = new LinkedHashMap<>();
                double[][] cpuMs = new double[names.size()][iters];
                // Timed passes round-robin, so drifting load on a shared machine hits all models
                // alike.
                double[][] t = new double[names.size()][iters];
                for (int i = 0; i < iters; i++) {
                    for (int m = 0; m < names.size(); m++) {
                        // Each pass starts from idle threads: JavaQuant's kernel workers spin about
                        // 2 ms after their last job, which would otherwise take a core from the
                        // next
                        // model's first milliseconds (and its own parked workers must wake up too).
                        pause(pauseMs);
                        long c = ProcessCpu.nanos();
                        long s = System.nanoTime();
                        passes.get(names.get(m)).run(x, n, side);
                        t[m][i] = ms(s);
                        cpuMs[m][i] = (ProcessCpu.nanos() - c) / 1e6;
                    }
                    if (peer != null) {
                        // One pass of each peer model (it pauses before each as we do), then ours
                        // again.
                        PyTorchPeer.Times pt1 = peer.run(side, n, 1, 0);
                        for (var e : pt1.wall().entrySet()) {
                            peerTimes.computeIfAbsent(e.getKey(), k -> new double[iters])[i] =
                                    e.getValue()[0];
                        }
                        for (var e : pt1.cpu().entrySet()) {
                            peerCpu.computeIfAbsent(e.getKey(), k -> new double[iters])[i] =
                                    e.getValue()[0];
                        }
                    }
                }
                List<double[]> all = new ArrayList<>(List.of(t));
                List<double[]> allCpu = new ArrayList<>(List.of(cpuMs));
                for (var e : peerTimes.entrySet()) {
                    names.add("peer-" + e.getKey());
                    all.add(e.getValue());
                    allCpu.add(peerCpu.get(e.getKey()));
                }
                Map<String, Double> cpuMedians = new LinkedHashMap<>();
                Map<String, Double> medians = new LinkedHashMap<>();
                Map<String, Double> minimums = new LinkedHashMap<>();
                double fp32Median = new Timings(t[0]).median();
                for (int m = 0; m < names.size(); m++) {
                    Timings tm = new Timings(all.get(m));
                    medians.put(names.get(m), tm.median());
                    minimums.put(names.get(m), tm.min());
                    double cpuMedian = new Timings(allCpu.get(m)).median();
                    cpuMedians.put(names.get(m), cpuMedian);
                    double ratio = tm.median() / fp32Median;
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("size", side);
                    row.put("batch", n);
                    row.put("model", names.get(m));
                    row.put("medianMs", tm.median());
                    row.put("p90Ms", tm.p90());
                    row.put("minMs", tm.min());
                    row.put("cpuMedianMs", cpuMedian);
                    row.put("imagesPerSecond", n * 1000.0 / tm.median());
                    row.put("ratioToFp32", ratio);
                    row.put("peakHeapBytes", m < heap.length ? heap[m] : null);
                    rows.add(row);
                    System.out.printf(
                            Locale.ROOT,
                            "%-5d %5d %-21s %9.2f %9.2f %9.2f %9.2f %9.1f %10.3f %10s%n",
                            side,
                            n,
                            names.get(m),
                            tm.median(),
                            tm.min(),
                            tm.p90(),
                            cpuMedian,
                            n * 1000.0 / tm.median(),
                            ratio,
                            m < heap.length ? fmt(heap[m] / 1048576.0) : "-");
                }
                ratios.add(side, n, medians);
                ratiosOfMin.add(side, n, minimums);
                ratiosOfCpu.add(side, n, cpuMedians);
            }
        }
        report.put("results", rows);
        report.put("ratios", ratios.rows());
        report.put("ratiosOfMinimums", ratiosOfMin.rows());
        report.put("ratiosOfCpuTime", ratiosOfCpu.rows());
        System.out.printf(
                Locale.ROOT,
                "%nratios of medians (same run; host CPU %s, java %s, %d threads)%n%s",
                cpu.describe(),
                report.get("java"),
                threads,
                ratios.table());
        System.out.printf(
                Locale.ROOT,
                "%nratios of minimums (the least disturbed pass of each model)%n%s",
                ratiosOfMin.table());
        System.out.printf(
                Locale.ROOT,
                "%nratios of median process CPU time per pass (each side's own process, all "
                        + "threads; robust to other load, counts spin-waiting)%n%s",
                ratiosOfCpu.table());
        if (layerPasses > 0) {
            // Where the int8 time goes: the kernel path's layers, timed one by one.
            LayerClock clock = new LayerClock();
            float[] x = random(layerBatch, layerSize);
            for (int i = 0; i < layerPasses; i++) {
                kr.forward(x, layerBatch, layerSize, clock);
            }
            // The same threads multiplying cache-resident tiles: what the product itself can do
            // here.
            double peak = PairProductPeak.gmacPerSecond(threads, 2.0);
            System.out.printf(
                    Locale.ROOT,
                    "%nint8-kernels per layer (%dx%d, batch %d, %d back-to-back passes; c64 = the"
                            + " 3x3 convs with 64 output channels, s2 = stride 2, ds = 1x1"
                            + " downsample); peak = the pair product on cache-resident tiles, %d"
                            + " threads: %.1f GMAC/s%n%s",
                    layerSize,
                    layerSize,
                    layerBatch,
                    layerPasses,
                    threads,
                    peak,
                    clock.table(peak));
            report.put("pairProductPeakGmacPerSecond", peak);
            report.put("int8KernelLayers", clock.report(peak));
        }
        report.put("peakRssBytes", HeapPeak.peakRss());
        System.out.printf(
                Locale.ROOT, "%n%-21s %12s %14s  %s%n", "model", "bytes", "first pred ms", "notes");
        for (var m : models.entrySet()) {
            double first = (Double) m.getValue().get("timeToFirstPredictionMs");
            System.out.printf(
                    Locale.ROOT,
                    "%-21s %12d %14s  %s%n",
                    m.getKey(),
                    m.getValue().get("bytes"),
                    Double.isNaN(first) ? "-" : fmt(first),
                    m.getValue().get("notes"));
        }
        System.out.printf(
                Locale.ROOT,
                "process peak RSS %.1f MB (PyTorch native memory included)%n",
                HeapPeak.peakRss() / 1048576.0);
        if (json.getParent() != null) {
            Files.createDirectories(json.getParent());
        }
        String text =
                new GsonBuilder()
                        .setPrettyPrinting()
                        .serializeSpecialFloatingPointValues()
                        .create()
                        .toJson(report);
        Files.writeString(json, text + "\n", StandardCharsets.UTF_8);
        System.out.println("wrote " + json.toAbsolutePath());
        for (int i = closers.size() - 1; i >= 0; i--) {
            try {
                closers.get(i).close();
            } catch (Exception e) {
                System.err.println("closing " + closers.get(i) + ": " + e);
            }
        }
        pt.close();
    }

    /**
     * Adds the Q model as a DJL user gets it (saved as .jq, loaded through {@code Criteria}):
     * {@code int8-criteria} and {@code int8-criteria-batch} ({@link CriteriaPath}) and {@code
     * int8-criteria-image} ({@link ImageCriteriaPath}).
     */
    private static void addCriteriaModels(
            Block q,
            boolean criteria,
            boolean image,
            int[] sizes,
            int[] batches,
            Map<String, Map<String, Object>> models,
            Map<String, Pass> passes,
            List<AutoCloseable> closers)
            throws IOException, ModelNotFoundException, MalformedModelException {
        long t0;
        if (criteria) {
            // (b') the same Q model saved as .jq and loaded back through DJL's public API.
            t0 = System.nanoTime();
            CriteriaPath cp = CriteriaPath.load(q);
            closers.add(cp);
            if (!"JavaQuant".equals(cp.engineName())) {
                throw new IllegalStateException(
                        "Criteria loaded the .jq model on " + cp.engineName());
            }
            Pass predict = cp.predict();
            predict.run(random(1, 224), 1, 224);
            models.put(
                    "int8-criteria",
                    model(
                            ms(t0),
                            QuantizedPath.savedBytes(q),
                            "save .jq + Criteria.loadModel + first Predictor.predict(NDList);"
                                    + " inputs created in the model's manager"));
            passes.put("int8-criteria", predict);
            passes.put("int8-criteria-batch", cp.batchPredict());
            models.put(
                    "int8-criteria-batch",
                    model(
                            Double.NaN,
                            QuantizedPath.savedBytes(q),
                            "same predictor model; batchPredict of single (3, side, side) images,"
                                    + " Batchifier.STACK"));
        }
        if (image) {
            t0 = System.nanoTime();
            ImageCriteriaPath ip = ImageCriteriaPath.load(q, IMAGENET_CLASSES, maxBatch(batches));
            closers.add(ip);
            Pass imagePass = ip.pass();
            imagePass.run(null, 1, 32);
            models.put(
                    "int8-criteria-image",
                    model(
                            ms(t0),
                            QuantizedPath.savedBytes(q),
                            "Criteria<Image, Classifications> (ImageClassificationTranslator:"
                                    + " ToTensor, softmax); Fashion-MNIST test images scaled to the"
                                    + " case's size as RGB Images"));
            passes.put("int8-criteria-image", imagePass);
            for (int side : sizes) {
                ip.prepare(side);
            }
        }
    }

    private static Map<String, Object> model(double ttfpMs, long bytes, String notes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("timeToFirstPredictionMs", ttfpMs);
        m.put("bytes", bytes);
        m.put("notes", notes);
        return m;
    }

    private static int maxBatch(int[] batches) {
        int max = 1;
        for (int b : batches) {
            max = Math.max(max, b);
        }
        return max;
    }

    private static float[] random(int n, int side) {
        Random r = new Random(n * 1000L + side);
        float[] x = new float[n * 3 * side * side];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 4f - 2f;
        }
        return x;
    }

    private static double ms(long start) {
        return (System.nanoTime() - start) / 1e6;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static int[] ints(String csv) {
        String[] p = csv.split(",");
        int[] v = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            v[i] = Integer.parseInt(p[i].trim());
        }
        return v;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> a = new LinkedHashMap<>();
        for (String s : args) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("arguments are key=value, got '" + s + "'");
            }
            a.put(s.substring(0, eq), s.substring(eq + 1));
        }
        return a;
    }
}
