package io.djlquant.examples.spark;

import ai.djl.Application;
import ai.djl.MalformedModelException;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import java.io.IOException;

/**
 * The zoo's int8 ResNet18, loaded once per executor JVM and shared by every task that runs there. A
 * model is thread-safe and holds the packed weights; predictors are not, so each task takes its own
 * ({@link ZooModel#newPredictor()}) and closes it when the task ends. Loading per task would unpack
 * the weights again for every partition.
 */
public final class ExecutorModel {

    private static volatile ZooModel<Image, Classifications> model;

    private ExecutorModel() {}

    /**
     * The criteria of the zoo's int8 (QAT) Fashion-MNIST ResNet18 on JavaQuant, as in the README.
     *
     * @return the criteria
     */
    public static Criteria<Image, Classifications> criteria() {
        return Criteria.builder()
                .setTypes(Image.class, Classifications.class)
                .optApplication(Application.CV.IMAGE_CLASSIFICATION)
                .optArtifactId("resnet18")
                .optEngine("JavaQuant")
                .optFilter("dataset", "fashion-mnist")
                .optFilter("quantization", "qat")
                .build();
    }

    /**
     * The model of this JVM, loaded on first use.
     *
     * @return the shared model (closed when the JVM exits)
     * @throws IOException if the model file cannot be read
     * @throws ModelNotFoundException if the zoo is not on the class path
     * @throws MalformedModelException if the model file is damaged
     */
    public static ZooModel<Image, Classifications> get()
            throws IOException, ModelNotFoundException, MalformedModelException {
        ZooModel<Image, Classifications> m = model;
        if (m == null) {
            synchronized (ExecutorModel.class) {
                m = model;
                if (m == null) {
                    m = criteria().loadModel();
                    ZooModel<Image, Classifications> loaded = m;
                    Runtime.getRuntime()
                            .addShutdownHook(new Thread(loaded::close, "close-zoo-model"));
                    model = m;
                }
            }
        }
        return m;
    }
}
