package io.djlquant.it;

import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.repository.zoo.ZooModel;
import java.util.List;

/**
 * The full concurrency check, too long for CI: {@code threads} threads (default 8), each with its
 * own predictor on the zoo's int8 ResNet18, {@code perThread} predictions each (default 2000),
 * every probability vector equal to the single-thread one. Exits with status 1 on any difference.
 *
 * <p>Run: {@code mvn -B -ntp -o -Pstress -pl integration-tests test-compile exec:exec@concurrency}
 * (after {@code mvn -B -ntp -o install -DskipTests}); arguments: {@code -Dstress.args="threads
 * perThread quantization"}.
 */
public final class ConcurrencyStress {

    private ConcurrencyStress() {}

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int perThread = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        String quantization = args.length > 2 ? args[2] : "ptq";
        List<Image> images = FashionMnistTestImages.read(100).images;
        try (ZooModel<Image, Classifications> model = ZooModels.load(quantization)) {
            System.out.printf(
                    "%s on %s: %d threads x %d predictions, %d cores%n",
                    model.getName(),
                    ZooModels.engineOf(quantization),
                    threads,
                    perThread,
                    Runtime.getRuntime().availableProcessors());
            ConcurrencyRun.Result r = ConcurrencyRun.run(model, images, threads, perThread);
            System.out.println(r);
            System.exit(r.mismatches == 0 ? 0 : 1);
        }
    }
}
