package io.djlquant.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.djlquant.training.TrainOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** Argument parsing and option validation of the training program. */
class TrainFloatCommandTest {

    private static TrainFloatCommand parse(String... args) {
        TrainFloatCommand cmd = new TrainFloatCommand();
        Tools.commandLine(cmd).parseArgs(args);
        return cmd;
    }

    @Test
    void parsesEveryOption() {
        TrainFloatCommand cmd =
                parse(
                        "--epochs",
                        "12",
                        "--batch",
                        "128",
                        "--lr",
                        "0.1",
                        "--optimizer",
                        "adam",
                        "--momentum",
                        "0.8",
                        "--wd",
                        "5e-4",
                        "--cosine",
                        "--out",
                        "/tmp/x",
                        "--name",
                        "r18",
                        "--resume",
                        "--limit",
                        "2000",
                        "--test-limit",
                        "500",
                        "--image-size",
                        "32",
                        "--channels",
                        "1",
                        "--seed",
                        "3",
                        "--data",
                        "/data",
                        "--quiet",
                        "--time-batches",
                        "100",
                        "--threads",
                        "1",
                        "--model",
                        "djl-resnetv1");
        TrainOptions o = cmd.options();
        assertEquals(12, o.epochs());
        assertEquals(128, o.batchSize());
        assertEquals(0.1f, o.learningRate());
        assertEquals(TrainOptions.OptimizerKind.ADAM, o.optimizer());
        assertEquals(0.8f, o.momentum());
        assertEquals(5e-4f, o.weightDecay());
        assertTrue(o.cosineSchedule());
        assertEquals(Path.of("/tmp/x"), o.outputDir());
        assertEquals("r18", o.modelName());
        assertTrue(o.resume());
        assertEquals(2000, o.limit());
        assertEquals(500, o.testLimit());
        assertEquals(32, o.imageSize());
        assertEquals(1, o.channels());
        assertEquals(3L, o.seed());
        assertFalse(o.verbose());
        assertEquals(Path.of("/data"), cmd.data);
        assertEquals(100, cmd.timeBatches);
        assertEquals(1, cmd.threads);
        assertEquals("djl-resnetv1", cmd.model);
    }

    @Test
    void defaults() {
        TrainOptions o = parse().options();
        assertEquals(1, o.epochs());
        assertEquals(TrainOptions.OptimizerKind.SGD_MOMENTUM, o.optimizer());
        assertEquals(Long.MAX_VALUE, o.limit());
        assertNull(o.outputDir());
        assertTrue(o.verbose());
    }

    @Test
    void rejectsBadArguments() {
        assertMessage("--epoch", "--epoch", "3");
        assertMessage("--bogus", "--bogus");
        assertMessage("--model must be one of", "--model", "vgg");
        assertMessage("--lr", "--lr");
        assertMessage("--batch", "--batch", "many");
        assertMessage("--optimizer must be sgd or adam", "--optimizer", "rmsprop");
        assertMessage("--threads must be >= 1", "--threads", "0");
        assertMessage("learning rate must be positive", "--lr", "-1");
        assertMessage("resume needs an output directory", "--resume");
        assertMessage("channels must be 1 or 3", "--channels", "2");
        assertMessage("model name must use", "--name", "a/b");
    }

    @Test
    void badInputPrintsTheErrorAndTheUsageAndReturns2() {
        StringWriter err = new StringWriter();
        CommandLine cl = Tools.commandLine(new TrainFloatCommand());
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("--optimizer", "rmsprop"));
        assertTrue(err.toString().contains("--optimizer must be sgd or adam"), err.toString());
        assertTrue(err.toString().contains("Usage: TrainFloat"), err.toString());
    }

    @Test
    void helpListsEveryFlagWithItsDefault() {
        StringWriter out = new StringWriter();
        CommandLine cl = Tools.commandLine(new TrainFloatCommand());
        cl.setOut(new PrintWriter(out));
        assertEquals(0, cl.execute("--help"));
        // the help wraps long descriptions; compare with the line breaks as spaces
        String help = out.toString().replaceAll("\\s+", " ");
        for (String flag :
                new String[] {
                    "--epochs",
                    "--batch",
                    "--lr",
                    "--optimizer",
                    "--momentum",
                    "--wd",
                    "--cosine",
                    "--out",
                    "--name",
                    "--resume",
                    "--limit",
                    "--test-limit",
                    "--image-size",
                    "--channels",
                    "--seed",
                    "--data",
                    "--quiet",
                    "--threads",
                    "--time-batches",
                    "--model"
                }) {
            assertTrue(help.contains(flag), flag + " in\n" + help);
        }
        assertTrue(help.contains("resnet18, resnet18-imagenet-stem, djl-resnetv1"), help);
        assertTrue(help.contains("(default: 64)"), help);
    }

    private static void assertMessage(String expected, String... args) {
        ParameterException e = assertThrows(ParameterException.class, () -> parse(args).options());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
