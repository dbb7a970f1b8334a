package io.djlquant.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API implementation. Only ever loaded reflectively by {@link KernelSelector} after it has
 * checked that the {@code jdk.incubator.vector} module is in the boot layer; never reference this
 * class directly from other code. Uses the preferred species (AVX2/AVX-512/NEON/SVE) and scalar
 * tails instead of masks.
 *
 * <p>Dense convolutions use the pair product {@link #gemmPairs}: 16-bit multiplies of packed int8
 * pairs, two multiply-adds per 32-bit lane (see the comment above it); measured on Zen4 (AVX-512,
 * 512-bit vectors) 1.3-1.6x the int32 product below on the same tiles. The int32 product {@link
 * #gemmBroadcast} (depthwise, one channel per group) is register blocked 6 output channels x 2
 * vectors of pixels (12 int accumulators, 2 activation vectors and one broadcast weight fit AVX2's
 * 16 registers); each loaded activation vector feeds 6 multiply-adds and each weight byte 2.
 */
final class PanamaInt8Impl implements Int8Impl {

    private static final VectorSpecies<Integer> S = IntVector.SPECIES_PREFERRED;

    /** Element-wise tails (past the last whole vector) are the scalar implementation's code. */
    private static final ScalarInt8Impl TAILS = new ScalarInt8Impl();

    private static final int L = S.length();

    /**
     * Bytes widened to one int vector: a quarter of the bits, but at least 64 (the smallest byte
     * vector). With 128-bit ints (NEON) that is 8 byte lanes for 4 int lanes, so only the first L
     * byte lanes are loaded or stored, under {@link #FIRST_L}.
     */
    private static final VectorSpecies<Byte> BS =
            VectorSpecies.of(
                    byte.class, VectorShape.forBitSize(Math.max(64, S.vectorBitSize() / 4)));

    /** Whether a byte vector holds more lanes than an int vector (128-bit int vectors). */
    private static final boolean WIDE_BYTES = BS.length() > L;

    /** The byte lanes [0, L) that correspond to int lanes. */
    private static final VectorMask<Byte> FIRST_L = BS.indexInRange(0, L);

    private static final float LIMIT = 4194304f; // as Requant.LIMIT
    private static final float MAGIC = 12582912f; // as Requant.MAGIC

    /**
     * Bits of the float MAGIC + k for |k| &lt;= 2^22 are MAGIC_BITS + k (fixed exponent, linear
     * mantissa).
     */
    private static final int MAGIC_BITS = 0x4B400000;

    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;

    /** Shorts in vectors of the size of {@link #S}: 2L lanes, the halves of L int lanes. */
    private static final VectorSpecies<Short> SS = VectorSpecies.of(short.class, S.vectorShape());

    /**
     * Whether the pair product blocks 4 channels x 2 vectors of pixels (16 accumulators) or 4 x 1
     * (8). x86 with at most 256-bit vectors is taken to be AVX2, which has 16 vector registers:
     * there the wide block spills (measured on Zen4 with -XX:UseAVX=2: 4 x 1 was the fastest).
     * AVX-512, NEON and SVE have 32 registers.
     */
    static final boolean WIDE_PAIR_BLOCK = !(isX86() && S.vectorBitSize() <= 256);

    @Override
    public String name() {
        return "simd";
    }

    @Override
    public int intLanes() {
        return L;
    }

    @Override
    public int minTileColumns() {
        return 2 * L; // one register block; ConvKernel.tileWidth never goes below 32 anyway
    }

    @Override
    public void gemmBroadcast(
            byte[] w, int wOff, int m, int k, int[] col, int[] rowOff, int n, int[] acc) {
        int j = 0;
        for (; j + 6 <= m; j += 6) {
            block6(w, wOff + j * k, k, col, rowOff, n, acc, j * n);
        }
        for (; j + 2 <= m; j += 2) {
            block2(w, wOff + j * k, k, col, rowOff, n, acc, j * n);
        }
        for (; j < m; j++) {
            block1(w, wOff + j * k, k, col, rowOff, n, acc, j * n);
        }
    }

    /** Six weight rows starting at {@code r0} into six accumulator rows starting at {@code o0}. */
    private static void block6(
            byte[] w, int r0, int k, int[] col, int[] rowOff, int n, int[] acc, int o0) {
        int r1 = r0 + k;
        int r2 = r1 + k;
        int r3 = r2 + k;
        int r4 = r3 + k;
        int r5 = r4 + k;
        int p = 0;
        for (; p + 2 * L <= n; p += 2 * L) {
            IntVector a00 = IntVector.zero(S);
            IntVector a01 = a00;
            IntVector a10 = a00;
            IntVector a11 = a00;
            IntVector a20 = a00;
            IntVector a21 = a00;
            IntVector a30 = a00;
            IntVector a31 = a00;
            IntVector a40 = a00;
            IntVector a41 = a00;
            IntVector a50 = a00;
            IntVector a51 = a00;
            for (int kk = 0; kk < k; kk++) {
                int c = rowOff[kk] + p;
                IntVector c0 = IntVector.fromArray(S, col, c);
                IntVector c1 = IntVector.fromArray(S, col, c + L);
                int w0 = w[r0 + kk];
                a00 = a00.add(c0.mul(w0));
                a01 = a01.add(c1.mul(w0));
                int w1 = w[r1 + kk];
                a10 = a10.add(c0.mul(w1));
                a11 = a11.add(c1.mul(w1));
                int w2 = w[r2 + kk];
                a20 = a20.add(c0.mul(w2));
                a21 = a21.add(c1.mul(w2));
                int w3 = w[r3 + kk];
                a30 = a30.add(c0.mul(w3));
                a31 = a31.add(c1.mul(w3));
                int w4 = w[r4 + kk];
                a40 = a40.add(c0.mul(w4));
                a41 = a41.add(c1.mul(w4));
                int w5 = w[r5 + kk];
                a50 = a50.add(c0.mul(w5));
                a51 = a51.add(c1.mul(w5));
            }
            int o = o0 + p;
            a00.intoArray(acc, o);
            a01.intoArray(acc, o + L);
            a10.intoArray(acc, o + n);
            a11.intoArray(acc, o + n + L);
            a20.intoArray(acc, o + 2 * n);
            a21.intoArray(acc, o + 2 * n + L);
            a30.intoArray(acc, o + 3 * n);
            a31.intoArray(acc, o + 3 * n + L);
            a40.intoArray(acc, o + 4 * n);
            a41.intoArray(acc, o + 4 * n + L);
            a50.intoArray(acc, o + 5 * n);
            a51.intoArray(acc, o + 5 * n + L);
        }
        // Pixel tail (< 2 vectors): rows in pairs, which handles one vector and then scalars.
        for (int j = 0; j < 6; j += 2) {
            tail2(w, r0 + j * k, k, col, rowOff, p, n, acc, o0 + j * n);
        }
    }

    /** Two weight rows. */
    private static void block2(
            byte[] w, int r0, int k, int[] col, int[] rowOff, int n, int[] acc, int o0) {
        int r1 = r0 + k;
        int p = 0;
        for (; p + 2 * L <= n; p += 2 * L) {
            IntVector a00 = IntVector.zero(S);
            IntVector a01 = a00;
            IntVector a10 = a00;
            IntVector a11 = a00;
            for (int kk = 0; kk < k; kk++) {
                int c = rowOff[kk] + p;
                IntVector c0 = IntVector.fromArray(S, col, c);
                IntVector c1 = IntVector.fromArray(S, col, c + L);
                int w0 = w[r0 + kk];
                int w1 = w[r1 + kk];
                a00 = a00.add(c0.mul(w0));
                a01 = a01.add(c1.mul(w0));
                a10 = a10.add(c0.mul(w1));
                a11 = a11.add(c1.mul(w1));
            }
            a00.intoArray(acc, o0 + p);
            a01.intoArray(acc, o0 + p + L);
            a10.intoArray(acc, o0 + n + p);
            a11.intoArray(acc, o0 + n + p + L);
        }
        tail2(w, r0, k, col, rowOff, p, n, acc, o0);
    }

    /**
     * Two weight rows over pixels [p, n) where n - p &lt; 2L: one vector if it fits, then scalars.
     */
    private static void tail2(
            byte[] w, int r0, int k, int[] col, int[] rowOff, int p, int n, int[] acc, int o0) {
        int r1 = r0 + k;
        if (p + L <= n) {
            IntVector a0 = IntVector.zero(S);
            IntVector a1 = a0;
            for (int kk = 0; kk < k; kk++) {
                IntVector c0 = IntVector.fromArray(S, col, rowOff[kk] + p);
                a0 = a0.add(c0.mul(w[r0 + kk]));
                a1 = a1.add(c0.mul(w[r1 + kk]));
            }
            a0.intoArray(acc, o0 + p);
            a1.intoArray(acc, o0 + n + p);
            p += L;
        }
        for (; p < n; p++) {
            int s0 = 0;
            int s1 = 0;
            for (int kk = 0; kk < k; kk++) {
                int cv = col[rowOff[kk] + p];
                s0 += w[r0 + kk] * cv;
                s1 += w[r1 + kk] * cv;
            }
            acc[o0 + p] = s0;
            acc[o0 + n + p] = s1;
        }
    }

    /** One weight row (odd remainder, and depthwise where m == 1). */
    private static void block1(
            byte[] w, int r0, int k, int[] col, int[] rowOff, int n, int[] acc, int o0) {
        int p = 0;
        for (; p + 2 * L <= n; p += 2 * L) {
            IntVector a0 = IntVector.zero(S);
            IntVector a1 = a0;
            for (int kk = 0; kk < k; kk++) {
                int c = rowOff[kk] + p;
                int wv = w[r0 + kk];
                a0 = a0.add(IntVector.fromArray(S, col, c).mul(wv));
                a1 = a1.add(IntVector.fromArray(S, col, c + L).mul(wv));
            }
            a0.intoArray(acc, o0 + p);
            a1.intoArray(acc, o0 + p + L);
        }
        for (; p + L <= n; p += L) {
            IntVector a0 = IntVector.zero(S);
            for (int kk = 0; kk < k; kk++) {
                a0 = a0.add(IntVector.fromArray(S, col, rowOff[kk] + p).mul(w[r0 + kk]));
            }
            a0.intoArray(acc, o0 + p);
        }
        for (; p < n; p++) {
            int s = 0;
            for (int kk = 0; kk < k; kk++) {
                s += w[r0 + kk] * col[rowOff[kk] + p];
            }
            acc[o0 + p] = s;
        }
    }

    private static boolean isX86() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("amd64")
                || arch.equals("x86_64")
                || arch.equals("x86")
                || arch.equals("i386");
    }

    /*
     * Pair product. One 16-bit multiply gives both products of a pair exactly: the low lane,
     * (w0 + 128) * u0, lies in [0, 65025], i.e. is exact as an unsigned 16-bit value, and the high
     * lane, w1 * u1, lies in [-32640, 32385]. Read as an int, the lane pair is then
     * v = hi * 2^16 + lo with 0 <= lo < 2^16, so v >> 16 = hi. With A = sum(v) and
     * C = sum(v >> 16) over the kp pairs, A - 65535 * C = sum(lo) + sum(hi) modulo 2^32, and
     * subtracting 128 * sum(u0) (the +128 weight offset) leaves sum(w0 * u0 + w1 * u1): exactly the
     * wrapping int sum the scalar code computes. That is 4 simple vector ops (multiply, shift, two
     * adds) per 2L multiply-adds, against 2 per L with 32-bit multiplies; C2 has no pairwise
     * multiply-add (vpmaddwd) intrinsic for the Vector API.
     */

    @Override
    public void gemmPairs(
            int[] w, int wOff, int m, int kp, int[] col, int[] rowOff, int n, int[] acc) {
        // sum(u0) per column, shared by all rows: the correction for the +128 weight offset.
        int[] loSums = Scratch.ints(4, n);
        lowSums(kp, col, rowOff, n, loSums);
        int j = 0;
        for (; j + 4 <= m; j += 4) {
            int r0 = wOff + j * kp;
            int o0 = j * n;
            int p = WIDE_PAIR_BLOCK ? pairs4x2(w, r0, kp, col, rowOff, n, acc, o0, loSums) : 0;
            for (; p + L <= n; p += L) {
                pairs4x1(w, r0, kp, col, rowOff, p, n, acc, o0, loSums);
            }
            for (int jj = 0; jj < 4; jj++) {
                pairsScalar(w, r0 + jj * kp, kp, col, rowOff, p, n, acc, o0 + jj * n);
            }
        }
        for (; j < m; j++) {
            int r0 = wOff + j * kp;
            int o0 = j * n;
            int p = 0;
            for (; p + L <= n; p += L) {
                pairs1x1(w, r0, kp, col, rowOff, p, acc, o0, loSums);
            }
            pairsScalar(w, r0, kp, col, rowOff, p, n, acc, o0);
        }
    }

    /**
     * {@code loSums[p] = sum_t (col[rowOff[t] + p] & 0xFFFF)} for the whole vectors of p &lt; n.
     */
    private static void lowSums(int kp, int[] col, int[] rowOff, int n, int[] loSums) {
        for (int p = 0; p + L <= n; p += L) {
            IntVector s = IntVector.zero(S);
            for (int t = 0; t < kp; t++) {
                s =
                        s.add(
                                IntVector.fromArray(S, col, rowOff[t] + p)
                                        .lanewise(VectorOperators.AND, 0xFFFF));
            }
            s.intoArray(loSums, p);
        }
    }

    /**
     * {@code acc[o + r*n + i] -= 65535 * hiSums[r*width + i] + 128 * loSums[p + i]} for r &lt;
     * rows, i &lt; width (a multiple of L), with {@code o = o0 + p}: the pair-sum correction of a
     * block stored by {@link #pairs4x2} or {@link #pairs4x1}. A separate small loop: inlined into
     * the block kernels it pushed C2 past its node count cutoff, which then left vectors boxed
     * (measured: 6x slower).
     */
    private static void correct(
            int[] acc, int o0, int p, int n, int rows, int width, int[] hiSums, int[] loSums) {
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < width; i += L) {
                IntVector c = IntVector.fromArray(S, hiSums, r * width + i);
                IntVector a = IntVector.fromArray(S, acc, o0 + p + r * n + i);
                IntVector u = IntVector.fromArray(S, loSums, p + i);
                finish(a, c, u).intoArray(acc, o0 + p + r * n + i);
            }
        }
    }

    /*
     * Reinterpretations name their target species as a constant rather than letting
     * reinterpretAsShorts()/reinterpretAsInts() derive it. Seen on JDK 17.0.21 in about half of the
     * ResNet18 benchmark runs (before and after this change, and for the int32 product too): C2
     * compiles pairs4x2 with "missing constant: vclass=DecodeN" (-XX:+PrintIntrinsics), the Vector
     * API calls then run their Java fallback and the model takes 5-10x longer. Not seen on JDK 25.
     */

    /** The 16-bit halves of int lanes as short lanes. */
    private static ShortVector shorts(IntVector v) {
        return (ShortVector) v.reinterpretShape(SS, 0);
    }

    /** Pairs of short lanes as int lanes. */
    private static IntVector ints(ShortVector v) {
        return (IntVector) v.reinterpretShape(S, 0);
    }

    /** a - 65535 * c - 128 * u, the final pair-sum correction. */
    private static IntVector finish(IntVector a, IntVector c, IntVector u) {
        return a.sub(c.lanewise(VectorOperators.LSHL, 16))
                .add(c)
                .sub(u.lanewise(VectorOperators.LSHL, 7));
    }

    /** Rows r0..r0+3, whole 2L-pixel blocks from pixel 0; returns the first pixel not done. */
    private static int pairs4x2(
            int[] w,
            int r0,
            int kp,
            int[] col,
            int[] rowOff,
            int n,
            int[] acc,
            int o0,
            int[] loSums) {
        int[] hiSums = Scratch.ints(3, 8 * L);
        int r1 = r0 + kp;
        int r2 = r1 + kp;
        int r3 = r2 + kp;
        int p = 0;
        for (; p + 2 * L <= n; p += 2 * L) {
            IntVector a00 = IntVector.zero(S);
            IntVector a01 = a00;
            IntVector a10 = a00;
            IntVector a11 = a00;
            IntVector a20 = a00;
            IntVector a21 = a00;
            IntVector a30 = a00;
            IntVector a31 = a00;
            IntVector c00 = a00;
            IntVector c01 = a00;
            IntVector c10 = a00;
            IntVector c11 = a00;
            IntVector c20 = a00;
            IntVector c21 = a00;
            IntVector c30 = a00;
            IntVector c31 = a00;
            for (int t = 0; t < kp; t++) {
                int c = rowOff[t] + p;
                ShortVector x0 = shorts(IntVector.fromArray(S, col, c));
                ShortVector x1 = shorts(IntVector.fromArray(S, col, c + L));
                ShortVector b = shorts(IntVector.broadcast(S, w[r0 + t]));
                IntVector v0 = ints(x0.mul(b));
                IntVector v1 = ints(x1.mul(b));
                a00 = a00.add(v0);
                c00 = c00.add(v0.lanewise(VectorOperators.ASHR, 16));
                a01 = a01.add(v1);
                c01 = c01.add(v1.lanewise(VectorOperators.ASHR, 16));
                b = shorts(IntVector.broadcast(S, w[r1 + t]));
                v0 = ints(x0.mul(b));
                v1 = ints(x1.mul(b));
                a10 = a10.add(v0);
                c10 = c10.add(v0.lanewise(VectorOperators.ASHR, 16));
                a11 = a11.add(v1);
                c11 = c11.add(v1.lanewise(VectorOperators.ASHR, 16));
                b = shorts(IntVector.broadcast(S, w[r2 + t]));
                v0 = ints(x0.mul(b));
                v1 = ints(x1.mul(b));
                a20 = a20.add(v0);
                c20 = c20.add(v0.lanewise(VectorOperators.ASHR, 16));
                a21 = a21.add(v1);
                c21 = c21.add(v1.lanewise(VectorOperators.ASHR, 16));
                b = shorts(IntVector.broadcast(S, w[r3 + t]));
                v0 = ints(x0.mul(b));
                v1 = ints(x1.mul(b));
                a30 = a30.add(v0);
                c30 = c30.add(v0.lanewise(VectorOperators.ASHR, 16));
                a31 = a31.add(v1);
                c31 = c31.add(v1.lanewise(VectorOperators.ASHR, 16));
            }
            int o = o0 + p;
            a00.intoArray(acc, o);
            a01.intoArray(acc, o + L);
            a10.intoArray(acc, o + n);
            a11.intoArray(acc, o + n + L);
            a20.intoArray(acc, o + 2 * n);
            a21.intoArray(acc, o + 2 * n + L);
            a30.intoArray(acc, o + 3 * n);
            a31.intoArray(acc, o + 3 * n + L);
            c00.intoArray(hiSums, 0);
            c01.intoArray(hiSums, L);
            c10.intoArray(hiSums, 2 * L);
            c11.intoArray(hiSums, 3 * L);
            c20.intoArray(hiSums, 4 * L);
            c21.intoArray(hiSums, 5 * L);
            c30.intoArray(hiSums, 6 * L);
            c31.intoArray(hiSums, 7 * L);
            correct(acc, o0, p, n, 4, 2 * L, hiSums, loSums);
        }
        return p;
    }

    /** Rows r0..r0+3, one vector of pixels at p (p + L &lt;= n). */
    private static void pairs4x1(
            int[] w,
            int r0,
            int kp,
            int[] col,
            int[] rowOff,
            int p,
            int n,
            int[] acc,
            int o0,
            int[] loSums) {
        int r1 = r0 + kp;
        int r2 = r1 + kp;
        int r3 = r2 + kp;
        IntVector a0 = IntVector.zero(S);
        IntVector a1 = a0;
        IntVector a2 = a0;
        IntVector a3 = a0;
        IntVector c0 = a0;
        IntVector c1 = a0;
        IntVector c2 = a0;
        IntVector c3 = a0;
        for (int t = 0; t < kp; t++) {
            ShortVector x = shorts(IntVector.fromArray(S, col, rowOff[t] + p));
            IntVector v = ints(x.mul(shorts(IntVector.broadcast(S, w[r0 + t]))));
            a0 = a0.add(v);
            c0 = c0.add(v.lanewise(VectorOperators.ASHR, 16));
            v = ints(x.mul(shorts(IntVector.broadcast(S, w[r1 + t]))));
            a1 = a1.add(v);
            c1 = c1.add(v.lanewise(VectorOperators.ASHR, 16));
            v = ints(x.mul(shorts(IntVector.broadcast(S, w[r2 + t]))));
            a2 = a2.add(v);
            c2 = c2.add(v.lanewise(VectorOperators.ASHR, 16));
            v = ints(x.mul(shorts(IntVector.broadcast(S, w[r3 + t]))));
            a3 = a3.add(v);
            c3 = c3.add(v.lanewise(VectorOperators.ASHR, 16));
        }
        int o = o0 + p;
        int[] hiSums = Scratch.ints(3, 8 * L);
        a0.intoArray(acc, o);
        a1.intoArray(acc, o + n);
        a2.intoArray(acc, o + 2 * n);
        a3.intoArray(acc, o + 3 * n);
        c0.intoArray(hiSums, 0);
        c1.intoArray(hiSums, L);
        c2.intoArray(hiSums, 2 * L);
        c3.intoArray(hiSums, 3 * L);
        correct(acc, o0, p, n, 4, L, hiSums, loSums);
    }

    /** One row, one vector of pixels at p. */
    private static void pairs1x1(
            int[] w,
            int r0,
            int kp,
            int[] col,
            int[] rowOff,
            int p,
            int[] acc,
            int o0,
            int[] loSums) {
        IntVector a = IntVector.zero(S);
        IntVector c = a;
        for (int t = 0; t < kp; t++) {
            ShortVector x = shorts(IntVector.fromArray(S, col, rowOff[t] + p));
            IntVector v = ints(x.mul(shorts(IntVector.broadcast(S, w[r0 + t]))));
            a = a.add(v);
            c = c.add(v.lanewise(VectorOperators.ASHR, 16));
        }
        finish(a, c, IntVector.fromArray(S, loSums, p)).intoArray(acc, o0 + p);
    }

    /** One row, pixels [p, n) one at a time (the same sum in plain int arithmetic). */
    private static void pairsScalar(
            int[] w, int r0, int kp, int[] col, int[] rowOff, int p, int n, int[] acc, int o0) {
        for (; p < n; p++) {
            int s = 0;
            for (int t = 0; t < kp; t++) {
                int pair = w[r0 + t];
                int u = col[rowOff[t] + p];
                s += ((pair & 0xFFFF) - 128) * (u & 0xFFFF) + (pair >> 16) * (u >>> 16);
            }
            acc[o0 + p] = s;
        }
    }

    @Override
    public void gemmDot(
            byte[] w, int wOff, int m, int k, int[] x, int xOff, int[] acc, int accOff) {
        int bound = k - k % L;
        int j = 0;
        // Four weight rows share each loaded input vector; weight bytes widen in-register (part 0
        // only).
        for (; j + 4 <= m; j += 4) {
            int r0 = wOff + j * k;
            int r1 = r0 + k;
            int r2 = r1 + k;
            int r3 = r2 + k;
            IntVector a0 = IntVector.zero(S);
            IntVector a1 = a0;
            IntVector a2 = a0;
            IntVector a3 = a0;
            int i = 0;
            for (; i < bound; i += L) {
                IntVector xv = IntVector.fromArray(S, x, xOff + i);
                a0 = a0.add(widen(w, r0 + i).mul(xv));
                a1 = a1.add(widen(w, r1 + i).mul(xv));
                a2 = a2.add(widen(w, r2 + i).mul(xv));
                a3 = a3.add(widen(w, r3 + i).mul(xv));
            }
            int s0 = a0.reduceLanes(VectorOperators.ADD);
            int s1 = a1.reduceLanes(VectorOperators.ADD);
            int s2 = a2.reduceLanes(VectorOperators.ADD);
            int s3 = a3.reduceLanes(VectorOperators.ADD);
            for (; i < k; i++) {
                int xv = x[xOff + i];
                s0 += w[r0 + i] * xv;
                s1 += w[r1 + i] * xv;
                s2 += w[r2 + i] * xv;
                s3 += w[r3 + i] * xv;
            }
            acc[accOff + j] = s0;
            acc[accOff + j + 1] = s1;
            acc[accOff + j + 2] = s2;
            acc[accOff + j + 3] = s3;
        }
        for (; j < m; j++) {
            int r0 = wOff + j * k;
            IntVector a0 = IntVector.zero(S);
            int i = 0;
            for (; i < bound; i += L) {
                a0 = a0.add(widen(w, r0 + i).mul(IntVector.fromArray(S, x, xOff + i)));
            }
            int s = a0.reduceLanes(VectorOperators.ADD);
            for (; i < k; i++) {
                s += w[r0 + i] * x[xOff + i];
            }
            acc[accOff + j] = s;
        }
    }

    /** L signed bytes from {@code w[off]} sign-extended to an int vector. */
    private static IntVector widen(byte[] w, int off) {
        ByteVector b =
                WIDE_BYTES
                        ? ByteVector.fromArray(BS, w, off, FIRST_L)
                        : ByteVector.fromArray(BS, w, off);
        return (IntVector) b.convertShape(VectorOperators.B2I, S, 0);
    }

    @Override
    public void requantRow(
            int[] acc,
            int src,
            int bias,
            float m,
            int zp,
            int lo,
            int hi,
            byte[] y,
            int dst,
            int len) {
        int i = FS.length() == L ? requantVectors(acc, src, bias, m, zp, lo, hi, y, dst, len) : 0;
        for (; i < len; i++) {
            y[dst + i] = Requant.requant(acc[src + i] + bias, m, zp, lo, hi);
        }
    }

    /**
     * The whole vectors of {@link #requantRow}; returns how many elements it wrote (a multiple of
     * L). Package-private so tests can call it directly.
     */
    static int requantVectors(
            int[] acc,
            int src,
            int bias,
            float m,
            int zp,
            int lo,
            int hi,
            byte[] y,
            int dst,
            int len) {
        int i = 0;
        // Same float operations as Requant.requant, lane by lane: int->float rounds to nearest, the
        // product is one IEEE multiply, adding MAGIC rounds half-to-even. The integer is then read
        // from the float's bits instead of a float->int conversion, which JDK 17 does not vectorise
        // on AVX2 (measured on Zen3: about 6x faster than the scalar loop on JDK 17, 4-5x on JDK
        // 25).
        for (; i + L <= len; i += L) {
            FloatVector v =
                    ((FloatVector)
                                    IntVector.fromArray(S, acc, src + i)
                                            .add(bias)
                                            .convertShape(VectorOperators.I2F, FS, 0))
                            .mul(m);
            storeRounded(v, zp, lo, hi, y, dst + i);
        }
        return i;
    }

    /**
     * {@code y[off + i] = clamp(rint(v[i]) + zp, lo, hi)} for the L lanes of v: adding MAGIC rounds
     * half-to-even (as {@link Requant#roundHalfEven}) and the integer is read from the float's bits
     * instead of a float->int conversion, which JDK 17 does not vectorise on AVX2.
     */
    private static void storeRounded(FloatVector v, int zp, int lo, int hi, byte[] y, int off) {
        IntVector bits = (IntVector) v.min(LIMIT).max(-LIMIT).add(MAGIC).reinterpretShape(S, 0);
        IntVector r = bits.sub(MAGIC_BITS - zp).max(lo).min(hi);
        ByteVector b = (ByteVector) r.convertShape(VectorOperators.I2B, BS, 0);
        if (WIDE_BYTES) {
            b.intoArray(y, off, FIRST_L);
        } else {
            b.intoArray(y, off);
        }
    }

    @Override
    public void addRow(
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
            int len) {
        int ma = qa.byteMask();
        int mb = qb.byteMask();
        int za = qa.zeroPoint();
        int zb = qb.zeroPoint();
        float sa = qa.scale();
        float sb = qb.scale();
        int i = 0;
        if (FS.length() == L) {
            // Lane by lane the float operations of the scalar loop (IEEE, so the same results).
            for (; i + L <= len; i += L) {
                FloatVector fa =
                        (FloatVector)
                                widen(a, off + i)
                                        .and(ma)
                                        .sub(za)
                                        .convertShape(VectorOperators.I2F, FS, 0);
                FloatVector fb =
                        (FloatVector)
                                widen(b, off + i)
                                        .and(mb)
                                        .sub(zb)
                                        .convertShape(VectorOperators.I2F, FS, 0);
                storeRounded(fa.mul(sa).add(fb.mul(sb)).div(so), zo, lo, hi, y, off + i);
            }
        }
        TAILS.addRow(a, qa, b, qb, so, zo, lo, hi, y, off + i, len - i);
    }

    /**
     * 16 bytes, and the same 128 bits as 8 shorts: pooling works on 128-bit vectors on every
     * platform.
     */
    private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;

    private static final VectorSpecies<Short> S128 = ShortVector.SPECIES_128;
    private static final VectorSpecies<Byte> B64 = ByteVector.SPECIES_64;

    @Override
    public void maxRows(byte[] x, int off, int flip, byte[] rows, int len, boolean first) {
        byte f = (byte) flip;
        int i = 0;
        for (; i + 16 <= len; i += 16) {
            ByteVector v = ByteVector.fromArray(B128, x, off + i).lanewise(VectorOperators.XOR, f);
            if (!first) {
                v = v.max(ByteVector.fromArray(B128, rows, i));
            }
            v.intoArray(rows, i);
        }
        for (; i < len; i++) {
            byte v = (byte) (x[off + i] ^ flip);
            rows[i] = first ? v : (byte) Math.max(rows[i], v);
        }
    }

    /*
     * 3-wide stride-2 max: 16 bytes read as 8 shorts put rows[s] in the low and rows[s + 1] in the
     * high byte of short j (little-endian lane order); the same read 2 bytes later has rows[s + 2]
     * in the low byte. Shifts sign-extend each byte to a short, three maxima give 8 outputs, and
     * the narrowing conversion keeps the low byte.
     */
    @Override
    public void max3Stride2(byte[] rows, int start, int flip, byte[] y, int dst, int count) {
        short f = (short) flip;
        int j = 0;
        for (; j + 8 <= count; j += 8) {
            int s = start + 2 * j;
            ShortVector a =
                    (ShortVector) ByteVector.fromArray(B128, rows, s).reinterpretShape(S128, 0);
            ShortVector b =
                    (ShortVector) ByteVector.fromArray(B128, rows, s + 2).reinterpretShape(S128, 0);
            ShortVector m =
                    a.lanewise(VectorOperators.LSHL, 8)
                            .lanewise(VectorOperators.ASHR, 8)
                            .max(a.lanewise(VectorOperators.ASHR, 8))
                            .max(
                                    b.lanewise(VectorOperators.LSHL, 8)
                                            .lanewise(VectorOperators.ASHR, 8));
            ((ByteVector)
                            m.lanewise(VectorOperators.XOR, f)
                                    .convertShape(VectorOperators.S2B, B64, 0))
                    .intoArray(y, dst + j);
        }
        TAILS.max3Stride2(rows, start + 2 * j, flip, y, dst + j, count - j);
    }

    @Override
    public void quantizeRow(
            float[] x, float scale, int zp, int lo, int hi, byte[] y, int off, int len) {
        int i = 0;
        if (FS.length() == L) {
            for (; i + L <= len; i += L) {
                // One IEEE division per lane as in Requant.quantize; a vector holding a NaN is left
                // to
                // the scalar code (NaN maps to the zero point there).
                FloatVector v = FloatVector.fromArray(FS, x, off + i).div(scale);
                if (v.test(VectorOperators.IS_NAN).anyTrue()) {
                    TAILS.quantizeRow(x, scale, zp, lo, hi, y, off + i, L);
                    continue;
                }
                storeRounded(v, zp, lo, hi, y, off + i);
            }
        }
        TAILS.quantizeRow(x, scale, zp, lo, hi, y, off + i, len - i);
    }

    /** 2L bytes, and the same bits as L shorts: one stride-2 step of {@link #packPairs}. */
    private static final VectorSpecies<Byte> B2L =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(16 * L));

    private static final VectorSpecies<Short> SL =
            VectorSpecies.of(short.class, VectorShape.forBitSize(16 * L));

    @Override
    public void packPairs(byte[] x, int ia, int ib, int step, int flip, int[] dst, int d, int len) {
        int j = 0;
        if (step == 1) {
            for (; j + L <= len; j += L) {
                IntVector a = widen(x, ia + j).lanewise(VectorOperators.XOR, flip).and(0xFF);
                IntVector b = widen(x, ib + j).lanewise(VectorOperators.XOR, flip).and(0xFF);
                a.or(b.lanewise(VectorOperators.LSHL, 16)).intoArray(dst, d + j);
            }
        } else if (step == 2) {
            // 2L bytes as L shorts: the wanted (even) byte of each is its low byte. The load's last
            // byte lies one past the last wanted one, so stop while it is still inside x.
            short f2 = (short) (flip | flip << 8);
            for (; j + L <= len && Math.max(ia, ib) + 2 * (j + L) <= x.length; j += L) {
                IntVector a = evenBytes(x, ia + 2 * j, f2);
                IntVector b = evenBytes(x, ib + 2 * j, f2);
                a.or(b.lanewise(VectorOperators.LSHL, 16)).intoArray(dst, d + j);
            }
        }
        TAILS.packPairs(x, ia + j * step, ib + j * step, step, flip, dst, d + j, len - j);
    }

    /**
     * Bytes x[off], x[off + 2], ... (L of them), each xor'ed with the flip, as unsigned int lanes.
     */
    private static IntVector evenBytes(byte[] x, int off, short flip2) {
        ShortVector s = (ShortVector) ByteVector.fromArray(B2L, x, off).reinterpretShape(SL, 0);
        return (IntVector)
                s.lanewise(VectorOperators.XOR, flip2)
                        .and((short) 0xFF)
                        .convertShape(VectorOperators.S2I, S, 0);
    }

    /**
     * 128 in the low short of each int lane: the weight offset of {@link #widenPairs}' low halves.
     */
    private static final ShortVector LOW_128 = shorts(IntVector.broadcast(S, 128));

    @Override
    public void widenPairs(byte[] src, int s, int[] dst, int d, int len) {
        int i = 0;
        for (; i + L <= len; i += L) {
            // 2L signed bytes become 2L shorts: each int lane then holds (w0, w1) as its two
            // halves.
            ShortVector v =
                    (ShortVector)
                            ByteVector.fromArray(B2L, src, s + 2 * i)
                                    .convertShape(VectorOperators.B2S, SS, 0);
            ints(v.add(LOW_128)).intoArray(dst, d + i);
        }
        TAILS.widenPairs(src, s + 2 * i, dst, d + i, len - i);
    }
}
