package io.djlquant.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDArrayIndexer;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.recurrent.RNN;
import java.util.List;

/**
 * The engine-internal operations of a {@link JqNDArray}. Stacking and concatenation (what DJL's
 * {@code Batchifier.STACK} and {@code NDArrays.stack/concat} call) run in Java and keep int8 arrays
 * int8 with their quantization parameters; so do DJL's image transforms {@code ToTensor} and {@code
 * Normalize}. The other operations run on the alternative engine, on a copy of the array; without
 * one they fail with a message naming the operation.
 */
final class JqNDArrayEx implements NDArrayEx {

    private final JqNDArray array;

    JqNDArrayEx(JqNDArray array) {
        this.array = array;
    }

    /** {@inheritDoc} */
    @Override
    public NDArray stack(NDList arrays, int axis) {
        return JqJoin.stack(array, arrays, axis);
    }

    /** {@inheritDoc} */
    @Override
    public NDArray concat(NDList arrays, int axis) {
        return JqJoin.concat(array, arrays, axis);
    }

    /** {@inheritDoc} */
    @Override
    public NDArray getArray() {
        return array;
    }

    /**
     * HWC (or NHWC) to CHW (or NCHW) FLOAT32 divided by 255, in Java: DJL's {@code ToTensor}. DJL's
     * default runs the division and transpose on the alternative engine and then attaches the
     * result to this array's manager, which fails for a PyTorch array under a JavaQuant manager (so
     * a {@code Criteria} predictor with DJL's {@code ImageClassificationTranslator} failed). Each
     * value is {@code v / 255f}, the float32 division PyTorch does.
     */
    @Override
    public NDArray toTensor() {
        Shape s = array.getShape();
        int dim = s.dimension();
        if (dim != 3 && dim != 4) {
            throw new IllegalArgumentException(
                    "toTensor needs an HWC or NHWC image array, got shape " + s);
        }
        int n = dim == 4 ? Math.toIntExact(s.get(0)) : 1;
        int h = Math.toIntExact(s.get(dim - 3));
        int w = Math.toIntExact(s.get(dim - 2));
        int c = Math.toIntExact(s.get(dim - 1));
        float[] x = values();
        float[] y = new float[x.length];
        int plane = h * w;
        for (int img = 0; img < n; img++) {
            int base = img * plane * c;
            for (int p = 0; p < plane; p++) {
                for (int ch = 0; ch < c; ch++) {
                    y[base + ch * plane + p] = x[base + p * c + ch] / 255f;
                }
            }
        }
        Shape out = dim == 4 ? new Shape(n, c, h, w) : new Shape(c, h, w);
        return new JqNDArray(
                array.getManager(), array.alternativeManager(), out, DataType.FLOAT32, y);
    }

