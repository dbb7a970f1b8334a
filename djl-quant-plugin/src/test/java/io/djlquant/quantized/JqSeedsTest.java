package io.djlquant.quantized;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fuzz seeds committed under src/test/resources are exactly what the current writer produces
 * for their models, so the fuzzer starts from valid, current files (refresh with {@link
 * FuzzSeeds}).
 */
class JqSeedsTest {

    private static final String DIR = "/io/djlquant/format/JqReaderFuzzTestInputs/loadsOrRejects/";

    @Test
    void committedSeedsAreCurrent(@TempDir Path tmp) throws Exception {
        FuzzSeeds.main(new String[] {tmp.toString()});
        for (String name : new String[] {"handbuilt-network.jq", "stubs.jq"}) {
            byte[] committed;
            try (InputStream in = JqSeedsTest.class.getResourceAsStream(DIR + name)) {
                committed = in.readAllBytes();
            }
            assertArrayEquals(
                    Files.readAllBytes(tmp.resolve(name)),
                    committed,
                    name + " is stale: rerun io.djlquant.quantized.FuzzSeeds");
        }
    }
}
