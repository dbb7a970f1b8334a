package io.djlquant.format;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;

/** Test-only codec for {@link AffineTestBlock}: two tensors. */
public final class AffineTestCodec implements BlockCodec<AffineTestBlock> {

    @Override
    public String type() {
        return "test.Affine";
    }

    @Override
    public Class<AffineTestBlock> blockClass() {
        return AffineTestBlock.class;
    }

    @Override
    public JqNode encode(AffineTestBlock block, TensorSink sink) {
        JqNode node = new JqNode(type());
        sink.putTensor(node, "weight", block.getWeight());
        sink.putTensor(node, "bias", block.getBias());
        return node;
    }

    @Override
    public AffineTestBlock decode(JqNode node, TensorSource source) throws MalformedModelException {
        NDArray weight = source.getArray(node, "weight");
        NDArray bias = source.getArray(node, "bias");
        // The constructor rejects mismatched lengths; the registry reports that as malformed.
        return new AffineTestBlock(weight, bias);
    }
}
