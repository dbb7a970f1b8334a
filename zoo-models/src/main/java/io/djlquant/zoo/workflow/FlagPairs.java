package io.djlquant.zoo.workflow;

import java.util.Map;
import java.util.function.Consumer;

/** The {@code --flag value} command lines of the smaller workflow programs. */
final class FlagPairs {

    private FlagPairs() {}

    /**
     * Hands each value to its flag's setter.
     *
     * @param args the arguments, flags and values alternating
     * @param flags setter per flag name, in the order the error message lists them
     * @throws IllegalArgumentException for an odd count, an unknown flag or a value that is not a
     *     number where one is needed
     */
    static void parse(String[] args, Map<String, Consumer<String>> flags) {
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException(
                    "flags come in pairs (--flag value), got " + args.length + " arguments");
        }
        for (int i = 0; i < args.length; i += 2) {
            Consumer<String> setter = flags.get(args[i]);
            if (setter == null) {
                throw new IllegalArgumentException(
                        "unknown flag " + args[i] + "; flags: " + String.join(" ", flags.keySet()));
            }
            try {
                setter.accept(args[i + 1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        args[i] + " needs a number, got '" + args[i + 1] + "'", e);
            }
        }
    }
}
