package io.djlquant.quantized.codec;

import ai.djl.MalformedModelException;
import io.djlquant.format.BlockCodec;
import io.djlquant.format.JqNode;
import io.djlquant.format.TensorSink;
import io.djlquant.format.TensorSource;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantized.FloatFallback;
import io.djlquant.quantized.fallback.FloatOp;

/**
 * Codec of {@link FloatFallback} (type {@code djlquant.quantized.FloatFallback}): config {@code
 * inputCount}, per quantized input {@code input<i>DType/Scale/ZeroPoint} (absent for a float
 * input), the output parameters, and one child "float" holding the Java float ops ({@link
 * FloatOpCodec}). Only fallbacks that run in Java can be stored.
 */
public final class FloatFallbackCodec implements BlockCodec<FloatFallback> {

    /** More inputs than any float op takes: a guard against a hostile count. */
    private static final int MAX_INPUTS = 2;

    /** {@inheritDoc} */
    @Override
    public String type() {
        return "djlquant.quantized.FloatFallback";
    }

    /** {@inheritDoc} */
    @Override
    public Class<FloatFallback> blockClass() {
        return FloatFallback.class;
    }

    /** {@inheritDoc} */
    @Override
    public JqNode encode(FloatFallback block, TensorSink sink) {
        FloatOp op = block.getFloatOp();
        if (op == null) {
            throw new IllegalArgumentException(
                    "a block kept in float runs on PyTorch and cannot be saved in a .jq file: "
                            + block.getNoJavaFormReason()
                            + ". Build it from io.djlquant.nn blocks"
                            + " (fused conv/linear, pools, ReLU, Flatten, Residual,"
                            + " SequentialBlock) or quantize it");
        }
        JqNode node = new JqNode(type());
        QParams[] inputs = block.getInputQParams();
        node.put("inputCount", inputs.length);
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] != null) {
                QParamsCodec.put(node, "input" + i, inputs[i]);
            }
        }
        QParamsCodec.put(node, "output", block.getOutputQParams());
        node.addChild(FloatOpCodec.encode("float", op, sink));
        return node;
    }

    /** {@inheritDoc} */
    @Override
    public FloatFallback decode(JqNode node, TensorSource source) throws MalformedModelException {
        int count = node.getInt("inputCount");
        if (count < 0 || count > MAX_INPUTS) {
            throw Nodes.malformed(
                    node, "inputCount must be 0.." + MAX_INPUTS + ", got " + count, null);
        }
        QParams[] inputs = new QParams[count];
        for (int i = 0; i < count; i++) {
            if (node.hasConfig("input" + i + "DType")) {
                inputs[i] = QParamsCodec.get(node, "input" + i);
            }
        }
        QParams output = QParamsCodec.get(node, "output");
        if (node.getChildren().size() != 1
                || !"float".equals(node.getChildren().get(0).getName())) {
            throw Nodes.malformed(node, "needs exactly one child named 'float'", null);
        }
        FloatOp op = FloatOpCodec.decode(node.getChildren().get(0), source);
        return new FloatFallback(op, inputs, output);
    }
}
