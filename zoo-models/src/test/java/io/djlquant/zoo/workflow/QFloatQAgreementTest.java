package io.djlquant.zoo.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.dataset.Dataset;
import io.djlquant.dataset.FashionMnist;
import io.djlquant.quantization.convert.Quantizer;
import io.djlquant.quantized.QuantizedModels;
import io.djlquant.zoo.DjlQuantModelZoo;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QFloat (fake-quantized float on PyTorch) predicts what Q (int8 on JavaQuant) computes, on the
 * zoo's ResNet18: the main job's PTQ stage (shipped float model, the default "calibration" recipe)
 * on fewer images, with Q saved as .jq and loaded back as the zoo would.
 *
 * <p>Threshold: the main job measured 99.98 % QFloat/Q agreement over 10,000 test images (2
 * disagreements, README). Over {@value #IMAGES} images that rate expects 0.08 disagreements, so
 * {@value #MAX_DISAGREEMENTS} or more would be a rate over 30 times the measured one: QFloat and Q
 * no longer compute the same network.
 */
class QFloatQAgreementTest {

    static final int IMAGES = 400;
    static final int CALIBRATION_IMAGES = 300;
    static final int BATCH = 50;
    static final int MAX_DISAGREEMENTS = 3;

    @Test
    void ptqQFloatAndInt8AgreeOnResNet18(@TempDir Path dir) throws Exception {
        Engine.getEngine("PyTorch").setRandomSeed(42);
        ImageSet test =
                ImageSet.open(FashionMnist.DEFAULT_DIRECTORY, Dataset.Usage.TEST, IMAGES, BATCH);
        try (Model floatModel = FloatModels.loadShipped();
                NDManager pt = NDManager.newBaseManager("PyTorch");
                NDManager jq =
                        Engine.getEngine(DjlQuantModelZoo.QUANTIZED_ENGINE).newBaseManager()) {
            Block qfloat =
                    Quantizer.quantizeQat(
                            floatModel.getBlock(), WorkflowOptions.qconfig("calibration", true));
            FashionMnist calib =
                    ImageSet.dataset(
                            FashionMnist.DEFAULT_DIRECTORY,
                            Dataset.Usage.TRAIN,
                            CALIBRATION_IMAGES,
                            BATCH,
                            false);
            calib.prepare();
            Quantizer.calibrate(qfloat, calib, pt, CALIBRATION_IMAGES / BATCH);
            Predictions qfloatPred = Predictions.run("QFloat", qfloat, pt, test, BATCH);

            Path file = dir.resolve("resnet18-ptq.jq");
            QuantizedModels.save(
                    Quantizer.quantize(qfloat), file, Map.of("dataset", "fashion-mnist"));
            try (Model loaded = Model.newInstance("ptq", DjlQuantModelZoo.QUANTIZED_ENGINE)) {
                loaded.load(file);
                assertEquals(
                        DjlQuantModelZoo.QUANTIZED_ENGINE,
                        loaded.getNDManager().getEngine().getEngineName());
                Predictions qPred = Predictions.run("Q", loaded.getBlock(), jq, test, BATCH);
                int disagreements = (int) Math.round((1 - qfloatPred.agreement(qPred)) * IMAGES);
                System.out.printf(
                        Locale.ROOT,
                        "ResNet18 PTQ on %d test images: QFloat top-1 %.2f%%, Q top-1"
                                + " %.2f%%, QFloat/Q agreement %.2f%% (%d disagreements)%n",
                        IMAGES,
                        100 * qfloatPred.top1(test),
                        100 * qPred.top1(test),
                        100 * qfloatPred.agreement(qPred),
                        disagreements);
                assertTrue(
                        disagreements < MAX_DISAGREEMENTS,
                        disagreements
                                + " of "
                                + IMAGES
                                + " images predicted differently by QFloat and Q");
                assertTrue(
                        qPred.top1(test) > 0.85,
                        "Q top-1 " + qPred.top1(test) + " is not the zoo model's");
            }
        }
    }
}
