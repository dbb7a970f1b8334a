package io.djlquant.quantized.codec;

import ai.djl.MalformedModelException;
import io.djlquant.format.JqNode;

/** Message helpers for codecs. */
final class Nodes {

    private Nodes() {}

    /**
     * Describes a node for error messages.
     *
     * @param node the node
     * @return {@code node 'name' (type)}
     */
    static String where(JqNode node) {
        return "node '" + node.getName() + "' (" + node.getType() + ")";
    }

    /**
     * A malformed-model error naming the node.
     *
     * @param node the node
     * @param message the problem
     * @param cause the underlying exception, or null
     * @return the exception
     */
    static MalformedModelException malformed(JqNode node, String message, Throwable cause) {
        return new MalformedModelException(where(node) + ": " + message, cause);
    }
}