    /**
     * {@code (x - mean[c]) / std[c]} over the channel axis of a CHW or NCHW array, in Java (DJL's
     * {@code Normalize}; its default would move the image to the alternative engine).
     */
    @Override
    public NDArray normalize(float[] mean, float[] std) {
        Shape s = array.getShape();
        int dim = s.dimension();
        if (dim != 3 && dim != 4) {
            throw new IllegalArgumentException(
                    "normalize needs a CHW or NCHW image array, got shape " + s);
        }
        int c = Math.toIntExact(s.get(dim - 3));
        if (mean.length != c || std.length != c) {
            throw new IllegalArgumentException(
                    "normalize has "
                            + mean.length
                            + " means and "
                            + std.length
                            + " standard deviations for "
                            + c
                            + " channels (shape "
                            + s
                            + ")");
        }
        int plane = Math.toIntExact(s.get(dim - 2) * s.get(dim - 1));
        float[] x = values();
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            int ch = i / plane % c;
            y[i] = (x[i] - mean[ch]) / std[ch];
        }
        return new JqNDArray(
                array.getManager(), array.alternativeManager(), s, DataType.FLOAT32, y);
    }

    /* The elements as floats (a copy, or this array's own FLOAT32 data read only). */
    private float[] values() {
        if (array.getDataType() == DataType.FLOAT32) {
            return array.getFloatData();
        }
        if (JqCasts.supports(array.getDataType())) {
            return (float[])
                    JqCasts.convert(array.storage(), array.getDataType(), DataType.FLOAT32);
        }
        return array.toFloatArray();
    }

    /* The alternative engine's internal operations on a copy of this array. */
    private NDArrayEx alternative(String op) {
        NDManager alt = array.alternativeManager();
        if (alt == null || alt instanceof JqNDManager) {
            throw JqNDManager.unsupported("NDArray." + op);
        }
        NDArray copy = alt.from(array);
        return copy.getNDArrayInternal();
    }

    // Everything below runs on the alternative engine.

    /** {@inheritDoc} */
    @Override
    public NDArray rdivi(NDArray a0) {
        return alternative("rdivi").rdivi(a0);
    }

    /** {@inheritDoc} */
    @Override
    public NDArray rmodi(NDArray a0) {
        return alternative("rmodi").rmodi(a0);
    }

    /** {@inheritDoc} */
    @Override
    public NDArray rpowi(Number a0) {
        return alternative("rpowi").rpowi(a0);
    }

    /** {@inheritDoc} */
    @Override
    public NDArray relu() {
        return alternative("relu").relu();
    }

    /** {@inheritDoc} */
    @Override
    public NDArray sigmoid() {
        return alternative("sigmoid").sigmoid();
    }

    /** {@inheritDoc} */
    @Override
    public NDArray tanh() {
        return alternative("tanh").tanh();
    }

    /** {@inheritDoc} */
    @Override
    public NDArray softPlus() {
        return alternative("softPlus").softPlus();
    }

    /** {@inheritDoc} */
    @Override
    public NDArray softSign() {
        return alternative("softSign").softSign();
    }

    /** {@inheritDoc} */
    @Override
    public NDArray leakyRelu(float a0) {
        return alternative("leakyRelu").leakyRelu(a0);
    }

    /** {@inheritDoc} */
    @Override
    public NDArray elu(float a0) {
        return alternative("elu").elu(a0);
    }

    /** {@inheritDoc} */
    @Override
    public NDArray selu() {
        return alternative("selu").selu();
    }

    /** {@inheritDoc} */
    @Override
    public NDArray gelu() {
        return alternative("gelu").gelu();
    }

    /** {@inheritDoc} */
    @Override
    public NDArray maxPool(Shape a0, Shape a1, Shape a2, boolean a3) {
        return alternative("maxPool").maxPool(a0, a1, a2, a3);
    }

    /** {@inheritDoc} */
    @Override
    public NDArray globalMaxPool() {
        return alternative("globalMaxPool").globalMaxPool();
    }

    /** {@inheritDoc} */
    @Override
    public NDArray avgPool(Shape a0, Shape a1, Shape a2, boolean a3, boolean a4) {
        return alternative("avgPool").avgPool(a0, a1, a2, a3, a4);
    }

    /** {@inheritDoc} */
    @Override
    public NDArray globalAvgPool() {
        return alternative("globalAvgPool").globalAvgPool();
    }

    /** {@inheritDoc} */
    @Override
    public NDArray lpPool(float a0, Shape a1, Shape a2, Shape a3, boolean a4) {
        return alternative("lpPool").lpPool(a0, a1, a2, a3, a4);
    }

    /** {@inheritDoc} */
    @Override
    public NDArray globalLpPool(float a0) {
        return alternative("globalLpPool").globalLpPool(a0);
    }

    /** {@inheritDoc} */
    @Override
    public void adadeltaUpdate(
            NDList a0, NDList a1, float a2, float a3, float a4, float a5, float a6) {
        alternative("adadeltaUpdate").adadeltaUpdate(a0, a1, a2, a3, a4, a5, a6);
    }

    /** {@inheritDoc} */
    @Override
    public void adagradUpdate(
            NDList a0, NDList a1, float a2, float a3, float a4, float a5, float a6) {
        alternative("adagradUpdate").adagradUpdate(a0, a1, a2, a3, a4, a5, a6);
    }

    /** {@inheritDoc} */
    @Override
    public void adamUpdate(
            NDList a0,
            NDList a1,
            float a2,
            float a3,
            float a4,
            float a5,
            float a6,
            float a7,
            float a8,
            float a9,
            boolean a10,
            boolean a11) {
        alternative("adamUpdate").adamUpdate(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11);
    }

    /** {@inheritDoc} */
    @Override
    public void nagUpdate(NDList a0, NDList a1, float a2, float a3, float a4, float a5, float a6) {
        alternative("nagUpdate").nagUpdate(a0, a1, a2, a3, a4, a5, a6);
    }

    /** {@inheritDoc} */
    @Override
    public void rmspropUpdate(
            NDList a0,
            NDList a1,
            float a2,
            float a3,
            float a4,
            float a5,
            float a6,
            float a7,
            float a8,
            boolean a9) {
        alternative("rmspropUpdate").rmspropUpdate(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9);
    }

    /** {@inheritDoc} */
    @Override
    public void sgdUpdate(
            NDList a0, NDList a1, float a2, float a3, float a4, float a5, float a6, boolean a7) {
        alternative("sgdUpdate").sgdUpdate(a0, a1, a2, a3, a4, a5, a6, a7);
    }

    /** {@inheritDoc} */
    @Override
    public NDList convolution(
            NDArray a0, NDArray a1, NDArray a2, Shape a3, Shape a4, Shape a5, int a6) {
        return alternative("convolution").convolution(a0, a1, a2, a3, a4, a5, a6);
    }

    /** {@inheritDoc} */
    @Override
    public NDList deconvolution(
            NDArray a0, NDArray a1, NDArray a2, Shape a3, Shape a4, Shape a5, Shape a6, int a7) {
        return alternative("deconvolution").deconvolution(a0, a1, a2, a3, a4, a5, a6, a7);
    }

    /** {@inheritDoc} */
    @Override
    public NDList linear(NDArray a0, NDArray a1, NDArray a2) {
        return alternative("linear").linear(a0, a1, a2);
    }

    /** {@inheritDoc} */
    @Override
    public NDList embedding(NDArray a0, NDArray a1, SparseFormat a2) {
        return alternative("embedding").embedding(a0, a1, a2);
    }

    /** {@inheritDoc} */
    @Override
    public NDList prelu(NDArray a0, NDArray a1) {
        return alternative("prelu").prelu(a0, a1);
    }

    /** {@inheritDoc} */
    @Override
    public NDList dropout(NDArray a0, float a1, boolean a2) {
        return alternative("dropout").dropout(a0, a1, a2);
    }

    /** {@inheritDoc} */
    @Override
    public NDList layerNorm(NDArray a0, Shape a1, NDArray a2, NDArray a3, float a4) {
        return alternative("layerNorm").layerNorm(a0, a1, a2, a3, a4);
    }

    /** {@inheritDoc} */
    @Override
    public NDList batchNorm(
            NDArray a0,
            NDArray a1,
            NDArray a2,
            NDArray a3,
            NDArray a4,
            int a5,
            float a6,
            float a7,
            boolean a8) {
        return alternative("batchNorm").batchNorm(a0, a1, a2, a3, a4, a5, a6, a7, a8);
    }

    /** {@inheritDoc} */
    @Override
    public NDList rnn(
            NDArray a0,
            NDArray a1,
            NDList a2,
            boolean a3,
            int a4,
            RNN.Activation a5,
            double a6,
            boolean a7,
            boolean a8,
            boolean a9) {
        return alternative("rnn").rnn(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9);
    }

    /** {@inheritDoc} */
    @Override
    public NDList gru(
            NDArray a0,
            NDArray a1,
            NDList a2,
            boolean a3,
            int a4,
            double a5,
            boolean a6,
            boolean a7,
            boolean a8) {
        return alternative("gru").gru(a0, a1, a2, a3, a4, a5, a6, a7, a8);
    }

    /** {@inheritDoc} */
    @Override
    public NDList lstm(
            NDArray a0,
            NDList a1,
            NDList a2,
            boolean a3,
            int a4,
            double a5,
            boolean a6,
            boolean a7,
            boolean a8) {
        return alternative("lstm").lstm(a0, a1, a2, a3, a4, a5, a6, a7, a8);
    }

    /** {@inheritDoc} */
    @Override
    public NDArray interpolation(long[] a0, int a1, boolean a2) {
        return alternative("interpolation").interpolation(a0, a1, a2);
    }

    /**
     * Resizes an HWC or NHWC image array; to its own size it is the identity for every
     * interpolation (so DJL's {@code Resize} to the size an image already has runs without an
     * alternative engine), any other size goes to the alternative engine.
     */
    @Override
    public NDArray resize(int width, int height, int interpolation) {
        Shape s = array.getShape();
        int dim = s.dimension();
        if ((dim == 3 || dim == 4) && s.get(dim - 2) == width && s.get(dim - 3) == height) {
            return array.duplicate();
        }
        return alternative("resize").resize(width, height, interpolation);
    }

    /** {@inheritDoc} */
    @Override
    public NDArray randomFlipLeftRight() {
        return alternative("randomFlipLeftRight").randomFlipLeftRight();
    }

    /** {@inheritDoc} */
    @Override
    public NDArray randomFlipTopBottom() {
        return alternative("randomFlipTopBottom").randomFlipTopBottom();
    }

    /** {@inheritDoc} */
    @Override
    public NDArray randomBrightness(float a0) {
        return alternative("randomBrightness").randomBrightness(a0);
    }

    /** {@inheritDoc} */
    @Override
    public NDArray randomHue(float a0) {
        return alternative("randomHue").randomHue(a0);
    }

    /** {@inheritDoc} */
    @Override
    public NDArray randomColorJitter(float a0, float a1, float a2, float a3) {
        return alternative("randomColorJitter").randomColorJitter(a0, a1, a2, a3);
    }

    /** {@inheritDoc} */
    @Override
    public NDArrayIndexer getIndexer(NDManager a0) {
        return alternative("getIndexer").getIndexer(a0);
    }

    /** {@inheritDoc} */
    @Override
    public NDArray where(NDArray a0, NDArray a1) {
        return alternative("where").where(a0, a1);
    }

    /** {@inheritDoc} */
    @Override
    public NDList multiBoxTarget(NDList a0, float a1, float a2, float a3, float a4, int a5) {
        return alternative("multiBoxTarget").multiBoxTarget(a0, a1, a2, a3, a4, a5);
    }

    /** {@inheritDoc} */
    @Override
    public NDList multiBoxPrior(
            List<Float> a0, List<Float> a1, List<Float> a2, List<Float> a3, boolean a4) {
        return alternative("multiBoxPrior").multiBoxPrior(a0, a1, a2, a3, a4);
    }

    /** {@inheritDoc} */
    @Override
    public NDList multiBoxDetection(
            NDList a0, boolean a1, float a2, int a3, float a4, boolean a5, int a6) {
        return alternative("multiBoxDetection").multiBoxDetection(a0, a1, a2, a3, a4, a5, a6);
    }
}
