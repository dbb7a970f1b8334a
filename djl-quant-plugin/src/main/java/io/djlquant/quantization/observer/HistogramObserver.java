package io.djlquant.quantization.observer;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import io.djlquant.quantization.QDType;
import io.djlquant.quantization.QParams;
import io.djlquant.quantization.QParamsCalculator;
import io.djlquant.quantization.QScheme;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Per-tensor activation observer that keeps a histogram of the values and picks the clipping
 * range that minimises the expected L2 quantization error, so rare outliers get clipped instead
 * of stretching the scale for everything else.
 *
 * <p>Error model for a candidate range: values inside the representable range cost {@code
 * scale^2 / 12} each (uniform rounding error); values outside cost their squared distance to the
 * nearest representable bound (bin centers, plus the in-bin variance {@code w^2/12}). Prefix sums
 * make each candidate O(1). Affine schemes search lower bounds among histogram edges at or below
 * 0 and upper bounds among edges at or above 0 (up to {@value #CANDIDATES} each); symmetric schemes
 * search {@value #CANDIDATES} thresholds {@code t} with range {@code [-t, t]}.
 *
 * <p>When a batch falls outside the current histogram range the range grows and old counts are
 * moved to the new bin holding each old bin's center.
 */
public class HistogramObserver extends Observer {

    /** Default number of histogram bins. */
    public static final int DEFAULT_BINS = 2048;

    /** Candidate bounds searched per side. */
    static final int CANDIDATES = 256;

    private final int bins;
    private double[] counts;
    private float lo;
    private float hi;
    private boolean observed;

    /**
     * Creates a histogram observer with 2048 bins.
     *
     * @param dtype the integer type
     * @param scheme a per-tensor scheme
     */
    public HistogramObserver(QDType dtype, QScheme scheme) {
        this(dtype, scheme, DEFAULT_BINS);
    }

    /**
     * Creates a histogram observer.
     *
     * @param dtype the integer type
     * @param scheme a per-tensor scheme
     * @param bins the number of bins, at least 16
     */
    public HistogramObserver(QDType dtype, QScheme scheme, int bins) {
        super(dtype, scheme);
        if (scheme.isPerChannel()) {
            throw new IllegalArgumentException(name() + " is per-tensor, got " + scheme);
        }
        if (bins < 16 || bins > (1 << 20)) {
            throw new IllegalArgumentException(name() + " bins must be in [16, 2^20]: " + bins);
        }
        this.bins = bins;
        this.counts = new double[bins];
    }

    /** {@inheritDoc} */
    @Override
    protected void update(NDArray x) {
        float[] v = x.toFloatArray();
        if (v.length == 0) {
            return;
        }
        float bmin = v[0];
        float bmax = v[0];
        for (float f : v) {
            bmin = Math.min(bmin, f);
            bmax = Math.max(bmax, f);
        }
        // the histogram always spans 0 because every quantization range includes 0
        bmin = Math.min(bmin, 0f);
        bmax = Math.max(bmax, 0f);
        if (!observed) {
            lo = bmin;
            hi = bmax;
        } else if (bmin < lo || bmax > hi) {
            rebin(Math.min(lo, bmin), Math.max(hi, bmax));
        }
        double w = width();
        for (float f : v) {
            counts[binOf(f, w)] += 1;
        }
        observed = true;
    }

    private double width() {
        return ((double) hi - lo) / bins;
    }

    private int binOf(double value, double w) {
        if (w <= 0) {
            return 0;
        }
        int i = (int) ((value - lo) / w);
        return Math.max(0, Math.min(bins - 1, i));
    }

    private void rebin(float newLo, float newHi) {
        double oldW = width();
        float oldLo = lo;
        double[] old = counts;
        counts = new double[bins];
        lo = newLo;
        hi = newHi;
        double w = width();
        for (int i = 0; i < bins; i++) {
            if (old[i] != 0) {
                counts[binOf(oldLo + (i + 0.5) * oldW, w)] += old[i];
            }
        }
    }

    /** @return the lower end of the histogram (the observed minimum, or 0) */
    public float getHistogramMin() {
        return lo;
    }

    /** @return the upper end of the histogram (the observed maximum, or 0) */
    public float getHistogramMax() {
        return hi;
    }

    /**
     * Returns the clipping range that minimises the modelled L2 error.
     *
     * @return {@code {min, max}} of the chosen range
     */
    public float[] computeClippingRange() {
        if (!hasObserved()) {
            throw new IllegalStateException(
                    name() + " has not observed any data; run calibration first");
        }
        if (hi == lo) {
            return new float[] {lo, hi};
        }
        double w = width();
        // prefix sums over bins of count, count*center and count*center^2
        double[] n = new double[bins + 1];
        double[] s1 = new double[bins + 1];
        double[] s2 = new double[bins + 1];
        for (int i = 0; i < bins; i++) {
            double c = lo + (i + 0.5) * w;
            n[i + 1] = n[i] + counts[i];
            s1[i + 1] = s1[i] + counts[i] * c;
            s2[i + 1] = s2[i] + counts[i] * c * c;
        }
        Sums sums = new Sums(n, s1, s2, w);
        boolean sym = getScheme().isSymmetric();
        float bestLo = lo;
        float bestHi = hi;
        double best = Double.POSITIVE_INFINITY;
        if (sym) {
            double amax = Math.max(-lo, hi);
            for (int k = 1; k <= CANDIDATES; k++) {
                float t = (float) (amax * k / CANDIDATES);
                double e = error(sums, -t, t, true);
                if (e < best) {
                    best = e;
                    bestLo = -t;
                    bestHi = t;
                }
            }
            return new float[] {bestLo, bestHi};
        }
        int zeroEdge = (int) Math.floor(-lo / w); // last edge index at or below 0
        int loSteps = Math.min(CANDIDATES, zeroEdge + 1);
        int hiSteps = Math.min(CANDIDATES, bins - zeroEdge);
        for (int a = 0; a < loSteps; a++) {
            // spread candidates from edge 0 (full range) up to the edge at 0
            int li = loSteps == 1 ? 0 : (int) Math.round((double) a * zeroEdge / (loSteps - 1));
            float cLo = Math.min(0f, (float) (lo + li * w));
            for (int b = 0; b < hiSteps; b++) {
                int hiFirst = Math.min(bins, zeroEdge + 1);
                int hj =
                        hiSteps == 1
                                ? bins
                                : bins - (int) Math.round((double) b * (bins - hiFirst) / (hiSteps - 1));
                float cHi = Math.max(0f, (float) (lo + hj * w));
                if (hj == bins) {
                    cHi = hi;
                }
                double e = error(sums, cLo, cHi, false);
                if (e < best) {
                    best = e;
                    bestLo = cLo;
                    bestHi = cHi;
                }
            }
        }
        return new float[] {bestLo, bestHi};
    }

    private double error(Sums s, float cLo, float cHi, boolean sym) {
        QParams qp = QParamsCalculator.perTensor(cLo, cHi, getDType(), sym);
        double scale = qp.scale(0);
        double lower = ((double) getDType().qmin() - qp.zeroPoint(0)) * scale;
        double upper = ((double) getDType().qmax() - qp.zeroPoint(0)) * scale;
        // bins [0, iL) lie below the representable range, [iU, bins) above it
        int iL = clampIndex(Math.ceil((lower - lo) / s.w - 0.5));
        int iU = Math.max(iL, clampIndex(Math.floor((upper - lo) / s.w - 0.5) + 1));
        double inBin = s.w * s.w / 12.0;
        double below = s.sq(0, iL, lower) + s.n[iL] * inBin;
        double above = s.sq(iU, bins, upper) + (s.n[bins] - s.n[iU]) * inBin;
        double inside = (s.n[iU] - s.n[iL]) * scale * scale / 12.0;
        return below + above + inside;
    }

    private int clampIndex(double i) {
        return (int) Math.max(0, Math.min(bins, i));
    }

    /** Prefix sums; {@code sq(a, b, p)} is the sum over bins [a, b) of count * (center - p)^2. */
    private static final class Sums {
        final double[] n;
        final double[] s1;
        final double[] s2;
        final double w;

        Sums(double[] n, double[] s1, double[] s2, double w) {
            this.n = n;
            this.s1 = s1;
            this.s2 = s2;
            this.w = w;
        }

        double sq(int a, int b, double p) {
            double cnt = n[b] - n[a];
            double sum1 = s1[b] - s1[a];
            double sum2 = s2[b] - s2[a];
            return Math.max(0.0, sum2 - 2 * p * sum1 + p * p * cnt);
        }
    }

    /** {@inheritDoc} */
    @Override
    public boolean hasObserved() {
        return observed;
    }

    /** {@inheritDoc} */
    @Override
    public void reset() {
        observed = false;
        counts = new double[bins];
        lo = 0f;
        hi = 0f;
    }

    /** {@inheritDoc} */
    @Override
    protected QParams calculateQParams() {
        float[] r = computeClippingRange();
        return QParamsCalculator.perTensor(r[0], r[1], getDType(), getScheme().isSymmetric());
    }

    /** {@inheritDoc} */
    @Override
    protected void saveState(DataOutputStream os) throws IOException {
        os.writeBoolean(observed);
        os.writeFloat(lo);
        os.writeFloat(hi);
        os.writeInt(bins);
        for (double c : counts) {
            os.writeDouble(c);
        }
    }

    /** {@inheritDoc} */
    @Override
    protected void loadState(DataInputStream is) throws IOException, MalformedModelException {
        boolean o = is.readBoolean();
        float l = is.readFloat();
        float h = is.readFloat();
        int b = is.readInt();
        if (b != bins) {
            throw new MalformedModelException(
                    name() + ": stored " + b + " bins, this observer has " + bins);
        }
        if (!(Float.isFinite(l) && Float.isFinite(h) && l <= 0f && h >= 0f)) {
            throw new MalformedModelException(name() + ": invalid stored range " + l + ", " + h);
        }
        double[] c = new double[bins];
        for (int i = 0; i < bins; i++) {
            c[i] = is.readDouble();
            if (!(c[i] >= 0)) {
                throw new MalformedModelException(name() + ": invalid stored count at bin " + i);
            }
        }
        observed = o;
        lo = l;
        hi = h;
        counts = c;
    }
}
