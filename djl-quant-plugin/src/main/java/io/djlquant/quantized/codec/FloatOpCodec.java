package io.djlquant.quantized.codec;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.djlquant.format.JqNode;
import io.djlquant.format.JqTensor;
import io.djlquant.format.TensorSink;
import io.djlquant.format.TensorSource;
import io.djlquant.kernels.ConvParams;
import io.djlquant.nn.ElementWise;
import io.djlquant.quantized.fallback.FloatBranches;
import io.djlquant.quantized.fallback.FloatConv;
import io.djlquant.quantized.fallback.FloatJoin;
import io.djlquant.quantized.fallback.FloatLinear;
import io.djlquant.quantized.fallback.FloatOp;
import io.djlquant.quantized.fallback.FloatPointwise;
import io.djlquant.quantized.fallback.FloatPool;
import io.djlquant.quantized.fallback.FloatResidual;
import io.djlquant.quantized.fallback.FloatSequence;
import io.djlquant.quantized.fallback.FloatUpsample;
import java.util.ArrayList;
import java.util.List;

/**
 * Stores the Java float ops of a {@code FloatFallback} as child nodes of types {@code
 * djlquant.float.*}: {@code Conv2d} and {@code Linear} (FLOAT32 tensors {@code weight} and {@code
 * bias}, batch norm already folded), {@code Pool}, {@code Pointwise}, {@code Join}, {@code
 * Upsample} ({@code scale}), {@code Sequence} and {@code Branches} (children "0", "1", ...) and
 * {@code Residual} (children main, shortcut, join).
 */
final class FloatOpCodec {

    private static final String PREFIX = "djlquant.float.";

    /** Largest float weight tensor accepted from a file (elements). */
    private static final long MAX_ELEMENTS = 1L << 28;

    private FloatOpCodec() {}

    /**
     * Encodes an op tree.
     *
     * @param name the node's name
     * @param op the op
     * @param sink the tensor sink
     * @return the node
     */
    static JqNode encode(String name, FloatOp op, TensorSink sink) {
        JqNode node;
        if (op instanceof FloatConv c) {
            node = new JqNode(PREFIX + "Conv2d", name);
            ConvParams g = c.geometry();
            node.put("stride", new int[] {g.strideH(), g.strideW()});
            node.put("padding", new int[] {g.padH(), g.padW()});
            node.put("dilation", new int[] {g.dilationH(), g.dilationW()});
            node.put("groups", c.groups());
            node.put("relu", c.relu());
            sink.putTensor(node, "weight", c.weight(), c.weightShape());
            sink.putTensor(node, "bias", c.bias(), new Shape(c.bias().length));
        } else if (op instanceof FloatLinear l) {
            node = new JqNode(PREFIX + "Linear", name);
            node.put("relu", l.relu());
            sink.putTensor(node, "weight", l.weight(), new Shape(l.outFeatures(), l.inFeatures()));
            sink.putTensor(node, "bias", l.bias(), new Shape(l.outFeatures()));
        } else if (op instanceof FloatPool p) {
            node = new JqNode(PREFIX + "Pool", name);
            node.put("kind", p.kind().name());
            node.put("kernel", new int[] {p.kernelH(), p.kernelW()});
            node.put("stride", new int[] {p.strideH(), p.strideW()});
            node.put("padding", new int[] {p.padH(), p.padW()});
            node.put("countIncludePad", p.countIncludePad());
        } else if (op instanceof FloatPointwise p) {
            node = new JqNode(PREFIX + "Pointwise", name);
            node.put("kind", p.kind().name());
        } else if (op instanceof FloatJoin j) {
            node = new JqNode(PREFIX + "Join", name);
            node.put("mode", j.mode().name());
        } else if (op instanceof FloatSequence s) {
            node = new JqNode(PREFIX + "Sequence", name);
            for (int i = 0; i < s.ops().size(); i++) {
                node.addChild(encode(Integer.toString(i), s.ops().get(i), sink));
            }
        } else if (op instanceof FloatBranches br) {
            node = new JqNode(PREFIX + "Branches", name);
            for (int i = 0; i < br.branches().size(); i++) {
                node.addChild(encode(Integer.toString(i), br.branches().get(i), sink));
            }
        } else if (op instanceof FloatUpsample u) {
            node = new JqNode(PREFIX + "Upsample", name);
            node.put("scale", u.scale());
        } else {
            FloatResidual r = (FloatResidual) op;
            node = new JqNode(PREFIX + "Residual", name);
            node.addChild(encode("main", r.main(), sink));
            node.addChild(encode("shortcut", r.shortcut(), sink));
            node.addChild(encode("join", r.join(), sink));
        }
        return node;
    }

