package io.djlquant.quantized.codec;

import ai.djl.MalformedModelException;
import io.djlquant.format.BlockCodec;
import io.djlquant.format.JqNode;
import io.djlquant.format.TensorSink;
import io.djlquant.format.TensorSource;
import io.djlquant.quantized.QuantStub;

/** Codec of {@link QuantStub} (type {@code djlquant.quantized.QuantStub}): output parameters. */
public final class QuantStubCodec implements BlockCodec<QuantStub> {

    /** {@inheritDoc} */
    @Override
    public String type() {
        return "djlquant.quantized.QuantStub";
    }

    /** {@inheritDoc} */
    @Override
    public Class<QuantStub> blockClass() {
        return QuantStub.class;
    }

    /** {@inheritDoc} */
    @Override
    public JqNode encode(QuantStub block, TensorSink sink) {
        JqNode node = new JqNode(type());
        QParamsCodec.put(node, "output", block.getOutputQParams());
        return node;
    }

    /** {@inheritDoc} */
    @Override
    public QuantStub decode(JqNode node, TensorSource source) throws MalformedModelException {
        return new QuantStub(QParamsCodec.get(node, "output"));
    }
}
