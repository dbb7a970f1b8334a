package io.djlquant.nn;

import ai.djl.nn.Block;

/** The fused block tree together with the {@link FuseReport} describing it. */
public final class FuseResult {

    private final Block block;
    private final FuseReport report;

    FuseResult(Block block, FuseReport report) {
        this.block = block;
        this.report = report;
    }

    /**
     * @return the fused, initialized block tree
     */
    public Block getBlock() {
        return block;
    }

    /**
     * @return what the Fuser replaced and kept
     */
    public FuseReport getReport() {
        return report;
    }
}
