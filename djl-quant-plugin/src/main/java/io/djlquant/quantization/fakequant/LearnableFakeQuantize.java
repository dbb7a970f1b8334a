package io.djlquant.quantization.fakequant;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import io.djlquant.quantization.observer.Observer;
import io.djlquant.quantization.qparams.QParams;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.FloatBuffer;

/**
 * Base of fake quantizers with a learnable scale stored in a DJL {@link Parameter} (shape (1) per
 * tensor, (C) per channel), so a DJL Trainer updates it like any weight.
 *
 * <p>The learnable value starts from the observer: on the first application (training or not) the
 * input is observed and the parameter is overwritten with the observer's scale; the zero points are
 * taken from the observer at that moment and then stay fixed. Both the parameter and the zero
 * points are saved with the block.
 */
public abstract class LearnableFakeQuantize extends FakeQuantizeBase {

    /** The learnable value (LSQ: the scale, TQT: log2 of the threshold scale). */
    protected final Parameter param;

    private int[] zeroPoints;
    private NDManager fallbackManager;

    /**
     * Creates the block.
     *
     * @param observer the observer used to initialise the scale; owned by this block
     * @param paramName the parameter name
     * @param initialValue the placeholder value before data initialisation
     */
    protected LearnableFakeQuantize(Observer observer, String paramName, float initialValue) {
        super(observer);
        param =
                addParameter(
                        Parameter.builder()
                                .setName(paramName)
                                .setType(Parameter.Type.OTHER)
                                .optInitializer(new ConstantInitializer(initialValue))
                                .optRequiresGrad(true)
                                .build());
    }

    /**
     * @return the learnable parameter
     */
    public Parameter getLearnableParameter() {
        return param;
    }

    /**
     * The fixed zero points taken from the observer at data initialisation.
     *
     * @return a copy of the zero points, or null before initialisation
     */
    protected int[] zeroPoints() {
        return zeroPoints == null ? null : zeroPoints.clone();
    }

    /**
     * @return whether the scale has been initialised from data
     */
    public boolean isScaleInitialized() {
        return zeroPoints != null;
    }

    /**
     * Converts observer parameters to the stored learnable value.
     *
     * @param qp the observer's parameters
     * @return one value per scale
     */
    protected abstract float[] toParameterValues(QParams qp);

    /**
     * Converts the learnable array (forward value) to the effective scale with gradients.
     *
     * @param value the learnable array, shape (1) or (C)
     * @param x the input being quantized (for gradient scaling by its size)
     * @return the effective scale, same shape as {@code value}
     */
    protected abstract NDArray effectiveScale(NDArray value, NDArray x);

    /**
     * Converts stored values back to Java scales (for {@link #getQParams()}).
     *
     * @param values the stored learnable values
     * @return the effective scales
     */
    protected abstract float[] toScales(float[] values);

    /** {@inheritDoc} */
    @Override
    protected void prepare(Shape[] inputShapes) {
        if (param.getShape() == null) {
            param.setShape(parameterShape(inputShapes[0]));
        }
    }

    private Shape parameterShape(Shape input) {
        if (!getScheme().isPerChannel()) {
            return new Shape(1);
        }
        if (input.dimension() < 1) {
            throw new IllegalArgumentException(
                    getClass().getSimpleName() + " per-channel needs axis 0, got shape " + input);
        }
        return new Shape(input.get(0));
    }

    /** {@inheritDoc} */
    @Override
    protected NDArray fakeQuantize(ParameterStore parameterStore, NDArray x, boolean training) {
        ensureInitialized(x);
        NDArray value =
                parameterStore == null
                        ? param.getArray()
                        : parameterStore.getValue(param, x.getDevice(), training);
        NDArray scale = effectiveScale(value, x);
        float[] zpf = new float[zeroPoints.length];
        for (int i = 0; i < zpf.length; i++) {
            zpf[i] = zeroPoints[i];
        }
        NDArray zp = FakeQuantOps.constant(x.getManager(), zpf, new Shape(zpf.length));
        if (getScheme().isPerChannel()) {
            Shape b = FakeQuantOps.channelShape(x, zpf.length);
            scale = scale.reshape(b);
            zp = zp.reshape(b);
        }
        return FakeQuantOps.fakeQuantize(x, scale, zp, getDType());
    }

    private void ensureInitialized(NDArray x) {
        if (!param.isInitialized()) {
            if (param.getShape() == null) {
                param.setShape(parameterShape(x.getShape()));
            }
            // created outside initialize(): keep it in a manager that outlives the batch
            if (fallbackManager == null) {
                fallbackManager =
                        NDManager.newBaseManager(
                                x.getDevice(), x.getManager().getEngine().getEngineName());
            }
            param.initialize(fallbackManager, DataType.FLOAT32);
        }
        NDArray current = param.getArray();
        if (param.requiresGradient() && !current.hasGradient()) {
            // Parameter.load does not mark loaded arrays as trainable
            current.setRequiresGradient(true);
        }
        if (zeroPoints != null) {
            return;
        }
        QParams qp = observer.computeQParams();
        float[] values = toParameterValues(qp);
        NDArray arr = param.getArray();
        if (arr.size() != values.length) {
            throw new IllegalStateException(
                    getClass().getSimpleName()
                            + " parameter has "
                            + arr.size()
                            + " values but the observer produced "
                            + values.length
                            + " scales");
        }
        // in-place, so the Parameter, the ParameterStore and the optimizer keep the same array
        arr.set(FloatBuffer.wrap(values));
        zeroPoints = qp.getZeroPoints();
    }

    /** {@inheritDoc} */
    @Override
    public QParams getQParams() {
        if (zeroPoints == null) {
            throw new IllegalStateException(
                    getClass().getSimpleName()
                            + " has not observed any data; run calibration first");
        }
        float[] scales = toScales(param.getArray().toFloatArray());
        return getScheme().isPerChannel()
                ? QParams.perChannel(getDType(), scales, zeroPoints)
                : QParams.perTensor(getDType(), scales[0], zeroPoints[0]);
    }

    /** {@inheritDoc} */
    @Override
    protected void saveState(DataOutputStream os) throws IOException {
        os.writeInt(zeroPoints == null ? -1 : zeroPoints.length);
        if (zeroPoints != null) {
            for (int z : zeroPoints) {
                os.writeInt(z);
            }
        }
    }

    /** {@inheritDoc} */
    @Override
    protected void loadState(DataInputStream is) throws IOException, MalformedModelException {
        int n = is.readInt();
        if (n == -1) {
            zeroPoints = null;
            return;
        }
        if (n < 1 || n > (1 << 24)) {
            throw new MalformedModelException(
                    getClass().getSimpleName() + ": invalid stored zero point count " + n);
        }
        int[] z = new int[n];
        for (int i = 0; i < n; i++) {
            z[i] = is.readInt();
            if (z[i] < getDType().qmin() || z[i] > getDType().qmax()) {
                throw new MalformedModelException(
                        getClass().getSimpleName()
                                + ": stored zero point "
                                + z[i]
                                + " out of range");
            }
        }
        zeroPoints = z;
    }
}
