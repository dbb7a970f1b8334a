/**
 * Float form of djl-quant models: fused DJL blocks, glue blocks with inspectable configuration,
 * {@link io.djlquant.nn.Residual} and the {@link io.djlquant.nn.Fuser} that rewrites existing DJL
 * block trees into these blocks (the chains it fuses are listed in its table, {@code
 * FusionPatterns}). The Fuser stays here rather than with the converters: it only rewrites float
 * blocks, and it relies on this package's internals (batch-norm configuration, lambda recognition,
 * the report's mutators).
 *
 * <p>Every block here computes exactly what the DJL blocks it replaces compute: {@link
 * io.djlquant.nn.FusedConv2d} ({@code ConvBnRelu2d}, {@code ConvBn2d}, {@code ConvRelu2d}, {@code
 * PlainConv2d}) and {@link io.djlquant.nn.FusedLinear} ({@code LinearBnRelu1d}, {@code LinearBn1d},
 * {@code LinearRelu}, {@code PlainLinear}) compose DJL's own {@code Conv2d}, {@code Linear} and
 * {@code BatchNorm} as children named "conv", "linear" and "bn".
 *
 * <p>Batch norm semantics (DJL on PyTorch), which QAT code must reproduce when it folds batch norm:
 * training mode normalises with the batch mean and the <em>biased</em> batch variance; the running
 * stats then become {@code m * old + (1 - m) * batch} with DJL's momentum {@code m} (default 0.9)
 * and the <em>unbiased</em> batch variance; inference uses {@code (x - runningMean) /
 * sqrt(runningVar + eps) * gamma + beta}. {@link io.djlquant.nn.BnFolding} is the one place where
 * batch norm is folded into a layer's weight and bias, for the QAT and the int8 forms alike.
 *
 * <p>{@link io.djlquant.nn.GlobalAvgPool2d} returns (N, C), like DJL's {@code Pool.globalAvgPool2d}
 * on PyTorch.
 */
package io.djlquant.nn;
