package io.djlquant.quantization.convert;

import ai.djl.nn.Block;
import io.djlquant.qat.AvgPool2d;
import io.djlquant.qat.ConvBn2d;
import io.djlquant.qat.ConvBnRelu2d;
import io.djlquant.qat.ConvRelu2d;
import io.djlquant.qat.DequantStub;
import io.djlquant.qat.ElementWise;
import io.djlquant.qat.FloatFallback;
import io.djlquant.qat.GlobalAvgPool2d;
import io.djlquant.qat.LinearBn1d;
import io.djlquant.qat.LinearBnRelu1d;
import io.djlquant.qat.LinearRelu;
import io.djlquant.qat.PlainConv2d;
import io.djlquant.qat.PlainLinear;
import io.djlquant.qat.QuantStub;
import io.djlquant.quantization.QConfig;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The float-to-QAT mapping table used by {@code Quantizer.quantizeQat}: exact float class to a
 * factory {@code (floatBlock, qconfig) -> qatBlock}, plus the pass-through glue classes that are
 * reused unchanged because they commute with quantization (their output keeps the input's QParams).
 *
 * <p>A QAT block that implements {@link io.djlquant.qat.QatModule} is wired to its input producers;
 * any other returned block is treated as pass-through. Containers ({@code SequentialBlock}, {@link
 * io.djlquant.nn.Residual}, {@link io.djlquant.nn.Branches}) are handled by the converter itself.
 */
public final class QatMappings {

    private final Map<Class<?>, BiFunction<Block, QConfig, Block>> factories =
            new LinkedHashMap<>();
    private final Set<Class<?>> passThrough = new HashSet<>();

    private QatMappings() {}

    /**
     * @return an empty table (no mappings, no pass-through classes)
     */
    public static QatMappings empty() {
        return new QatMappings();
    }

    /**
     * @return a new table holding the built-in mappings of {@code io.djlquant.nn}
     */
    public static QatMappings defaults() {
        QatMappings m = new QatMappings();
        m.register(io.djlquant.nn.ConvBn2d.class, ConvBn2d::fromFloat);
        m.register(io.djlquant.nn.ConvBnRelu2d.class, ConvBnRelu2d::fromFloat);
        m.register(io.djlquant.nn.ConvRelu2d.class, ConvRelu2d::fromFloat);
        m.register(io.djlquant.nn.PlainConv2d.class, PlainConv2d::fromFloat);
        m.register(io.djlquant.nn.LinearBn1d.class, LinearBn1d::fromFloat);
        m.register(io.djlquant.nn.LinearBnRelu1d.class, LinearBnRelu1d::fromFloat);
        m.register(io.djlquant.nn.LinearRelu.class, LinearRelu::fromFloat);
        m.register(io.djlquant.nn.PlainLinear.class, PlainLinear::fromFloat);
        m.register(io.djlquant.nn.ElementWise.class, ElementWise::fromFloat);
        m.register(io.djlquant.nn.Concat.class, io.djlquant.qat.Concat::fromFloat);
        m.register(io.djlquant.nn.QuantStub.class, QuantStub::fromFloat);
        m.register(io.djlquant.nn.DequantStub.class, DequantStub::fromFloat);
        m.register(io.djlquant.nn.AvgPool2d.class, AvgPool2d::fromFloat);
        m.register(io.djlquant.nn.GlobalAvgPool2d.class, GlobalAvgPool2d::fromFloat);
        // no int8 form: float between a dequantization and a quantization
        m.register(io.djlquant.nn.Sigmoid.class, FloatFallback::new);
        m.register(io.djlquant.nn.Tanh.class, FloatFallback::new);
        m.register(io.djlquant.nn.KeepFloat.class, (b, qc) -> new FloatFallback(b.getBlock(), qc));
        m.registerPassThrough(io.djlquant.nn.MaxPool2d.class);
        m.registerPassThrough(io.djlquant.nn.Flatten.class);
        m.registerPassThrough(io.djlquant.nn.Unflatten.class);
        m.registerPassThrough(io.djlquant.nn.Identity.class);
        m.registerPassThrough(io.djlquant.nn.Relu.class);
        m.registerPassThrough(io.djlquant.nn.Upsample.class);
        // identity at inference; in training its 1/(1-p) scaling is seen by the next fake quant
        m.registerPassThrough(ai.djl.nn.norm.Dropout.class);
        return m;
    }

    /**
     * Registers (or replaces) the QAT factory of a float block class (exact class match).
     *
     * @param <F> the float block type
     * @param floatClass the float block class
     * @param factory builds the QAT block; it should share the float block's parameters
     * @return this
     */
    public <F extends Block> QatMappings register(
            Class<F> floatClass, BiFunction<? super F, QConfig, ? extends Block> factory) {
        if (floatClass == null || factory == null) {
            throw new IllegalArgumentException("mapping class and factory must not be null");
        }
        passThrough.remove(floatClass);
        factories.put(floatClass, (b, qc) -> factory.apply(floatClass.cast(b), qc));
        return this;
    }

    /**
     * Registers a glue class reused unchanged in the QAT tree (it must commute with quantization:
     * max pooling, reshapes, ReLU...).
     *
     * @param glueClass the class
     * @return this
     */
    public QatMappings registerPassThrough(Class<? extends Block> glueClass) {
        if (glueClass == null) {
            throw new IllegalArgumentException("pass-through class must not be null");
        }
        factories.remove(glueClass);
        passThrough.add(glueClass);
        return this;
    }

    /**
     * Returns the factory for a float block's exact class.
     *
     * @param floatClass the class
     * @return the factory, or null if none is registered
     */
    public BiFunction<Block, QConfig, Block> factoryFor(Class<?> floatClass) {
        return factories.get(floatClass);
    }

    /**
     * Tells whether a class is pass-through glue.
     *
     * @param floatClass the class
     * @return true if blocks of this exact class are reused unchanged
     */
    public boolean isPassThrough(Class<?> floatClass) {
        return passThrough.contains(floatClass);
    }

    /**
     * @return the float classes with a factory, in registration order
     */
    public Set<Class<?>> mappedClasses() {
        return java.util.Collections.unmodifiableSet(factories.keySet());
    }
}
