package io.djlquant.quantized.codec;

import ai.djl.MalformedModelException;
import io.djlquant.format.JqNode;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantized.MaxPool2d;

/** Codec of {@link MaxPool2d} (type {@code djlquant.quantized.MaxPool2d}). */
public final class MaxPool2dCodec extends GlueCodec<MaxPool2d> {

    /** {@inheritDoc} */
    @Override
    public Class<MaxPool2d> blockClass() {
        return MaxPool2d.class;
    }

    @Override
    void putConfig(MaxPool2d block, JqNode node) {
        PoolCodecs.put(node, block.getGeometry());
        if (block.isCeilMode()) {
            node.put("ceilMode", true); // written only when set: files without it read as before
        }
    }

    @Override
    MaxPool2d create(JqNode node, QParams q) throws MalformedModelException {
        boolean ceil = node.hasConfig("ceilMode") && node.getBoolean("ceilMode");
        return new MaxPool2d(PoolCodecs.get(node), ceil, q);
    }
}
