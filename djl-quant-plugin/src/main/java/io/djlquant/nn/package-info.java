/**
 * Float form of djl-quant models: fused DJL blocks (conv + batch norm + relu, linear + relu, ...),
 * glue blocks with inspectable configuration, {@link io.djlquant.nn.Residual} and the
 * {@link io.djlquant.nn.Fuser} that rewrites existing DJL block trees into these blocks.
 *
 * <p>Every block here computes exactly what the DJL blocks it replaces compute: the fused blocks
 * compose DJL's own {@code Conv2d}, {@code Linear} and {@code BatchNorm} as children.
 */
package io.djlquant.nn;
