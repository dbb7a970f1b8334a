package io.djlquant.zoo.workflow;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import io.djlquant.zoo.DjlQuantModelZoo;
import io.djlquant.zoo.ResNet18BlockFactory;
import io.djlquant.zoo.ResNet18Loader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Loads the float ResNet18 (PyTorch engine) from a checkpoint file or from the zoo. */
final class FloatModels {

    private static final Pattern PARAMS = Pattern.compile("(.+)-(\\d{4,})\\.params");

    private FloatModels() {}

    /**
     * Loads a DJL parameter file {@code <prefix>-NNNN.params} into a fresh float ResNet18.
     *
     * @param file the checkpoint
     * @return the model; the caller closes it
     */
    static Model load(Path file) throws IOException, MalformedModelException {
        Matcher m = PARAMS.matcher(file.getFileName().toString());
        if (!Files.isRegularFile(file) || !m.matches()) {
            throw new IOException(
                    "not a DJL checkpoint file <name>-NNNN.params: " + file.toAbsolutePath());
        }
        Path dir = file.toAbsolutePath().getParent();
        Model model = Model.newInstance(m.group(1), Device.cpu(), DjlQuantModelZoo.FLOAT_ENGINE);
        try {
            model.setBlock(new ResNet18BlockFactory().newBlock(model, dir, Map.of()));
            model.load(dir, m.group(1), Map.of("epoch", m.group(2)));
            return model;
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Loads the float ResNet18 shipped in the zoo.
     *
     * @return the model
     */
    static Model loadShipped() throws IOException, MalformedModelException, ModelNotFoundException {
        return Criteria.builder()
                .setTypes(Image.class, Classifications.class)
                .optGroupId(DjlQuantModelZoo.GROUP_ID)
                .optArtifactId(ResNet18Loader.ARTIFACT_ID)
                .optEngine(DjlQuantModelZoo.FLOAT_ENGINE)
                .optFilter(ResNet18Loader.QUANTIZATION, ResNet18Loader.NONE)
                .build()
                .loadModel();
    }

    /** The single {@code .params} file of a model directory (the shipped float model). */
    static Path paramsFile(Model model) throws IOException {
        try (Stream<Path> s = Files.list(model.getModelPath())) {
            List<Path> files =
                    s.filter(p -> PARAMS.matcher(p.getFileName().toString()).matches())
                            .collect(Collectors.toList());
            if (files.size() != 1) {
                throw new IOException(
                        "expected one .params file in "
                                + model.getModelPath()
                                + ", found "
                                + files);
            }
            return files.get(0);
        }
    }
}
