package io.djlquant.format;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;

/** The {@link TensorSource} of one decoding run over a validated graph. */
final class GraphDecoder implements TensorSource {

    private final JqGraph graph;
    private final NDManager manager;

    GraphDecoder(JqGraph graph, NDManager manager) {
        this.graph = graph;
        this.manager = manager;
    }

    /** {@inheritDoc} */
    @Override
    public NDManager getManager() {
        return manager;
    }

    /** {@inheritDoc} */
    @Override
    public JqTensor getTensor(JqNode node, String key) throws MalformedModelException {
        String name = node.getTensorName(key);
        JqTensor tensor = graph.getTensor(name);
        if (tensor == null) {
            throw new MalformedModelException(
                    "Node '" + node.getName() + "' references missing tensor '" + name + "'");
        }
        return tensor;
    }

    /** {@inheritDoc} */
    @Override
    public Block decodeChild(JqNode child) throws MalformedModelException {
        BlockCodec<?> codec = BlockCodecs.forType(child.getType());
        if (codec == null) {
            throw new MalformedModelException(
                    "Unknown block type '"
                            + child.getType()
                            + "' (node '"
                            + child.getName()
                            + "'): no BlockCodec is registered for it");
        }
        Block block;
        try {
            block = codec.decode(child, this);
        } catch (RuntimeException e) {
            // Block constructors reject bad config with runtime exceptions; the file is to blame.
            throw new MalformedModelException(
                    "Node '"
                            + child.getName()
                            + "' ("
                            + child.getType()
                            + ") is invalid: "
                            + e.getMessage(),
                    e);
        }
        if (block == null || !codec.blockClass().isInstance(block)) {
            throw new IllegalStateException(
                    codec.getClass().getName()
                            + " decoded node '"
                            + child.getName()
                            + "' to "
                            + block);
        }
        return block;
    }
}
