package io.djlquant.qat;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.djlquant.nn.BnFolding;
import io.djlquant.nn.FusedLayer;
import io.djlquant.quantization.QConfig;
import io.djlquant.quantization.fakequant.FakeQuantOps;
import io.djlquant.quantization.fakequant.FakeQuantizeBase;
import io.djlquant.quantization.qparams.QParams;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Common QAT forward of the conv and linear blocks: optional batch-norm folding, weight fake quant,
 * int32 bias simulation, optional ReLU and output fake quant.
 *
 * <p>Children: "float" (the float block, whose {@link Parameter}s are the ones trained),
 * "weight_fq" and "output_fq". Forward:
 *
 * <ol>
 *   <li>With batch norm, in training mode (unless {@link #freezeBatchNorm() frozen}): an extra
 *       unquantized pass {@code z = op(x, W, b)} gives the batch mean and biased batch variance
 *       over all axes but 1; gradients flow through them as through a real batch norm. The running
 *       statistics are updated as DJL's BatchNorm does ({@code running = m * running + (1 - m) *
 *       batch}, unbiased variance). Otherwise the running statistics are used. {@link BnFolding}
 *       folds them into W and b.
 *   <li>The (folded) weight goes through the weight fake quant.
 *   <li>The (folded) bias is fake-quantized to int32 with {@code scale = inputScale *
 *       weightScale[c]}, when both the weight and the input fake quant are enabled.
 *   <li>{@code y = op(x, Wq, bq)}, ReLU if fused, then the output fake quant.
 * </ol>
 *
 * With fake quant and observers disabled the result equals the float block's (training and
 * inference); in inference mode it is exactly the folded layer the int8 converter builds.
 */
public abstract class WeightedQatBlock extends AbstractQatBlock {

    private final Block floatBlock;
    private final FusedLayer fused;
    private final FakeQuantizeBase weightFq;
    private boolean bnFrozen;

    /**
     * Creates the block around a float block, sharing its parameters.
     *
     * @param version the parameter encoding version of the concrete class
     * @param floatBlock the float block
     * @param qconfig the quantization recipe
     */
    protected <B extends Block & FusedLayer> WeightedQatBlock(
            byte version, B floatBlock, QConfig qconfig) {
        super(version, 1);
        if (floatBlock == null || qconfig == null) {
            throw new IllegalArgumentException(
                    getClass().getSimpleName() + " needs a float block and a QConfig");
        }
        this.floatBlock = addChildBlock("float", floatBlock);
        this.fused = floatBlock;
        this.weightFq = addChildBlock("weight_fq", qconfig.newWeightFakeQuant());
        addOutputFakeQuant(qconfig);
    }

    /**
     * @return the float weight parameter
     */
    protected Parameter weightParameter() {
        return fused.getWeight();
    }

    /**
     * @return the float bias parameter, or null
     */
    protected Parameter biasParameter() {
        return fused.getBias();
    }

    /**
     * @return whether the float block has a batch norm
     */
    public boolean hasBatchNorm() {
        return fused.hasBatchNorm();
    }

    /**
     * @return whether the float block ends with a ReLU
     */
    public boolean hasRelu() {
        return fused.hasRelu();
    }

    /**
     * @return whether that ReLU is a ReLU6 (only convolutions have one)
     */
    public boolean hasRelu6() {
        return fused.hasRelu6();
    }

    /**
     * Returns a batch norm parameter of the float block.
     *
     * @param name gamma, beta, runningMean or runningVar
     * @return the parameter
     */
    protected Parameter batchNormParameter(String name) {
        return fused.getBatchNormParameter(name);
    }

    /**
     * @return the batch norm epsilon
     */
    protected float epsilon() {
        return fused.getEpsilon();
    }

    /**
     * @return the batch norm momentum (DJL meaning: weight of the old running value)
     */
    protected float momentum() {
        return fused.getMomentum();
    }

    /**
     * The layer operation without batch norm or activation.
     *
     * @param x the input
     * @param weight the weight
     * @param bias the bias or null
     * @return the layer output
     */
    protected abstract NDArray layer(NDArray x, NDArray weight, NDArray bias);

    /**
     * Checks the input rank (the float block's rules).
     *
     * @param x the input
     */
    protected abstract void checkInput(NDArray x);

    /** {@inheritDoc} */
    @Override
    public boolean requiresQuantizedInput() {
        return true;
    }

    /**
     * @return the float block (parameters shared with this block)
     */
    public Block getFloatBlock() {
        return floatBlock;
    }

