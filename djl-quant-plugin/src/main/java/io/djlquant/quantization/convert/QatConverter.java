package io.djlquant.quantization.convert;

import ai.djl.nn.Block;
import ai.djl.nn.BlockList;
import ai.djl.nn.SequentialBlock;
import ai.djl.util.Pair;
import io.djlquant.qat.Branches;
import io.djlquant.qat.FloatFallback;
import io.djlquant.qat.QatModule;
import io.djlquant.qat.Residual;
import io.djlquant.quantization.QConfig;
import io.djlquant.quantization.fakequant.FakeQuantizeBase;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The float-to-QAT tree rewrite behind {@code Quantizer.quantizeQat}. It walks the float tree in
 * execution order, tracking the producer (output fake quant) of the current activation, and wires
 * every converted block to the producers of its inputs.
 */
final class QatConverter {

    /** A converted block and the producer of its output (null: float activation). */
    record Converted(Block block, FakeQuantizeBase producer) {}

    private final QConfig global;
    private final QConfigOverrides overrides;
    private final QatMappings mappings;

    QatConverter(QConfig global, QConfigOverrides overrides, QatMappings mappings) {
        this.global = global;
        this.overrides = overrides;
        this.mappings = mappings;
    }

    Converted convert(Block b, String path, QConfig inherited, FakeQuantizeBase... producers) {
        QConfigOverrides.Resolution r = overrides.resolve(path, b);
        QConfig qc = r == null ? inherited : r.qconfig();
        if (mappings.isPassThrough(b.getClass())) {
            // glue commutes with quantization, so float or not makes no difference
            return new Converted(b, single(path, b, producers));
        }
        if (qc == null) {
            return wire(
                    new FloatFallback(b, inherited != null ? inherited : global),
                    path,
                    b,
                    producers);
        }
        if (b.getClass() == SequentialBlock.class) {
            return sequential((SequentialBlock) b, path, qc, single(path, b, producers));
        }
        if (b.getClass() == io.djlquant.nn.Residual.class) {
            return residual((io.djlquant.nn.Residual) b, path, qc, single(path, b, producers));
        }
        if (b.getClass() == io.djlquant.nn.Branches.class) {
            return branches((io.djlquant.nn.Branches) b, path, qc, single(path, b, producers));
        }
        BiFunction<Block, QConfig, Block> factory = mappings.factoryFor(b.getClass());
        if (factory == null) {
            throw unsupported(path, b);
        }
        Block qat = factory.apply(b, qc);
        if (qat == null) {
            throw new IllegalStateException(
                    "the QAT mapping of "
                            + b.getClass().getName()
                            + " returned null at block '"
                            + BlockTree.display(path)
                            + "'");
        }
        return wire(qat, path, b, producers);
    }

    private Converted wire(Block qat, String path, Block floatBlock, FakeQuantizeBase[] producers) {
        if (!(qat instanceof QatModule)) {
            return new Converted(qat, single(path, floatBlock, producers));
        }
        QatModule m = (QatModule) qat;
        m.setBlockPath(path);
        int n = m.getInputCount();
        if (n >= 0 && n != producers.length) {
            throw new IllegalArgumentException(
                    "block '"
                            + BlockTree.display(path)
                            + "' ("
                            + floatBlock.getClass().getName()
                            + ") consumes "
                            + n
                            + " inputs but receives "
                            + producers.length
                            + " here; a join must be the join of a Residual or of Branches");
        }
        if (m.requiresQuantizedInput()) {
            for (FakeQuantizeBase p : producers) {
                if (p == null) {
                    throw new IllegalArgumentException(
                            "block '"
                                    + BlockTree.display(path)
                                    + "' ("
                                    + floatBlock.getClass().getName()
                                    + ") receives a float activation: insert a QuantStub before"
                                    + " it, or keep it in float with a QConfigOverrides rule");
                }
            }
        }
        m.setInputQuantizers(producers);
        return new Converted(qat, m.getOutputQuantizer());
    }

    private Converted sequential(
            SequentialBlock seq, String path, QConfig qc, FakeQuantizeBase producer) {
        SequentialBlock out = new SequentialBlock();
        FakeQuantizeBase current = producer;
        for (Pair<String, Block> child : seq.getChildren()) {
            Converted c =
                    convert(child.getValue(), BlockTree.join(path, child.getKey()), qc, current);
            out.add(c.block());
            current = c.producer();
        }
        return new Converted(out, current);
    }

    private Converted residual(
            io.djlquant.nn.Residual res, String path, QConfig qc, FakeQuantizeBase producer) {
        // child names of nn.Residual: 01main, 02shortcut, 03join
        Converted main = convert(res.getMain(), BlockTree.join(path, "01main"), qc, producer);
        Converted shortcut =
                convert(res.getShortcut(), BlockTree.join(path, "02shortcut"), qc, producer);
        Converted join =
                convert(
                        res.getJoin(),
                        BlockTree.join(path, "03join"),
                        qc,
                        main.producer(),
                        shortcut.producer());
        return new Converted(
                new Residual(main.block(), shortcut.block(), join.block()), join.producer());
    }

    private Converted branches(
            io.djlquant.nn.Branches par, String path, QConfig qc, FakeQuantizeBase producer) {
        // child names of nn.Branches: 01branch0, 02branch1, ..., then the join
        BlockList children = par.getChildren();
        List<Block> converted = new ArrayList<>();
        FakeQuantizeBase[] outputs = new FakeQuantizeBase[par.getBranches().size()];
        for (int i = 0; i < outputs.length; i++) {
            Pair<String, Block> child = children.get(i);
            Converted c =
                    convert(child.getValue(), BlockTree.join(path, child.getKey()), qc, producer);
            converted.add(c.block());
            outputs[i] = c.producer();
        }
        Pair<String, Block> joinChild = children.get(outputs.length);
        Converted join =
                convert(
                        joinChild.getValue(),
                        BlockTree.join(path, joinChild.getKey()),
                        qc,
                        outputs);
        return new Converted(new Branches(converted, join.block()), join.producer());
    }

    private static FakeQuantizeBase single(String path, Block b, FakeQuantizeBase[] producers) {
        if (producers.length != 1) {
            throw new IllegalArgumentException(
                    "block '"
                            + BlockTree.display(path)
                            + "' ("
                            + b.getClass().getName()
                            + ") is used with "
                            + producers.length
                            + " inputs; only the join of a"
                            + " Residual or of Branches may take several");
        }
        return producers[0];
    }

    private static IllegalArgumentException unsupported(String path, Block b) {
        String cls = b.getClass().getName();
        String hint =
                b instanceof ai.djl.nn.convolutional.Convolution
                                || b instanceof ai.djl.nn.core.Linear
                                || b instanceof ai.djl.nn.norm.BatchNorm
                        ? " (raw DJL layers: run io.djlquant.nn.Fuser first)"
                        : "";
        return new IllegalArgumentException(
                "block '"
                        + BlockTree.display(path)
                        + "' of class "
                        + cls
                        + " has no QAT mapping"
                        + hint
                        + ". Either register one with"
                        + " QatMappings.register("
                        + b.getClass().getSimpleName()
                        + ".class, factory), or leave it in float with"
                        + " QConfigOverrides.forPath(\""
                        + path
                        + "\", null)");
    }
}
