/**
 * The {@code .jq} model file and the codec registry that maps DJL blocks to it.
 *
 * <p>Layout (all integers little-endian):
 *
 * <pre>
 * magic        4 bytes  "DJLQ"
 * version      u16      1
 * jsonLength   u32      then jsonLength bytes of UTF-8 JSON:
 *                       {"root": node, "properties": {string: string}}
 *                       node = {"type": s, "name": s, "config": {...},
 *                               "tensors": {localKey: tensorName}, "children": [node...]}
 * tensorCount  u32      then per tensor:
 *   nameLength u16, name (UTF-8), dtype u8, rank u8, rank x dim i64,
 *   offset i64 (from the start of the data section), byteLength i64
 * data section          the tensors' little-endian bytes, back to back, nothing else
 * crc32        u32      CRC32 of every byte before it
 * </pre>
 *
 * <p>dtype codes: 1 FLOAT32, 2 FLOAT64, 3 FLOAT16, 4 BFLOAT16, 5 INT8, 6 UINT8, 7 INT16, 8 UINT16,
 * 9 INT32, 10 UINT32, 11 INT64, 12 UINT64, 13 BOOLEAN.
 *
 * <p>{@link io.djlquant.format.JqModelWriter} and {@link io.djlquant.format.JqModelReader} convert
 * between files and {@link io.djlquant.format.JqGraph}; {@link io.djlquant.format.BlockCodecs}
 * converts between graphs and DJL blocks using one {@link io.djlquant.format.BlockCodec} per block
 * class.
 */
package io.djlquant.format;
