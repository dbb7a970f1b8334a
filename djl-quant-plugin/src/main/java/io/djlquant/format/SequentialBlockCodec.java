package io.djlquant.format;

import ai.djl.MalformedModelException;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.util.Pair;

/** Codec for DJL's {@link SequentialBlock}: its children in order and its return mode. */
public final class SequentialBlockCodec implements BlockCodec<SequentialBlock> {

    /** The node type. */
    public static final String TYPE = "djl.SequentialBlock";

    /** {@inheritDoc} */
    @Override
    public String type() {
        return TYPE;
    }

    /** {@inheritDoc} */
    @Override
    public Class<SequentialBlock> blockClass() {
        return SequentialBlock.class;
    }

    /** {@inheritDoc} */
    @Override
    public JqNode encode(SequentialBlock block, TensorSink sink) {
        JqNode node = new JqNode(TYPE);
        node.put("returnIntermediate", block.isReturnIntermediate());
        for (Pair<String, Block> child : block.getChildren()) {
            node.addChild(sink.encodeChild(child.getKey(), child.getValue()));
        }
        return node;
    }

    /** {@inheritDoc} */
    @Override
    public SequentialBlock decode(JqNode node, TensorSource source) throws MalformedModelException {
        SequentialBlock block = new SequentialBlock();
        if (node.hasConfig("returnIntermediate")) {
            block.setReturnIntermediate(node.getBoolean("returnIntermediate"));
        }
        for (JqNode child : node.getChildren()) {
            block.add(source.decodeChild(child));
        }
        return block;
    }
}
