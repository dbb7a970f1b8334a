package io.djlquant.quantization.convert;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.util.Pair;
import io.djlquant.nn.DequantStub;
import io.djlquant.nn.FuseResult;
import io.djlquant.nn.Fuser;
import io.djlquant.nn.QuantStub;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work behind {@code Quantizer.prepare}: fuses an unmodified DJL tree, marks what has no fused
 * form to stay in float, and brackets it with a {@link QuantStub} and a {@link DequantStub}, so
 * {@code quantizeQat} accepts it as it is.
 */
final class ModelPreparer {

    private static final Logger logger = LoggerFactory.getLogger(ModelPreparer.class);

    private ModelPreparer() {}

    static Block prepare(Block model, NDManager manager, Shape inputShape) {
        if (model == null || manager == null || inputShape == null) {
            throw new IllegalArgumentException(
                    "prepare needs a model, a manager and an input shape");
        }
        // stubs placed by hand would be doubled: such a tree is meant for quantizeQat directly
        Map<String, QuantStub> stubs = BlockTree.find(model, QuantStub.class);
        if (!stubs.isEmpty()) {
            throw new IllegalArgumentException(
                    "the model already holds a QuantStub at '"
                            + BlockTree.display(stubs.keySet().iterator().next())
                            + "': it is prepared by hand; fuse it with io.djlquant.nn.Fuser and"
                            + " call Quantizer.quantizeQat directly");
        }
        // blocks without a fused form come back wrapped in KeepFloat: quantizeQat keeps them in
        // float with a dequantization before and a quantization after, as PyTorch's stubs would
        FuseResult fused = Fuser.fuseKeepingFloat(model, manager, inputShape);
        if (!fused.getReport().isComplete()) {
            logger.warn(
                    "prepare keeps these blocks in float (no int8 form): {}",
                    String.join("; ", fused.getReport().getKept()));
        }
        SequentialBlock prepared = new SequentialBlock();
        prepared.add(new QuantStub());
        Block body = fused.getBlock();
        if (body.getClass() == SequentialBlock.class) {
            // flat is easier to read in block paths and overrides ("02..." rather than "02/01...")
            for (Pair<String, Block> child : body.getChildren()) {
                prepared.add(child.getValue());
            }
        } else {
            prepared.add(body);
        }
        prepared.add(new DequantStub());
        // the fused blocks keep their copied parameters; only the stubs are new
        prepared.initialize(manager, DataType.FLOAT32, inputShape);
        return prepared;
    }
}
