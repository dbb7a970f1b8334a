package io.djlquant.kernels;

/**
 * The two integer matrix products every int8 layer reduces to. Weights are signed int8 bytes
 * (widened while loading, which costs nothing over an int load), right-hand sides are ints.
 * Implementations must give exactly the same int32 results (int arithmetic wraps identically in
 * scalar and vector code, so any summation order agrees).
 */
interface Int8Impl {

    /** Short name, "scalar" or "simd". */
    String name();

    /** Int lanes of one vector (1 for scalar code): the warm-up sizes its shapes by it. */
    int intLanes();

    /**
     * Fewest columns per convolution tile (where the layer has that many): the scalar products are
     * vectorized by C2 only past its unrolled main loop, so short rows run as scalar code (measured
     * with 32-64 columns: 2.3-2.9 GMAC/s, against 11-15 with 96 or more).
     */
    int minTileColumns();

    /**
     * Pixel-major product used by convolution: for {@code j < m}, {@code p < n}, {@code acc[j*n +
     * p] = sum_kk w[wOff + j*k + kk] * col[rowOff[kk] + p]}. Row kk of the right-hand matrix starts
     * at {@code rowOff[kk]} (rows may overlap: shifted views of one padded image).
     */
    void gemmBroadcast(byte[] w, int wOff, int m, int k, int[] col, int[] rowOff, int n, int[] acc);

    /**
     * Pair product used by the dense convolutions. Weights come in pairs packed into one int: the
     * low 16 bits hold {@code w0 + 128} (0..255), the high 16 bits {@code w1} (signed); activations
     * come in pairs of unsigned values {@code u0, u1} in [0, 255] packed as {@code u0 | u1 << 16}.
     * For {@code j < m}, {@code p < n}: {@code acc[j*n + p] = sum_{t < kp} w0 * u0 + w1 * u1} with
     * {@code (w0, w1)} from {@code w[wOff + j*kp + t]} and {@code (u0, u1)} from {@code
     * col[rowOff[t] + p]}, in wrapping int arithmetic. Rows may overlap, as in {@link
     * #gemmBroadcast}. Out-of-range inputs give unspecified results.
     */
    void gemmPairs(int[] w, int wOff, int m, int kp, int[] col, int[] rowOff, int n, int[] acc);

    /**
     * Dot-product form used by linear layers: for {@code j < m}, {@code acc[accOff + j] = sum_i
     * w[wOff + j*k + i] * x[xOff + i]}.
     */
    void gemmDot(byte[] w, int wOff, int m, int k, int[] x, int xOff, int[] acc, int accOff);

    /**
     * Requantizes a run of accumulators: {@code y[dst + i] = Requant.requant(acc[src + i] + bias,
     * m, zp, lo, hi)} for {@code i < len}.
     */
    void requantRow(
            int[] acc,
            int src,
            int bias,
            float m,
            int zp,
            int lo,
            int hi,
            byte[] y,
            int dst,
            int len);

    /**
     * Quantized add of two runs: for {@code i < len}, {@code y[off + i] = Requant.quantize(fa + fb,
     * so, zo, lo, hi)} with {@code fa = (float) ((a[off + i] & qa.byteMask()) - qa.zeroPoint()) *
     * qa.scale()} and fb likewise (float32 operations in that order, so every implementation gives
     * the same bytes).
     */
    void addRow(
            byte[] a,
            ActivationQuant qa,
            byte[] b,
            ActivationQuant qb,
            float so,
            int zo,
            int lo,
            int hi,
            byte[] y,
            int off,
            int len);

    /**
     * Vertical pass of max pooling over bytes made signed-comparable by {@code flip} (0x80 for
     * unsigned data, 0 for signed): {@code rows[i] = x[off + i] ^ flip} when {@code first}, else
     * {@code rows[i] = max(rows[i], x[off + i] ^ flip)} (signed bytes), for {@code i < len}.
     */
    void maxRows(byte[] x, int off, int flip, byte[] rows, int len, boolean first);

    /**
     * Horizontal pass of a 3-wide, stride-2 max pool: for {@code j < count}, {@code y[dst + j] =
     * max(rows[s], rows[s + 1], rows[s + 2]) ^ flip} (signed bytes) with {@code s = start + 2*j}.
     * {@code rows} must have 16 bytes of slack after the last one read.
     */
    void max3Stride2(byte[] rows, int start, int flip, byte[] y, int dst, int count);

    /**
     * Quantizes a run of floats: {@code y[off + i] = Requant.quantize(x[off + i], scale, zp, lo,
     * hi)} for {@code i < len} (NaN gives the zero point, clamped).
     */
    void quantizeRow(float[] x, float scale, int zp, int lo, int hi, byte[] y, int off, int len);

    /**
     * Packs two channel rows into activation pairs for {@link #gemmPairs}: for {@code j < len},
     * {@code dst[d + j] = u(x[ia + j*step]) | u(x[ib + j*step]) << 16} with {@code u(v) = (v ^
     * flip) & 0xFF}. Any step is allowed; implementations may speed up steps 1 and 2 (stride-1 rows
     * and stride-2 phases).
     */
    void packPairs(byte[] x, int ia, int ib, int step, int flip, int[] dst, int d, int len);

    /**
     * Widens byte pairs into {@link #gemmPairs}' packed weights: for {@code i < len}, {@code dst[d
     * + i] = (src[s + 2i] + 128) | src[s + 2i + 1] << 16} (bytes read signed).
     */
    void widenPairs(byte[] src, int s, int[] dst, int d, int len);
}
