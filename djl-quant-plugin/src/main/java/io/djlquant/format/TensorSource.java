package io.djlquant.format;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;

/** Gives a {@link BlockCodec} the tensors and decoded children of the node it decodes. */
public interface TensorSource {

    /**
     * Returns the manager that must own every array the decoded block keeps (the model's manager).
     *
     * @return the manager
     */
    NDManager getManager();

    /**
     * Returns the tensor {@code node} references under {@code key}.
     *
     * @param node the node being decoded
     * @param key the local key
     * @return the tensor
     * @throws MalformedModelException if the node has no such tensor
     */
    JqTensor getTensor(JqNode node, String key) throws MalformedModelException;

    /**
     * Returns the referenced tensor as a new array in {@link #getManager()}.
     *
     * @param node the node being decoded
     * @param key the local key
     * @return the array
     * @throws MalformedModelException if the node has no such tensor
     */
    default NDArray getArray(JqNode node, String key) throws MalformedModelException {
        return getTensor(node, key).toNDArray(getManager());
    }

    /**
     * Decodes a child node with its registered codec.
     *
     * @param child the child node
     * @return the block
     * @throws MalformedModelException if the child or its subtree is invalid or of unknown type
     */
    Block decodeChild(JqNode child) throws MalformedModelException;

    /**
     * Decodes a child node and checks its block class.
     *
     * @param child the child node
     * @param expected the class the parent needs
     * @param <B> the class
     * @return the block
     * @throws MalformedModelException if invalid or of another class
     */
    default <B extends Block> B decodeChild(JqNode child, Class<B> expected)
            throws MalformedModelException {
        Block block = decodeChild(child);
        if (!expected.isInstance(block)) {
            throw new MalformedModelException(
                    "Node '"
                            + child.getName()
                            + "' ("
                            + child.getType()
                            + ") must decode to "
                            + expected.getSimpleName()
                            + ", not "
                            + block.getClass().getSimpleName());
        }
        return expected.cast(block);
    }
}
