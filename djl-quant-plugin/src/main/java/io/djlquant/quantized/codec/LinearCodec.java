package io.djlquant.quantized.codec;

import ai.djl.MalformedModelException;
import io.djlquant.format.BlockCodec;
import io.djlquant.format.JqNode;
import io.djlquant.format.TensorSink;
import io.djlquant.format.TensorSource;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantized.QuantizedLinear;
import io.djlquant.quantized.QuantizedWeights;

/**
 * Shared codec of the quantized linear layers: (out, in) weights (see {@link WeightsCodec}) and the
 * input/output activation parameters.
 *
 * @param <B> the block class
 */
abstract class LinearCodec<B extends QuantizedLinear> implements BlockCodec<B> {

    /**
     * Builds the block from validated parts.
     *
     * @param w the weights
     * @param in input parameters
     * @param out output parameters
     * @return the block
     */
    abstract B create(QuantizedWeights w, QParams in, QParams out);

    /** {@inheritDoc} */
    @Override
    public String type() {
        return "djlquant.quantized." + blockClass().getSimpleName();
    }

    /** {@inheritDoc} */
    @Override
    public JqNode encode(B block, TensorSink sink) {
        JqNode node = new JqNode(type());
        QParamsCodec.put(node, "input", block.getInputQParams());
        QParamsCodec.put(node, "output", block.getOutputQParams());
        WeightsCodec.put(node, sink, block.getWeights());
        return node;
    }

    /** {@inheritDoc} */
    @Override
    public B decode(JqNode node, TensorSource source) throws MalformedModelException {
        QParams in = QParamsCodec.get(node, "input");
        QParams out = QParamsCodec.get(node, "output");
        QuantizedWeights w = WeightsCodec.get(node, source, 2);
        try {
            return create(w, in, out);
        } catch (IllegalArgumentException e) {
            throw Nodes.malformed(node, e.getMessage(), e);
        }
    }
}
