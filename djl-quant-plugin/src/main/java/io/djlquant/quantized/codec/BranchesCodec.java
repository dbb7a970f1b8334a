package io.djlquant.quantized.codec;

import ai.djl.MalformedModelException;
import ai.djl.nn.Block;
import io.djlquant.format.BlockCodec;
import io.djlquant.format.JqNode;
import io.djlquant.format.TensorSink;
import io.djlquant.format.TensorSource;
import io.djlquant.quantized.Branches;
import io.djlquant.quantized.Concat;
import java.util.ArrayList;
import java.util.List;

/**
 * Codec of {@link Branches} (type {@code djlquant.quantized.Branches}): children "branch0",
 * "branch1", ... in join order, then "join" (a quantized concatenation).
 */
public final class BranchesCodec implements BlockCodec<Branches> {

    /** {@inheritDoc} */
    @Override
    public String type() {
        return "djlquant.quantized.Branches";
    }

    /** {@inheritDoc} */
    @Override
    public Class<Branches> blockClass() {
        return Branches.class;
    }

    /** {@inheritDoc} */
    @Override
    public JqNode encode(Branches block, TensorSink sink) {
        JqNode node = new JqNode(type());
        for (int i = 0; i < block.getBranches().size(); i++) {
            node.addChild(sink.encodeChild("branch" + i, block.getBranches().get(i)));
        }
        node.addChild(sink.encodeChild("join", block.getJoin()));
        return node;
    }

    /** {@inheritDoc} */
    @Override
    public Branches decode(JqNode node, TensorSource source) throws MalformedModelException {
        List<JqNode> children = node.getChildren();
        if (children.size() < 3) {
            throw Nodes.malformed(
                    node,
                    "needs at least 2 branches and a join, got " + children.size() + " children",
                    null);
        }
        int n = children.size() - 1;
        for (int i = 0; i <= n; i++) {
            String want = i < n ? "branch" + i : "join";
            if (!want.equals(children.get(i).getName())) {
                throw Nodes.malformed(
                        node,
                        "child "
                                + i
                                + " must be named '"
                                + want
                                + "', got '"
                                + children.get(i).getName()
                                + "'",
                        null);
            }
        }
        List<Block> branches = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            branches.add(source.decodeChild(children.get(i)));
        }
        Concat join = source.decodeChild(children.get(n), Concat.class);
        try {
            return new Branches(branches, join);
        } catch (IllegalArgumentException e) {
            throw Nodes.malformed(node, e.getMessage(), e);
        }
    }
}
