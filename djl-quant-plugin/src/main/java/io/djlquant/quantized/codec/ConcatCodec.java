package io.djlquant.quantized.codec;

import ai.djl.MalformedModelException;
import io.djlquant.format.BlockCodec;
import io.djlquant.format.JqNode;
import io.djlquant.format.TensorSink;
import io.djlquant.format.TensorSource;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantized.Concat;

/**
 * Codec of {@link Concat} (type {@code djlquant.quantized.Concat}): {@code inputs}, the number of
 * arrays joined, the parameters of each input ({@code input0...}) and of the output.
 */
public final class ConcatCodec implements BlockCodec<Concat> {

    /** {@inheritDoc} */
    @Override
    public String type() {
        return "djlquant.quantized.Concat";
    }

    /** {@inheritDoc} */
    @Override
    public Class<Concat> blockClass() {
        return Concat.class;
    }

    /** {@inheritDoc} */
    @Override
    public JqNode encode(Concat block, TensorSink sink) {
        JqNode node = new JqNode(type());
        QParams[] inputs = block.getInputQParams();
        node.put("inputs", inputs.length);
        for (int i = 0; i < inputs.length; i++) {
            QParamsCodec.put(node, "input" + i, inputs[i]);
        }
        QParamsCodec.put(node, "output", block.getOutputQParams());
        return node;
    }

    /** {@inheritDoc} */
    @Override
    public Concat decode(JqNode node, TensorSource source) throws MalformedModelException {
        int count = node.getInt("inputs");
        // each input takes three config entries: a count beyond them is a lie, refused before
        // allocating
        if (count < 2 || count > node.getConfig().size() / 3) {
            throw Nodes.malformed(node, "invalid input count " + count, null);
        }
        QParams[] inputs = new QParams[count];
        for (int i = 0; i < count; i++) {
            inputs[i] = QParamsCodec.get(node, "input" + i);
        }
        return new Concat(inputs, QParamsCodec.get(node, "output"));
    }
}
