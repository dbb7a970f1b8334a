package io.djlquant.quantization.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Dataset;
import io.djlquant.quantization.QConfigs;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-layer range search on a depthwise net trained on real Fashion-MNIST. */
class ScaleSearchTest {

    @Test
    void searchedRangesScoreAtLeastAsWellAndQAgreesWithQFloat() throws Exception {
        Engine.getEngine("PyTorch").setRandomSeed(37);
        try (Model model = Model.newInstance("dw", "PyTorch");
                NDManager jq = Engine.getEngine("JavaQuant").newBaseManager()) {
            Block net = PtqTestNets.prepareAndTrain(model, PtqTestNets.depthwiseNet(), 30);
            List<NDArray> calib =
                    PtqTestNets.images(model.getNDManager(), Dataset.Usage.TRAIN, 2000, 512, null);
            List<Integer> labels = new ArrayList<>();
            List<NDArray> heldOut =
                    PtqTestNets.images(model.getNDManager(), Dataset.Usage.TEST, 0, 1024, labels);
            PtqAlgorithms.Outcome plain =
                    PtqAlgorithms.quantize(
                            net, QConfigs.minMaxFakeQuant(), calib, PtqAlgorithms.Options.none());
            double plainAcc = PtqTestNets.accuracy(plain.qfloat(), heldOut, labels);

            ScaleSearch.Result r = ScaleSearch.search(plain.qfloat(), calib);
            System.out.println(r.summary());
            assertEquals(12, r.choices().size(), "weight and output range of six layers");
            boolean clipped = false;
            for (ScaleSearch.Choice c : r.choices()) {
                assertTrue(!c.skipped(), c.toString());
                // the calibrated range is a candidate: the chosen one scores at least as well
                assertTrue(c.after() <= c.before(), c.toString());
                clipped |= c.factor() < 1f;
            }
            assertTrue(clipped, "min/max ranges of a trained net have outliers worth clipping");
            double searchedAcc = PtqTestNets.accuracy(plain.qfloat(), heldOut, labels);
            System.out.printf(
                    "held-out top-1: plain PTQ %.4f, searched %.4f%n", plainAcc, searchedAcc);
            assertTrue(searchedAcc >= plainAcc - 0.01, plainAcc + " -> " + searchedAcc);

            // Q is built from the searched observer ranges: it predicts what QFloat predicts
            Block q = Quantizer.quantize(plain.qfloat());
            int agree = 0;
            int total = 0;
            for (NDArray x : heldOut) {
                long[] qf = PtqTestNets.forward(plain.qfloat(), x).argMax(1).toLongArray();
                try (NDManager scope = jq.newSubManager()) {
                    NDArray xq = scope.create(x.toFloatArray(), x.getShape());
                    NDArray y =
                            q.forward(new ParameterStore(scope, false), new NDList(xq), false)
                                    .head();
                    long[] qq = y.argMax(1).toLongArray();
                    for (int i = 0; i < qq.length; i++) {
                        agree += qq[i] == qf[i] ? 1 : 0;
                    }
                    total += qq.length;
                }
            }
            System.out.printf("Q/QFloat agreement %d/%d%n", agree, total);
            assertTrue(agree >= 0.98 * total, agree + "/" + total);
        }
    }

    @Test
    void cosineObjectiveNeverScoresBelowTheCalibratedRange() throws Exception {
        Engine.getEngine("PyTorch").setRandomSeed(41);
        try (Model model = Model.newInstance("dw", "PyTorch")) {
            Block net = PtqTestNets.prepareAndTrain(model, PtqTestNets.depthwiseNet(), 20);
            List<NDArray> calib =
                    PtqTestNets.images(model.getNDManager(), Dataset.Usage.TRAIN, 0, 256, null);
            PtqAlgorithms.Outcome o =
                    PtqAlgorithms.quantize(
                            net,
                            QConfigs.minMaxFakeQuant(),
                            calib,
                            PtqAlgorithms.Options.none()
                                    .scaleSearch(true)
                                    .search(
                                            ScaleSearch.Objective.COSINE,
                                            ScaleSearch.defaultFactors()));
            ScaleSearch.Result r = o.report().scales();
            System.out.println(r.summary());
            for (ScaleSearch.Choice c : r.choices()) {
                assertTrue(c.after() >= c.before() && c.after() <= 1.0 + 1e-6, c.toString());
            }
        }
    }

    @Test
    void theWeightFactorReachesTheQuantizedWeights() throws Exception {
        Engine.getEngine("PyTorch").setRandomSeed(43);
        try (Model model = Model.newInstance("dw", "PyTorch")) {
            Block net = PtqTestNets.prepareAndTrain(model, PtqTestNets.depthwiseNet(), 5);
            List<NDArray> calib =
                    PtqTestNets.images(model.getNDManager(), Dataset.Usage.TRAIN, 0, 128, null);
            Block qf =
                    PtqAlgorithms.quantize(
                                    net,
                                    QConfigs.minMaxFakeQuant(),
                                    calib,
                                    PtqAlgorithms.Options.none())
                            .qfloat();
            List<ScaleSearch.Choice> one =
                    ScaleSearch.search(
                                    qf,
                                    calib,
                                    new float[] {1f},
                                    ScaleSearch.Objective.MSE,
                                    true,
                                    false)
                            .choices();
            // a range clipped to 30 % of the weights' extremes must be scored worse than the
            // calibrated one
            List<ScaleSearch.Choice> clipped =
                    ScaleSearch.search(
                                    qf,
                                    calib,
                                    new float[] {0.3f},
                                    ScaleSearch.Objective.MSE,
                                    true,
                                    false)
                            .choices();
            for (int i = 0; i < one.size(); i++) {
                assertEquals(0.3f, clipped.get(i).factor());
                assertTrue(
                        clipped.get(i).after() > 2 * one.get(i).after(),
                        one.get(i) + " vs " + clipped.get(i));
            }
            assertEquals(6, one.size());
        }
    }

    @Test
    void badArgumentsAreRefused() throws Exception {
        try (Model model = Model.newInstance("dw", "PyTorch")) {
            Block net = PtqTestNets.prepareAndTrain(model, PtqTestNets.depthwiseNet(), 1);
            List<NDArray> xs =
                    PtqTestNets.images(model.getNDManager(), Dataset.Usage.TRAIN, 0, 64, null);
            Block qf =
                    PtqAlgorithms.quantize(
                                    net,
                                    QConfigs.minMaxFakeQuant(),
                                    xs,
                                    PtqAlgorithms.Options.none())
                            .qfloat();
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    ScaleSearch.search(
                                            qf,
                                            xs,
                                            new float[] {1f, 0f},
                                            ScaleSearch.Objective.MSE,
                                            true,
                                            true));
            assertTrue(e.getMessage().contains("> 0"), e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    ScaleSearch.search(
                                            qf,
                                            xs,
                                            ScaleSearch.defaultFactors(),
                                            ScaleSearch.Objective.MSE,
                                            false,
                                            false));
            assertTrue(e.getMessage().contains("weights, outputs or both"), e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> ScaleSearch.search(qf, List.of()));
            assertTrue(e.getMessage().contains("at least one batch"), e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    ScaleSearch.search(
                                            Quantizer.quantizeQat(net, QConfigs.minMaxFakeQuant()),
                                            xs));
            assertTrue(e.getMessage().contains("not calibrated"), e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> PtqAlgorithms.Options.parse("cle+adaround"));
            assertTrue(e.getMessage().contains("adaround"), e.getMessage());
        }
    }
}
