package io.djlquant.tools;

import ai.djl.MalformedModelException;
import io.djlquant.imports.ImportAndQuantize;
import io.djlquant.imports.ImportOptions;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Post-training quantization of an imported torchvision ResNet or MobileNetV2. */
@Command(
        name = "ImportAndQuantize",
        sortOptions = false,
        description = {
            "Imports a torchvision ResNet or MobileNetV2 (TorchScript or state dict), calibrates"
                + " it, quantizes it to int8, saves the .jq file, loads it back on JavaQuant and"
                + " prints the Float vs Q top-1 agreement on the calibration images.",
            "A model file that is missing, malformed, hostile or neither a BasicBlock ResNet nor a"
                    + " MobileNetV2 gives one line on stderr and exit status 2; nothing is written."
        })
public final class ImportAndQuantizeCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Mixin HelpOption help;

    @Parameters(
            index = "0",
            paramLabel = "<model.pt|model.pth>",
            description = "The TorchScript file or state dict to import.")
    Path model;

    @Option(
            names = "--calibration",
            required = true,
            paramLabel = "<image folder|" + ImportOptions.FASHION_MNIST + ">",
            description =
                    "A folder of images (sub-folders are classes), or "
                            + ImportOptions.FASHION_MNIST
                            + " for that dataset's test split.")
    String calibration;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "<file.jq>",
            description = "The .jq file to write.")
    Path out;

    @Option(
            names = "--image-size",
            paramLabel = "N",
            description =
                    "Square input side (default: 224 for the ImageNet stem or a stride-2"
                            + " MobileNetV2 stem, 32 for the small stem or a stride-1 MobileNetV2"
                            + " stem).")
    int imageSize;

    @Option(
            names = "--batches",
            paramLabel = "N",
            description =
                    "Calibration batches, also compared Float vs Q (default: ${DEFAULT-VALUE}).")
    int batches = 8;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            description = "Images per batch (default: ${DEFAULT-VALUE}).")
    int batchSize = 16;

    @Option(
            names = "--stem-stride",
            paramLabel = "1|2",
            description =
                    "A MobileNetV2's stem stride (default: from a TorchScript's output, else"
                            + " torchvision's 2: a state dict does not record it).")
    Integer stemStride;

    /**
     * Runs the program.
     *
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        Tools.main(new ImportAndQuantizeCommand(), args);
    }

    /**
     * The options the flags give.
     *
     * @return the checked options
     * @throws picocli.CommandLine.ParameterException naming a bad value
     */
    ImportOptions options() {
        if (stemStride != null && stemStride != 1 && stemStride != 2) {
            throw Tools.error(spec, "--stem-stride must be 1 or 2, got " + stemStride);
        }
        int stride = stemStride == null ? 0 : stemStride;
        return Tools.check(
                spec,
                () ->
                        new ImportOptions(
                                model, calibration, out, imageSize, batches, batchSize, stride));
    }

    /**
     * Imports, quantizes, saves and compares.
     *
     * @return 0, or 2 for a model file that is missing or cannot be imported
     * @throws Exception if reading, calibrating or writing fails
     */
    @Override
    public Integer call() throws Exception {
        ImportOptions options = options();
        ImportAndQuantize.Result r;
        try {
            r = ImportAndQuantize.run(options);
        } catch (MalformedModelException e) {
            // one line, even for the multi-line mismatch listing
            spec.commandLine()
                    .getErr()
                    .println(spec.name() + ": " + e.getMessage().replaceAll("\\s*\\R\\s*", "; "));
            return 2;
        } catch (NoSuchFileException e) {
            // a mistyped path is the user's error, not the program's: no stack trace
            spec.commandLine().getErr().println(spec.name() + ": no such file: " + e.getFile());
            return 2;
        }
        if (ImportOptions.FASHION_MNIST.equals(options.calibration())) {
            System.out.printf(
                    "Fashion-MNIST top-1 accuracy: Float %d/%d, Q %d/%d%n",
                    r.floatCorrect(), r.images(), r.qCorrect(), r.images());
        }
        System.out.printf(
                "Saved %s (%s). Float vs Q top-1 agreement on %d calibration images: %d/%d = %.2f%%"
                        + " (%d distinct float classes), max |logit diff| %.4f%n",
                r.out(),
                r.layout(),
                r.images(),
                r.agreeing(),
                r.images(),
                100 * r.agreement(),
                r.floatClasses(),
                r.maxLogitDiff());
        return 0;
    }
}
