package io.djlquant.quantized.codec;

import ai.djl.MalformedModelException;
import io.djlquant.format.JqNode;
import io.djlquant.kernels.ConvParams;
import io.djlquant.quantized.PoolGeometry;

/** Pool geometry as config {@code kernel}, {@code stride}, {@code padding} (int pairs). */
final class PoolCodecs {

    private PoolCodecs() {}

    static void put(JqNode node, PoolGeometry g) {
        node.put("kernel", new int[] {g.kernelH(), g.kernelW()});
        node.put("stride", new int[] {g.params().strideH(), g.params().strideW()});
        node.put("padding", new int[] {g.params().padH(), g.params().padW()});
    }

    static PoolGeometry get(JqNode node) throws MalformedModelException {
        int[] k = ConvCodec.pair(node, "kernel");
        int[] s = ConvCodec.pair(node, "stride");
        int[] p = ConvCodec.pair(node, "padding");
        try {
            return new PoolGeometry(k[0], k[1], new ConvParams(s[0], s[1], p[0], p[1], 1, 1));
        } catch (IllegalArgumentException e) {
            throw Nodes.malformed(node, e.getMessage(), e);
        }
    }
}
