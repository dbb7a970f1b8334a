package io.djlquant.quantization.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.training.dataset.Dataset;
import io.djlquant.nn.FusedConv2d;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cross-layer equalization on small nets trained on real Fashion-MNIST. */
class CrossLayerEqualizationTest {

    /** Relative tolerance of "same float function": float32 rounding of rescaled weights. */
    private static final float TOLERANCE = 1e-4f;

    @Test
    void depthwiseChainKeepsTheFunctionAndEvensTheRanges() throws Exception {
        Engine.getEngine("PyTorch").setRandomSeed(23);
        try (Model model = Model.newInstance("dw", "PyTorch")) {
            Block net = PtqTestNets.prepareAndTrain(model, PtqTestNets.depthwiseNet(), 30);
            List<NDArray> xs =
                    PtqTestNets.images(model.getNDManager(), Dataset.Usage.TEST, 0, 256, null);
            List<NDArray> before = outputs(net, xs);
            List<FusedConv2d> convs =
                    new ArrayList<>(BlockTree.find(net, FusedConv2d.class).values());
            double dwSpreadBefore = CrossLayerEqualization.spread(convs.get(1));

            CrossLayerEqualization.Result r = CrossLayerEqualization.equalize(net);
            System.out.println(r.summary());

            // conv->dw, dw->pw, pw->dw, dw->pw: every conv is followed by the next, all with ReLU
            assertEquals(4, r.pairs());
            assertEquals(0, r.skippedRelu6());
            assertTrue(r.spreadAfter() < 0.75 * r.spreadBefore(), r.summary());
            assertTrue(
                    CrossLayerEqualization.spread(convs.get(1)) < dwSpreadBefore,
                    "the first depthwise conv's channel ranges are more even");
            assertSameOutputs(before, outputs(net, xs));
        }
    }

    @Test
    void mobileNetV2SkipsRelu6PairsAndKeepsTheFunction() throws Exception {
        Engine.getEngine("PyTorch").setRandomSeed(29);
        try (Model model = Model.newInstance("mnv2", "PyTorch")) {
            Block net = PtqTestNets.prepareAndTrain(model, PtqTestNets.mobileNetV2(), 10);
            List<NDArray> xs =
                    PtqTestNets.images(model.getNDManager(), Dataset.Usage.TEST, 0, 128, null);
            List<NDArray> before = outputs(net, xs);
            CrossLayerEqualization.Result r = CrossLayerEqualization.equalize(net);
            System.out.println("MobileNetV2 " + r.summary());
            // expand->depthwise and depthwise->project end with ReLU6: skipped, never equalized
            assertTrue(r.skippedRelu6() >= 30, r.summary());
            assertSameOutputs(before, outputs(net, xs));

            CrossLayerEqualization.Result all =
                    CrossLayerEqualization.equalize(net, 4, CrossLayerEqualization.Relu6.EQUALIZE);
            System.out.println("MobileNetV2 with ReLU6 pairs " + all.summary());
            assertEquals(0, all.skippedRelu6());
            assertEquals(r.pairs() + r.skippedRelu6(), all.pairs());
        }
    }

    @Test
    void badArgumentsAreRefused() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> CrossLayerEqualization.equalize(null));
        assertTrue(e.getMessage().contains("float tree"), e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                CrossLayerEqualization.equalize(
                                        PtqTestNets.depthwiseNet(),
                                        0,
                                        CrossLayerEqualization.Relu6.SKIP));
        assertTrue(e.getMessage().contains("sweeps"), e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> CrossLayerEqualization.equalize(PtqTestNets.depthwiseNet()));
        assertTrue(e.getMessage().contains("not initialized"), e.getMessage());
    }

    private static List<NDArray> outputs(Block net, List<NDArray> xs) {
        List<NDArray> out = new ArrayList<>();
        for (NDArray x : xs) {
            out.add(PtqTestNets.forward(net, x));
        }
        return out;
    }

    private static void assertSameOutputs(List<NDArray> before, List<NDArray> after) {
        for (int i = 0; i < before.size(); i++) {
            float scale = before.get(i).abs().max().getFloat();
            float diff = before.get(i).sub(after.get(i)).abs().max().getFloat();
            assertTrue(
                    diff <= TOLERANCE * scale,
                    "batch " + i + ": max |diff| " + diff + " vs max |y| " + scale);
        }
    }
}
