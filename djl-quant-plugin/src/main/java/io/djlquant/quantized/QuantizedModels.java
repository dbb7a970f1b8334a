package io.djlquant.quantized;

import ai.djl.ndarray.NDArray;
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

    /**
     * The real values an activation stands for: a quantized (per-tensor INT8/UINT8) {@code
     * JqNDArray}, as quantized blocks pass between them, is dequantized with the parameters it
     * carries; any other array is converted to float32.
     *
     * @param x an activation
     * @return its values, row-major
     * @throws IllegalArgumentException for a per-channel or non-8-bit quantized array
     */
    public static float[] realValues(NDArray x) {
        if (x == null) {
            throw new IllegalArgumentException("realValues needs an array");
        }
        return ActivationIO.realValues("realValues", x);
    }
}
