package io.djlquant.quantization.observer;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantization.qparams.QParamsCalculator;
import io.djlquant.quantization.qparams.QScheme;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Per-tensor activation observer that keeps a histogram of the values and picks the clipping range
 * that minimises the expected L2 quantization error, so rare outliers get clipped instead of
 * stretching the scale for everything else.
 *
 * <p>Error model for a candidate range (see {@code error}): each histogram bin is represented by
 * its center; bins outside the representable range, or all bins when the quantization step is at
 * least a bin wide, cost the center's actual quantize-dequantize error plus the in-bin variance
 * {@code w^2/12}; bins inside a finely quantized range cost the uniform rounding noise {@code
 * scale^2/12}. Symmetric schemes try {@value #CANDIDATES} thresholds {@code t} (range {@code [-t,
 * t]}); affine schemes try {@value #AFFINE_CANDIDATES} lower times {@value #AFFINE_CANDIDATES}
 * upper bounds, each shrinking from the observed extreme towards 0.
 *
 * <p>When a batch falls outside the current histogram range the range grows and old counts are
 * moved to the new bin holding each old bin's center.
 */
public class HistogramObserver extends Observer {

    /** Default number of histogram bins. */
    public static final int DEFAULT_BINS = 2048;

    /** Candidate thresholds searched by symmetric schemes. */
    static final int CANDIDATES = 512;

    /** Candidate bounds per side searched by affine schemes (pairs: the square of this). */
    static final int AFFINE_CANDIDATES = 128;

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

    /**
     * @return the lower end of the histogram (the observed minimum, or 0)
     */
    public float getHistogramMin() {
        return lo;
    }

    /**
     * @return the upper end of the histogram (the observed maximum, or 0)
     */
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
        // only non-empty bins contribute; keep their centers and counts compactly
        int used = 0;
        for (double c : counts) {
            if (c > 0) {
                used++;
            }
        }
        double[] centers = new double[used];
        double[] weights = new double[used];
        for (int i = 0, k = 0; i < bins; i++) {
            if (counts[i] > 0) {
                centers[k] = lo + (i + 0.5) * w;
                weights[k++] = counts[i];
            }
        }
        boolean sym = getScheme().isSymmetric();
        float bestLo = lo;
        float bestHi = hi;
        double best = Double.POSITIVE_INFINITY;
        if (sym) {
            double amax = Math.max(-lo, hi);
            for (int k = 1; k <= CANDIDATES; k++) {
                float t = (float) (amax * k / CANDIDATES);
                double e = error(centers, weights, w, -t, t, true);
                if (e < best) {
                    best = e;
                    bestLo = -t;
                    bestHi = t;
                }
            }
            return new float[] {bestLo, bestHi};
        }
        int side = AFFINE_CANDIDATES;
        for (int a = 0; a < side; a++) {
            // lower bounds from lo (no clipping) towards 0, upper bounds from hi towards 0
            float cLo = (float) (lo * (side - a) / side);
            for (int b = 0; b < side; b++) {
                float cHi = (float) (hi * (side - b) / side);
                double e = error(centers, weights, w, cLo, cHi, false);
                if (e < best) {
                    best = e;
                    bestLo = cLo;
                    bestHi = cHi;
                }
            }
        }
        return new float[] {bestLo, bestHi};
    }

    /**
     * Modelled squared error of quantizing the histogram with the range [cLo, cHi]. A bin is
     * represented by its center: if it lies outside the representable range, or the quantization
     * step is at least the bin width, its error is the center's actual quantize-dequantize error
     * plus the in-bin variance {@code w^2/12}; otherwise many levels fall inside the bin and the
     * error is the uniform rounding noise {@code scale^2/12}.
     */
    private double error(
            double[] centers, double[] weights, double w, float cLo, float cHi, boolean sym) {
        QParams qp = QParamsCalculator.perTensor(cLo, cHi, getDType(), sym);
        double scale = qp.scale(0);
        double zp = qp.zeroPoint(0);
        double qmin = getDType().qmin();
        double qmax = getDType().qmax();
        double lower = (qmin - zp) * scale;
        double upper = (qmax - zp) * scale;
        double inBin = w * w / 12.0;
        double fine = scale * scale / 12.0;
        boolean coarse = scale >= w;
        double total = 0;
        for (int k = 0; k < centers.length; k++) {
            double c = centers[k];
            double e;
            if (coarse || c < lower || c > upper) {
                double q = Math.max(qmin, Math.min(qmax, Math.rint(c / scale) + zp));
                double d = c - (q - zp) * scale;
                e = d * d + inBin;
            } else {
                e = fine;
            }
            total += weights[k] * e;
        }
        return total;
    }

    /** {@inheritDoc} */
    @Override
    public boolean hasObserved() {
        return observed;
    }

    /** {@inheritDoc} */
    @Override
    protected void resetState() {
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
