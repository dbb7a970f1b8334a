package io.djlquant.quantization.convert;

import ai.djl.nn.Block;
import io.djlquant.quantized.AvgPool2d;
import io.djlquant.quantized.Concat;
import io.djlquant.quantized.ConvBn2d;
import io.djlquant.quantized.ConvBnRelu2d;
import io.djlquant.quantized.ConvRelu2d;
import io.djlquant.quantized.DequantStub;
import io.djlquant.quantized.ElementWise;
import io.djlquant.quantized.Flatten;
import io.djlquant.quantized.FloatFallback;
import io.djlquant.quantized.GlobalAvgPool2d;
import io.djlquant.quantized.Identity;
import io.djlquant.quantized.LinearBn1d;
import io.djlquant.quantized.LinearBnRelu1d;
import io.djlquant.quantized.LinearRelu;
import io.djlquant.quantized.MaxPool2d;
import io.djlquant.quantized.PlainConv2d;
import io.djlquant.quantized.PlainLinear;
import io.djlquant.quantized.QuantStub;
import io.djlquant.quantized.Relu;
import io.djlquant.quantized.Unflatten;
import io.djlquant.quantized.Upsample;
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
        // each int8 block converts its own QAT counterpart (fromQat); the table only adds the
        // choices of the conversion: a float region keeps stubs, pools and glue in float
        m.register(io.djlquant.qat.ConvBnRelu2d.class, (b, in) -> ConvBnRelu2d.fromQat(b));
        m.register(io.djlquant.qat.ConvBn2d.class, (b, in) -> ConvBn2d.fromQat(b));
        m.register(io.djlquant.qat.ConvRelu2d.class, (b, in) -> ConvRelu2d.fromQat(b));
        m.register(io.djlquant.qat.PlainConv2d.class, (b, in) -> PlainConv2d.fromQat(b));
        m.register(io.djlquant.qat.LinearBnRelu1d.class, (b, in) -> LinearBnRelu1d.fromQat(b));
        m.register(io.djlquant.qat.LinearBn1d.class, (b, in) -> LinearBn1d.fromQat(b));
        m.register(io.djlquant.qat.LinearRelu.class, (b, in) -> LinearRelu.fromQat(b));
        m.register(io.djlquant.qat.PlainLinear.class, (b, in) -> PlainLinear.fromQat(b));
        m.register(io.djlquant.qat.ElementWise.class, (b, in) -> ElementWise.fromQat(b));
        m.register(io.djlquant.qat.Concat.class, (b, in) -> Concat.fromQat(b));
        m.register(io.djlquant.qat.QuantStub.class, (b, in) -> QuantStub.fromQat(b));
        m.register(
                io.djlquant.qat.DequantStub.class,
                (b, in) ->
                        b.getInputQuantizer() == null ? b.getFloatBlock() : DequantStub.fromQat(b));
        m.register(
                io.djlquant.qat.AvgPool2d.class,
                (b, in) ->
                        b.getInputQuantizer() == null ? b.getFloatBlock() : AvgPool2d.fromQat(b));
        m.register(
                io.djlquant.qat.GlobalAvgPool2d.class,
                (b, in) ->
                        b.getInputQuantizer() == null
                                ? b.getFloatBlock()
                                : GlobalAvgPool2d.fromQat(b));
        m.register(
                io.djlquant.nn.MaxPool2d.class,
                (b, in) -> in == null ? b : MaxPool2d.fromFloat(b, in));
        m.register(io.djlquant.nn.Flatten.class, (b, in) -> in == null ? b : new Flatten(in));
        m.register(io.djlquant.nn.Unflatten.class, (b, in) -> in == null ? b : new Unflatten(in));
        m.register(io.djlquant.nn.Identity.class, (b, in) -> in == null ? b : new Identity(in));
        m.register(io.djlquant.nn.Relu.class, (b, in) -> in == null ? b : new Relu(in));
        m.register(
                io.djlquant.nn.Upsample.class,
                (b, in) -> in == null ? b : Upsample.fromFloat(b, in));
        m.register(ai.djl.nn.norm.Dropout.class, (b, in) -> in == null ? b : new Identity(in));
        m.register(io.djlquant.qat.FloatFallback.class, (b, in) -> FloatFallback.fromQat(b));
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
}
