package io.djlquant.zoo;

import ai.djl.Application;
import ai.djl.repository.Repository;
import ai.djl.repository.zoo.ModelZoo;
import java.util.Set;

/**
 * The djl-quant model zoo (group id {@value #GROUP_ID}): ResNet18 for Fashion-MNIST as a float
 * model (PyTorch engine) and as int8 models from PTQ and QAT (JavaQuant engine), shipped inside
 * this jar. See the package documentation for the filters.
 */
public final class DjlQuantModelZoo extends ModelZoo {

    /** The group id of every model of this zoo. */
    public static final String GROUP_ID = "io.djlquant";

    /** The class-path folder holding the repository. */
    public static final String RESOURCE_ROOT = "io/djlquant/zoo/repo";

    /** The engine of the int8 models. */
    public static final String QUANTIZED_ENGINE = "JavaQuant";

    /** The engine of the float model. */
    public static final String FLOAT_ENGINE = "PyTorch";

    private static final Repository REPOSITORY =
            new ClasspathRepository(
                    "djl-quant", RESOURCE_ROOT, DjlQuantModelZoo.class.getClassLoader());

    /** Creates the zoo; normally done by DJL through {@link DjlQuantZooProvider}. */
    public DjlQuantModelZoo() {
        addModel(
                new ResNet18Loader(
                        REPOSITORY.model(
                                Application.CV.IMAGE_CLASSIFICATION,
                                GROUP_ID,
                                ResNet18Loader.ARTIFACT_ID)));
    }

    /** {@inheritDoc} */
    @Override
    public String getGroupId() {
        return GROUP_ID;
    }

    /** {@inheritDoc} */
    @Override
    public Set<String> getSupportedEngines() {
        return Set.of(QUANTIZED_ENGINE, FLOAT_ENGINE);
    }
}
