package io.djlquant.quantized;

import io.djlquant.kernels.CrossArchDigest;
import java.nio.file.Path;

/**
 * Main of {@code .ci/arm64-check}: the kernel digests ({@link CrossArchDigest}) and then the whole
 * quantized network ({@link CrossArchModel}) in one JVM, so the emulated machine starts one JVM and
 * warms the SIMD kernels up once.
 *
 * <p>Usage: {@code write DIR [--jit-log FILE]} on the reference machine (needs PyTorch for the
 * model), {@code check DIR [--jit-log FILE] [--expect-bits N]} on the machine under test (JavaQuant
 * only). DIR holds {@code kernels.digest} and the model files. Exit status 0 all equal, 1 any
 * mismatch, 2 usage.
 */
public final class CrossArchCheck {

    private CrossArchCheck() {}

    /** Entry point. */
    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !(args[0].equals("write") || args[0].equals("check"))) {
            usage("expected write|check DIR");
        }
        Path jitLog = null;
        int expectBits = 0;
        for (int i = 2; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                usage("missing value after " + args[i]);
            }
            switch (args[i]) {
                case "--jit-log" -> jitLog = Path.of(args[i + 1]);
                case "--expect-bits" -> expectBits = Integer.parseInt(args[i + 1]);
                default -> usage("unknown option " + args[i]);
            }
        }
        Path dir = Path.of(args[1]);
        java.nio.file.Files.createDirectories(dir);
        boolean kernels =
                CrossArchDigest.run(args[0], dir.resolve("kernels.digest"), jitLog, expectBits);
        // The model runs even after a kernel mismatch: both results help to locate a problem.
        boolean model = CrossArchModel.run(args[0], dir, jitLog);
        System.out.println(
                "kernels " + (kernels ? "OK" : "FAIL") + ", model " + (model ? "OK" : "FAIL"));
        System.exit(kernels && model ? 0 : 1);
    }

    private static void usage(String problem) {
        System.out.println("CrossArchCheck: " + problem);
        System.out.println(
                "usage: CrossArchCheck write|check DIR [--jit-log FILE] [--expect-bits N]");
        System.exit(2);
    }
}
