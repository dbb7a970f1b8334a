package io.djlquant.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.BlockList;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewrites an initialized DJL block tree into the float blocks of this package, with copies of the
 * same parameter values and the same outputs:
 *
 * <ul>
 *   <li>in a {@link SequentialBlock}, the chains of the table {@link FusionPatterns}: Conv2d,
 *       BatchNorm, relu become {@link ConvBnRelu2d} (and the shorter chains {@link ConvBn2d},
 *       {@link ConvRelu2d}, {@link PlainConv2d}); Linear, BatchNorm, relu likewise become {@link
 *       LinearBnRelu1d}, {@link LinearBn1d}, {@link LinearRelu}, {@link PlainLinear};
 *   <li>a two-branch {@link ParallelBlock} whose join computes {@code relu(a+b)}, {@code a+b} or
 *       {@code a*b} becomes a {@link Residual}; one whose join concatenates its branches along the
 *       channel axis becomes {@link Branches};
 *   <li>a {@link LambdaBlock} computing a known function (identified by probing, see {@link
 *       LambdaRecognizer}) becomes the matching glue block.
 * </ul>
 *
 * <p>Anything else is kept as it is (the same instance, a float fallback) and listed in the {@link
 * FuseReport}. The Fuser finally runs both trees on one random input (batch 1) and records the
 * difference.
 */
public final class Fuser {

    private static final Logger logger = LoggerFactory.getLogger(Fuser.class);

    private final NDManager manager;
    private final FuseReport report = new FuseReport();
    private final LambdaRecognizer lambdas;

    /**
     * Whether kept blocks are wrapped in {@link KeepFloat} (for quantization) or returned as they
     * are.
     */
    private final boolean markKept;

    private Fuser(NDManager manager, boolean markKept) {
        this.manager = manager;
        this.markKept = markKept;
        this.lambdas = new LambdaRecognizer(manager);
    }

    /**
     * Fuses {@code model} and logs the report.
     *
     * @param model an initialized DJL block tree
     * @param manager the manager that will own the copied parameters
     * @param inputShape the model's input shape, batch axis included
     * @return the fused, initialized tree
     */
    public static Block fuse(Block model, NDManager manager, Shape inputShape) {
        return fuseWithReport(model, manager, inputShape).getBlock();
    }

    /**
     * Fuses {@code model} and returns the tree with its report (also logged).
     *
     * @param model an initialized DJL block tree
     * @param manager the manager that will own the copied parameters
     * @param inputShape the model's input shape, batch axis included
     * @return the fused tree and the report
     */
    public static FuseResult fuseWithReport(Block model, NDManager manager, Shape inputShape) {
        return fuse(model, manager, inputShape, false);
    }

    /**
     * Fuses {@code model} for quantization: every block without a fused form is wrapped in a {@link
     * KeepFloat}, so {@code quantizeQat} keeps it in float (dequantize before, quantize after)
     * instead of refusing the tree. The report still lists those blocks as kept.
     *
     * @param model an initialized DJL block tree
     * @param manager the manager that will own the copied parameters
     * @param inputShape the model's input shape, batch axis included
     * @return the fused tree and the report
     */
    public static FuseResult fuseKeepingFloat(Block model, NDManager manager, Shape inputShape) {
        return fuse(model, manager, inputShape, true);
    }

    private static FuseResult fuse(
            Block model, NDManager manager, Shape inputShape, boolean markKept) {
        if (model == null || manager == null || inputShape == null) {
            throw new IllegalArgumentException("Fuser needs a model, a manager and an input shape");
        }
        if (!model.isInitialized()) {
            throw new IllegalArgumentException(
                    "Fuser needs an initialized model (its parameter values are copied)");
        }
        Fuser f = new Fuser(manager, markKept);
        Block fused = f.convert(model, inputShape, "");
        fused.initialize(manager, DataType.FLOAT32, inputShape);
        f.report.setMaxAbsDiff(f.selfCheck(model, fused, inputShape));
        if (f.report.isComplete()) {
            logger.info("{}", f.report);
        } else {
            logger.warn("{}", f.report);
        }
        return new FuseResult(fused, f.report);
    }

