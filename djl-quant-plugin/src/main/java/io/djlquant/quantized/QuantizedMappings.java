package io.djlquant.quantized;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.djlquant.kernels.ConvParams;
import io.djlquant.qat.FusedConv2d;
import io.djlquant.qat.FusedLinear;
import io.djlquant.qat.WeightedQatBlock;
import io.djlquant.quantization.BnFolding;
import io.djlquant.quantization.QParams;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The QFloat-to-Q table used by {@link QuantizedConverter}: exact QFloat class to a {@link
 * QuantizedFactory}. {@link #defaults()} covers {@code io.djlquant.qat} and the glue blocks of
 * {@code io.djlquant.nn} that QAT keeps as they are; {@link #register} adds or replaces entries.
 * Containers ({@code SequentialBlock}, {@code qat.Residual}, {@code qat.Branches}) are handled by
 * the converter.
 */
public final class QuantizedMappings {

    private final Map<Class<?>, QuantizedFactory<Block>> factories = new LinkedHashMap<>();

    private QuantizedMappings() {}

    /**
     * @return an empty table
     */
    public static QuantizedMappings empty() {
        return new QuantizedMappings();
    }

    /**
     * @return a new table with the built-in mappings
     */
    public static QuantizedMappings defaults() {
        QuantizedMappings m = new QuantizedMappings();
        m.register(io.djlquant.qat.ConvBnRelu2d.class, (b, in) -> conv(b, ConvBnRelu2d::new));
        m.register(
                io.djlquant.qat.ConvBn2d.class,
                (b, in) -> conv(b, (w, g, gr, i, o, r6) -> new ConvBn2d(w, g, gr, i, o)));
        m.register(io.djlquant.qat.ConvRelu2d.class, (b, in) -> conv(b, ConvRelu2d::new));
        m.register(
                io.djlquant.qat.PlainConv2d.class,
                (b, in) -> conv(b, (w, g, gr, i, o, r6) -> new PlainConv2d(w, g, gr, i, o)));
        m.register(io.djlquant.qat.LinearBnRelu1d.class, (b, in) -> linear(b, LinearBnRelu1d::new));
        m.register(io.djlquant.qat.LinearBn1d.class, (b, in) -> linear(b, LinearBn1d::new));
        m.register(io.djlquant.qat.LinearRelu.class, (b, in) -> linear(b, LinearRelu::new));
        m.register(io.djlquant.qat.PlainLinear.class, (b, in) -> linear(b, PlainLinear::new));
        m.register(
                io.djlquant.qat.ElementWise.class,
                (b, in) ->
                        new ElementWise(
                                b.getMode(),
                                b.getInputQParams(0),
                                b.getInputQParams(1),
                                b.getOutputQParams()));
        m.register(
                io.djlquant.qat.Concat.class,
                (b, in) -> new Concat(b.getInputQParamsAll(), b.getOutputQParams()));
        m.register(io.djlquant.qat.QuantStub.class, (b, in) -> new QuantStub(b.getOutputQParams()));
        m.register(
                io.djlquant.qat.DequantStub.class,
                (b, in) ->
                        b.getInputQuantizer() == null
                                ? b.getFloatBlock()
                                : new DequantStub(b.getInputQParams()));
        m.register(
                io.djlquant.qat.AvgPool2d.class,
                (b, in) -> b.getInputQuantizer() == null ? b.getFloatBlock() : avgPool(b));
        m.register(
                io.djlquant.qat.GlobalAvgPool2d.class,
                (b, in) ->
                        b.getInputQuantizer() == null
                                ? b.getFloatBlock()
                                : new GlobalAvgPool2d(b.getInputQParams()));
        m.register(io.djlquant.nn.MaxPool2d.class, (b, in) -> in == null ? b : maxPool(b, in));
        m.register(io.djlquant.nn.Flatten.class, (b, in) -> in == null ? b : new Flatten(in));
        m.register(io.djlquant.nn.Unflatten.class, (b, in) -> in == null ? b : new Unflatten(in));
        m.register(io.djlquant.nn.Identity.class, (b, in) -> in == null ? b : new Identity(in));
        m.register(io.djlquant.nn.Relu.class, (b, in) -> in == null ? b : new Relu(in));
        m.register(
                io.djlquant.nn.Upsample.class,
                (b, in) -> in == null ? b : new Upsample(b.getScale(), in));
        m.register(ai.djl.nn.norm.Dropout.class, (b, in) -> in == null ? b : new Identity(in));
        m.register(io.djlquant.qat.FloatFallback.class, (b, in) -> floatFallback(b));
        return m;
    }

    /**
     * Registers (or replaces) the factory of a QFloat class (exact class match).
     *
     * @param <B> the QFloat block type
     * @param qfloatClass the QFloat block class
     * @param factory builds the Q block
     * @return this table
     */
    @SuppressWarnings("unchecked")
    public <B extends Block> QuantizedMappings register(
            Class<B> qfloatClass, QuantizedFactory<? super B> factory) {
        if (qfloatClass == null || factory == null) {
            throw new IllegalArgumentException("mapping class and factory must not be null");
        }
        factories.put(qfloatClass, (QuantizedFactory<Block>) factory);
        return this;
    }

    /**
     * Returns the factory of a class.
     *
     * @param qfloatClass the exact class
     * @return the factory, or {@code null}
     */
    public QuantizedFactory<Block> factoryFor(Class<?> qfloatClass) {
        return factories.get(qfloatClass);
    }

    /**
     * @return the mapped classes
     */
    public Set<Class<?>> mappedClasses() {
        return java.util.Collections.unmodifiableSet(factories.keySet());
    }

    /** Constructor shape of the four quantized convolutions (relu6 only with a fused ReLU). */
    @FunctionalInterface
    interface ConvCtor {
        QuantizedConv2d create(
                QuantizedWeights w,
                ConvParams g,
                int groups,
                QParams in,
                QParams out,
                boolean relu6);
    }

    /** Constructor shape of the four quantized linear layers. */
    @FunctionalInterface
    interface LinearCtor {
        QuantizedLinear create(QuantizedWeights w, QParams in, QParams out);
    }

    static Block conv(FusedConv2d b, ConvCtor ctor) {
        io.djlquant.nn.FusedConv2d f = b.getFloatBlock();
        QParams in = b.getInputQParams();
        ConvParams g =
                new ConvParams(
                        (int) f.getStride().get(0),
                        (int) f.getStride().get(1),
                        (int) f.getPadding().get(0),
                        (int) f.getPadding().get(1),
                        (int) f.getDilation().get(0),
                        (int) f.getDilation().get(1));
        return ctor.create(
                weights(b, in), g, f.getGroups(), in, b.getOutputQParams(), f.hasRelu6());
    }

    static Block linear(FusedLinear b, LinearCtor ctor) {
        QParams in = b.getInputQParams();
        return ctor.create(weights(b, in), in, b.getOutputQParams());
    }

    /** Folds batch norm once (running statistics) and quantizes weight and bias. */
    static QuantizedWeights weights(WeightedQatBlock b, QParams in) {
        QParams wq = b.getWeightQParams();
        NDManager owner = b.getFloatBlock().getParameters().valueAt(0).getArray().getManager();
        try (NDManager m = owner.newSubManager()) {
            BnFolding.Folded f = b.foldedParameters(m);
            Shape shape = f.weight().getShape();
            float[] w = f.weight().toFloatArray();
            float[] bias = f.bias() == null ? null : f.bias().toFloatArray();
            return QuantizedWeights.quantize(w, shape, wq, bias, in.scale(0));
        }
    }

    static Block avgPool(io.djlquant.qat.AvgPool2d b) {
        io.djlquant.nn.AvgPool2d f = b.getFloatBlock();
        if (f.isCeilMode()) {
            throw new IllegalArgumentException(
                    "the int8 average pool has no ceil mode; use ceilMode=false");
        }
        if (!f.isCountIncludePad()) {
            // DJL 0.36 on PyTorch ignores countIncludePad=false (it always divides by the full
            // window), so the QFloat model was trained with a divisor the int8 pool would not use
            throw new IllegalArgumentException(
                    "countIncludePad=false is not converted: DJL's PyTorch avgPool2d ignores it,"
                            + " so the QFloat model divides by the full window while the int8 pool"
                            + " would not; use countIncludePad=true");
        }
        return new AvgPool2d(
                PoolGeometry.of(f.getKernelShape(), f.getStride(), f.getPadding()),
                true,
                b.getInputQParams());
    }

    static Block floatFallback(io.djlquant.qat.FloatFallback b) {
        io.djlquant.quantization.fakequant.FakeQuantizeBase[] producers = b.getInputQuantizers();
        QParams[] in = new QParams[producers.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = producers[i] == null ? null : producers[i].getQParams();
        }
        return new FloatFallback(b.getFloatBlock(), in, b.getOutputQParams());
    }

    static Block maxPool(io.djlquant.nn.MaxPool2d f, QParams in) {
        return new MaxPool2d(
                PoolGeometry.of(f.getKernelShape(), f.getStride(), f.getPadding()),
                f.isCeilMode(),
                in);
    }
}
