package io.djlquant.zoo.workflow;

import ai.djl.util.JsonUtils;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The final table of the workflow, as text (like MegEngine's three-stage figure: Float, QFloat and
 * Q top-1 for PTQ and QAT) and as JSON.
 *
 * @param testImages number of test images evaluated
 * @param options the options line
 * @param floatParamsFile the float model file name
 * @param floatBytes its size in bytes
 * @param floatLatencyMillis median single-image latency of the float model on PyTorch
 * @param floatBatchedMillisPerImage forward time per image in the batched float evaluation
 * @param stages PTQ and QAT
 */
record Report(
        int testImages,
        String options,
        String floatParamsFile,
        long floatBytes,
        double floatLatencyMillis,
        double floatBatchedMillisPerImage,
        List<StageResult> stages) {

    /**
     * @return the table as text
     */
    String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "ResNet18 on Fashion-MNIST, top-1 over %d test images%n",
                        testImages));
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%-5s %-28s %8s %8s %8s %13s %12s %10s%n",
                        "stage",
                        "qconfig",
                        "Float",
                        "QFloat",
                        "Q",
                        "QFloat=Q",
                        "Float=Q",
                        "int8 .jq"));
        for (StageResult s : stages) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%-5s %-28s %7.2f%% %7.2f%% %7.2f%% %12.2f%% %11.2f%% %7.2f MB%n",
                            s.name(),
                            s.qconfig(),
                            100 * s.floatTop1(),
                            100 * s.qfloatTop1(),
                            100 * s.qTop1(),
                            100 * s.qfloatQAgreement(),
                            100 * s.floatQAgreement(),
                            s.modelBytes() / 1e6));
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        "model files: fp32 %s %.2f MB",
                        floatParamsFile,
                        floatBytes / 1e6));
        for (StageResult s : stages) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            ", %s %.2f MB (%.1fx smaller)",
                            s.modelFile(),
                            s.modelBytes() / 1e6,
                            floatBytes / (double) s.modelBytes()));
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%nlatency per image, batch 1 (median): Float on PyTorch %.2f ms",
                        floatLatencyMillis));
        for (StageResult s : stages) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            ", %s Q on JavaQuant %.2f ms",
                            s.name(),
                            s.latencyMillis()));
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%nbatched evaluation, forward time per image (after %.0f s of "
                                + "warm-up passes): Float %.2f ms",
                        Predictions.WARM_UP_NANOS / 1e9,
                        floatBatchedMillisPerImage));
        for (StageResult s : stages) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            ", %s Q %.2f ms (%.2fx)",
                            s.name(),
                            s.batchedMillisPerImage(),
                            s.batchedMillisPerImage() / floatBatchedMillisPerImage));
        }
        sb.append(String.format(Locale.ROOT, "%noptions: %s%n", options));
        return sb.toString();
    }

    /**
     * @return the same numbers as pretty JSON
     */
    String json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("model", "resnet18");
        root.put("dataset", "fashion-mnist");
        root.put("testImages", testImages);
        root.put("options", options);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("file", floatParamsFile);
        f.put("bytes", floatBytes);
        f.put("engine", "PyTorch");
        f.put("latencyMsBatch1", floatLatencyMillis);
        f.put("batchedMsPerImage", floatBatchedMillisPerImage);
        root.put("float", f);
        for (StageResult s : stages) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("qconfig", s.qconfig());
            m.put("floatTop1", s.floatTop1());
            m.put("qfloatTop1", s.qfloatTop1());
            m.put("qTop1", s.qTop1());
            m.put("qfloatQAgreement", s.qfloatQAgreement());
            m.put("floatQAgreement", s.floatQAgreement());
            m.put("file", s.modelFile());
            m.put("bytes", s.modelBytes());
            m.put("engine", "JavaQuant");
            m.put("latencyMsBatch1", s.latencyMillis());
            m.put("batchedMsPerImage", s.batchedMillisPerImage());
            root.put(s.name().toLowerCase(Locale.ROOT), m);
        }
        return JsonUtils.GSON_PRETTY.toJson(root) + "\n";
    }
}
