/**
 * {@code .jq} codecs of the quantized blocks (registered in {@code
 * META-INF/services/io.djlquant.format.BlockCodec}). Every decode validates the untrusted node:
 * tensor dtypes and shapes against the config, scales finite and positive, zero points and integer
 * weights inside their dtype ranges; anything else raises {@link ai.djl.MalformedModelException}
 * naming the node. Integer weights of 4-bit dtypes are stored two per byte (low nibble first) and
 * unpacked on load.
 */
package io.djlquant.quantized.codec;
