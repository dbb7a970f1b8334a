package io.djlquant.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.djlquant.quantization.observer.PerChannelMinMaxObserver;
import io.djlquant.zoo.workflow.WorkflowOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** The main job's flags. */
class QuantizeResNet18CommandTest {

    private static WorkflowOptions parse(String... args) {
        QuantizeResNet18Command cmd = new QuantizeResNet18Command();
        Tools.commandLine(cmd).parseArgs(args);
        return cmd.options();
    }

    @Test
    void parsesFlags() {
        WorkflowOptions o =
                parse(
                        "--calib-size",
                        "500",
                        "--qat-steps",
                        "0",
                        "--per-channel",
                        "off",
                        "--test-limit",
                        "1000",
                        "--out",
                        "x");
        assertEquals(500, o.calibSize());
        assertEquals(0, o.qatSteps());
        assertFalse(o.perChannel());
        assertEquals(1000, o.testLimit());
        assertEquals("x", o.out().toString());
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        WorkflowOptions o = parse();
        assertEquals("calibration", o.ptqPreset());
        assertEquals("ema-fake-quant-per-channel", o.qatPreset());
        assertTrue(o.perChannel());
        assertEquals(2000, o.calibSize());
        assertEquals(50, o.qatSteps());
        assertEquals(32, o.qatBatch());
        assertEquals(0.0001f, o.qatLr());
        assertEquals(10000, o.testLimit());
        assertEquals(7, o.seed());
    }

    @Test
    void qconfigSetsBothRecipesAndLaterFlagsWin() {
        WorkflowOptions o = parse("--qconfig", "lsq", "--qat-qconfig", "tqt");
        assertEquals("lsq", o.ptqPreset());
        assertEquals("tqt", o.qatPreset());
        // a flag given twice takes its last value (scripts append to -Dquantize.args)
        assertEquals(20, parse("--calib-size", "10", "--calib-size", "20").calibSize());
    }

    @Test
    void perChannelSwitchesTheWeightObserver() {
        assertTrue(
                WorkflowOptions.qconfig("ema-fake-quant", true).newWeightObserver()
                        instanceof PerChannelMinMaxObserver);
        assertFalse(
                WorkflowOptions.qconfig("ema-fake-quant-per-channel", false).newWeightObserver()
                        instanceof PerChannelMinMaxObserver);
    }

    @Test
    void badInputIsNamed() {
        assertNamed("--bogus", "--bogus", "1");
        assertNamed("--calib-size", "--calib-size");
        assertNamed("--qconfig: unknown qconfig foo", "--qconfig", "foo");
        assertNamed("--ptq-qconfig: unknown qconfig foo", "--ptq-qconfig", "foo");
        assertNamed("--per-channel", "--per-channel", "yes");
        assertNamed("--calib-size must be >= 1", "--calib-size", "0");
        assertNamed("--qat-lr", "--qat-lr", "fast");
        assertNamed("--qat-freeze-bn-at", "--qat-freeze-bn-at", "2");
        assertNamed("--train or --checkpoint", "--train", "--checkpoint", "a-0001.params");
    }

    @Test
    void helpIsGeneratedAndBadInputExitsWith2() {
        StringWriter out = new StringWriter();
        CommandLine cl = Tools.commandLine(new QuantizeResNet18Command());
        cl.setOut(new PrintWriter(out));
        assertEquals(0, cl.execute("--help"));
        // the help wraps long descriptions; compare with the line breaks as spaces
        String help = out.toString().replaceAll("\\s+", " ");
        assertTrue(help.startsWith("Usage: QuantizeResNet18"), help);
        for (String flag : new String[] {"--checkpoint", "--train", "--qat-freeze-bn-at"}) {
            assertTrue(help.contains(flag), flag + " in\n" + help);
        }
        // the preset names come from WorkflowOptions, not from a copy in the help text
        assertTrue(help.contains(String.join(", ", WorkflowOptions.qconfigNames())), help);

        StringWriter err = new StringWriter();
        cl = Tools.commandLine(new QuantizeResNet18Command());
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("--calib-size", "0"));
        assertTrue(err.toString().contains("--calib-size must be >= 1, got 0"), err.toString());
    }

    private static void assertNamed(String expected, String... args) {
        ParameterException e = assertThrows(ParameterException.class, () -> parse(args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
