package io.djlquant.kernels;

/**
 * Window geometry shared by convolution and pooling: stride, symmetric zero padding (applied on
 * both sides of each spatial dimension) and dilation. Output size is {@code floor((in + 2*pad -
 * dilation*(k-1) - 1) / stride) + 1}.
 *
 * @param strideH vertical stride (&gt;= 1)
 * @param strideW horizontal stride (&gt;= 1)
 * @param padH rows added above and below (&gt;= 0)
 * @param padW columns added left and right (&gt;= 0)
 * @param dilationH vertical dilation (&gt;= 1)
 * @param dilationW horizontal dilation (&gt;= 1)
 */
public record ConvParams(
        int strideH, int strideW, int padH, int padW, int dilationH, int dilationW) {

    /** Validates the parameters. */
    public ConvParams {
        if (strideH < 1 || strideW < 1) {
            throw new IllegalArgumentException(
                    "stride must be >= 1, got " + strideH + "x" + strideW);
        }
        if (padH < 0 || padW < 0) {
            throw new IllegalArgumentException("padding must be >= 0, got " + padH + "x" + padW);
        }
        if (dilationH < 1 || dilationW < 1) {
            throw new IllegalArgumentException(
                    "dilation must be >= 1, got " + dilationH + "x" + dilationW);
        }
    }

    /** Same stride, padding and dilation in both dimensions. */
    public static ConvParams of(int stride, int pad, int dilation) {
        return new ConvParams(stride, stride, pad, pad, dilation, dilation);
    }

    /** Output height for input height {@code in} and kernel height {@code k}; may be &lt;= 0. */
    public int outH(int in, int k) {
        return outSize(in, k, strideH, padH, dilationH);
    }

    /** Output width for input width {@code in} and kernel width {@code k}; may be &lt;= 0. */
    public int outW(int in, int k) {
        return outSize(in, k, strideW, padW, dilationW);
    }

    private static int outSize(int in, int k, int stride, int pad, int dil) {
        long span = (long) dil * (k - 1) + 1;
        long room = (long) in + 2L * pad - span;
        return room < 0 ? 0 : (int) (room / stride + 1);
    }
}
