package io.djlquant.quantization.convert;

import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.util.Pair;
import io.djlquant.qat.QatModule;
import io.djlquant.quantization.fakequant.FakeQuantizeBase;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantized.Branches;
import io.djlquant.quantized.Concat;
import io.djlquant.quantized.ElementWise;
import io.djlquant.quantized.Residual;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts a calibrated or trained QFloat tree ({@code Quantizer.quantizeQat}) into its int8 Q
 * form. It walks the tree in execution order, tracking the parameters of the current activation (as
 * the QAT converter tracked producers), and replaces every block through {@link QuantizedMappings}.
 * Batch norm is folded once with the running statistics, weights are quantized with the weight fake
 * quant's parameters, biases to int32 with {@code inputScale * weightScale[c]}, and activation
 * parameters come from the wired fake quants. The result holds no trainable parameters and refuses
 * {@code training=true}.
 */
public final class QuantizedConverter {

    private final QuantizedMappings mappings;

    /**
     * Creates a converter.
     *
     * @param mappings the QFloat-to-Q table
     */
    public QuantizedConverter(QuantizedMappings mappings) {
        if (mappings == null) {
            throw new IllegalArgumentException("mappings must not be null");
        }
        this.mappings = mappings;
    }

    /**
     * Converts with {@link QuantizedMappings#defaults()}.
     *
     * @param qfloat the QFloat tree
     * @return the Q tree
     * @throws IllegalStateException naming the block if a fake quant never observed data
     * @throws IllegalArgumentException naming the block if it has no mapping or cannot be expressed
     *     with the int8 kernels
     */
    public static Block quantize(Block qfloat) {
        return new QuantizedConverter(QuantizedMappings.defaults()).convert(qfloat);
    }

    /**
     * Converts a QFloat tree.
     *
     * @param qfloat the QFloat tree (not modified)
     * @return the Q tree
     */
    public Block convert(Block qfloat) {
        if (qfloat == null) {
            throw new IllegalArgumentException("nothing to quantize: the block is null");
        }
        return walk(qfloat, "", null).block();
    }

    /** A converted block and the parameters of its output (null: float). */
    private record Step(Block block, QParams output) {}

    private Step walk(Block b, String path, QParams in) {
        if (b.getClass() == SequentialBlock.class) {
            SequentialBlock out = new SequentialBlock();
            QParams current = in;
            for (Pair<String, Block> child : b.getChildren()) {
                Step s = walk(child.getValue(), join(path, child.getKey()), current);
                out.add(s.block());
                current = s.output();
            }
            return new Step(out, current);
        }
        if (b.getClass() == io.djlquant.qat.Residual.class) {
            io.djlquant.qat.Residual r = (io.djlquant.qat.Residual) b;
            Step main = walk(r.getMain(), join(path, "main"), in);
            Step shortcut = walk(r.getShortcut(), join(path, "shortcut"), in);
            Step joined = walk(r.getJoin(), join(path, "join"), null);
            if (!(joined.block() instanceof ElementWise)) {
                throw new IllegalArgumentException(
                        "block '"
                                + path
                                + "': the join of a residual must become a quantized"
                                + " ElementWise, got "
                                + joined.block().getClass().getName());
            }
            return new Step(
                    new Residual(main.block(), shortcut.block(), (ElementWise) joined.block()),
                    joined.output());
        }
        if (b.getClass() == io.djlquant.qat.Branches.class) {
            return branches((io.djlquant.qat.Branches) b, path, in);
        }
        QuantizedFactory<Block> factory = mappings.factoryFor(b.getClass());
        String where = "block '" + display(b, path) + "' (" + b.getClass().getName() + ")";
        if (factory == null) {
            throw new IllegalArgumentException(
                    where
                            + " has no quantized mapping; register one with"
                            + " QuantizedMappings.register("
                            + b.getClass().getSimpleName()
                            + ".class, factory)");
        }
        try {
            Block q = factory.convert(b, in);
            if (q == null) {
                throw new IllegalStateException("the quantized mapping returned null");
            }
            return new Step(q, outputOf(b, in));
        } catch (IllegalStateException e) {
            throw new IllegalStateException(
                    where
                            + " cannot be quantized: "
                            + e.getMessage()
                            + " (calibrate with Quantizer.calibrate or train it first)",
                    e);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            throw new IllegalArgumentException(
                    where + " cannot be quantized: " + e.getMessage(), e);
        }
    }

    private Step branches(io.djlquant.qat.Branches par, String path, QParams in) {
        List<Block> converted = new ArrayList<>();
        for (int i = 0; i < par.getBranches().size(); i++) {
            converted.add(walk(par.getBranches().get(i), join(path, "branch" + i), in).block());
        }
        Step joined = walk(par.getJoin(), join(path, "join"), null);
        if (!(joined.block() instanceof Concat)) {
            throw new IllegalArgumentException(
                    "block '"
                            + path
                            + "': the join of branches must become a quantized Concat, got "
                            + joined.block().getClass().getName());
        }
        return new Step(new Branches(converted, (Concat) joined.block()), joined.output());
    }

    /** The output parameters: the wired output quantizer, or the input's for glue. */
    private static QParams outputOf(Block b, QParams in) {
        if (b instanceof QatModule) {
            FakeQuantizeBase fq = ((QatModule) b).getOutputQuantizer();
            return fq == null ? null : fq.getQParams();
        }
        return in;
    }

    private static String display(Block b, String path) {
        if (b instanceof QatModule) {
            return ((QatModule) b).getBlockPath();
        }
        return path.isEmpty() ? b.getClass().getSimpleName() : path;
    }

    private static String join(String parent, String child) {
        return parent.isEmpty() ? child : parent + "/" + child;
    }
}
