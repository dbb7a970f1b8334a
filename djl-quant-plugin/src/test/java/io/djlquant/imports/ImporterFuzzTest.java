package io.djlquant.imports;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzzes the PyTorch importer with Jazzer: every input must import or raise a
 * MalformedModelException with a message ({@link ImporterChecks}). A normal test run executes each
 * target over its seeds and findings in {@code
 * src/test/resources/io/djlquant/imports/ImporterFuzzTestInputs/<target>/}; {@code JAZZER_FUZZ=1}
 * fuzzes one target (see README, Reliability):
 *
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -ntp -o -pl djl-quant-plugin test-compile surefire:test \
 *     -Dtest='ImporterFuzzTest#archive' '-Ddjlquant.jvm.args=-Dai.djl.offline=true -Xmx1g'
 * </pre>
 *
 * (a 1 GB heap keeps the JVM under libFuzzer's 2 GB RSS limit, which the default 4 GB heap would
 * cross and report as a false out-of-memory finding).
 *
 * <ul>
 *   <li>{@code archive}: the bytes are a whole {@code .pth} / {@code .pt} file (zip checks, pickle,
 *       tensors). Seeds: a state dict, a pickled module and a TorchScript file of a few KB each,
 *       written by {@code fixtures/make_fuzz_seeds.py}.
 *   <li>{@code pickle}: the bytes are the {@code data.pkl} of an archive with fixed storages, so
 *       mutations reach the pickle interpreter and the tensor views without first breaking the
 *       zip's offsets. Seeds: those three files' data.pkl.
 *   <li>{@code torchvision}: as {@code pickle}, then {@code TorchvisionImport.build} (layout
 *       detection, the shape check, the network allocation through the PyTorch engine) on the
 *       decoded tensors. Seeds: the data.pkl of the ResNet fixtures tiny_half.pth and
 *       tiny_module.pth.
 * </ul>
 */
class ImporterFuzzTest {

    private static Path scratch;

    @FuzzTest(maxDuration = "8m")
    void archive(byte[] data) throws Exception {
        if (scratch == null) {
            scratch = ImporterChecks.scratchFile();
        }
        Files.write(scratch, data);
        ImporterChecks.archiveReadsOrRejects(scratch);
    }

    @FuzzTest(maxDuration = "8m")
    void pickle(byte[] data) {
        ImporterChecks.pickleDecodesOrRejects(data);
    }

    @FuzzTest(maxDuration = "8m")
    void torchvision(byte[] data) {
        ImporterChecks.importsOrRejects(data);
    }
}
