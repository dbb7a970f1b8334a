/**
 * Q form of djl-quant models: int8 blocks with the same class names as {@code io.djlquant.nn} and
 * {@code io.djlquant.qat}, computed by the integer kernels of {@code io.djlquant.kernels}.
 *
 * <p>Every block holds fixed quantization parameters (copied from the QFloat wiring by {@link
 * io.djlquant.quantization.convert.QuantizedConverter}) and no DJL parameters, so it cannot train.
 * Each block converts its QAT counterpart with a static {@code fromQat} (the float glue QAT keeps,
 * max pooling and upsampling, with {@code fromFloat}); the conversion table points at those
 * factories, and this package never refers to the conversion package. A block accepts int8 {@code
 * JqNDArray}s carrying matching quantization parameters (used as they are) or float arrays of any
 * engine (quantized with the block's input parameters). On the JavaQuant engine it returns int8
 * {@code JqNDArray}s with quantization set; on any other engine it returns the dequantized float
 * values in the caller's manager (exact: quantizing them again gives the same integers). Blocks are
 * immutable, so {@code forward} may run on several threads at once.
 *
 * <p>Codecs for the {@code .jq} file are in {@code io.djlquant.quantized.codec}; {@link
 * io.djlquant.quantized.QuantizedModels#save} writes a model. A {@link
 * io.djlquant.quantized.FloatFallback} (a layer kept in float) runs in Java ({@code
 * io.djlquant.quantized.fallback}) and is saved with the model when it is made of the project's
 * blocks; other float blocks run on PyTorch and cannot be saved.
 */
package io.djlquant.quantized;
