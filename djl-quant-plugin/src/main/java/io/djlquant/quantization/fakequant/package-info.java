/**
 * Fake quantization with straight-through gradients: the functional {@code FakeQuantOps} and the
 * blocks {@code FakeQuantize} (observer parameters), {@code LsqFakeQuantize} and {@code
 * TqtFakeQuantize} (learnable scales as DJL parameters).
 */
package io.djlquant.quantization.fakequant;
