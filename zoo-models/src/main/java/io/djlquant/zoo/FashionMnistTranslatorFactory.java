package io.djlquant.zoo;

import ai.djl.Model;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.translate.ArgumentsUtil;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorFactory;
import ai.djl.util.Pair;
import io.djlquant.dataset.FashionMnist;
import java.lang.reflect.Type;
import java.util.Set;

/**
 * Creates {@link FashionMnistTranslator}s from the arguments of a zoo artifact: {@code sourceSize}
 * (28), {@code imageSize} (32), {@code channels} (3), {@code mean} and {@code std} (Fashion-MNIST's
 * training statistics). Supports {@code Image -> Classifications} only.
 */
public final class FashionMnistTranslatorFactory implements TranslatorFactory {

    private static final Set<Pair<Type, Type>> SUPPORTED =
            Set.of(new Pair<>(Image.class, Classifications.class));

    /** {@inheritDoc} */
    @Override
    public Set<Pair<Type, Type>> getSupportedTypes() {
        return SUPPORTED;
    }

    /** {@inheritDoc} */
    @Override
    @SuppressWarnings("unchecked")
    public <I, O> Translator<I, O> newInstance(
            Class<I> input, Class<O> output, Model model, java.util.Map<String, ?> arguments)
            throws TranslateException {
        if (!isSupported(input, output)) {
            throw new IllegalArgumentException(
                    "FashionMnistTranslatorFactory converts Image to Classifications, not "
                            + input.getName()
                            + " to "
                            + output.getName());
        }
        ImageConversion conversion =
                new ImageConversion(
                        ArgumentsUtil.intValue(arguments, "sourceSize", FashionMnist.ORIGINAL_SIZE),
                        ArgumentsUtil.intValue(arguments, "imageSize", 32),
                        ArgumentsUtil.intValue(arguments, "channels", 3),
                        ArgumentsUtil.floatValue(arguments, "mean", FashionMnist.DEFAULT_MEAN),
                        ArgumentsUtil.floatValue(arguments, "std", FashionMnist.DEFAULT_STD));
        return (Translator<I, O>) new FashionMnistTranslator(conversion, FashionMnist.classNames());
    }
}
