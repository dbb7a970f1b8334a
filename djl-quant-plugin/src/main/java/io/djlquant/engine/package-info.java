/**
 * The JavaQuant DJL engine: a pure-Java engine whose arrays ({@link io.djlquant.engine.JqNDArray})
 * live in Java memory and may carry quantization parameters. Operations it does not implement run
 * on the alternative engine (PyTorch).
 */
package io.djlquant.engine;
