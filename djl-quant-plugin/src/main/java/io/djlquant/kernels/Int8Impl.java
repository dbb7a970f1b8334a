package io.djlquant.kernels;

/**
 * The two integer matrix products every int8 layer reduces to. Weights are signed int8 bytes
 * (widened while loading, which costs nothing over an int load), right-hand sides are ints. Implementations must give exactly the
 * same int32 results (int arithmetic wraps identically in scalar and vector code, so any summation
 * order agrees).
 */
interface Int8Impl {

    /** Short name, "scalar" or "simd". */
    String name();

    /**
     * Pixel-major product used by convolution: for {@code j < m}, {@code p < n},
     * {@code acc[j*n + p] = sum_kk w[wOff + j*k + kk] * col[rowOff[kk] + p]}. Row kk of the right-hand
     * matrix starts at {@code rowOff[kk]} (rows may overlap: shifted views of one padded image).
     */
    void gemmBroadcast(byte[] w, int wOff, int m, int k, int[] col, int[] rowOff, int n, int[] acc);

    /**
     * Pair product used by the dense convolutions: the reduction runs over pairs of int8 weights
     * packed into one int ({@code lo = (short) pair}, {@code hi = pair >> 16}) against pairs of int16
     * activations stored interleaved. For {@code j < m}, {@code p < n}: {@code acc[j*n + p] =
     * sum_{t < kp} lo(w[wOff + j*kp + t]) * col[rowOff[t] + 2p] + hi(w[wOff + j*kp + t]) *
     * col[rowOff[t] + 2p + 1]}, in wrapping int arithmetic. Activations must lie in [-255, 255] and
     * weights in [-128, 127] (then every single product fits in 16 bits, which the SIMD version
     * relies on). Rows may overlap, as in {@link #gemmBroadcast}.
     */
    void gemmPairs(int[] w, int wOff, int m, int kp, short[] col, int[] rowOff, int n, int[] acc);

    /**
     * Dot-product form used by linear layers: for {@code j < m},
     * {@code acc[accOff + j] = sum_i w[wOff + j*k + i] * x[xOff + i]}.
     */
    void gemmDot(byte[] w, int wOff, int m, int k, int[] x, int xOff, int[] acc, int accOff);

    /**
     * Requantizes a run of accumulators: {@code y[dst + i] = Requant.requant(acc[src + i] + bias, m,
     * zp, lo, hi)} for {@code i < len}.
     */
    void requantRow(int[] acc, int src, int bias, float m, int zp, int lo, int hi, byte[] y, int dst, int len);
}
