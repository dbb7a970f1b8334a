package io.djlquant.format;

import ai.djl.MalformedModelException;

/** Test-only codec for {@link ScaleTestBlock}: one float config value. */
public final class ScaleTestCodec implements BlockCodec<ScaleTestBlock> {

    @Override
    public String type() {
        return "test.Scale";
    }

    @Override
    public Class<ScaleTestBlock> blockClass() {
        return ScaleTestBlock.class;
    }

    @Override
    public JqNode encode(ScaleTestBlock block, TensorSink sink) {
        return new JqNode(type()).put("factor", block.getFactor());
    }

    @Override
    public ScaleTestBlock decode(JqNode node, TensorSource source) throws MalformedModelException {
        return new ScaleTestBlock(node.getFloat("factor"));
    }
}
