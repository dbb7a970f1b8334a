package io.djlquant.quantized.fallback;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import io.djlquant.kernels.ConvParams;
import io.djlquant.nn.AvgPool2d;
import io.djlquant.nn.BnFolding;
import io.djlquant.nn.ElementWise;
import io.djlquant.nn.Flatten;
import io.djlquant.nn.FusedConv2d;
import io.djlquant.nn.FusedLinear;
import io.djlquant.nn.GlobalAvgPool2d;
import io.djlquant.nn.Identity;
import io.djlquant.nn.MaxPool2d;
import io.djlquant.nn.Relu;
import io.djlquant.nn.Residual;
import io.djlquant.nn.Unflatten;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the Java float form of a float block tree (the table of what a {@code FloatFallback} can
 * run without a native engine): the fused convolutions and linear layers of {@code io.djlquant.nn}
 * with batch norm folded with its running statistics, their pools, ReLU, flatten, identity,
 * element-wise joins, {@code Residual}, concatenating {@code Branches}, nearest upsampling and
 * DJL's {@code SequentialBlock}.
 */
public final class FloatOps {

    private FloatOps() {}

    /**
     * The outcome of a conversion: the op, or why the tree has none.
     *
     * @param op the Java float op, or {@code null}
     * @param problem the first block without a Java float form, or {@code null}
     */
    public record Conversion(FloatOp op, String problem) {}

    /**
     * Converts an initialized float block tree; parameters are copied (and batch norm folded).
     *
     * @param block the float block
     * @return the op, or the first unsupported block
     */
    public static Conversion of(Block block) {
        try {
            return new Conversion(convert(block, "float"), null);
        } catch (Unsupported e) {
            return new Conversion(null, e.getMessage());
        }
    }

    /** Thrown inside the recursion; becomes {@link Conversion#problem()}. */
    private static final class Unsupported extends Exception {
        private static final long serialVersionUID = 1L;

        Unsupported(String message) {
            super(message, null, false, false);
        }
    }

    private static FloatOp convert(Block b, String path) throws Unsupported {
        if (b.getClass() == SequentialBlock.class) {
            List<FloatOp> ops = new ArrayList<>();
            for (var child : b.getChildren()) {
                ops.add(convert(child.getValue(), path + "/" + child.getKey()));
            }
            return new FloatSequence(ops);
        }
        if (b.getClass() == Residual.class) {
            Residual r = (Residual) b;
            return new FloatResidual(
                    convert(r.getMain(), path + "/main"),
                    convert(r.getShortcut(), path + "/shortcut"),
                    new FloatJoin(r.getJoin().getMode()));
        }
        if (b.getClass() == io.djlquant.nn.Branches.class) {
            List<FloatOp> branches = new ArrayList<>();
            List<Block> kids = ((io.djlquant.nn.Branches) b).getBranches();
            for (int i = 0; i < kids.size(); i++) {
                branches.add(convert(kids.get(i), path + "/branch" + i));
            }
            return new FloatBranches(branches);
        }
        if (b.getClass() == io.djlquant.nn.Upsample.class) {
            return new FloatUpsample(((io.djlquant.nn.Upsample) b).getScale());
        }
        if (b instanceof FusedConv2d) {
            FusedConv2d f = (FusedConv2d) b;
            return f.hasRelu6()
                    ? new FloatSequence(
                            List.of(conv(f), new FloatPointwise(FloatPointwise.Kind.RELU6)))
                    : conv(f);
        }
        if (b instanceof FusedLinear) {
            return linear((FusedLinear) b);
        }
        if (b.getClass() == ElementWise.class) {
            return new FloatJoin(((ElementWise) b).getMode());
        }
        if (b.getClass() == Relu.class) {
            return new FloatPointwise(FloatPointwise.Kind.RELU);
        }
        if (b.getClass() == io.djlquant.nn.Sigmoid.class) {
            return new FloatPointwise(FloatPointwise.Kind.SIGMOID);
        }
        if (b.getClass() == io.djlquant.nn.Tanh.class) {
            return new FloatPointwise(FloatPointwise.Kind.TANH);
        }
        if (b.getClass() == io.djlquant.nn.KeepFloat.class) {
            return convert(((io.djlquant.nn.KeepFloat) b).getBlock(), path + "/float");
        }
        if (b.getClass() == ai.djl.nn.norm.Dropout.class) {
            return new FloatPointwise(FloatPointwise.Kind.IDENTITY);
        }
        if (b.getClass() == Identity.class) {
            return new FloatPointwise(FloatPointwise.Kind.IDENTITY);
        }
        if (b.getClass() == Flatten.class) {
            return new FloatPointwise(FloatPointwise.Kind.FLATTEN);
        }
        if (b.getClass() == Unflatten.class) {
            return new FloatPointwise(FloatPointwise.Kind.UNFLATTEN);
        }
        if (b.getClass() == GlobalAvgPool2d.class) {
            return FloatPool.globalAverage();
        }
        if (b.getClass() == MaxPool2d.class) {
            MaxPool2d p = (MaxPool2d) b;
            return pool(
                    path,
                    FloatPool.Kind.MAX,
                    p.getKernelShape(),
                    p.getStride(),
                    p.getPadding(),
                    p.isCeilMode(),
                    true);
        }
        if (b.getClass() == AvgPool2d.class) {
            AvgPool2d p = (AvgPool2d) b;
            return pool(
                    path,
                    FloatPool.Kind.AVG,
                    p.getKernelShape(),
                    p.getStride(),
                    p.getPadding(),
                    p.isCeilMode(),
                    p.isCountIncludePad());
        }
        throw new Unsupported(
                "block '" + path + "' (" + b.getClass().getName() + ") has no Java float form");
    }

