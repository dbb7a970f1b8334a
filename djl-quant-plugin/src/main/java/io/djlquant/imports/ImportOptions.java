package io.djlquant.imports;

import java.nio.file.Path;

/**
 * The command line of {@link ImportAndQuantize}: {@code <model.pt|.pth> --calibration
 * <folder|fashion-mnist> --out <file.jq> [--image-size N] [--batches N] [--batch-size N]
 * [--stem-stride 1|2]}.
 *
 * @param model the TorchScript file or state dict to import
 * @param calibration a folder of images, or {@code fashion-mnist} for that dataset's test split
 * @param out the {@code .jq} file to write
 * @param imageSize the square input side, or 0 for the default (224 with the ImageNet stem or a
 *     stride-2 MobileNetV2 stem, 32 with the small stem or a stride-1 MobileNetV2 stem)
 * @param batches at most this many calibration batches (also used for the agreement check)
 * @param batchSize images per batch
 * @param stemStride a MobileNetV2's stem stride (1 or 2), or 0 to find it: from the TorchScript's
 *     output, or torchvision's 2 for a state dict, which does not record it
 */
public record ImportOptions(
        Path model,
        String calibration,
        Path out,
        int imageSize,
        int batches,
        int batchSize,
        int stemStride) {

    /** Value of {@code --calibration} that selects Fashion-MNIST. */
    public static final String FASHION_MNIST = "fashion-mnist";

    /** Usage text printed on errors. */
    public static final String USAGE =
            "usage: ImportAndQuantize <model.pt|model.pth> --calibration <image folder|"
                    + FASHION_MNIST
                    + "> --out <file.jq> [--image-size N] [--batches N (default 8)] [--batch-size N"
                    + " (default 16)] [--stem-stride 1|2 (MobileNetV2 state dicts; default: from a"
                    + " TorchScript's output, else 2)]";

    /** Checks the values. */
    public ImportOptions {
        if (model == null || calibration == null || out == null) {
            throw new IllegalArgumentException(
                    "model, --calibration and --out are required\n" + USAGE);
        }
        if (imageSize < 0 || batches <= 0 || batchSize <= 0) {
            throw new IllegalArgumentException(
                    "--image-size must be >= 0, --batches and --batch-size > 0\n" + USAGE);
        }
        if (stemStride < 0 || stemStride > 2) {
            throw new IllegalArgumentException("--stem-stride must be 1 or 2\n" + USAGE);
        }
    }

    /**
     * Parses the arguments.
     *
     * @param args the command line
     * @return the options
     * @throws IllegalArgumentException naming an unknown flag, a missing value or a bad number
     */
    public static ImportOptions parse(String... args) {
        Path model = null;
        String calibration = null;
        Path out = null;
        int imageSize = 0;
        int batches = 8;
        int batchSize = 16;
        int stemStride = 0;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                if (model != null) {
                    throw new IllegalArgumentException(
                            "more than one model file: " + model + ", " + a + "\n" + USAGE);
                }
                model = Path.of(a);
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value\n" + USAGE);
            }
            String v = args[++i];
            switch (a) {
                case "--calibration":
                    calibration = v;
                    break;
                case "--out":
                    out = Path.of(v);
                    break;
                case "--image-size":
                    imageSize = number(a, v);
                    break;
                case "--batches":
                    batches = number(a, v);
                    break;
                case "--batch-size":
                    batchSize = number(a, v);
                    break;
                case "--stem-stride":
                    stemStride = number(a, v);
                    if (stemStride == 0) {
                        throw new IllegalArgumentException(
                                "--stem-stride must be 1 or 2\n" + USAGE);
                    }
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
            }
        }
        return new ImportOptions(
                model, calibration, out, imageSize, batches, batchSize, stemStride);
    }

    private static int number(String flag, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    flag + " expects an integer, got '" + v + "'\n" + USAGE);
        }
    }
}
