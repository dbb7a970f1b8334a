package io.djlquant.quantized.codec;

import ai.djl.MalformedModelException;
import io.djlquant.format.BlockCodec;
import io.djlquant.format.JqNode;
import io.djlquant.format.TensorSink;
import io.djlquant.format.TensorSource;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantized.QuantizedGlue;

/**
 * Shared codec of the quantized glue blocks: the input parameters ({@code input...}) plus any block
 * config.
 *
 * @param <B> the block class
 */
abstract class GlueCodec<B extends QuantizedGlue> implements BlockCodec<B> {

    /**
     * Builds the block.
     *
     * @param node the node (for extra config)
     * @param q the validated input parameters
     * @return the block
     * @throws MalformedModelException if the extra config is invalid
     */
    abstract B create(JqNode node, QParams q) throws MalformedModelException;

    /**
     * Writes extra config (none by default).
     *
     * @param block the block
     * @param node the node
     */
    void putConfig(B block, JqNode node) {}

    /** {@inheritDoc} */
    @Override
    public String type() {
        return "djlquant.quantized." + blockClass().getSimpleName();
    }

    /** {@inheritDoc} */
    @Override
    public JqNode encode(B block, TensorSink sink) {
        JqNode node = new JqNode(type());
        QParamsCodec.put(node, "input", block.getQParams());
        putConfig(block, node);
        return node;
    }

    /** {@inheritDoc} */
    @Override
    public B decode(JqNode node, TensorSource source) throws MalformedModelException {
        QParams q = QParamsCodec.get(node, "input");
        try {
            return create(node, q);
        } catch (IllegalArgumentException e) {
            throw Nodes.malformed(node, e.getMessage(), e);
        }
    }
}