    private Block convert(Block b, Shape in, String path) {
        if (b instanceof SequentialBlock) {
            return convertSequential((SequentialBlock) b, in, path);
        }
        if (b instanceof ParallelBlock) {
            return convertParallel((ParallelBlock) b, in, path);
        }
        if (b instanceof LambdaBlock) {
            LambdaRecognizer.Candidate c = lambdas.recognize((LambdaBlock) b, in);
            if (c == null) {
                return keep(b, path, "lambda '" + ((LambdaBlock) b).getName() + "' not recognised");
            }
            if (c.factory == null) {
                return keep(
                        b,
                        path,
                        "lambda '"
                                + ((LambdaBlock) b).getName()
                                + "' ("
                                + c.name
                                + ") has a quantized form only fused after a Conv2d (+ BatchNorm)");
            }
            Block r = c.factory.get();
            report.replaced(
                    path, "lambda '" + ((LambdaBlock) b).getName() + "' (" + c.name + ") -> " + r);
            return r;
        }
        if (b.getClass() == Conv2d.class) {
            return fuseConv((Conv2d) b, null, FusionPatterns.alone(FusionPatterns.CONV), path);
        }
        if (b.getClass() == Linear.class) {
            return fuseLinear((Linear) b, null, FusionPatterns.alone(FusionPatterns.LINEAR), path);
        }
        if (b.getClass() == Dropout.class) {
            // identity at inference; QAT keeps it so fine-tuning regularises as the float model did
            report.replaced(path, "Dropout (kept: identity at inference, int8 Identity)");
            return b;
        }
        if (b.getClass().getPackage() == Fuser.class.getPackage()) {
            if (b.getParameters().isEmpty()) {
                // parameter-free (stubs, glue): sharing the instance is harmless
                report.replaced(path, "already a djl-quant block " + b + " (reused)");
                return b;
            }
            return keep(b, path, "already a djl-quant block " + b.getClass().getSimpleName());
        }
        return keep(b, path, "no fused form for " + b.getClass().getName());
    }

    private Block keep(Block b, String path, String why) {
        if (markKept) {
            report.kept(
                    path.isEmpty() ? "/" : path,
                    why + " (kept in float, shared with the original)");
            return new KeepFloat(b);
        }
        report.kept(path.isEmpty() ? "/" : path, why + " (kept, shared with the original)");
        return b;
    }

    private Block convertSequential(SequentialBlock seq, Shape in, String path) {
        if (seq.isReturnIntermediate()) {
            return keep(seq, path, "SequentialBlock returning intermediate results");
        }
        BlockList kids = seq.getChildren();
        SequentialBlock out = new SequentialBlock();
        Shape cur = in;
        int i = 0;
        while (i < kids.size()) {
            Block c = kids.get(i).getValue();
            String cp = path + "/" + kids.get(i).getKey();
            Block fused = null;
            int next = i + 1;
            if (c.getClass() == Conv2d.class) {
                Shape after = c.getOutputShapes(new Shape[] {cur})[0];
                FusionPatterns.Pattern<FusedConv2d.BaseBuilder<?>> p =
                        match(FusionPatterns.CONV, kids, i, after);
                fused = fuseConv((Conv2d) c, batchNormOf(p, kids, i), p, cp);
                next = i + chainLength(p);
            } else if (c.getClass() == Linear.class) {
                Shape after = c.getOutputShapes(new Shape[] {cur})[0];
                FusionPatterns.Pattern<FusedLinear.BaseBuilder<?>> p =
                        match(FusionPatterns.LINEAR, kids, i, after);
                fused = fuseLinear((Linear) c, batchNormOf(p, kids, i), p, cp);
                next = i + chainLength(p);
            }
            if (fused == null) {
                fused = convert(c, cur, cp);
            }
            // shapes come from the original blocks, which are initialized and exact
            for (int k = i; k < next; k++) {
                cur = kids.get(k).getValue().getOutputShapes(new Shape[] {cur})[0];
            }
            out.add(fused);
            i = next;
        }
        return out;
    }

    /**
     * Returns the first entry of {@code patterns} whose chain starts at child {@code i}. The batch
     * norm check and each activation probe run at most once and in chain order: a lambda probe
     * draws random inputs from the manager, so probing more (or in another order) could change what
     * later probes recognise.
     */
    private <B> FusionPatterns.Pattern<B> match(
            List<FusionPatterns.Pattern<B>> patterns, BlockList kids, int i, Shape after) {
        Boolean bn = null;
        // the activation right after the layer [0] or after its batch norm [1]
        String[] act = new String[2];
        boolean[] probed = new boolean[2];
        for (FusionPatterns.Pattern<B> p : patterns) {
            if (p.layer() != kids.get(i).getValue().getClass()) {
                continue;
            }
            int at = i + 1;
            if (p.batchNorm()) {
                if (bn == null) {
                    bn = at < kids.size() && fusableBatchNorm(kids.get(at).getValue(), after);
                }
                if (!bn) {
                    continue;
                }
                at++;
            }
            if (p.activation() != null) {
                int k = at - i - 1;
                if (!probed[k]) {
                    act[k] = at < kids.size() ? activation(kids.get(at).getValue(), after) : null;
                    probed[k] = true;
                }
                if (!p.activation().equals(act[k])) {
                    continue;
                }
            }
            return p;
        }
        throw new IllegalStateException("the fusion table has no entry for a lone layer");
    }

