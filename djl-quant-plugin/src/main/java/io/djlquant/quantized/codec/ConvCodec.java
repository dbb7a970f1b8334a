package io.djlquant.quantized.codec;

import ai.djl.MalformedModelException;
import io.djlquant.format.BlockCodec;
import io.djlquant.format.JqNode;
import io.djlquant.format.TensorSink;
import io.djlquant.format.TensorSource;
import io.djlquant.kernels.ConvParams;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantized.QuantizedConv2d;
import io.djlquant.quantized.QuantizedWeights;

/**
 * Shared codec of the quantized convolutions: weights (see {@link WeightsCodec}), config {@code
 * stride}, {@code padding}, {@code dilation} (int pairs), {@code groups} and the input/output
 * activation parameters.
 *
 * @param <B> the block class
 */
abstract class ConvCodec<B extends QuantizedConv2d> implements BlockCodec<B> {

    /**
     * Builds the block from validated parts.
     *
     * @param w the weights
     * @param geometry stride, padding, dilation
     * @param groups the groups
     * @param in input parameters
     * @param out output parameters
     * @return the block
     */
    abstract B create(QuantizedWeights w, ConvParams geometry, int groups, QParams in, QParams out);

    /**
     * Builds the block with a ReLU6 when {@code relu6}; blocks without a ReLU refuse it.
     *
     * @param w the weights
     * @param geometry stride, padding, dilation
     * @param groups the groups
     * @param in input parameters
     * @param out output parameters
     * @param relu6 whether the fused ReLU is a ReLU6
     * @return the block
     */
    B create(
            QuantizedWeights w,
            ConvParams geometry,
            int groups,
            QParams in,
            QParams out,
            boolean relu6) {
        if (relu6) {
            throw new IllegalArgumentException("relu6 is set on a convolution without a ReLU");
        }
        return create(w, geometry, groups, in, out);
    }

    /** {@inheritDoc} */
    @Override
    public String type() {
        return "djlquant.quantized." + blockClass().getSimpleName();
    }

    /** {@inheritDoc} */
    @Override
    public JqNode encode(B block, TensorSink sink) {
        JqNode node = new JqNode(type());
        ConvParams g = block.getGeometry();
        node.put("stride", new int[] {g.strideH(), g.strideW()});
        node.put("padding", new int[] {g.padH(), g.padW()});
        node.put("dilation", new int[] {g.dilationH(), g.dilationW()});
        node.put("groups", block.getGroups());
        QParamsCodec.put(node, "input", block.getInputQParams());
        QParamsCodec.put(node, "output", block.getOutputQParams());
        WeightsCodec.put(node, sink, block.getWeights());
        if (block.hasRelu6()) {
            // written only when set: files of ReLU blocks stay as they were
            node.put("relu6", true);
        }
        return node;
    }

    /** {@inheritDoc} */
    @Override
    public B decode(JqNode node, TensorSource source) throws MalformedModelException {
        int[] stride = pair(node, "stride");
        int[] padding = pair(node, "padding");
        int[] dilation = pair(node, "dilation");
        int groups = node.getInt("groups");
        QParams in = QParamsCodec.get(node, "input");
        QParams out = QParamsCodec.get(node, "output");
        QuantizedWeights w = WeightsCodec.get(node, source, 4);
        if (groups <= 0 || w.outChannels() % groups != 0) {
            throw Nodes.malformed(
                    node,
                    "groups "
                            + groups
                            + " must be > 0 and divide "
                            + w.outChannels()
                            + " output channels",
                    null);
        }
        try {
            ConvParams g =
                    new ConvParams(
                            stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1]);
            return create(
                    w, g, groups, in, out, node.hasConfig("relu6") && node.getBoolean("relu6"));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw Nodes.malformed(node, e.getMessage(), e);
        }
    }

    static int[] pair(JqNode node, String key) throws MalformedModelException {
        int[] v = node.getIntArray(key);
        if (v.length != 2) {
            throw Nodes.malformed(node, "'" + key + "' must have 2 values, got " + v.length, null);
        }
        return v;
    }
}
