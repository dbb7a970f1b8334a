package io.djlquant.format;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the .jq reader with Jazzer. A normal test run executes it over the seed corpus in {@code
 * src/test/resources/io/djlquant/format/JqReaderFuzzTestInputs/loadsOrRejects/} (valid models plus
 * every finding, kept as regression inputs); {@code JAZZER_FUZZ=1} makes it fuzz (see README,
 * Reliability):
 *
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -ntp -o -pl djl-quant-plugin test -Dtest=JqReaderFuzzTest \
 *     -Djazzer.max_duration=5m
 * </pre>
 *
 * Each input is tried twice: as it is (mostly stopped by the checksum) and with its CRC32
 * recomputed, which is what a crafted file would carry, so mutations reach the parser and codecs.
 */
class JqReaderFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void loadsOrRejects(byte[] data) {
        ModelBytesCheck.loadsOrRejects(data);
        ModelBytesCheck.loadsOrRejects(ModelBytesCheck.withValidCrc(data));
    }
}
