/**
 * The conversion between the three forms (like torch.ao's {@code quantize.py} and its mappings),
 * the one package that knows both the QFloat ({@code io.djlquant.qat}) and the Q ({@code
 * io.djlquant.quantized}) blocks; nothing below it refers to it.
 *
 * <ul>
 *   <li>{@link io.djlquant.quantization.convert.Quantizer}: the entry point. {@code prepare} fuses
 *       an existing DJL tree ({@code io.djlquant.nn.Fuser}), {@code quantizeQat} rewrites a float
 *       tree into QFloat through {@link io.djlquant.quantization.convert.QatConverter} and the
 *       table {@link io.djlquant.quantization.convert.QatMappings} (each QAT class's {@code
 *       fromFloat}) with per-block {@link io.djlquant.quantization.convert.QConfigOverrides},
 *       {@code calibrate} runs post-training calibration ({@link
 *       io.djlquant.quantization.convert.Calibrator}), and {@code quantize} converts QFloat to Q
 *       through {@link io.djlquant.quantization.convert.QuantizedConverter} and the table {@link
 *       io.djlquant.quantization.convert.QuantizedMappings} (each Q class's {@code fromQat}).
 *   <li>PTQ algorithms beyond plain calibration, driven by {@link
 *       io.djlquant.quantization.convert.PtqAlgorithms}: {@link
 *       io.djlquant.quantization.convert.CrossLayerEqualization} (float tree, data-free), {@link
 *       io.djlquant.quantization.convert.ScaleSearch} (per-layer range search on the calibrated
 *       QFloat tree), {@link io.djlquant.quantization.convert.BiasCorrection} (per-layer mean error
 *       removed through the bias) and {@link io.djlquant.quantization.convert.MixedPrecision};
 *       {@link io.djlquant.quantization.convert.ParameterSnapshot} keeps a trained float model to
 *       compare several of them.
 *   <li>{@link io.djlquant.quantization.convert.LayerComparison}: the error of every layer in
 *       QFloat and Q against Float; {@link io.djlquant.quantization.convert.BlockTree} walks trees
 *       by path.
 * </ul>
 */
package io.djlquant.quantization.convert;
