/**
 * Pure-Java int8 compute kernels on primitive arrays (no DJL types).
 *
 * <p>Entry point: {@link io.djlquant.kernels.Int8Kernels}. Activations are {@code byte[]} in NCHW
 * (or row-major [rows, features]) order; how a byte is read depends on its {@link
 * io.djlquant.kernels.ActivationQuant}: unsigned (0..255) when {@code qmin >= 0}, signed
 * (-128..127) otherwise. Integer work accumulates in int32; requantization follows docs/DESIGN.md.
 */
package io.djlquant.kernels;