    /** The number of children a matched chain spans. */
    private static int chainLength(FusionPatterns.Pattern<?> p) {
        return 1 + (p.batchNorm() ? 1 : 0) + (p.relu() ? 1 : 0);
    }

    /** The batch norm of a matched chain starting at child {@code i}, or null. */
    private static BatchNorm batchNormOf(FusionPatterns.Pattern<?> p, BlockList kids, int i) {
        return p.batchNorm() ? (BatchNorm) kids.get(i + 1).getValue() : null;
    }

    private boolean fusableBatchNorm(Block b, Shape in) {
        if (b.getClass() != BatchNorm.class) {
            return false;
        }
        BatchNormConfig cfg = BatchNormConfig.read((BatchNorm) b);
        // our blocks normalise over axis 1 of NCHW or (N, F) and train gamma and beta
        return cfg != null
                && cfg.axis == 1
                && cfg.center
                && cfg.scale
                && (in.dimension() == 4 || in.dimension() == 2);
    }

    /** The name of the activation a lambda computes ("relu", "relu6", ...), or null. */
    private String activation(Block b, Shape in) {
        if (!(b instanceof LambdaBlock)) {
            return null;
        }
        LambdaRecognizer.Candidate c = lambdas.recognize((LambdaBlock) b, in);
        return c == null ? null : c.name;
    }

    private Block fuseConv(
            Conv2d conv,
            BatchNorm bn,
            FusionPatterns.Pattern<FusedConv2d.BaseBuilder<?>> pattern,
            String path) {
        FusedConv2d.BaseBuilder<?> b = pattern.builder().get();
        if (bn != null) {
            BatchNormConfig cfg = BatchNormConfig.read(bn);
            b.optEpsilon(cfg.epsilon).optMomentum(cfg.momentum);
        }
        b.setKernelShape(conv.getKernelShape())
                .setFilters(conv.getFilters())
                .optStride(conv.getStride())
                .optPadding(conv.getPadding())
                .optDilation(conv.getDilation())
                .optGroups(conv.getGroups())
                .optBias(conv.isIncludeBias())
                .optRelu6(pattern.relu6());
        FusedConv2d f = b.build();
        copyParameters(conv, f.getConv());
        if (bn != null) {
            copyParameters(bn, f.getBatchNorm());
        }
        report.replaced(
                path,
                describe("Conv2d", bn, pattern.relu()) + (pattern.relu6() ? "6" : "") + " -> " + f);
        return f;
    }

    private Block fuseLinear(
            Linear linear,
            BatchNorm bn,
            FusionPatterns.Pattern<FusedLinear.BaseBuilder<?>> pattern,
            String path) {
        Parameter w = linear.getDirectParameters().get("weight");
        boolean bias = linear.getDirectParameters().keys().contains("bias");
        long units = w.getArray().getShape().get(0);
        FusedLinear.BaseBuilder<?> b = pattern.builder().get();
        if (bn != null) {
            BatchNormConfig cfg = BatchNormConfig.read(bn);
            b.optEpsilon(cfg.epsilon).optMomentum(cfg.momentum);
        }
        FusedLinear f = b.setUnits(units).optBias(bias).build();
        copyParameters(linear, f.getLinear());
        if (bn != null) {
            copyParameters(bn, f.getBatchNorm());
        }
        report.replaced(path, describe("Linear", bn, pattern.relu()) + " -> " + f);
        return f;
    }

    private static String describe(String head, BatchNorm bn, boolean relu) {
        return head + (bn != null ? " + BatchNorm" : "") + (relu ? " + relu" : "");
    }

    /** Copies every direct parameter value of {@code src} into the fresh block {@code dst}. */
    private void copyParameters(Block src, Block dst) {
        for (Pair<String, Parameter> p : dst.getDirectParameters()) {
            Parameter from = src.getDirectParameters().get(p.getKey());
            if (from == null || !from.isInitialized()) {
                throw new IllegalStateException(
                        "parameter "
                                + p.getKey()
                                + " of "
                                + src.getClass().getSimpleName()
                                + " is missing or not initialized");
            }
            // a detached clone: the fused tree must not share storage or autograd history
            NDArray view = from.getArray().stopGradient();
            NDArray copy = view.duplicate();
            view.close();
            copy.attach(manager);
            p.getValue().setArray(copy);
        }
    }

