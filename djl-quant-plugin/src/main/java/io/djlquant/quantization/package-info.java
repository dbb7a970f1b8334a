/**
 * The quantization configuration shared by the QFloat ({@code io.djlquant.qat}) form and the
 * converters: {@link io.djlquant.quantization.QConfig} with presets in {@link
 * io.djlquant.quantization.QConfigs}. It builds on the subpackages below it: {@code .qparams}
 * ({@link io.djlquant.quantization.qparams.QDType}, {@link
 * io.djlquant.quantization.qparams.QScheme}, {@link io.djlquant.quantization.qparams.QParams},
 * {@link io.djlquant.quantization.qparams.QParamsCalculator}, also used by the Q form), observers
 * ({@code .observer}) and fake quantization ({@code .fakequant}).
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
 * <p>The converters that use this vocabulary ({@code Quantizer}, the mapping tables, calibration
 * and the PTQ algorithms) are in {@code io.djlquant.quantization.convert}, above the QFloat and Q
 * packages; nothing here refers to them, so the package graph stays acyclic.
 */
package io.djlquant.quantization;
