/** djl-quant: Float -> QFloat -> Q quantization for DJL and the JavaQuant int8 engine. */
package io.djlquant;
