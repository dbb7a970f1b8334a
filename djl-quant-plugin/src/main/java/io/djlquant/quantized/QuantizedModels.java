package io.djlquant.quantized;

import ai.djl.nn.Block;
import io.djlquant.format.JqModelWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Saving quantized models. Load them back with {@code Model.newInstance(name, "JavaQuant")} and
 * {@code model.load(dir)}, which rebuilds the same block tree through the registered codecs.
 */
public final class QuantizedModels {

    private QuantizedModels() {}

    /**
     * Writes a quantized block tree to a {@code .jq} file (atomically).
     *
     * @param q the quantized block tree (quantized blocks and containers with codecs)
     * @param file the file to write, conventionally {@code <dir>/<name>.jq}
     * @param properties string metadata stored with the model (may be empty)
     * @throws IOException if writing fails
     * @throws IllegalArgumentException if a block in the tree has no codec
     */
    public static void save(Block q, Path file, Map<String, String> properties) throws IOException {
        if (q == null || file == null) {
            throw new IllegalArgumentException("save needs a block and a file");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            java.nio.file.Files.createDirectories(parent);
        }
        JqModelWriter.write(file, q, properties == null ? Map.of() : properties);
    }
}
