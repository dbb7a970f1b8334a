package io.djlquant.zoo;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import ai.djl.translate.ArgumentsUtil;
import io.djlquant.models.ResNet18;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the float {@link ResNet18} of a zoo artifact (arguments {@code numClasses}, {@code stem}
 * "imagenet" or "small", {@code channels}, {@code imageSize}) and initialises it, so that DJL can
 * read the {@code .params} file into it.
 */
public final class ResNet18BlockFactory implements BlockFactory {

    private static final long serialVersionUID = 1L;

    /** {@inheritDoc} */
    @Override
    public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) {
        int classes = ArgumentsUtil.intValue(arguments, "numClasses", 10);
        String stem = ArgumentsUtil.stringValue(arguments, "stem", "imagenet");
        ResNet18.Stem s;
        try {
            s = ResNet18.Stem.valueOf(stem.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown ResNet18 stem '" + stem + "', expected imagenet or small", e);
        }
        int channels = ArgumentsUtil.intValue(arguments, "channels", 3);
        int size = ArgumentsUtil.intValue(arguments, "imageSize", 32);
        Block block = ResNet18.builder().optNumClasses(classes).optStem(s).build();
        // Our fused blocks derive shapes at initialisation; the parameter file is read afterwards.
        block.initialize(
                model.getNDManager(), DataType.FLOAT32, new Shape(1, channels, size, size));
        return block;
    }
}