    private Block convertParallel(ParallelBlock par, Shape in, String path) {
        BlockList kids = par.getChildren();
        if (kids.size() >= 2 && joinsChannels(par, in)) {
            List<Block> branches = new ArrayList<>();
            for (Pair<String, Block> kid : kids) {
                branches.add(unwrap(convert(kid.getValue(), in, path + "/" + kid.getKey())));
            }
            report.replaced(path, "ParallelBlock (join: channel concatenation) -> Branches");
            return new Branches(branches);
        }
        if (kids.size() != 2) {
            return keep(
                    par,
                    path,
                    "ParallelBlock with "
                            + kids.size()
                            + " branches whose join is not a channel concatenation");
        }
        ElementWise.Mode mode = recognizeJoin(par, in);
        if (mode == null) {
            return keep(
                    par,
                    path,
                    "ParallelBlock join not recognised as add, add+relu, mul or"
                            + " channel concatenation");
        }
        Block main = unwrap(convert(kids.get(0).getValue(), in, path + "/" + kids.get(0).getKey()));
        Block shortcut =
                unwrap(convert(kids.get(1).getValue(), in, path + "/" + kids.get(1).getKey()));
        Residual r = new Residual(main, shortcut, new ElementWise(mode));
        report.replaced(path, "ParallelBlock (join " + mode + ") -> Residual");
        return r;
    }

    /**
     * Whether a parallel block joins its branches by concatenating them along the channel axis
     * (GoogLeNet's inception, SqueezeNet's fire): one random input (batch 1), compared with the
     * concatenation of the branch outputs.
     */
    private boolean joinsChannels(ParallelBlock par, Shape in) {
        try (NDManager sub = manager.newSubManager()) {
            ParameterStore ps = new ParameterStore(sub, false);
            NDList x = new NDList(sub.randomNormal(batchOne(in)));
            NDList outs = new NDList();
            for (Pair<String, Block> kid : par.getChildren()) {
                NDList y = kid.getValue().forward(ps, x, false);
                if (y.size() != 1 || y.head().getShape().dimension() < 2) {
                    return false;
                }
                outs.add(y.head());
            }
            NDList joined = par.forward(ps, x, false);
            if (joined.size() != 1) {
                return false;
            }
            NDArray expected;
            try {
                expected = NDArrays.concat(outs, Concat.AXIS);
            } catch (RuntimeException e) {
                return false; // the branch outputs do not stack along channels
            }
            return expected.getShape().equals(joined.head().getShape())
                    && LambdaRecognizer.close(expected, joined.head());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** A one-child sequential block is just that child. */
    private static Block unwrap(Block b) {
        if (b instanceof SequentialBlock && b.getChildren().size() == 1) {
            return b.getChildren().get(0).getValue();
        }
        return b;
    }

    /**
     * Identifies the join of a two-branch parallel block: runs the branches and the whole block on
     * a random input (batch 1, to keep it cheap) and keeps the modes that reproduce the block's
     * output; further inputs are tried only while several modes still agree.
     */
    private ElementWise.Mode recognizeJoin(ParallelBlock par, Shape in) {
        List<ElementWise.Mode> matching = new ArrayList<>(List.of(ElementWise.Mode.values()));
        try (NDManager sub = manager.newSubManager()) {
            ParameterStore ps = new ParameterStore(sub, false);
            Shape probeShape = batchOne(in);
            for (int probe = 0; probe < 3 && matching.size() > 1; probe++) {
                NDList x = new NDList(sub.randomNormal(probeShape));
                NDList a = par.getChildren().get(0).getValue().forward(ps, x, false);
                NDList b = par.getChildren().get(1).getValue().forward(ps, x, false);
                NDList y = par.forward(ps, x, false);
                if (a.size() != 1 || b.size() != 1 || y.size() != 1) {
                    return null;
                }
                matching.removeIf(
                        m -> {
                            try {
                                NDArray e = ElementWise.compute(m, a.head(), b.head());
                                return !LambdaRecognizer.close(e, y.head());
                            } catch (RuntimeException ex) {
                                return true;
                            }
                        });
            }
        } catch (RuntimeException e) {
            return null;
        }
        // zero or several matches (e.g. a+b never negative on the probes) is not a safe answer
        return matching.size() == 1 ? matching.get(0) : null;
    }

    private static Shape batchOne(Shape s) {
        if (s.dimension() == 0) {
            return s;
        }
        long[] d = s.getShape().clone();
        d[0] = 1;
        return new Shape(d);
    }

    private double selfCheck(Block original, Block fused, Shape inputShape) {
        try (NDManager sub = manager.newSubManager()) {
            ParameterStore ps = new ParameterStore(sub, false);
            NDList x = new NDList(sub.randomNormal(batchOne(inputShape)));
            NDList a = original.forward(ps, x, false);
            NDList b = fused.forward(ps, x, false);
            double max = 0;
            for (int i = 0; i < a.size(); i++) {
                max = Math.max(max, a.get(i).sub(b.get(i)).abs().max().getFloat());
            }
            return max;
        }
    }
}
