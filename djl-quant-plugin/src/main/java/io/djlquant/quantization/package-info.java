/**
 * The quantization vocabulary shared by the QFloat ({@code io.djlquant.qat}) and Q ({@code
 * io.djlquant.quantized}) forms: {@link io.djlquant.quantization.QDType}, {@link
 * io.djlquant.quantization.QScheme}, {@link io.djlquant.quantization.QParams}, {@link
 * io.djlquant.quantization.QParamsCalculator}, observers ({@code .observer}), fake quantization
 * ({@code .fakequant}) and {@link io.djlquant.quantization.QConfig} with presets in {@link
 * io.djlquant.quantization.QConfigs}.
 *
 * <p>Typical use inside a QAT block (fake-quant blocks are DJL blocks, so add them as children;
 * their observer statistics and learnable scales are saved with the model):
 *
 * <pre>{@code
 * QConfig qconfig = QConfigs.emaFakeQuantPerChannel();
 * FakeQuantizeBase weightFq = addChildBlock("weight_fq", qconfig.newWeightFakeQuant());
 * FakeQuantizeBase outputFq = addChildBlock("output_fq", qconfig.newActFakeQuant());
 *
 * // in forwardInternal(ParameterStore ps, NDList inputs, boolean training, ...):
 * NDArray w = weightFq.apply(ps, ps.getValue(weight, device, training), training);
 * NDArray y = outputFq.apply(ps, conv(x, w, bias), training);
 *
 * // bias of the integer model: int32 with scale inputScale * weightScale[c]
 * NDArray b = FakeQuantOps.fakeQuantizeBias(bias, inputFq.getQParams().scale(0),
 *         weightFq.getQParams().getScales());
 *
 * // after training / calibration, the Q converter reads fixed parameters:
 * QParams wq = weightFq.getQParams();   // per-channel, axis 0
 * QParams yq = outputFq.getQParams();   // per-tensor
 * int q = yq.quantize(1.5f, 0);         // clamp(rint(x / s) + zp, qmin, qmax)
 * }</pre>
 *
 * <p>Calibration ({@link io.djlquant.quantization.QConfigs#calibration()}) builds the same blocks
 * with fake quantization disabled, so forward passes only record statistics.
 *
 * <p>Converters: {@link io.djlquant.quantization.Quantizer#quantizeQat} rewrites a float tree into
 * the QFloat form ({@code io.djlquant.qat}) using the table {@link
 * io.djlquant.quantization.QatMappings} and per-block {@link
 * io.djlquant.quantization.QConfigOverrides}; {@link io.djlquant.quantization.Quantizer#calibrate}
 * runs post-training calibration; {@link io.djlquant.quantization.BnFolding} is the one place where
 * batch norm is folded; {@link io.djlquant.quantization.BlockTree} walks trees by path.
 *
 * <p>PTQ algorithms beyond plain calibration, driven by {@link
 * io.djlquant.quantization.PtqAlgorithms}: {@link io.djlquant.quantization.CrossLayerEqualization}
 * (float tree, data-free), {@link io.djlquant.quantization.ScaleSearch} (per-layer range search on
 * the calibrated QFloat tree) and {@link io.djlquant.quantization.BiasCorrection} (per-layer mean
 * error removed through the bias); {@link io.djlquant.quantization.ParameterSnapshot} keeps a
 * trained float model to compare several of them.
 */
package io.djlquant.quantization;
