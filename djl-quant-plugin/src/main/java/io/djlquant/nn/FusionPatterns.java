package io.djlquant.nn;

import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import java.util.List;
import java.util.function.Supplier;

/**
 * The fusion table of the {@link Fuser}: which chain of DJL layers inside a {@code SequentialBlock}
 * becomes which fused block of this package. A chain is a layer, optionally followed by a {@code
 * BatchNorm} the fused block can hold and by an activation lambda. The entries of a layer are
 * listed longest chain first and the Fuser takes the first one that matches, so {@code Conv2d,
 * BatchNorm, relu} becomes one {@link ConvBnRelu2d} rather than a {@link ConvBn2d} and a loose
 * relu.
 */
final class FusionPatterns {

    /**
     * One entry.
     *
     * @param <B> the builder type of the fused block
     * @param layer the exact DJL class of the chain's first block
     * @param batchNorm whether a batch norm follows the layer
     * @param activation the activation after the layer (or its batch norm), as named by {@link
     *     LambdaRecognizer} ("relu", "relu6"), or {@code null} for none
     * @param builder a new builder of the fused block
     */
    record Pattern<B>(
            Class<? extends Block> layer,
            boolean batchNorm,
            String activation,
            Supplier<B> builder) {

        /**
         * @return whether the fused block ends with a ReLU (ReLU6 included)
         */
        boolean relu() {
            return activation != null;
        }

        /**
         * @return whether that ReLU is a ReLU6
         */
        boolean relu6() {
            return "relu6".equals(activation);
        }
    }

    /** Conv2d chains; ReLU6 has a fused int8 form after convolutions only. */
    static final List<Pattern<FusedConv2d.BaseBuilder<?>>> CONV =
            List.of(
                    conv(true, "relu", ConvBnRelu2d::builder),
                    conv(true, "relu6", ConvBnRelu2d::builder),
                    conv(true, null, ConvBn2d::builder),
                    conv(false, "relu", ConvRelu2d::builder),
                    conv(false, "relu6", ConvRelu2d::builder),
                    conv(false, null, PlainConv2d::builder));

    /** Linear chains. */
    static final List<Pattern<FusedLinear.BaseBuilder<?>>> LINEAR =
            List.of(
                    linear(true, "relu", LinearBnRelu1d::builder),
                    linear(true, null, LinearBn1d::builder),
                    linear(false, "relu", LinearRelu::builder),
                    linear(false, null, PlainLinear::builder));

    private FusionPatterns() {}

    private static Pattern<FusedConv2d.BaseBuilder<?>> conv(
            boolean batchNorm, String activation, Supplier<FusedConv2d.BaseBuilder<?>> builder) {
        return new Pattern<>(Conv2d.class, batchNorm, activation, builder);
    }

    private static Pattern<FusedLinear.BaseBuilder<?>> linear(
            boolean batchNorm, String activation, Supplier<FusedLinear.BaseBuilder<?>> builder) {
        return new Pattern<>(Linear.class, batchNorm, activation, builder);
    }

    /**
     * Returns the entry of a layer standing alone (no batch norm, no activation).
     *
     * @param <B> the builder type
     * @param patterns the entries of one layer
     * @return the entry
     */
    static <B> Pattern<B> alone(List<Pattern<B>> patterns) {
        for (Pattern<B> p : patterns) {
            if (!p.batchNorm() && !p.relu()) {
                return p;
            }
        }
        throw new IllegalStateException("the fusion table has no entry for a lone layer");
    }
}