    /**
     * @return the weight fake quant (observes the folded weight for batch-norm blocks)
     */
    public FakeQuantizeBase getWeightFakeQuant() {
        return weightFq;
    }

    /**
     * @return the weight QParams (per-channel along axis 0 or per-tensor)
     */
    public QParams getWeightQParams() {
        return weightFq.getQParams();
    }

    /**
     * @return the int32 bias QParams: {@code inputScale * weightScale[c]}, zero point 0
     */
    public QParams getBiasQParams() {
        return QParams.forBias(getInputQParams().scale(0), getWeightQParams().getScales());
    }

    /**
     * @return whether folding uses running statistics even in training mode
     */
    public boolean isBatchNormFrozen() {
        return bnFrozen;
    }

    /** Folds with running statistics from now on and stops updating them (no-op without BN). */
    public void freezeBatchNorm() {
        bnFrozen = true;
    }

    /**
     * Sets whether batch norm is frozen.
     *
     * @param frozen true to fold with running statistics in training mode too
     */
    public void setBatchNormFrozen(boolean frozen) {
        bnFrozen = frozen;
    }

    /**
     * The weight and bias the int8 layer uses before quantization: folded with the running
     * statistics for batch-norm blocks, copies of the float parameters otherwise. The arrays are
     * new (detached) and attached to {@code manager}; the caller closes them.
     *
     * @param manager the manager owning the results
     * @return the folded weight and bias (bias null if the layer has neither bias nor BN)
     */
    public BnFolding.Folded foldedParameters(NDManager manager) {
        BnFolding.Folded f = foldedWithRunningStats();
        NDArray fw = hasBatchNorm() ? f.weight() : f.weight().duplicate();
        NDArray fb = f.bias() == null ? null : hasBatchNorm() ? f.bias() : f.bias().duplicate();
        fw.attach(manager);
        if (fb != null) {
            fb.attach(manager);
        }
        return new BnFolding.Folded(fw, fb);
    }

    /**
     * The detached weight and bias with batch norm folded with its running statistics (inference
     * folding); without batch norm, the parameters' own arrays (not copies).
     */
    private BnFolding.Folded foldedWithRunningStats() {
        NDArray w = weightParameter().getArray().stopGradient();
        Parameter bp = biasParameter();
        NDArray b = bp == null ? null : bp.getArray().stopGradient();
        if (!hasBatchNorm()) {
            return new BnFolding.Folded(w, b);
        }
        return BnFolding.fold(
                w,
                b,
                batchNormParameter("gamma").getArray().stopGradient(),
                batchNormParameter("beta").getArray().stopGradient(),
                batchNormParameter("runningMean").getArray().stopGradient(),
                batchNormParameter("runningVar").getArray().stopGradient(),
                epsilon());
    }

    /**
     * The parameter that shifts the folded bias one to one, for bias correction: the batch norm's
     * beta with a batch norm, else the layer bias.
     *
     * @return the parameter, or {@code null} if the layer has neither (nothing to correct)
     */
    public Parameter shiftParameter() {
        return hasBatchNorm() ? batchNormParameter("beta") : biasParameter();
    }

    /**
     * The layer's output before its ReLU and output fake quant, in inference mode (batch norm
     * folded with the running statistics), for the PTQ algorithms that compare a layer's quantized
     * and float result (bias correction, scale search). The fake quants are applied as the forward
     * pass applies them (observers must be off, or they record this call).
     *
     * @param x the layer input
     * @param quantized true for the QFloat result (fake-quantized weight and int32 bias, when those
     *     fake quants are enabled), false for the float layer's
     * @return the pre-activation output; the caller closes it (e.g. with an {@code NDScope})
     */
    public NDArray preActivation(NDArray x, boolean quantized) {
        checkInput(x);
        BnFolding.Folded f = foldedWithRunningStats();
        NDArray w = f.weight();
        NDArray b = f.bias();
        if (quantized) {
            w = weightFq.apply(null, w, false);
            b = quantizeBias(b);
        }
        return layer(x, w, b);
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        requireInputs(inputs, 1);
        // Arrays computed from the parameters (folded and fake-quantized weights, the int32
        // bias) are attached to the parameters' manager, which lives as long as the model: close
        // them after every forward, or they pile up (about 0.8 GB per QAT step on ResNet18).
        // Only the Java handles go; autograd keeps its own references for backward.
        try (NDScope scope = new NDScope()) {
            NDList out = forwardInScope(ps, inputs, training);
            NDScope.unregister(out);
            return out;
        }
    }

