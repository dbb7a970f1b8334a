/**
 * QFloat (QAT) form of djl-quant models: the same class names as {@code io.djlquant.nn}, each
 * wrapping its float block (child "float", parameters shared, so training the QAT tree trains the
 * float weights) and adding fake quantization. Build trees with {@code
 * io.djlquant.quantization.convert.Quantizer.quantizeQat}, which also wires activations.
 *
 * <ul>
 *   <li>{@link io.djlquant.qat.WeightedQatBlock} ({@code ConvBnRelu2d}, {@code ConvBn2d}, {@code
 *       ConvRelu2d}, {@code PlainConv2d}, {@code LinearBnRelu1d}, {@code LinearBn1d}, {@code
 *       LinearRelu}, {@code PlainLinear}): batch norm folded via {@link io.djlquant.nn.BnFolding}
 *       (batch statistics in training, running statistics in inference or after {@code
 *       freezeBatchNorm()}), weight fake quant ("weight_fq"), int32 bias with {@code inputScale *
 *       weightScale[c]}, ReLU, output fake quant ("output_fq").
 *   <li>{@link io.djlquant.qat.QuantStub} (output fake quant), {@link io.djlquant.qat.DequantStub}
 *       (identity, float output), {@link io.djlquant.qat.ElementWise} (two wired inputs, output
 *       fake quant), {@link io.djlquant.qat.Residual} (container).
 *   <li>{@link io.djlquant.qat.AvgPool2d}, {@link io.djlquant.qat.GlobalAvgPool2d}: rounded onto
 *       the input's grid, output keeps the input's quantizer. MaxPool2d, Flatten, Identity and Relu
 *       are reused from {@code io.djlquant.nn} unchanged.
 *   <li>{@link io.djlquant.qat.FloatFallback}: a block kept in float, followed by an output fake
 *       quant.
 * </ul>
 *
 * <p>Activation wiring ({@link io.djlquant.qat.QatModule}): every block knows the fake quant that
 * produced each input ({@code getInputQuantizer(i)}) and the one describing its output ({@code
 * getOutputQuantizer()}). Wiring is structure: it is not saved, {@code quantizeQat} rebuilds it
 * before {@code loadParameters}. The Q converter reads {@code getInputQParams()}, {@code
 * getWeightQParams()}, {@code getBiasQParams()}, {@code getOutputQParams()} and {@code
 * foldedParameters(manager)}.
 */
package io.djlquant.qat;
