package io.djlquant.quantized.codec;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.djlquant.format.JqNode;
import io.djlquant.format.JqTensor;
import io.djlquant.format.TensorSink;
import io.djlquant.format.TensorSource;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantized.QuantizedWeights;

/**
 * Stores {@link QuantizedWeights}: config {@code weightDType}, {@code weightShape}, {@code
 * weightPerChannel}; tensors {@code weight} (INT8, or 4-bit values packed two per byte), {@code
 * weightScale} (FLOAT32, one per channel or one) and {@code bias} (INT32, one per output channel).
 */
final class WeightsCodec {

    /** Largest weight tensor accepted from a file (elements). */
    private static final long MAX_ELEMENTS = 1L << 30;

    private WeightsCodec() {}

    /**
     * Writes weights.
     *
     * @param node the node
     * @param sink the tensor sink
     * @param w the weights
     */
    static void put(JqNode node, TensorSink sink, QuantizedWeights w) {
        QParams q = w.getQParams();
        node.put("weightDType", q.getDType().name());
        node.put("weightShape", w.getShape().getShape());
        node.put("weightPerChannel", q.isPerChannel());
        byte[] values = w.getValues();
        if (q.getDType().bits() == 4) {
            byte[] packed = pack4(values);
            sink.putTensor(node, "weight", packed, new Shape(packed.length), DataType.INT8);
        } else {
            sink.putTensor(node, "weight", values, w.getShape(), DataType.INT8);
        }
        float[] scales = q.getScales();
        sink.putTensor(node, "weightScale", scales, new Shape(scales.length));
        int[] bias = w.getBias();
        sink.putTensor(node, "bias", bias, new Shape(bias.length));
    }

    /**
     * Reads and validates weights.
     *
     * @param node the node
     * @param source the tensor source
     * @param rank the weight rank the block needs (4 for conv, 2 for linear)
     * @return the weights
     * @throws MalformedModelException if anything is missing or inconsistent
     */
    static QuantizedWeights get(JqNode node, TensorSource source, int rank)
            throws MalformedModelException {
        QDType dtype = QParamsCodec.dtype(node, "weightDType");
        if (!dtype.isSigned() || dtype == QDType.QINT32) {
            throw Nodes.malformed(
                    node, "weight dtype must be a signed 8/4-bit type, got " + dtype, null);
        }
        long[] dims = node.getLongArray("weightShape");
        if (dims.length != rank) {
            throw Nodes.malformed(
                    node, "weightShape must have rank " + rank + ", got " + dims.length, null);
        }
        long count = 1;
        for (long d : dims) {
            if (d <= 0 || d > MAX_ELEMENTS) {
                throw Nodes.malformed(node, "invalid weightShape dimension " + d, null);
            }
            count *= d;
            if (count > MAX_ELEMENTS) {
                throw Nodes.malformed(node, "weightShape is too large", null);
            }
        }
        Shape shape = new Shape(dims);
        int out = (int) dims[0];
        boolean perChannel = node.getBoolean("weightPerChannel");
        JqTensor wt = source.getTensor(node, "weight");
        byte[] values;
        if (dtype.bits() == 4) {
            wt.expect(DataType.INT8, (count + 1) / 2);
            values = unpack4(wt.toByteArray(), (int) count, dtype.isSigned());
        } else {
            wt.expect(DataType.INT8, dims);
            values = wt.toByteArray();
        }
        float[] scales =
                source.getTensor(node, "weightScale")
                        .expect(DataType.FLOAT32, perChannel ? out : 1)
                        .toFloatArray();
        int[] bias = source.getTensor(node, "bias").expect(DataType.INT32, out).toIntArray();
        try {
            QParams q =
                    perChannel
                            ? QParams.perChannel(dtype, scales, new int[scales.length])
                            : QParams.perTensor(dtype, scales[0], 0);
            return new QuantizedWeights(values, shape, q, bias);
        } catch (IllegalArgumentException e) {
            throw Nodes.malformed(node, "invalid weights: " + e.getMessage(), e);
        }
    }

    /** Packs 4-bit values two per byte, element 2i in the low nibble. */
    static byte[] pack4(byte[] values) {
        byte[] packed = new byte[(values.length + 1) / 2];
        for (int i = 0; i < values.length; i++) {
            int nibble = values[i] & 0x0F;
            packed[i >> 1] |= (byte) ((i & 1) == 0 ? nibble : nibble << 4);
        }
        return packed;
    }

    /** Unpacks {@code count} 4-bit values, sign-extending them for signed dtypes. */
    static byte[] unpack4(byte[] packed, int count, boolean signed) {
        byte[] values = new byte[count];
        for (int i = 0; i < count; i++) {
            int nibble = (packed[i >> 1] >> ((i & 1) * 4)) & 0x0F;
            values[i] = (byte) (signed && nibble >= 8 ? nibble - 16 : nibble);
        }
        return values;
    }
}