    private NDList forwardInScope(ParameterStore ps, NDList inputs, boolean training) {
        NDArray x = inputs.head();
        checkInput(x);
        NDArray w = ps.getValue(weightParameter(), x.getDevice(), training);
        Parameter bp = biasParameter();
        NDArray b = bp == null ? null : ps.getValue(bp, x.getDevice(), training);
        if (hasBatchNorm()) {
            BnFolding.Folded f = foldForForward(ps, x, w, b, training);
            w = f.weight();
            b = f.bias();
        }
        NDArray wq = quantize(weightFq, ps, w, training, "weight");
        NDArray bq = quantizeBias(b);
        NDArray y = layer(x, wq, bq);
        if (hasRelu()) {
            y = hasRelu6() ? Activation.relu6(y) : Activation.relu(y);
        }
        return new NDList(quantizeOutput(ps, y, training));
    }

    private BnFolding.Folded foldForForward(
            ParameterStore ps, NDArray x, NDArray w, NDArray b, boolean training) {
        NDArray gamma = ps.getValue(batchNormParameter("gamma"), x.getDevice(), training);
        NDArray beta = ps.getValue(batchNormParameter("beta"), x.getDevice(), training);
        NDArray runningMean =
                ps.getValue(batchNormParameter("runningMean"), x.getDevice(), training);
        NDArray runningVar = ps.getValue(batchNormParameter("runningVar"), x.getDevice(), training);
        if (!training || bnFrozen) {
            return BnFolding.fold(w, b, gamma, beta, runningMean, runningVar, epsilon());
        }
        // batch statistics of the unquantized layer output, as the float batch norm would see it
        NDArray z = layer(x, w, b);
        long channels = z.getShape().get(1);
        long count = z.getShape().size() / channels;
        if (count < 2) {
            throw new IllegalArgumentException(
                    "block '"
                            + getBlockPath()
                            + "': batch norm in training mode needs more than"
                            + " one value per channel, got shape "
                            + z.getShape());
        }
        // (C, everything else): PyTorch's DJL mean reduces one axis at a time
        NDArray perChannel = z.swapAxes(0, 1).reshape(channels, -1);
        NDArray mean = perChannel.mean(new int[] {1});
        NDArray var = perChannel.sub(mean.reshape(channels, 1)).square().mean(new int[] {1});
        updateRunningStats(runningMean, runningVar, mean, var, count);
        return BnFolding.fold(w, b, gamma, beta, mean, var, epsilon());
    }

    private void updateRunningStats(
            NDArray runningMean, NDArray runningVar, NDArray mean, NDArray var, long count) {
        float m = momentum();
        // running stats take the unbiased variance, like DJL's BatchNorm on PyTorch
        double unbias = (double) count / (count - 1);
        try (NDArray bm = mean.stopGradient();
                NDArray bv = var.stopGradient();
                NDArray newMean = bm.mul(1f - m);
                NDArray newVar = bv.mul((float) (unbias * (1f - m)))) {
            runningMean.muli(m).addi(newMean);
            runningVar.muli(m).addi(newVar);
        }
    }

    private NDArray quantizeBias(NDArray b) {
        if (b == null || !weightFq.isFakeQuantEnabled()) {
            return b;
        }
        FakeQuantizeBase in = getInputQuantizer();
        if (in == null) {
            throw new IllegalStateException(
                    "block '"
                            + getBlockPath()
                            + "' has no input quantizer wired, so its bias"
                            + " cannot be quantized; convert with Quantizer.quantizeQat (insert a"
                            + " QuantStub before it) or call setInputQuantizer");
        }
        if (!in.isFakeQuantEnabled()) {
            return b;
        }
        float inputScale = in.getQParams().scale(0);
        return FakeQuantOps.fakeQuantizeBias(b, inputScale, weightFq.getQParams().getScales());
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return floatBlock.getOutputShapes(inputShapes);
    }

    /** {@inheritDoc} */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
        floatBlock.initialize(manager, dataType, shapes);
        weightFq.initialize(manager, dataType, weightParameter().getShape());
        initializeOutput(manager, dataType, floatBlock.getOutputShapes(shapes));
    }

    /** {@inheritDoc} */
    @Override
    protected void saveState(DataOutputStream os) throws IOException {
        os.writeBoolean(bnFrozen);
    }

    /** {@inheritDoc} */
    @Override
    protected void loadState(DataInputStream is) throws IOException, MalformedModelException {
        bnFrozen = is.readBoolean();
    }
}
