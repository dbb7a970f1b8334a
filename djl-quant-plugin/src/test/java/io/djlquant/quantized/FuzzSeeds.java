package io.djlquant.quantized;

import ai.djl.nn.SequentialBlock;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QParams;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the valid models used as seeds of the .jq fuzz test ({@code HandBuilt.network}: every
 * quantized block type, 4-bit and 8-bit weights, in a few kilobytes, and {@link #stubs}). Run once
 * to refresh the committed seeds after a format change; {@code JqSeedsTest} fails while they are
 * stale.
 */
public final class FuzzSeeds {

    /** Seed of {@link HandBuilt#network}. */
    static final long NETWORK_SEED = 7;

    private FuzzSeeds() {}

    /** The smallest useful model: quantize and dequantize again (a few hundred bytes). */
    static SequentialBlock stubs() {
        QParams q = HandBuilt.act(QDType.QUINT8, 0.02f, 128);
        return new SequentialBlock().add(new QuantStub(q)).add(new DequantStub(q));
    }

    /**
     * @param args the directory to write {@code handbuilt-network.jq} into
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        QuantizedModels.save(
                HandBuilt.network(NETWORK_SEED),
                dir.resolve("handbuilt-network.jq"),
                Map.of("seed", "7"));
        QuantizedModels.save(stubs(), dir.resolve("stubs.jq"), Map.of());
    }
}
