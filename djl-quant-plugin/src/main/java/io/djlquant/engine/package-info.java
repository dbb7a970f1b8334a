/**
 * The JavaQuant DJL engine: a pure-Java engine whose arrays ({@link io.djlquant.engine.JqNDArray})
 * live in Java memory and may carry quantization parameters. What a predictor does with a batch
 * (stack, split, squeeze, reshape, type conversion, softmax) runs here, so int8 inference needs no
 * other engine; other operations run on the alternative engine (PyTorch) when it is present and
 * fail with the operation's name when it is not.
 */
package io.djlquant.engine;
