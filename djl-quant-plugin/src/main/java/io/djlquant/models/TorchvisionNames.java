package io.djlquant.models;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.djlquant.nn.FusedConv2d;
import java.util.List;
import java.util.Map;

/**
 * Naming helpers shared by the torchvision layouts: a convolution followed by a batch norm is five
 * state-dict tensors in torchvision ({@code conv.weight}, {@code bn.weight}, {@code bn.bias},
 * {@code bn.running_mean}, {@code bn.running_var}), whichever network it sits in.
 */
final class TorchvisionNames {

    private static final String[] BN_SUFFIXES = {
        ".weight", ".bias", ".running_mean", ".running_var"
    };

    private TorchvisionNames() {}

    /** Puts a fused convolution's weight under {@code conv} and its batch norm under {@code bn}. */
    static void putConvBn(Map<String, Parameter> out, FusedConv2d cb, String conv, String bn) {
        out.put(conv + ".weight", cb.getWeight());
        out.put(bn + ".weight", cb.getBatchNormParameter("gamma"));
        out.put(bn + ".bias", cb.getBatchNormParameter("beta"));
        out.put(bn + ".running_mean", cb.getBatchNormParameter("runningMean"));
        out.put(bn + ".running_var", cb.getBatchNormParameter("runningVar"));
    }

    /** The shapes {@link #putConvBn} names, for a convolution weight of the given OIHW shape. */
    static void putConvBnShapes(Map<String, Shape> out, String conv, String bn, Shape weight) {
        out.put(conv + ".weight", weight);
        for (String s : BN_SUFFIXES) {
            out.put(bn + s, new Shape(weight.get(0)));
        }
    }

    /**
     * Returns {@code blocks[index]} as a {@code type}.
     *
     * @param network what the caller expected, for the message ("a ResNet from ResNets.basic()")
     * @throws IllegalArgumentException naming the position and what was found there
     */
    static <T extends Block> T expect(
            String network, List<Block> blocks, int index, Class<T> type, String what) {
        if (index >= blocks.size() || !type.isInstance(blocks.get(index))) {
            String got =
                    index < blocks.size()
                            ? blocks.get(index).getClass().getSimpleName()
                            : "nothing";
            throw new IllegalArgumentException(
                    "not "
                            + network
                            + ": expected "
                            + what
                            + " at position "
                            + index
                            + ", got "
                            + got);
        }
        return type.cast(blocks.get(index));
    }
}
