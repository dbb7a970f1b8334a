package io.djlquant.quantized.codec;

import ai.djl.MalformedModelException;
import ai.djl.nn.Block;
import io.djlquant.format.BlockCodec;
import io.djlquant.format.JqNode;
import io.djlquant.format.TensorSink;
import io.djlquant.format.TensorSource;
import io.djlquant.quantized.ElementWise;
import io.djlquant.quantized.Residual;
import java.util.List;

/**
 * Codec of {@link Residual} (type {@code djlquant.quantized.Residual}): exactly three children
 * "main", "shortcut" and "join" (a quantized element-wise block), in that order.
 */
public final class ResidualCodec implements BlockCodec<Residual> {

    private static final String[] NAMES = {"main", "shortcut", "join"};

    /** {@inheritDoc} */
    @Override
    public String type() {
        return "djlquant.quantized.Residual";
    }

    /** {@inheritDoc} */
    @Override
    public Class<Residual> blockClass() {
        return Residual.class;
    }

    /** {@inheritDoc} */
    @Override
    public JqNode encode(Residual block, TensorSink sink) {
        JqNode node = new JqNode(type());
        node.addChild(sink.encodeChild("main", block.getMain()));
        node.addChild(sink.encodeChild("shortcut", block.getShortcut()));
        node.addChild(sink.encodeChild("join", block.getJoin()));
        return node;
    }

    /** {@inheritDoc} */
    @Override
    public Residual decode(JqNode node, TensorSource source) throws MalformedModelException {
        List<JqNode> children = node.getChildren();
        if (children.size() != NAMES.length) {
            throw Nodes.malformed(
                    node, "needs 3 children (main, shortcut, join), got " + children.size(), null);
        }
        for (int i = 0; i < NAMES.length; i++) {
            if (!NAMES[i].equals(children.get(i).getName())) {
                throw Nodes.malformed(
                        node,
                        "child "
                                + i
                                + " must be named '"
                                + NAMES[i]
                                + "', got '"
                                + children.get(i).getName()
                                + "'",
                        null);
            }
        }
        Block main = source.decodeChild(children.get(0));
        Block shortcut = source.decodeChild(children.get(1));
        ElementWise join = source.decodeChild(children.get(2), ElementWise.class);
        return new Residual(main, shortcut, join);
    }
}
