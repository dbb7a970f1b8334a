package io.djlquant.engine;

import ai.djl.BaseModel;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.djlquant.format.BlockCodecs;
import io.djlquant.format.JqFormat;
import io.djlquant.format.JqGraph;
import io.djlquant.format.JqModelReader;
import io.djlquant.format.JqModelWriter;
import io.djlquant.kernels.Int8Kernels;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JavaQuant {@link Model}: loads a {@code .jq} file into a tree of blocks decoded by the
 * registered {@link io.djlquant.format.BlockCodec}s, and saves its block the same way.
 */
public class JqModel extends BaseModel {

    JqModel(String name, NDManager manager) {
        super(name);
        this.manager = manager;
        this.manager.setName("JqModel");
        dataType = DataType.FLOAT32;
    }

    /**
     * Loads {@code modelPath} if it is a file, otherwise the first existing {@code <dir>/<x>.jq}
     * with x = prefix, model name, directory name, "model", or else the only {@code .jq} file in
     * the directory.
     *
     * @param modelPath a {@code .jq} file or a directory holding one
     * @param prefix the file name without extension, or {@code null}
     * @param options unused
     * @throws IOException if no file is found or it cannot be read
     * @throws MalformedModelException if the file is not a valid model
     */
    @Override
    public void load(Path modelPath, String prefix, Map<String, ?> options)
            throws IOException, MalformedModelException {
        if (block != null) {
            throw new IllegalStateException(
                    "A JavaQuant model is defined by its .jq file; do not set a block before load");
        }
        setModelDir(modelPath);
        Path file = findModelFile(prefix);
        JqGraph graph = JqModelReader.read(file);
        useGraph(graph);
    }

    /**
     * Loads a model from the bytes of a {@code .jq} file.
     *
     * @param is the stream
     * @param options unused
     * @throws IOException if the stream cannot be read
     * @throws MalformedModelException if the content is not a valid model
     */
    @Override
    public void load(InputStream is, Map<String, ?> options)
            throws IOException, MalformedModelException {
        if (block != null) {
            throw new IllegalStateException(
                    "A JavaQuant model is defined by its .jq file; do not set a block before load");
        }
        useGraph(JqModelReader.read(is));
    }

    private void useGraph(JqGraph graph) throws MalformedModelException {
        block = BlockCodecs.decode(graph, manager);
        Int8Kernels.warmUp();
        graph.getProperties().forEach(this::setProperty);
        wasLoaded = true;
    }

    private Path findModelFile(String prefix) throws IOException {
        if (Files.isRegularFile(modelDir)) {
            Path file = modelDir;
            modelDir = file.getParent();
            String fileName = file.getFileName().toString();
            modelName = stripExtension(fileName);
            return file;
        }
        if (!Files.isDirectory(modelDir)) {
            throw new FileNotFoundException("Model path not found: " + modelDir);
        }
        Set<String> candidates = new LinkedHashSet<>();
        if (prefix != null) {
            candidates.add(prefix);
        }
        if (modelName != null) {
            candidates.add(modelName);
        }
        candidates.add(modelDir.getFileName().toString());
        candidates.add("model");
        for (String candidate : candidates) {
            Path file = modelDir.resolve(withExtension(candidate));
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(modelDir, "*.jq")) {
            stream.forEach(found::add);
        }
        if (found.size() == 1 && Files.isRegularFile(found.get(0))) {
            return found.get(0);
        }
        throw new FileNotFoundException(
                "No "
                        + JqFormat.EXTENSION
                        + " model in "
                        + modelDir
                        + " (tried "
                        + candidates
                        + (found.isEmpty() ? ")" : ", and found several: " + found + ")"));
    }

    private static String withExtension(String name) {
        return name.endsWith(JqFormat.EXTENSION) ? name : name + JqFormat.EXTENSION;
    }

    private static String stripExtension(String fileName) {
        return fileName.endsWith(JqFormat.EXTENSION)
                ? fileName.substring(0, fileName.length() - JqFormat.EXTENSION.length())
                : fileName;
    }

    /**
     * Saves the block as {@code <modelPath>/<newModelName>.jq}, with the model properties, writing
     * atomically.
     *
     * @param modelPath the directory
     * @param newModelName the file name without extension, or {@code null} for the model name
     * @throws IOException if writing fails
     * @throws IllegalStateException if the model has no block
     * @throws IllegalArgumentException if a block has no codec
     */
    @Override
    public void save(Path modelPath, String newModelName) throws IOException {
        if (block == null) {
            throw new IllegalStateException("Model '" + modelName + "' has no block to save");
        }
        String name = newModelName == null || newModelName.isEmpty() ? modelName : newModelName;
        Files.createDirectories(modelPath);
        JqModelWriter.write(modelPath.resolve(withExtension(name)), block, getProperties());
        modelDir = modelPath.toAbsolutePath();
    }
}
