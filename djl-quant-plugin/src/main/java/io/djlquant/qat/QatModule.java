package io.djlquant.qat;

import io.djlquant.quantization.fakequant.FakeQuantizeBase;

/**
 * A QAT block that takes part in activation wiring ({@code Quantizer.quantizeQat}). NDArrays carry
 * no quantization parameters, so each consumer holds a reference to the fake quant that produced
 * each of its inputs, and tells which fake quant describes its own output.
 */
public interface QatModule {

    /**
     * @return the number of input arrays this block consumes, or -1 for any number
     */
    int getInputCount();

    /**
     * @return whether every input must come from a quantized producer (else: "insert a QuantStub")
     */
    boolean requiresQuantizedInput();

    /**
     * Wires the producers of this block's inputs, one per input array in input order; an entry is
     * {@code null} when that input is a float (unquantized) activation.
     *
     * @param producers the producers' output fake quants
     */
    void setInputQuantizers(FakeQuantizeBase... producers);

    /**
     * Returns the producer of one input.
     *
     * @param index the input index
     * @return the producer's fake quant, or {@code null} for a float input
     */
    FakeQuantizeBase getInputQuantizer(int index);

    /**
     * The fake quant whose parameters describe this block's output: its own output fake quant, the
     * input's for blocks that keep the input grid (average pools), or {@code null} when the output
     * is float ({@code DequantStub}).
     *
     * @return the output quantizer or null
     */
    FakeQuantizeBase getOutputQuantizer();

    /**
     * @return the path of this block in the converted tree (used in error messages)
     */
    String getBlockPath();

    /**
     * Sets the path used in error messages; the converter sets it.
     *
     * @param path the path, e.g. {@code 04Residual/01main/02ConvBn2d}
     */
    void setBlockPath(String path);
}
