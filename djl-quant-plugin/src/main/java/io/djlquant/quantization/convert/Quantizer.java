package io.djlquant.quantization.convert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.translate.TranslateException;
import ai.djl.util.Pair;
import io.djlquant.qat.WeightedQatBlock;
import io.djlquant.quantization.QConfig;
import io.djlquant.quantization.fakequant.FakeQuantizeBase;
import java.io.IOException;
import java.util.Map;

/**
 * Entry points of the Float to QFloat conversion (MegEngine's {@code quantize_qat}) and of the
 * QFloat tooling: switches for observers / fake quant / batch norm, and post-training calibration.
 *
 * <pre>{@code
 * Block floatNet = Quantizer.prepare(djlModel, manager, inputShape);  // fuse + stubs
 * Block qat = Quantizer.quantizeQat(floatNet, QConfigs.emaFakeQuantPerChannel());
 * // ... train qat with a DJL Trainer (it trains floatNet's parameters) ...
 * Quantizer.freezeBatchNorm(qat);
 *
 * Block ptq = Quantizer.quantizeQat(floatNet, QConfigs.calibration());
 * Quantizer.calibrate(ptq, batches, 32);   // observers fixed, fake quant on
 * }</pre>
 */
public final class Quantizer {

    private Quantizer() {}

    /**
     * Makes an unmodified, initialized DJL tree (e.g. {@code ai.djl.basicmodelzoo}'s {@code
     * ResNetV1} or {@code Mlp}) quantizable: {@link io.djlquant.nn.Fuser} turns Conv2d / Linear /
     * BatchNorm / relu chains, residual and concatenating {@code ParallelBlock}s and known lambdas
     * into this project's float blocks (same parameter values, same outputs), and a {@code
     * QuantStub} before and a {@code DequantStub} after bracket the result. A block with no fused
     * form (an unknown lambda, say) is wrapped in {@link io.djlquant.nn.KeepFloat}: the quantized
     * model dequantizes before it, runs it in float and quantizes after it (a warning lists such
     * blocks; saving to {@code .jq} works when they have a Java float form, e.g. sigmoid or tanh).
     * The returned tree is a float model: train it further with a DJL Trainer if you like, then
     * pass it to {@link #quantizeQat}.
     *
     * <p>Prepare before training if the model has convolutions whose channel counts are not
     * multiples of 16: the fused convolutions go through {@code ChannelAlignedConv}, which avoids a
     * oneDNN defect on AVX-512 hosts that corrupts such plain DJL {@code Conv2d}s.
     *
     * @param model an initialized DJL block tree (the Fuser copies its parameter values)
     * @param manager the manager that will own the copied parameters
     * @param inputShape the model's input shape, batch axis included
     * @return a new float tree {@code QuantStub, fused blocks..., DequantStub}, initialized
     * @throws IllegalArgumentException if the model already holds a QuantStub
     */
    public static Block prepare(Block model, NDManager manager, Shape inputShape) {
        return ModelPreparer.prepare(model, manager, inputShape);
    }

    /**
     * Converts a float tree into its QAT (QFloat) form with one QConfig everywhere.
     *
     * @param floatBlock the float tree ({@code io.djlquant.nn} blocks in SequentialBlocks)
     * @param qconfig the recipe
     * @return a new tree sharing the float parameters; the float tree keeps working
     * @throws IllegalArgumentException for unsupported blocks or a float activation reaching a
     *     quantized layer (the message names the block path)
     */
    public static Block quantizeQat(Block floatBlock, QConfig qconfig) {
        return quantizeQat(floatBlock, qconfig, QConfigOverrides.none(), QatMappings.defaults());
    }

    /**
     * Converts with per-block overrides.
     *
     * @param floatBlock the float tree
     * @param qconfig the default recipe
     * @param overrides per-block recipes; null QConfig keeps a block in float
     * @return the QAT tree
     */
    public static Block quantizeQat(Block floatBlock, QConfig qconfig, QConfigOverrides overrides) {
        return quantizeQat(floatBlock, qconfig, overrides, QatMappings.defaults());
    }

    /**
     * Converts with per-block overrides keyed by block identity.
     *
     * @param floatBlock the float tree
     * @param qconfig the default recipe
     * @param overrides block to recipe; null values keep a block (sub-tree) in float
     * @return the QAT tree
     */
    public static Block quantizeQat(
            Block floatBlock, QConfig qconfig, Map<Block, QConfig> overrides) {
        return quantizeQat(
                floatBlock, qconfig, QConfigOverrides.of(overrides), QatMappings.defaults());
    }

    /**
     * Converts with overrides and a custom mapping table.
     *
     * <p>If the float tree is initialized, the QAT tree is initialized too (new fake-quant state
     * only; the shared float parameters are kept), so it can be saved right away.
     *
     * @param floatBlock the float tree
     * @param qconfig the default recipe
     * @param overrides per-block recipes
     * @param mappings the float-to-QAT table
     * @return the QAT tree
     */
    public static Block quantizeQat(
            Block floatBlock, QConfig qconfig, QConfigOverrides overrides, QatMappings mappings) {
        if (floatBlock == null || qconfig == null || overrides == null || mappings == null) {
            throw new IllegalArgumentException(
                    "quantizeQat needs a block, a QConfig, overrides and mappings (none null)");
        }
        QatConverter converter = new QatConverter(qconfig, overrides, mappings);
        Block qat = converter.convert(floatBlock, "", qconfig, (FakeQuantizeBase) null).block();
        if (floatBlock.isInitialized()) {
            NDManager manager = parameterManager(floatBlock);
            if (manager != null) {
                qat.initialize(manager, DataType.FLOAT32, floatBlock.getInputShapes());
            }
        }
        return qat;
    }

