package io.djlquant.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.djlquant.quantization.convert.ScaleSearch;
import io.djlquant.zoo.workflow.MixedPrecisionResNet18;
import io.djlquant.zoo.workflow.MobileNetV2FashionMnist;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParameterException;

/** The flags of the mixed-precision and MobileNetV2 programs. */
class ExperimentCommandsTest {

    private static MixedPrecisionResNet18.Options mixed(String... args) {
        MixedPrecisionResNet18Command cmd = new MixedPrecisionResNet18Command();
        Tools.commandLine(cmd).parseArgs(args);
        return cmd.options();
    }

    private static MobileNetV2FashionMnist.Options mobileNet(String... args) {
        MobileNetV2FashionMnistCommand cmd = new MobileNetV2FashionMnistCommand();
        Tools.commandLine(cmd).parseArgs(args);
        return cmd.options();
    }

    @Test
    void mixedPrecisionFlags() {
        MixedPrecisionResNet18.Options o =
                mixed(
                        "--max-drop",
                        "0.01",
                        "--qconfig",
                        "int8",
                        "--algorithms",
                        "none,cle+ss+bc",
                        "--search-objective",
                        "cosine");
        assertEquals(0.01, o.maxDrop());
        assertEquals(6, o.maxFloat());
        assertEquals("int8", o.qconfig());
        assertEquals("none,cle+ss+bc", o.algorithms());
        assertEquals(ScaleSearch.Objective.COSINE, o.objective());
        assertEquals(Path.of("target", "mixed-precision-resnet18"), o.out());
    }

    @Test
    void mobileNetFlags() {
        MobileNetV2FashionMnist.Options o =
                mobileNet("--epochs", "1", "--standard", "false", "--float-params", "/tmp/p");
        assertEquals(1, o.epochs());
        assertFalse(o.standard());
        assertEquals(Path.of("/tmp/p"), o.floatParams());
        assertEquals(ScaleSearch.Objective.MSE, o.objective());
        assertTrue(mobileNet().standard());
        assertNull(mobileNet().floatParams());
        assertEquals(300, mobileNet().qatSteps());
    }

    @Test
    void badInputIsNamed() {
        assertNamed("--step", () -> mobileNet("--step", "1"));
        assertNamed("--epochs", () -> mobileNet("--epochs", "many"));
        assertNamed("--epochs", () -> mobileNet("--epochs"));
        assertNamed("--standard", () -> mobileNet("--standard", "yes"));
        assertNamed("--search-objective", () -> mobileNet("--search-objective", "l1"));
        assertNamed("--qconfig", () -> mixed("--qconfig", "int2"));
        assertNamed("--max-drop", () -> mixed("--max-drop", "1.5"));
        assertNamed("--max-float", () -> mixed("--max-float", "x"));
    }

    private static void assertNamed(String expected, Runnable parse) {
        ParameterException e = assertThrows(ParameterException.class, parse::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
