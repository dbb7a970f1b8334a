package io.djlquant.format;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;

/** Where a {@link BlockCodec} puts the tensors and children of the block it encodes. */
public interface TensorSink {

    /**
     * Stores a tensor under a file-wide unique name and records it in {@code node} under {@code
     * key}.
     *
     * @param node the node being encoded
     * @param key the local key, such as {@code "weight"}
     * @param tensor the data (its name is replaced)
     * @return the file-wide name
     */
    String putTensor(JqNode node, String key, JqTensor tensor);

    /**
     * Stores a copy of an NDArray of any engine.
     *
     * @param node the node being encoded
     * @param key the local key
     * @param array the array
     * @return the file-wide name
     */
    default String putTensor(JqNode node, String key, NDArray array) {
        return putTensor(node, key, JqTensor.of(key, array));
    }

    /**
     * Stores float32 values.
     *
     * @param node the node being encoded
     * @param key the local key
     * @param values the values
     * @param shape their shape
     * @return the file-wide name
     */
    default String putTensor(JqNode node, String key, float[] values, Shape shape) {
        return putTensor(node, key, JqTensor.of(key, values, shape));
    }

    /**
     * Stores int32 values.
     *
     * @param node the node being encoded
     * @param key the local key
     * @param values the values
     * @param shape their shape
     * @return the file-wide name
     */
    default String putTensor(JqNode node, String key, int[] values, Shape shape) {
        return putTensor(node, key, JqTensor.of(key, values, shape));
    }

    /**
     * Stores one-byte values (INT8, UINT8, BOOLEAN).
     *
     * @param node the node being encoded
     * @param key the local key
     * @param values the values
     * @param shape their shape
     * @param dataType INT8, UINT8 or BOOLEAN
     * @return the file-wide name
     */
    default String putTensor(
            JqNode node, String key, byte[] values, Shape shape, DataType dataType) {
        return putTensor(node, key, JqTensor.of(key, values, shape, dataType));
    }

    /**
     * Encodes a child block with its registered codec.
     *
     * @param name the child's name within its parent
     * @param child the child block
     * @return the child's node, to be added with {@link JqNode#addChild}
     * @throws IllegalArgumentException if no codec handles the child's class
     */
    JqNode encodeChild(String name, Block child);
}