    /**
     * Decodes an op tree from an untrusted file.
     *
     * @param node the node
     * @param source the tensor source
     * @return the op
     * @throws MalformedModelException if the node or a descendant is invalid
     */
    static FloatOp decode(JqNode node, TensorSource source) throws MalformedModelException {
        String type = node.getType();
        try {
            switch (type) {
                case PREFIX + "Conv2d":
                    noChildren(node);
                    return conv(node, source);
                case PREFIX + "Linear":
                    noChildren(node);
                    return linear(node, source);
                case PREFIX + "Pool":
                    noChildren(node);
                    int[] k = ConvCodec.pair(node, "kernel");
                    int[] s = ConvCodec.pair(node, "stride");
                    int[] p = ConvCodec.pair(node, "padding");
                    return new FloatPool(
                            named(node, "kind", FloatPool.Kind.class),
                            k[0],
                            k[1],
                            s[0],
                            s[1],
                            p[0],
                            p[1],
                            node.getBoolean("countIncludePad"));
                case PREFIX + "Pointwise":
                    noChildren(node);
                    return new FloatPointwise(named(node, "kind", FloatPointwise.Kind.class));
                case PREFIX + "Join":
                    noChildren(node);
                    return new FloatJoin(named(node, "mode", ElementWise.Mode.class));
                case PREFIX + "Sequence":
                    List<FloatOp> ops = new ArrayList<>();
                    for (JqNode child : node.getChildren()) {
                        ops.add(decode(child, source));
                    }
                    return new FloatSequence(ops);
                case PREFIX + "Branches":
                    List<FloatOp> branches = new ArrayList<>();
                    for (JqNode child : node.getChildren()) {
                        branches.add(decode(child, source));
                    }
                    return new FloatBranches(branches);
                case PREFIX + "Upsample":
                    noChildren(node);
                    return new FloatUpsample(node.getInt("scale"));
                case PREFIX + "Residual":
                    List<JqNode> c = node.getChildren();
                    if (c.size() != 3) {
                        throw Nodes.malformed(
                                node,
                                "needs children main, shortcut and join, got " + c.size(),
                                null);
                    }
                    FloatOp join = decode(c.get(2), source);
                    if (!(join instanceof FloatJoin)) {
                        throw Nodes.malformed(
                                node, "child 'join' must be a " + PREFIX + "Join", null);
                    }
                    return new FloatResidual(
                            decode(c.get(0), source), decode(c.get(1), source), (FloatJoin) join);
                default:
                    throw Nodes.malformed(node, "is not a Java float op", null);
            }
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw Nodes.malformed(node, e.getMessage(), e);
        }
    }

    private static FloatConv conv(JqNode node, TensorSource source) throws MalformedModelException {
        int[] stride = ConvCodec.pair(node, "stride");
        int[] padding = ConvCodec.pair(node, "padding");
        int[] dilation = ConvCodec.pair(node, "dilation");
        JqTensor w = floats(node, source, "weight", 4);
        JqTensor b = floats(node, source, "bias", 1);
        ConvParams g =
                new ConvParams(
                        stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1]);
        return new FloatConv(
                finite(node, w),
                w.getShape(),
                finite(node, b),
                g,
                node.getInt("groups"),
                node.getBoolean("relu"));
    }

    private static FloatLinear linear(JqNode node, TensorSource source)
            throws MalformedModelException {
        JqTensor w = floats(node, source, "weight", 2);
        JqTensor b = floats(node, source, "bias", 1);
        return new FloatLinear(
                finite(node, w),
                (int) w.getShape().get(0),
                finite(node, b),
                node.getBoolean("relu"));
    }

    private static JqTensor floats(JqNode node, TensorSource source, String key, int rank)
            throws MalformedModelException {
        JqTensor t = source.getTensor(node, key).expect(DataType.FLOAT32);
        Shape s = t.getShape();
        if (s.dimension() != rank || s.size() <= 0 || s.size() > MAX_ELEMENTS) {
            throw Nodes.malformed(
                    node,
                    "'"
                            + key
                            + "' must be a non-empty rank-"
                            + rank
                            + " tensor of at most "
                            + MAX_ELEMENTS
                            + " values, got "
                            + s,
                    null);
        }
        return t;
    }

    private static float[] finite(JqNode node, JqTensor t) throws MalformedModelException {
        float[] v = t.toFloatArray();
        for (float x : v) {
            if (!Float.isFinite(x)) {
                throw Nodes.malformed(node, "'" + t.getName() + "' holds " + x, null);
            }
        }
        return v;
    }

    private static void noChildren(JqNode node) throws MalformedModelException {
        if (!node.getChildren().isEmpty()) {
            throw Nodes.malformed(node, "must have no children", null);
        }
    }

    private static <E extends Enum<E>> E named(JqNode node, String key, Class<E> type)
            throws MalformedModelException {
        String v = node.getString(key);
        try {
            return Enum.valueOf(type, v);
        } catch (IllegalArgumentException e) {
            throw Nodes.malformed(node, "unknown " + key + " '" + v + "'", e);
        }
    }
}
