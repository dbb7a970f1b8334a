package io.djlquant.quantization.convert;

import ai.djl.nn.Block;
import io.djlquant.qat.WeightedQatBlock;
import java.util.Map;

/** Finds the quantized conv/linear layers of a calibrated QFloat tree for the PTQ algorithms. */
final class PtqLayers {

    private PtqLayers() {}

    /**
     * The quantized weighted layers, in execution order, checked to be calibrated.
     *
     * @param qfloat the QFloat tree
     * @param who the algorithm's name, for messages
     * @return path to layer
     * @throws IllegalArgumentException if there is none or one is not calibrated
     */
    static Map<String, WeightedQatBlock> calibratedLayers(Block qfloat, String who) {
        Map<String, WeightedQatBlock> layers = BlockTree.find(qfloat, WeightedQatBlock.class);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException(
                    who
                            + ": the tree has no quantized conv/linear layer; convert it with"
                            + " Quantizer.quantizeQat");
        }
        for (Map.Entry<String, WeightedQatBlock> e : layers.entrySet()) {
            WeightedQatBlock l = e.getValue();
            if (!l.getWeightFakeQuant().getObserver().hasObserved()
                    || !l.getOutputFakeQuant().getObserver().hasObserved()) {
                throw new IllegalArgumentException(
                        who
                                + ": layer '"
                                + BlockTree.display(e.getKey())
                                + "' is not calibrated; run Quantizer.calibrate first");
            }
        }
        return layers;
    }
}
