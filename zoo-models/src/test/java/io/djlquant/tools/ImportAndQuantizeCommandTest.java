package io.djlquant.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.djlquant.imports.ImportOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** The import program's flags, and how it reports a model file it cannot import. */
class ImportAndQuantizeCommandTest {

    private static ImportOptions parse(String... args) {
        ImportAndQuantizeCommand cmd = new ImportAndQuantizeCommand();
        Tools.commandLine(cmd).parseArgs(args);
        return cmd.options();
    }

    @Test
    void parsesFlagsWithTheirDefaults() {
        ImportOptions ok = parse("m.pt", "--calibration", "fashion-mnist", "--out", "x.jq");
        assertEquals(Path.of("m.pt"), ok.model());
        assertEquals(ImportOptions.FASHION_MNIST, ok.calibration());
        assertEquals(Path.of("x.jq"), ok.out());
        assertEquals(8, ok.batches());
        assertEquals(16, ok.batchSize());
        assertEquals(0, ok.imageSize());
        assertEquals(0, ok.stemStride());
        ImportOptions all =
                parse(
                        "m.pth",
                        "--calibration",
                        "dir",
                        "--out",
                        "y.jq",
                        "--image-size",
                        "224",
                        "--batches",
                        "2",
                        "--batch-size",
                        "4",
                        "--stem-stride",
                        "1");
        assertEquals(224, all.imageSize());
        assertEquals(2, all.batches());
        assertEquals(4, all.batchSize());
        assertEquals(1, all.stemStride());
    }

    @Test
    void badInputIsNamed() {
        assertNamed("--calibration", "m.pt", "--out", "x.jq");
        assertNamed("--bogus", "m.pt", "--calibration", "d", "--out", "x.jq", "--bogus", "1");
        assertNamed("--batches", "m.pt", "--calibration", "d", "--out", "x.jq", "--batches", "x");
        assertNamed("--batches", "m.pt", "--calibration", "d", "--out", "x.jq", "--batches");
        assertNamed("--batches", "m.pt", "--calibration", "d", "--out", "x.jq", "--batches", "0");
        assertNamed(
                "--stem-stride must be 1 or 2",
                "m.pt",
                "--calibration",
                "d",
                "--out",
                "x.jq",
                "--stem-stride",
                "0");
        // a second model file
        assertNamed("b.pt", "a.pt", "b.pt", "--calibration", "d", "--out", "x.jq");
    }

    @Test
    void usageErrorExitsWith2AndPrintsTheUsage() {
        StringWriter err = new StringWriter();
        CommandLine cl = Tools.commandLine(new ImportAndQuantizeCommand());
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("m.pth", "--out", "out.jq"));
        assertTrue(err.toString().contains("--calibration"), err.toString());
        assertTrue(err.toString().contains("Usage: ImportAndQuantize"), err.toString());
    }

    @Test
    void missingFileIsOneLineAndStatus2(@TempDir Path tmp) {
        Path missing = tmp.resolve("missing.pt");
        Path out = tmp.resolve("out.jq");
        StringWriter err = new StringWriter();
        CommandLine cl = Tools.commandLine(new ImportAndQuantizeCommand());
        cl.setErr(new PrintWriter(err));
        assertEquals(
                2,
                cl.execute(
                        missing.toString(), "--calibration", "fashion-mnist", "--out", "" + out));
        assertEquals("ImportAndQuantize: no such file: " + missing, err.toString().trim());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void fileThatIsNoModelExitsWithStatus2AndOneLineInAFreshJvm(@TempDir Path tmp)
            throws Exception {
        Path bad = tmp.resolve("resnet18-weights.pth");
        Files.writeString(bad, "this is not a PyTorch archive\n", StandardCharsets.UTF_8);
        Path out = tmp.resolve("out.jq");
        Path stdout = tmp.resolve("stdout.txt");
        Path stderr = tmp.resolve("stderr.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p =
                new ProcessBuilder(
                                java,
                                "-cp",
                                System.getProperty("java.class.path"),
                                ImportAndQuantizeCommand.class.getName(),
                                bad.toString(),
                                "--calibration",
                                "fashion-mnist",
                                "--out",
                                out.toString())
                        .redirectOutput(stdout.toFile())
                        .redirectError(stderr.toFile())
                        .start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the command hung");
        List<String> err = Files.readAllLines(stderr);
        assertEquals(2, p.exitValue(), "stderr: " + err);
        assertEquals(1, err.size(), "one line: " + err);
        assertTrue(err.get(0).startsWith("ImportAndQuantize: " + bad), err.get(0));
        assertEquals(List.of(), Files.readAllLines(stdout));
        assertFalse(Files.exists(out), "nothing written");
    }

    private static void assertNamed(String expected, String... args) {
        ParameterException e = assertThrows(ParameterException.class, () -> parse(args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
