/**
 * The {@code .jq} model file: a little-endian binary holding a JSON block tree and a tensor table,
 * protected by a CRC32 ({@link io.djlquant.format.JqModelWriter}, {@link
 * io.djlquant.format.JqModelReader}), and the codec registry ({@link io.djlquant.format.BlockCodecs})
 * that turns DJL blocks into graph nodes and back.
 */
package io.djlquant.format;
