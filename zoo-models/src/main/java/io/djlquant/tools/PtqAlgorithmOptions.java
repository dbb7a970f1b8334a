package io.djlquant.tools;

import io.djlquant.quantization.convert.ScaleSearch;
import picocli.CommandLine.Option;

/**
 * The PTQ-algorithm flags of the experiment programs ({@link MixedPrecisionResNet18Command}, {@link
 * MobileNetV2FashionMnistCommand}), mixed in with {@code @Mixin}.
 */
final class PtqAlgorithmOptions {

    @Option(
            names = "--algorithms",
            paramLabel = "LIST",
            description =
                    "PTQ once per variant, variants separated by commas, each names (none, cle,"
                            + " cle6, bc, ss) joined by '+', e.g. none,cle,cle+ss+bc (default:"
                            + " none).")
    String algorithms = "";

    @Option(
            names = "--search-objective",
            paramLabel = "mse|cosine",
            description = "The scale search's score (default: ${DEFAULT-VALUE}).")
    ScaleSearch.Objective objective = ScaleSearch.Objective.MSE;
}
