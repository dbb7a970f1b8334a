/**
 * The djl-quant model zoo: ResNet18 for Fashion-MNIST, served through DJL's {@code Criteria} from
 * artifacts shipped inside this jar (no download; works with {@code ai.djl.offline=true}).
 *
 * <p>Group id {@code io.djlquant}, application {@code cv/image_classification}, artifact id {@code
 * resnet18}, input {@code ai.djl.modality.cv.Image}, output {@code ai.djl.modality.Classifications}
 * over the ten Fashion-MNIST class names. Filters:
 *
 * <ul>
 *   <li>{@code dataset}: {@code fashion-mnist}
 *   <li>{@code quantization}: {@code none} (float32, PyTorch engine), {@code ptq} (int8 from
 *       post-training calibration, JavaQuant engine) or {@code qat} (int8 from quantization-aware
 *       fine-tuning, JavaQuant engine). Without this filter the PyTorch engine gets {@code none}
 *       and any other engine (or none) gets {@code qat}.
 *   <li>{@code dtype}: {@code float32} or {@code int8}
 * </ul>
 *
 * <pre>{@code
 * Criteria<Image, Classifications> criteria = Criteria.builder()
 *         .setTypes(Image.class, Classifications.class)
 *         .optApplication(Application.CV.IMAGE_CLASSIFICATION)
 *         .optArtifactId("resnet18")
 *         .optEngine("JavaQuant")
 *         .optFilter("dataset", "fashion-mnist")
 *         .optFilter("quantization", "ptq")      // optional, "qat" by default on JavaQuant
 *         .build();
 * try (ZooModel<Image, Classifications> model = criteria.loadModel();
 *         Predictor<Image, Classifications> predictor = model.newPredictor()) {
 *     Classifications c = predictor.predict(image);
 * }
 * }</pre>
 *
 * <p>The translator ({@link io.djlquant.zoo.FashionMnistTranslatorFactory}) accepts images of any
 * size and colour mode and converts them as in training ({@link io.djlquant.zoo.ImageConversion}).
 * The artifacts are produced by {@link io.djlquant.zoo.workflow.QuantizeResNet18} with {@code
 * --publish zoo-models/src/main/resources/io/djlquant/zoo/repo}; {@link
 * io.djlquant.zoo.ClasspathRepository} serves them in DJL's repository layout.
 */
package io.djlquant.zoo;
