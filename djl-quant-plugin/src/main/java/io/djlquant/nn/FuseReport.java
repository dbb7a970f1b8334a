package io.djlquant.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What {@link Fuser} did: which DJL blocks it replaced, which it kept as they are (float fallback,
 * shared with the original tree) and why, and the largest output difference of its self-check.
 */
public final class FuseReport {

    private final List<String> replaced = new ArrayList<>();
    private final List<String> kept = new ArrayList<>();
    private double maxAbsDiff = Double.NaN;

    FuseReport() {}

    void replaced(String path, String what) {
        replaced.add(path + ": " + what);
    }

    void kept(String path, String why) {
        kept.add(path + ": " + why);
    }

    void setMaxAbsDiff(double d) {
        maxAbsDiff = d;
    }

    /**
     * @return one line per replacement, "path: original -> new"
     */
    public List<String> getReplaced() {
        return Collections.unmodifiableList(replaced);
    }

    /**
     * @return one line per block kept unchanged (not recognised), "path: reason"
     */
    public List<String> getKept() {
        return Collections.unmodifiableList(kept);
    }

    /**
     * @return whether every block was recognised
     */
    public boolean isComplete() {
        return kept.isEmpty();
    }

    /**
     * Returns the largest absolute difference between the original and the fused tree's outputs on
     * one random input in inference mode, measured by the Fuser after fusing.
     *
     * @return the difference
     */
    public double getMaxAbsDiff() {
        return maxAbsDiff;
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("FuseReport: ");
        sb.append(replaced.size()).append(" replaced, ").append(kept.size()).append(" kept");
        sb.append(", self-check max abs diff ").append(maxAbsDiff);
        for (String k : kept) {
            sb.append("\n  kept ").append(k);
        }
        return sb.toString();
    }
}