    private static FloatOp pool(
            String path,
            FloatPool.Kind kind,
            Shape k,
            Shape s,
            Shape p,
            boolean ceil,
            boolean countIncludePad)
            throws Unsupported {
        if (ceil) {
            throw new Unsupported(
                    "pool '"
                            + path
                            + "' uses ceil mode, which the Java float pool"
                            + " does not have");
        }
        if (!countIncludePad) {
            // DJL 0.36 on PyTorch ignores countIncludePad=false: the float model divides by the
            // full window, and the Java form must compute what the float model computes
            throw new Unsupported(
                    "average pool '"
                            + path
                            + "' sets countIncludePad=false, which"
                            + " DJL's PyTorch pool ignores; use countIncludePad=true");
        }
        return new FloatPool(
                kind,
                (int) k.get(0),
                (int) k.get(1),
                (int) s.get(0),
                (int) s.get(1),
                (int) p.get(0),
                (int) p.get(1),
                countIncludePad);
    }

    private static FloatConv conv(FusedConv2d f) {
        float[][] folded =
                fold(
                        f.getWeight().getArray(),
                        f.getBias() == null ? null : f.getBias().getArray(),
                        f.hasBatchNorm() ? f::getBatchNormParameter : null,
                        f.getEpsilon());
        ConvParams g =
                new ConvParams(
                        (int) f.getStride().get(0), (int) f.getStride().get(1),
                        (int) f.getPadding().get(0), (int) f.getPadding().get(1),
                        (int) f.getDilation().get(0), (int) f.getDilation().get(1));
        return new FloatConv(
                folded[0],
                f.getWeight().getArray().getShape(),
                folded[1],
                g,
                f.getGroups(),
                f.hasRelu());
    }

    private static FloatLinear linear(FusedLinear f) {
        NDArray w = f.getWeight().getArray();
        float[][] folded =
                fold(
                        w,
                        f.getBias() == null ? null : f.getBias().getArray(),
                        f.hasBatchNorm() ? f::getBatchNormParameter : null,
                        f.getEpsilon());
        return new FloatLinear(folded[0], (int) w.getShape().get(0), folded[1], f.hasRelu());
    }

    /** Source of the batch norm parameters by name. */
    private interface BatchNormParameters {
        ai.djl.nn.Parameter get(String name);
    }

    /** Folds batch norm (running statistics) once, through the project's single folding. */
    private static float[][] fold(
            NDArray weight, NDArray bias, BatchNormParameters bn, float epsilon) {
        try (NDManager m = weight.getManager().newSubManager()) {
            // every operand is copied into m first, so the folding's temporaries are freed with it
            NDArray w = copy(weight, m);
            NDArray b = bias == null ? null : copy(bias, m);
            if (bn != null) {
                BnFolding.Folded f =
                        BnFolding.fold(
                                w,
                                b,
                                copy(bn.get("gamma").getArray(), m),
                                copy(bn.get("beta").getArray(), m),
                                copy(bn.get("runningMean").getArray(), m),
                                copy(bn.get("runningVar").getArray(), m),
                                epsilon);
                w = f.weight();
                b = f.bias();
            }
            float[] bv = b == null ? new float[(int) weight.getShape().get(0)] : b.toFloatArray();
            return new float[][] {w.toFloatArray(), bv};
        }
    }

    private static NDArray copy(NDArray a, NDManager m) {
        NDArray c = a.duplicate();
        c.attach(m);
        return c;
    }
}
