package io.djlquant.tools;

import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** What the programs share: how their command lines are built and run. */
final class Tools {

    private Tools() {}

    /**
     * The picocli command line of a program; tests parse with it too, so they see the same rules.
     *
     * @param command the annotated command object
     * @return its command line
     */
    static CommandLine commandLine(Object command) {
        // --search-objective mse|cosine has always been written in lower case; a flag given twice
        // takes its last value, as with the programs' earlier parsers (scripts append flags)
        return new CommandLine(command)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setOverwrittenOptionsAllowed(true);
    }

    /**
     * Runs a program and exits with its status: 0 on success, 2 after a usage error.
     *
     * @param command the annotated command object
     * @param args the command line
     */
    static void main(Object command, String[] args) {
        // The programs use data and models on this machine only; DJL must not try to download.
        System.setProperty("ai.djl.offline", "true");
        System.exit(commandLine(command).execute(args));
    }

    /**
     * Builds a library options value, turning its check's {@link IllegalArgumentException} (whose
     * message names the flag) into a usage error, printed with the usage.
     *
     * @param spec the command's spec
     * @param build builds the value
     * @param <T> the value's type
     * @return the value
     */
    static <T> T check(CommandSpec spec, Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /**
     * A usage error naming the option.
     *
     * @param spec the command's spec
     * @param message what is wrong, starting with the option's name
     * @return the exception to throw
     */
    static ParameterException error(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
