package io.djlquant.qat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.Pair;
import io.djlquant.nn.ConvBn2d;
import io.djlquant.nn.ConvBnRelu2d;
import io.djlquant.nn.ConvRelu2d;
import io.djlquant.nn.DequantStub;
import io.djlquant.nn.ElementWise;
import io.djlquant.nn.Flatten;
import io.djlquant.nn.GlobalAvgPool2d;
import io.djlquant.nn.Identity;
import io.djlquant.nn.LinearBn1d;
import io.djlquant.nn.LinearBnRelu1d;
import io.djlquant.nn.LinearRelu;
import io.djlquant.nn.MaxPool2d;
import io.djlquant.nn.PlainConv2d;
import io.djlquant.nn.PlainLinear;
import io.djlquant.nn.QuantStub;
import io.djlquant.nn.Residual;
import io.djlquant.quantization.qparams.QParams;
import java.util.IdentityHashMap;
import java.util.Map;

/** Float test models built by hand from io.djlquant.nn blocks, and array helpers. */
public final class QatTestNets {

    /** Input shape of both test models. */
    public static final Shape INPUT = new Shape(4, 3, 8, 8);

    private QatTestNets() {}

    private static Shape s(long a, long b) {
        return new Shape(a, b);
    }

    /**
     * QuantStub, ConvBnRelu2d, MaxPool2d, Residual(ConvBnRelu2d + ConvBn2d, Identity, ADD_RELU),
     * GlobalAvgPool2d, PlainLinear, DequantStub.
     *
     * @return the uninitialized float model
     */
    public static SequentialBlock smallCnn() {
        SequentialBlock main =
                new SequentialBlock()
                        .add(
                                ConvBnRelu2d.builder()
                                        .setKernelShape(s(3, 3))
                                        .setFilters(8)
                                        .optPadding(s(1, 1))
                                        .build())
                        .add(
                                ConvBn2d.builder()
                                        .setKernelShape(s(3, 3))
                                        .setFilters(8)
                                        .optPadding(s(1, 1))
                                        .build());
        return new SequentialBlock()
                .add(new QuantStub())
                .add(
                        ConvBnRelu2d.builder()
                                .setKernelShape(s(3, 3))
                                .setFilters(8)
                                .optPadding(s(1, 1))
                                .build())
                .add(new MaxPool2d(s(2, 2), s(2, 2), s(0, 0)))
                .add(new Residual(main, new Identity(), new ElementWise(ElementWise.Mode.ADD_RELU)))
                .add(new GlobalAvgPool2d())
                .add(PlainLinear.builder().setUnits(4).build())
                .add(new DequantStub());
    }

    /**
     * The remaining block types: ConvRelu2d, AvgPool2d, PlainConv2d, Flatten and all linear forms,
     * including a conv bias under batch norm.
     *
     * @return the uninitialized float model
     */
    public static SequentialBlock wideNet() {
        return new SequentialBlock()
                .add(new QuantStub())
                .add(
                        ConvRelu2d.builder()
                                .setKernelShape(s(3, 3))
                                .setFilters(6)
                                .optPadding(s(1, 1))
                                .build())
                .add(new io.djlquant.nn.AvgPool2d(s(2, 2), s(2, 2), s(0, 0)))
                .add(
                        ConvBn2d.builder()
                                .setKernelShape(s(3, 3))
                                .setFilters(6)
                                .optPadding(s(1, 1))
                                .optBias(true)
                                .build())
                .add(PlainConv2d.builder().setKernelShape(s(1, 1)).setFilters(5).build())
                .add(new Flatten())
                .add(LinearBnRelu1d.builder().setUnits(16).build())
                .add(LinearBn1d.builder().setUnits(8).build())
                .add(LinearRelu.builder().setUnits(8).build())
                .add(PlainLinear.builder().setUnits(4).build())
                .add(new DequantStub());
    }

    /**
     * Random, non-trivial initialization (batch norm far from the identity) and initialize.
     *
     * @param b the float model
     * @param manager the parameter manager
     * @param input the input shape
     */
    public static void init(Block b, NDManager manager, Shape input) {
        b.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        b.setInitializer(new NormalInitializer(0.2f), Parameter.Type.BIAS);
        Initializer aroundOne = (m, sh, t) -> m.randomUniform(0.5f, 1.5f, sh, t);
        Initializer aroundZero = (m, sh, t) -> m.randomNormal(0f, 0.3f, sh, t);
        b.setInitializer(aroundOne, Parameter.Type.GAMMA);
        b.setInitializer(aroundOne, Parameter.Type.RUNNING_VAR);
        b.setInitializer(aroundZero, Parameter.Type.BETA);
        b.setInitializer(aroundZero, Parameter.Type.RUNNING_MEAN);
        b.initialize(manager, DataType.FLOAT32, input);
    }

    /**
     * Snapshot of all parameter values.
     *
     * @param b the block
     * @return parameter to values
     */
    public static Map<Parameter, float[]> snapshot(Block b) {
        Map<Parameter, float[]> m = new IdentityHashMap<>();
        for (Pair<String, Parameter> p : b.getParameters()) {
            m.put(p.getValue(), p.getValue().getArray().toFloatArray());
        }
        return m;
    }

    /**
     * Writes a snapshot back in place.
     *
     * @param snap the snapshot
     */
    public static void restore(Map<Parameter, float[]> snap) {
        snap.forEach((p, v) -> p.getArray().set(v));
    }

    /**
     * Max absolute difference.
     *
     * @param a first
     * @param b second
     * @return max |a - b|
     */
    public static float maxDiff(NDArray a, NDArray b) {
        assertEquals(a.getShape(), b.getShape(), "shapes differ");
        return a.sub(b).abs().max().getFloat();
    }

    /**
     * Asserts every value lies on the per-tensor grid of {@code qp}: {@code x/scale + zp} is an
     * integer (within 1e-3) inside [qmin, qmax].
     *
     * @param x the array
     * @param qp per-tensor parameters
     * @param where a label for failures
     */
    public static void assertOnGrid(NDArray x, QParams qp, String where) {
        float s = qp.scale(0);
        int zp = qp.zeroPoint(0);
        float[] v = x.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            double q = v[i] / (double) s + zp;
            double r = Math.rint(q);
            assertTrue(
                    Math.abs(q - r) < 1e-3
                            && r >= qp.getDType().qmin()
                            && r <= qp.getDType().qmax(),
                    where + ": value " + v[i] + " is not on the grid (q=" + q + ", " + qp + ")");
        }
    }

    /**
     * Runs a forward pass with one input array.
     *
     * @param b the block
     * @param manager manager for the parameter store
     * @param x the input
     * @param training training mode
     * @return the single output
     */
    public static NDArray run(Block b, NDManager manager, NDArray x, boolean training) {
        return b.forward(
                        new ai.djl.training.ParameterStore(manager, false), new NDList(x), training)
                .singletonOrThrow();
    }
}
