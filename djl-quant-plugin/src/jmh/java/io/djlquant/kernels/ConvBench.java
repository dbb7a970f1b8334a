package io.djlquant.kernels;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Convolution speed on ResNet18's layer shapes: the public int8 conv2d (SIMD and scalar), the int8
 * product alone on pre-gathered tiles, and fp32 products of the same shape and tiling (Vector API
 * FMA with the same register blocking, and plain Java). Each op is one image through one layer;
 * MAC/s = ops/s x {@link ConvLayer#macs()} (see {@link ConvBenchMain}, which prints that table).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
public class ConvBench {

    @Param({"c64"})
    public String layer;

    @Param({"1", "2"})
    public int threads;

    private ConvLayer l;
    private Int8Impl simd;
    private Int8Impl scalar;
    private byte[] x;
    private PackedConvWeights packed;
    private float[] mult;
    private ActivationQuant in;
    private ActivationQuant out;
    // Pre-gathered tiles for the product-only benchmarks.
    private int k;
    private int tile;
    private int tiles;
    private int chunk;
    private int chunks;
    private int pixels;
    private int[][] colInt;
    private float[][] colFloat;
    private byte[] wInt;
    private float[] wFloat;
    private int[] rowOff;
    private int[][] colPair;
    private int[] pairRowOff;
    private int kp;
    private int[] pairWeights;
    private static final ThreadLocal<float[]> FLOAT_ACC = new ThreadLocal<>();

    @Setup(Level.Trial)
    public void setup() {
        l = ConvLayer.byName(layer);
        Int8Kernels.setThreads(threads);
        simd = KernelSelector.create(KernelSelector.Choice.SIMD);
        scalar = KernelSelector.create(KernelSelector.Choice.SCALAR);
        Random r = new Random(42);
        x = new byte[l.c() * l.h() * l.h()];
        r.nextBytes(x);
        k = l.k();
        wInt = new byte[l.oc() * k];
        wFloat = new float[wInt.length];
        for (int i = 0; i < wInt.length; i++) {
            wInt[i] = (byte) (r.nextInt(255) - 127);
            wFloat[i] = wInt[i];
        }
        packed =
                PackedConvWeights.pack(
                        wInt, l.oc(), l.c(), l.kernel(), l.kernel(), 1, new int[l.oc()]);
        mult = new float[l.oc()];
        java.util.Arrays.fill(mult, (float) (1.0 / (Math.sqrt(k) * 3000.0)));
        in = ActivationQuant.uint8(0.05f, 110);
        out = ActivationQuant.uint8(0.05f, 0);
        pixels = l.outSize() * l.outSize();
        tile = ConvKernel.tileWidth(k, pixels, 32);
        tiles = (pixels + tile - 1) / tile;
        chunk = ConvKernel.channelChunk(l.oc(), tiles);
        chunks = (l.oc() + chunk - 1) / chunk;
        colInt = new int[tiles][k * tile];
        colFloat = new float[tiles][k * tile];
        for (int t = 0; t < tiles; t++) {
            for (int i = 0; i < k * tile; i++) {
                colInt[t][i] = r.nextInt(256) - 110;
                colFloat[t][i] = colInt[t][i];
            }
        }
        rowOff = new int[k];
        for (int kk = 0; kk < k; kk++) {
            rowOff[kk] = kk * tile;
        }
        // The pair product's tiles and weights as conv2d uses them: the same activations as colInt
        // (u = (x - zp) + zp, unsigned), two rows packed per int; rows paired along K when the
        // weights
        // have row pairs (odd channel counts), else channel pairs (icPair, kh, kw).
        boolean rowOrder = packed.rowOrderPairs();
        kp = rowOrder ? packed.rowPairLength() : packed.pairRowLength();
        // Widened once here: the benchmark times the product, not the per-task widening.
        pairWeights = new int[l.oc() * kp];
        if (rowOrder) {
            packed.widenRowPairs(0, l.oc(), pairWeights);
        } else {
            packed.widenPairs(new ScalarInt8Impl(), 0, l.oc(), pairWeights);
        }
        int taps = l.kernel() * l.kernel();
        colPair = new int[tiles][kp * tile];
        pairRowOff = new int[kp];
        for (int t = 0; t < kp; t++) {
            pairRowOff[t] = t * tile;
        }
        for (int t = 0; t < tiles; t++) {
            for (int pr = 0; pr < kp; pr++) {
                int rowA;
                int rowB;
                if (rowOrder) {
                    rowA = 2 * pr;
                    rowB = Math.min(2 * pr + 1, k - 1);
                } else {
                    int a = 2 * (pr / taps);
                    int b = Math.min(a + 1, l.c() - 1);
                    rowA = a * taps + pr % taps;
                    rowB = b * taps + pr % taps;
                }
                for (int q = 0; q < tile; q++) {
                    int u0 = colInt[t][rowA * tile + q] + in.zeroPoint();
                    int u1 = colInt[t][rowB * tile + q] + in.zeroPoint();
                    colPair[t][pr * tile + q] = u0 | u1 << 16;
                }
            }
        }
    }

    @Benchmark
    public byte[] int8ConvSimd() {
        return Int8Kernels.conv2d(
                simd, x, 1, l.c(), l.h(), l.h(), in, packed, l.params(), mult, out, true);
    }

    @Benchmark
    public byte[] int8ConvScalar() {
        return Int8Kernels.conv2d(
                scalar, x, 1, l.c(), l.h(), l.h(), in, packed, l.params(), mult, out, true);
    }

    /** The int8 product conv2d uses (pairs of int16 products, {@link Int8Impl#gemmPairs}). */
    @Benchmark
    public void int8GemmSimd() {
        KernelThreads.run(
                tiles * chunks,
                task -> {
                    int t = task / chunks;
                    int j0 = (task % chunks) * chunk;
                    int nj = Math.min(chunk, l.oc() - j0);
                    int np = Math.min(tile, pixels - t * tile);
                    simd.gemmPairs(
                            pairWeights,
                            j0 * kp,
                            nj,
                            kp,
                            colPair[t],
                            pairRowOff,
                            np,
                            Scratch.ints(1, nj * tile));
                });
    }

    /**
     * The previous int8 product: int32 multiply-adds on widened weights ({@link
     * Int8Impl#gemmBroadcast}).
     */
    @Benchmark
    public void int8GemmInt() {
        KernelThreads.run(
                tiles * chunks,
                task -> {
                    int t = task / chunks;
                    int j0 = (task % chunks) * chunk;
                    int nj = Math.min(chunk, l.oc() - j0);
                    int np = Math.min(tile, pixels - t * tile);
                    simd.gemmBroadcast(
                            wInt, j0 * k, nj, k, colInt[t], rowOff, np, Scratch.ints(1, nj * tile));
                });
    }

    @Benchmark
    public void fp32GemmSimd() {
        KernelThreads.run(
                tiles * chunks,
                task -> {
                    int t = task / chunks;
                    int j0 = (task % chunks) * chunk;
                    int nj = Math.min(chunk, l.oc() - j0);
                    int np = Math.min(tile, pixels - t * tile);
                    FloatGemm.simd(
                            wFloat, j0 * k, nj, k, colFloat[t], rowOff, np, floatAcc(nj * tile));
                });
    }

    @Benchmark
    public void fp32GemmPlain() {
        KernelThreads.run(
                tiles * chunks,
                task -> {
                    int t = task / chunks;
                    int j0 = (task % chunks) * chunk;
                    int nj = Math.min(chunk, l.oc() - j0);
                    int np = Math.min(tile, pixels - t * tile);
                    FloatGemm.plain(
                            wFloat, j0 * k, nj, k, colFloat[t], rowOff, np, floatAcc(nj * tile));
                });
    }

    private static float[] floatAcc(int size) {
        float[] a = FLOAT_ACC.get();
        if (a == null || a.length < size) {
            a = new float[size];
            FLOAT_ACC.set(a);
        }
        return a;
    }
}
