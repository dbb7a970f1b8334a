package io.djlquant.quantization.convert;

import ai.djl.nn.Block;
import io.djlquant.quantization.qparams.QParams;

/**
 * Builds the Q form of one QFloat block (an entry of {@link QuantizedMappings}).
 *
 * @param <B> the QFloat block class
 */
@FunctionalInterface
public interface QuantizedFactory<B extends Block> {

    /**
     * Converts a block.
     *
     * @param block the QFloat block (calibrated or trained)
     * @param input the parameters of the activation flowing into it, or {@code null} when that
     *     activation is float (blocks wired by the QAT converter read their own wiring instead)
     * @return the quantized block (or a float block, for glue in a float region)
     * @throws IllegalStateException if the block's fake quants have not observed data
     */
    Block convert(B block, QParams input);
}
