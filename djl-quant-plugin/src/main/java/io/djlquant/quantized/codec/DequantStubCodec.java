package io.djlquant.quantized.codec;

import ai.djl.MalformedModelException;
import io.djlquant.format.BlockCodec;
import io.djlquant.format.JqNode;
import io.djlquant.format.TensorSink;
import io.djlquant.format.TensorSource;
import io.djlquant.quantized.DequantStub;

/** Codec of {@link DequantStub} (type {@code djlquant.quantized.DequantStub}): input parameters. */
public final class DequantStubCodec implements BlockCodec<DequantStub> {

    /** {@inheritDoc} */
    @Override
    public String type() {
        return "djlquant.quantized.DequantStub";
    }

    /** {@inheritDoc} */
    @Override
    public Class<DequantStub> blockClass() {
        return DequantStub.class;
    }

    /** {@inheritDoc} */
    @Override
    public JqNode encode(DequantStub block, TensorSink sink) {
        JqNode node = new JqNode(type());
        QParamsCodec.put(node, "input", block.getInputQParams());
        return node;
    }

    /** {@inheritDoc} */
    @Override
    public DequantStub decode(JqNode node, TensorSource source) throws MalformedModelException {
        return new DequantStub(QParamsCodec.get(node, "input"));
    }
}
