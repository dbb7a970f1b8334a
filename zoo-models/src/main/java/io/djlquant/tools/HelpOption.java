package io.djlquant.tools;

import picocli.CommandLine.Option;

/** The {@code -h/--help} flag of every program, mixed in with {@code @Mixin}. */
final class HelpOption {

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Print this help and exit.")
    boolean help;
}
