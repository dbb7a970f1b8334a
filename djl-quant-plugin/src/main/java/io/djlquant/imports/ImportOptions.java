package io.djlquant.imports;

import java.nio.file.Path;

/**
 * What {@link ImportAndQuantize#run} imports, calibrates on and writes. The command-line program
 * ({@code io.djlquant.tools.ImportAndQuantizeCommand} in the zoo-models module) fills it from the
 * flags of the same names ({@code --calibration}, {@code --out}, {@code --image-size}, {@code
 * --batches}, {@code --batch-size}, {@code --stem-stride}), which the messages here name.
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

    /** Checks the values. */
    public ImportOptions {
        if (model == null || calibration == null || out == null) {
            throw new IllegalArgumentException("model, --calibration and --out are required");
        }
        if (imageSize < 0 || batches <= 0 || batchSize <= 0) {
            throw new IllegalArgumentException(
                    "--image-size must be >= 0, --batches and --batch-size > 0");
        }
        if (stemStride < 0 || stemStride > 2) {
            throw new IllegalArgumentException("--stem-stride must be 1 or 2");
        }
    }
}
