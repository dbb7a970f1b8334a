package io.djlquant.format;

import ai.djl.MalformedModelException;
import ai.djl.nn.Block;

/**
 * Converts one block class to a {@link JqNode} and back. Implementations are stateless, have a
 * public no-argument constructor, and are registered in {@code
 * META-INF/services/io.djlquant.format.BlockCodec} (or with {@link BlockCodecs#register}).
 *
 * @param <B> the block class
 */
public interface BlockCodec<B extends Block> {

    /**
     * Returns the type name stored in the file, unique across codecs, e.g. {@code
     * "djlquant.quantized.Conv2d"}. It must never change once files exist.
     *
     * @return the type name
     */
    String type();

    /**
     * Returns the exact block class this codec handles (subclasses are not matched).
     *
     * @return the block class
     */
    Class<B> blockClass();

    /**
     * Encodes a block: create {@code new JqNode(type())}, put config values, store arrays with
     * {@link TensorSink#putTensor} and encode children with {@link TensorSink#encodeChild}. The
     * registry sets the node's name (the block's name within its parent).
     *
     * @param block the block
     * @param sink where tensors and children go
     * @return the node
     */
    JqNode encode(B block, TensorSink sink);

    /**
     * Rebuilds a block from a node of an untrusted file; anything invalid must raise {@link
     * MalformedModelException} (the {@link JqNode} getters already do).
     *
     * @param node the node, whose type is {@link #type()}
     * @param source the node's tensors and child decoding
     * @return the block, ready for inference
     * @throws MalformedModelException if the node is invalid
     */
    B decode(JqNode node, TensorSource source) throws MalformedModelException;
}
