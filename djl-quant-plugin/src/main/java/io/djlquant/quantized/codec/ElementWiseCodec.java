package io.djlquant.quantized.codec;

import ai.djl.MalformedModelException;
import io.djlquant.format.BlockCodec;
import io.djlquant.format.JqNode;
import io.djlquant.format.TensorSink;
import io.djlquant.format.TensorSource;
import io.djlquant.nn.ElementWise.Mode;
import io.djlquant.quantized.ElementWise;

/**
 * Codec of {@link ElementWise} (type {@code djlquant.quantized.ElementWise}): {@code mode} and the
 * parameters of both inputs and the output.
 */
public final class ElementWiseCodec implements BlockCodec<ElementWise> {

    /** {@inheritDoc} */
    @Override
    public String type() {
        return "djlquant.quantized.ElementWise";
    }

    /** {@inheritDoc} */
    @Override
    public Class<ElementWise> blockClass() {
        return ElementWise.class;
    }

    /** {@inheritDoc} */
    @Override
    public JqNode encode(ElementWise block, TensorSink sink) {
        JqNode node = new JqNode(type());
        node.put("mode", block.getMode().name());
        QParamsCodec.put(node, "inputA", block.getInputAQParams());
        QParamsCodec.put(node, "inputB", block.getInputBQParams());
        QParamsCodec.put(node, "output", block.getOutputQParams());
        return node;
    }

    /** {@inheritDoc} */
    @Override
    public ElementWise decode(JqNode node, TensorSource source) throws MalformedModelException {
        String name = node.getString("mode");
        Mode mode;
        try {
            mode = Mode.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw Nodes.malformed(node, "unknown element-wise mode '" + name + "'", e);
        }
        return new ElementWise(
                mode,
                QParamsCodec.get(node, "inputA"),
                QParamsCodec.get(node, "inputB"),
                QParamsCodec.get(node, "output"));
    }
}