    private static NDManager parameterManager(Block b) {
        for (Pair<String, Parameter> p : b.getParameters()) {
            if (p.getValue().isInitialized()) {
                NDArray a = p.getValue().getArray();
                return a.getManager();
            }
        }
        return null;
    }

    /**
     * Finds all fake quants of a tree (weights and activations).
     *
     * @param root the QAT tree
     * @return path to fake quant
     */
    public static Map<String, FakeQuantizeBase> findFakeQuants(Block root) {
        return BlockTree.fakeQuants(root);
    }

    /**
     * Turns every observer of the tree on or off.
     *
     * @param root the QAT tree
     * @param enabled whether observers record statistics
     */
    public static void enableObserver(Block root, boolean enabled) {
        BlockTree.fakeQuants(root).values().forEach(fq -> fq.enableObserver(enabled));
    }

    /**
     * Turns fake quantization of the whole tree on or off.
     *
     * @param root the QAT tree
     * @param enabled whether fake quants quantize
     */
    public static void enableFakeQuant(Block root, boolean enabled) {
        BlockTree.fakeQuants(root).values().forEach(fq -> fq.enableFakeQuant(enabled));
    }

    /**
     * Freezes batch norm in every QAT conv/linear block: folding uses the running statistics in
     * training too, and they stop updating (usual in the last QAT epochs).
     *
     * @param root the QAT tree
     */
    public static void freezeBatchNorm(Block root) {
        BlockTree.find(root, WeightedQatBlock.class)
                .values()
                .forEach(WeightedQatBlock::freezeBatchNorm);
    }

    /**
     * Post-training calibration: observers on and fake quant off, inference-mode forward passes
     * over at most {@code maxBatches} batches (with a DJL progress bar), then observers off and
     * fake quant on. Every fake quant must have observed finite data. Batches are not closed (the
     * caller owns them); intermediate arrays are freed after each batch. An uninitialized QAT tree
     * is initialized from the first batch's shapes.
     *
     * @param qfloat the QAT tree, e.g. from {@code quantizeQat(net, QConfigs.calibration())}
     * @param batches the calibration data
     * @param maxBatches the batch limit (&gt; 0; Integer.MAX_VALUE for all)
     * @throws IllegalArgumentException if the data is empty ("calibration set is empty") or holds
     *     NaN/infinite activations (the message names the block)
     * @throws IllegalStateException if a fake quant observed nothing (named by path)
     */
    public static void calibrate(Block qfloat, Iterable<Batch> batches, int maxBatches) {
        Calibrator.calibrate(qfloat, batches, maxBatches, false);
    }

    /**
     * Calibrates over a DJL dataset (see {@link #calibrate(Block, Iterable, int)}); its batches are
     * closed after use.
     *
     * @param qfloat the QAT tree
     * @param dataset the calibration dataset (prepared)
     * @param manager the manager for the batches
     * @param maxBatches the batch limit (&gt; 0; Integer.MAX_VALUE for all)
     * @throws IOException if the dataset cannot be read
     * @throws TranslateException if the dataset cannot build batches
     */
    public static void calibrate(Block qfloat, Dataset dataset, NDManager manager, int maxBatches)
            throws IOException, TranslateException {
        if (dataset == null || manager == null) {
            throw new IllegalArgumentException("calibrate needs a dataset and a manager");
        }
        Calibrator.calibrate(qfloat, dataset.getData(manager), maxBatches, true);
    }

    /**
     * Converts a calibrated or QAT-trained QFloat tree into its int8 form (the Q model): BN is
     * folded with the running statistics, weights become int8, biases int32 and every activation
     * gets the scale and zero point its fake quant learned. The result cannot train; save it with
     * {@code QuantizedModels.save} and run it on the JavaQuant engine or drop it into a float
     * model. The QAT-to-int8 mapping table is {@code
     * io.djlquant.quantization.convert.QuantizedMappings}.
     *
     * @param qfloat the QAT tree from {@link #quantizeQat(Block, QConfig)}, calibrated or trained
     * @return the int8 block tree
     * @throws IllegalStateException if an observer never ran (the message names the block)
     */
    public static Block quantize(Block qfloat) {
        Block q = io.djlquant.quantization.convert.QuantizedConverter.quantize(qfloat);
        // the int8 model runs next: have C2 compile the kernels first (once per JVM)
        io.djlquant.kernels.Int8Kernels.warmUp();
        return q;
    }

    /**
     * Per-layer error report of the three forms of one network (PyTorch's Numeric Suite, TFLite's
     * quantization debugger): runs Float, QFloat and Q on the same batches and, for every layer,
     * measures QFloat against Float, Q against QFloat and Q against Float (SQNR, max and mean
     * absolute error). The QFloat tree's observers are off while it runs and its state is kept.
     *
     * @param floatModel the float tree the QFloat tree was converted from (for QAT, an untrained
     *     copy of it: QAT trains the parameters it shares)
     * @param qfloat the QAT tree from {@link #quantizeQat(Block, QConfig)}, calibrated or trained
     * @param q the int8 tree from {@link #quantize(Block)} of that QFloat tree
     * @param batches input batches (N x ...) on the float model's engine; Q runs on a JavaQuant
     *     copy
     * @return the report; {@link LayerComparison#table()} and {@link LayerComparison#json()} print
     *     it
     * @throws IllegalArgumentException if the trees are not three forms of one network (the message
     *     says where they differ) or there is no batch
     */
    public static LayerComparison compare(
            Block floatModel, Block qfloat, Block q, Iterable<NDArray> batches) {
        return LayerComparator.compare(floatModel, qfloat, q, batches);
    }
}
