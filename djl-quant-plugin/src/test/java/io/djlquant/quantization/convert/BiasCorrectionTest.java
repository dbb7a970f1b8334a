package io.djlquant.quantization.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.training.dataset.Dataset;
import io.djlquant.quantization.QConfigs;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bias correction on a depthwise net trained on real Fashion-MNIST, checked on held-out images. */
class BiasCorrectionTest {

    @Test
    void meanOutputErrorShrinksOnHeldOutImages() throws Exception {
        Engine.getEngine("PyTorch").setRandomSeed(31);
        try (Model model = Model.newInstance("dw", "PyTorch")) {
            Block net = PtqTestNets.prepareAndTrain(model, PtqTestNets.depthwiseNet(), 30);
            List<NDArray> calib =
                    PtqTestNets.images(model.getNDManager(), Dataset.Usage.TRAIN, 2000, 512, null);
            List<NDArray> heldOut =
                    PtqTestNets.images(model.getNDManager(), Dataset.Usage.TEST, 0, 1024, null);
            // float logits before the correction changes the shared parameters
            List<NDArray> floatOut = new ArrayList<>();
            for (NDArray x : heldOut) {
                floatOut.add(PtqTestNets.forward(net, x));
            }
            PtqAlgorithms.Outcome plain =
                    PtqAlgorithms.quantize(
                            net, QConfigs.int4Weights(), calib, PtqAlgorithms.Options.none());
            double[] before = meanErrors(plain.qfloat(), heldOut, floatOut);

            BiasCorrection.Result r = BiasCorrection.correct(net, plain.qfloat(), calib);
            System.out.println(r.summary());
            assertEquals(6, r.layers().size(), "five convolutions and the linear layer");
            assertTrue(r.layers().stream().allMatch(BiasCorrection.Layer::corrected));
            double[] after = meanErrors(plain.qfloat(), heldOut, floatOut);
            double b = meanAbs(before);
            double a = meanAbs(after);
            System.out.printf("held-out mean |per-class logit error|: %.4f -> %.4f%n", b, a);
            assertTrue(a < 0.7 * b, "mean per-class error " + b + " -> " + a);
        }
    }

    @Test
    void badArgumentsAreRefused() throws Exception {
        try (Model model = Model.newInstance("dw", "PyTorch")) {
            Block net = PtqTestNets.prepareAndTrain(model, PtqTestNets.depthwiseNet(), 1);
            List<NDArray> xs =
                    PtqTestNets.images(model.getNDManager(), Dataset.Usage.TRAIN, 0, 64, null);
            Block uncalibrated = Quantizer.quantizeQat(net, QConfigs.minMaxFakeQuant());
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> BiasCorrection.correct(net, uncalibrated, xs));
            assertTrue(e.getMessage().contains("not calibrated"), e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> BiasCorrection.correct(net, uncalibrated, List.of()));
            assertTrue(e.getMessage().contains("at least one batch"), e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> BiasCorrection.correct(null, uncalibrated, xs));
            assertTrue(e.getMessage().contains("float tree"), e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> BiasCorrection.correct(net, net, xs));
            assertTrue(e.getMessage().contains("quantizeQat"), e.getMessage());
        }
    }

    /** Per class, the mean over images of (QFloat logit - Float logit). */
    static double[] meanErrors(Block qfloat, List<NDArray> xs, List<NDArray> floatOut) {
        double[] sum = null;
        long n = 0;
        for (int i = 0; i < xs.size(); i++) {
            try (NDArray y = PtqTestNets.forward(qfloat, xs.get(i));
                    NDArray d = y.sub(floatOut.get(i));
                    NDArray s = d.sum(new int[] {0})) {
                float[] v = s.toFloatArray();
                if (sum == null) {
                    sum = new double[v.length];
                }
                for (int c = 0; c < v.length; c++) {
                    sum[c] += v[c];
                }
                n += y.getShape().get(0);
            }
        }
        for (int c = 0; c < sum.length; c++) {
            sum[c] /= n;
        }
        return sum;
    }

    static double meanAbs(double[] v) {
        double s = 0;
        for (double x : v) {
            s += Math.abs(x);
        }
        return s / v.length;
    }
}
