package io.djlquant.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Argument parsing and option validation of the training tool. */
class CommandLineTest {

    @Test
    void parsesEveryOption() {
        CommandLine cl =
                CommandLine.parse(
                        new String[] {
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
                            "djl-resnetv1"
                        });
        TrainOptions o = cl.options();
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
        assertEquals(Path.of("/data"), cl.dataDir());
        assertEquals(100, cl.timeBatches());
        assertEquals(1, cl.threads());
        assertEquals("djl-resnetv1", cl.model());
    }

    @Test
    void defaults() {
        TrainOptions o = CommandLine.parse(new String[0]).options();
        assertEquals(1, o.epochs());
        assertEquals(TrainOptions.OptimizerKind.SGD_MOMENTUM, o.optimizer());
        assertEquals(Long.MAX_VALUE, o.limit());
        assertNull(o.outputDir());
        assertTrue(o.verbose());
    }

    @Test
    void rejectsBadArguments() {
        assertMessage("unknown option --epoch", "--epoch", "3");
        assertMessage("unknown option --bogus", "--bogus");
        assertMessage("--model must be one of", "--model", "vgg");
        assertMessage("missing value after --lr", "--lr");
        assertMessage("--batch needs an integer, got 'many'", "--batch", "many");
        assertMessage("--optimizer must be sgd or adam", "--optimizer", "rmsprop");
        assertMessage("learning rate must be positive", "--lr", "-1");
        assertMessage("resume needs an output directory", "--resume");
        assertMessage("channels must be 1 or 3", "--channels", "2");
        assertMessage("model name must use", "--name", "a/b");
    }

    private static void assertMessage(String expected, String... args) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> CommandLine.parse(args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
