package io.djlquant.it;

import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.ZooModel;
import java.util.List;

/**
 * Long run in one JVM: {@code count} predictions (default 20,000) with one predictor on a zoo
 * model, reporting heap after GC, process RSS and the arrays still held by the model's manager
 * before and after, plus RSS at every tenth of the run, so that a leak in Java memory or in
 * PyTorch's native memory shows as growth. Variants run one after the other in this JVM.
 *
 * <p>Run: {@code mvn -B -ntp -o -Pstress -pl integration-tests test-compile exec:exec@soak} (after
 * {@code mvn -B -ntp -o install -DskipTests}); arguments: {@code -Dstress.args="count variant..."}
 * with variants {@code ptq} (int8 on JavaQuant) and {@code none} (float on PyTorch).
 */
public final class SoakRun {

    private static final int WARM_UP = 200;

    private SoakRun() {}

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        List<String> variants =
                args.length > 1 ? List.of(args).subList(1, args.length) : List.of("ptq", "none");
        List<Image> images = FashionMnistTestImages.read(1000).images;
        for (String variant : variants) {
            soak(variant, count, images);
        }
    }

    private static void soak(String variant, int count, List<Image> images) throws Exception {
        try (ZooModel<Image, Classifications> model = ZooModels.load(variant);
                Predictor<Image, Classifications> predictor = model.newPredictor()) {
            NDManager manager = model.getNDManager();
            for (int i = 0; i < WARM_UP; i++) {
                predictor.predict(images.get(i % images.size()));
            }
            long heap0 = ProcessMemory.heapAfterGc();
            long rss0 = ProcessMemory.rss();
            int arrays0 = manager.getManagedArrays().size();
            System.out.printf(
                    "%s on %s, %d predictions after %d warm-up: heap after GC %s, RSS %s,"
                            + " arrays in the model's manager %d%n",
                    model.getName(),
                    ZooModels.engineOf(variant),
                    count,
                    WARM_UP,
                    ProcessMemory.mb(heap0),
                    ProcessMemory.mb(rss0),
                    arrays0);
            long t0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                predictor.predict(images.get(i % images.size()));
                if ((i + 1) % (count / 10) == 0) {
                    System.out.printf(
                            "  %6d predictions, %.0f s: RSS %s%n",
                            i + 1,
                            (System.nanoTime() - t0) / 1e9,
                            ProcessMemory.mb(ProcessMemory.rss()));
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long heap1 = ProcessMemory.heapAfterGc();
            long rss1 = ProcessMemory.rss();
            int arrays1 = manager.getManagedArrays().size();
            System.out.printf(
                    "  after: heap after GC %s (%+.1f MB), RSS %s (%+.1f MB), arrays %d"
                            + " (%+d), %.1f s (%.1f ms per prediction)%n",
                    ProcessMemory.mb(heap1),
                    (heap1 - heap0) / 1048576.0,
                    ProcessMemory.mb(rss1),
                    (rss1 - rss0) / 1048576.0,
                    arrays1,
                    arrays1 - arrays0,
                    seconds,
                    seconds * 1000 / count);
        }
    }
}
