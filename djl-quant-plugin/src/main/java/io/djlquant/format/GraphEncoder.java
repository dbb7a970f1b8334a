package io.djlquant.format;

import ai.djl.nn.Block;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@link TensorSink} of one encoding run: names each tensor after the path of its node (for
 * example {@code root/01Conv2d/weight}) and keeps them in file order.
 */
final class GraphEncoder implements TensorSink {

    private final Map<String, JqTensor> tensors = new LinkedHashMap<>();
    private final Deque<String> path = new ArrayDeque<>();

    Map<String, JqTensor> tensors() {
        return tensors;
    }

    /** {@inheritDoc} */
    @Override
    public String putTensor(JqNode node, String key, JqTensor tensor) {
        String base = String.join("/", path) + '/' + key;
        String name = base;
        for (int i = 2; tensors.containsKey(name); i++) {
            name = base + '#' + i;
        }
        tensors.put(name, tensor.withName(name));
        node.putTensor(key, name);
        return name;
    }

    /** {@inheritDoc} */
    @Override
    public JqNode encodeChild(String name, Block child) {
        BlockCodec<?> codec = BlockCodecs.forBlockClass(child.getClass());
        if (codec == null) {
            throw new IllegalArgumentException(
                    "No BlockCodec registered for "
                            + child.getClass().getName()
                            + " (block '"
                            + name
                            + "')");
        }
        path.addLast(name);
        try {
            JqNode node = encodeWith(codec, child);
            node.setName(name);
            return node;
        } finally {
            path.removeLast();
        }
    }

    private <B extends Block> JqNode encodeWith(BlockCodec<B> codec, Block block) {
        JqNode node = codec.encode(codec.blockClass().cast(block), this);
        if (node == null || !codec.type().equals(node.getType())) {
            throw new IllegalStateException(
                    codec.getClass().getName()
                            + " must return a node of type '"
                            + codec.type()
                            + "'");
        }
        return node;
    }
}
