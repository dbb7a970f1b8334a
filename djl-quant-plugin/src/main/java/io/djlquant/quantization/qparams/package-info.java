/**
 * Quantization parameters, the bottom of the quantization packages: {@link
 * io.djlquant.quantization.qparams.QDType} (integer ranges), {@link
 * io.djlquant.quantization.qparams.QScheme} (affine or symmetric, per tensor or per channel),
 * {@link io.djlquant.quantization.qparams.QParams} (scales and zero points) and {@link
 * io.djlquant.quantization.qparams.QParamsCalculator} (parameters from a value range). The
 * observers, the fake quants, the QFloat and the Q blocks all depend on this package, and it
 * depends on none of them.
 */
package io.djlquant.quantization.qparams;
