/**
 * The command-line programs, on picocli (an optional dependency of zoo-models, so users of the zoo
 * do not get it): {@link io.djlquant.tools.TrainFloatCommand}, {@link
 * io.djlquant.tools.ImportAndQuantizeCommand}, {@link io.djlquant.tools.QuantizeResNet18Command}
 * (the main job), {@link io.djlquant.tools.MixedPrecisionResNet18Command} and {@link
 * io.djlquant.tools.MobileNetV2FashionMnistCommand}. Each has a {@code main}, prints its generated
 * usage for {@code --help}, and on bad input prints the error and the usage and exits with status
 * 2. The work itself is done by the library's API ({@code TrainFloat.run}, {@code
 * ImportAndQuantize.run}, the workflows' {@code run}); these classes only parse the flags.
 */
package io.djlquant.tools;
