package io.djlquant.quantized.codec;

import ai.djl.MalformedModelException;
import io.djlquant.format.JqNode;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QParams;

/**
 * Stores per-tensor activation parameters as config values {@code <prefix>DType/Scale/ZeroPoint}.
 */
final class QParamsCodec {

    private QParamsCodec() {}

    /**
     * Writes per-tensor parameters.
     *
     * @param node the node
     * @param prefix the key prefix, e.g. "input"
     * @param q the parameters
     */
    static void put(JqNode node, String prefix, QParams q) {
        node.put(prefix + "DType", q.getDType().name());
        node.put(prefix + "Scale", q.scale(0));
        node.put(prefix + "ZeroPoint", q.zeroPoint(0));
    }

    /**
     * Reads and validates per-tensor activation parameters.
     *
     * @param node the node
     * @param prefix the key prefix
     * @return the parameters
     * @throws MalformedModelException if missing or invalid
     */
    static QParams get(JqNode node, String prefix) throws MalformedModelException {
        QDType dtype = dtype(node, prefix + "DType");
        if (dtype == QDType.QINT32) {
            throw Nodes.malformed(node, prefix + " activations cannot be QINT32", null);
        }
        float scale = node.getFloat(prefix + "Scale");
        int zp = node.getInt(prefix + "ZeroPoint");
        try {
            return QParams.perTensor(dtype, scale, zp);
        } catch (IllegalArgumentException e) {
            throw Nodes.malformed(node, "invalid " + prefix + " qparams: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a dtype name.
     *
     * @param node the node
     * @param key the config key
     * @return the dtype
     * @throws MalformedModelException if missing or unknown
     */
    static QDType dtype(JqNode node, String key) throws MalformedModelException {
        String name = node.getString(key);
        try {
            return QDType.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw Nodes.malformed(node, "unknown dtype '" + name + "' in '" + key + "'", e);
        }
    }
}
