package io.djlquant.quantized;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.djlquant.kernels.ActivationQuant;
import io.djlquant.kernels.Int8Kernels;
import io.djlquant.quantization.qparams.QParams;
import java.util.Arrays;

/**
 * Quantized channel concatenation: every input is requantized to the output parameters ({@code
 * quantize(dequantize(x_i))}, the output fake quant of QFloat applied to values on the input's
 * grid) and the channel blocks are copied side by side. An input that already has the output's
 * parameters is copied as it is.
 */
public class Concat extends QuantizedBlock {

    private final QParams[] inputs;
    private final QParams output;

    /**
     * Creates the block.
     *
     * @param inputs the parameters of every input, in join order (at least 2)
     * @param output the parameters of the output
     */
    public Concat(QParams[] inputs, QParams output) {
        if (inputs == null || inputs.length < 2) {
            throw new IllegalArgumentException(name() + " joins at least 2 inputs");
        }
        this.inputs = new QParams[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            this.inputs[i] = ActivationParams.check(name(), "input " + i, inputs[i]);
        }
        this.output = ActivationParams.check(name(), "output", output);
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardQuantized(NDList in) {
        expectInputs(in, inputs.length);
        Shape[] shapes = in.getShapes();
        Shape outShape = io.djlquant.nn.Concat.outputShape(name(), inputs.length, shapes);
        ActivationQuant out = QActivation.kernelQuant(output);
        Object[] parts = new Object[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            QActivation a = ActivationIO.read(name(), in.get(i), inputs[i]);
            parts[i] =
                    inputs[i].equals(output)
                            ? a.data()
                            : Int8Kernels.quantize(
                                    Int8Kernels.dequantize(a.data(), a.kernelQuant()), out);
        }
        byte[] y = new byte[Math.toIntExact(outShape.size())];
        io.djlquant.nn.Concat.copyChannels(parts, shapes, outShape, y);
        return new NDList(ActivationIO.write(new QActivation(y, outShape, output), in.head()));
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {io.djlquant.nn.Concat.outputShape(name(), inputs.length, inputShapes)};
    }

    /**
     * @return the parameters of every input, in join order
     */
    public QParams[] getInputQParams() {
        return inputs.clone();
    }

    /**
     * @return the parameters of the output
     */
    public QParams getOutputQParams() {
        return output;
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return name() + "(in=" + Arrays.toString(inputs) + ", out=" + output + ")";
    }

    /**
     * Converts a calibrated or trained QAT block.
     *
     * @param qat the QAT block
     * @return the int8 block
     * @throws IllegalStateException if its fake quants have not observed data
     */
    public static Concat fromQat(io.djlquant.qat.Concat qat) {
        return new Concat(qat.getInputQParamsAll(), qat.getOutputQParams());
    }
}
